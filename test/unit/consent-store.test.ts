import assert from 'node:assert/strict';
import { ConsentStore, parseState, SettingsLike, STATE_KEY } from '../../src/consent/store';

const ID = '0123456789abcdef0123456789abcdef';

describe('consent store: reading what is stored', () => {
  it('reads a full state', () => {
    const { state, repaired } = parseState({
      instanceId: ID,
      choice: true,
      lastReport: { at: '2026-11-01T10:00:00.000Z', ok: false },
      update: { version: '4.1.15' },
    });
    assert.equal(repaired, false);
    assert.deepEqual(state, { instanceId: ID, choice: true, lastReport: { at: Date.parse('2026-11-01T10:00:00.000Z'), ok: false }, update: { version: '4.1.15' } });
  });

  it('generates a random id when none is stored', () => {
    const a = parseState(undefined).state.instanceId;
    const b = parseState(undefined).state.instanceId;
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notEqual(a, b);
  });

  it('drops malformed parts instead of failing, and says it repaired them', () => {
    const { state, repaired } = parseState({ instanceId: 'me', choice: 'yes', lastReport: { at: 'yesterday', ok: true }, update: { version: 'latest' } });
    assert.equal(repaired, true);
    assert.match(state.instanceId, /^[0-9a-f]{32}$/);
    assert.deepEqual(Object.keys(state), ['instanceId']);
    assert.equal(parseState('garbage').repaired, true);
  });
});

describe('consent store: a kept update offer', () => {
  it('keeps an offer with its Node.js requirement, and one with a newer version mentioned', () => {
    for (const update of [{ version: '5.0.7', node: '22.9' }, { version: '4.1.16', newer: { version: '5.0.7', node: '22.9.1' } }, { version: '4.1.16' }]) {
      const { state, repaired } = parseState({ instanceId: ID, update });
      assert.equal(repaired, false, JSON.stringify(update));
      assert.deepEqual(state.update, update);
    }
  });

  const broken: Array<[string, unknown]> = [
    ['a requirement that is not a version', { version: '5.0.7', node: '>=22.9' }],
    ['a requirement that is not a string', { version: '5.0.7', node: 22.9 }],
    ['a newer version without its requirement', { version: '4.1.16', newer: { version: '5.0.7' } }],
    ['a newer version that is not a version', { version: '4.1.16', newer: { version: 'five', node: '22.9' } }],
    ['a newer that is a string', { version: '4.1.16', newer: '5.0.7' }],
    ['a newer that is null', { version: '4.1.16', newer: null }],
  ];
  for (const [name, update] of broken) {
    it(`drops an offer with ${name} whole, rather than offer it without the requirement`, () => {
      const { state, repaired } = parseState({ instanceId: ID, update });
      assert.equal(repaired, true);
      assert.equal(state.update, undefined);
    });
  }

  it('writes the offer with its requirement, and reads it back after a restart', async () => {
    const values = new Map<string, unknown>();
    const settings: SettingsLike = {
      get: (key) => structuredClone(values.get(key)),
      set: (key, value) => Promise.resolve(void values.set(key, structuredClone(value))),
      available: () => true,
    };
    const store = new ConsentStore(settings);
    await store.update((s) => ({ ...s, update: { version: '4.1.16', newer: { version: '5.0.7', node: '22.9' } } }));
    assert.deepEqual(new ConsentStore(settings).get().update, { version: '4.1.16', newer: { version: '5.0.7', node: '22.9' } });
  });
});

describe('consent store: writing', () => {
  class RecordingSettings implements SettingsLike {
    writes: unknown[] = [];
    fail = false;
    get(): unknown {
      return undefined;
    }
    set(key: string, value: unknown): Promise<void> {
      // Fails as Node-RED's does: a rejected promise, never a throw (the executor turns one into the other).
      return new Promise((resolve) => {
        assert.equal(key, STATE_KEY);
        if (this.fail) throw new Error('Property is read-only');
        this.writes.push(JSON.parse(JSON.stringify(value)));
        resolve();
      });
    }
    available(): boolean {
      return true;
    }
  }

  it('writes in order, with times as ISO strings', async () => {
    const settings = new RecordingSettings();
    const store = new ConsentStore(settings);
    assert.equal(store.needsWrite, true);
    const first = store.update((s) => ({ ...s, choice: true }));
    const second = store.update((s) => ({ ...s, lastReport: { at: Date.parse('2026-11-01T10:00:00Z'), ok: true } }));
    await Promise.all([first, second]);
    assert.equal(settings.writes.length, 2);
    assert.deepEqual(settings.writes[1], { instanceId: store.get().instanceId, choice: true, lastReport: { at: '2026-11-01T10:00:00.000Z', ok: true } });
  });

  it('rejects when storage refuses, and keeps accepting later writes', async () => {
    const settings = new RecordingSettings();
    const store = new ConsentStore(settings);
    settings.fail = true;
    await assert.rejects(store.update((s) => ({ ...s, choice: true })), /read-only/);
    settings.fail = false;
    await store.update((s) => ({ ...s, choice: false }));
    assert.equal(settings.writes.length, 1);
  });
});

describe('consent store: what the consent covered', () => {
  it('keeps well-formed lists of items', () => {
    const { state, repaired } = parseState({ instanceId: 'a'.repeat(32), choice: true, covered: ['flows', 'ext:node-red-contrib-acme'], declined: ['lifecycle'] });
    assert.deepEqual([state.covered, state.declined, repaired], [['flows', 'ext:node-red-contrib-acme'], ['lifecycle'], false]);
  });

  it('a list that cannot be read covers nothing, and is repaired', () => {
    for (const covered of ['flows', [1], ['FLOWS; drop'], Array.from({ length: 65 }, (_, i) => `g${i}`)]) {
      const { state, repaired } = parseState({ instanceId: 'a'.repeat(32), choice: true, covered });
      assert.equal(state.covered, undefined, JSON.stringify(covered));
      assert.equal(repaired, true);
    }
  });

  it('a state saved before lists existed covers the base payload only', () => {
    const { state, repaired } = parseState({ instanceId: 'a'.repeat(32), choice: true });
    assert.deepEqual([state.covered, repaired], [undefined, false]);
  });
});
