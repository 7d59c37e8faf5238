import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { EDITOR_CORE_ACTIONS, EditorInsight, MAX_COUNT, REPORT_JSON_SCHEMA } from '@node-red-telemetry/protocol';
import { EDITOR_FILE, EditorUsageStore } from '../../../src/insight/editor-store';
import { addEditorCounts, emptyEditorCounts, readEditorCounts, subtractEditorCounts } from '../../../src/insight/editor-usage';
import { buildReport } from '../../../src/report';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-11-26T12:00:00Z');
const ID = '0123456789abcdef0123456789abcdef';

const counts = (over: Partial<EditorInsight>): EditorInsight => ({ ...emptyEditorCounts(), ...over });
const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'nrt-editor-'));

describe('insight: editor counts as the runtime takes them (pure)', () => {
  it('takes an editor\'s counts, folding every name outside the closed lists into other', () => {
    const read = readEditorCounts({
      sessions: 2,
      actions: { 'core:deploy-flows': 3, 'acme:secret-action': 2, 'core:no-such-action': 1, 'core:search': 0 },
      languages: { de: 1, 'tlh-KL': 1 },
      themes: { dark: 2, sepia: 1 },
      viewports: { phone: 1, watch: 1 },
    });
    assert.deepEqual(read, {
      sessions: 2,
      actions: { 'core:deploy-flows': 3, other: 3 },
      languages: { de: 1, other: 1 },
      themes: { dark: 2 },
      viewports: { phone: 1 },
    });
    assert.ok(!JSON.stringify(read).includes('acme'), 'the plugin\'s own name is gone');
  });

  it('takes parts of the group (what one editor counted since it last handed in)', () => {
    assert.deepEqual(readEditorCounts({ actions: { 'core:search': 1 } }), counts({ actions: { 'core:search': 1 } }));
    assert.deepEqual(readEditorCounts({}), emptyEditorCounts());
  });

  it('refuses whatever is not counts, whole', () => {
    const bad: unknown[] = [
      null,
      [],
      'sessions',
      { sessions: -1 },
      { sessions: 1.5 },
      { sessions: '1' },
      { actions: [] },
      { actions: { 'core:search': '1' } },
      { actions: { 'core:search': -2 } },
      { actions: { ['x'.repeat(129)]: 1 } },
      { actions: Object.fromEntries(Array.from({ length: 513 }, (_, i) => [`a${i}`, 1])) },
      { sessions: 1, user: 'alice' },
    ];
    for (const body of bad) assert.equal(readEditorCounts(body), null, JSON.stringify(body).slice(0, 80));
  });

  it(`caps every count at ${MAX_COUNT}, when taken and when added`, () => {
    const big = readEditorCounts({ sessions: 5e9, actions: { 'core:search': 5e9 } })!;
    assert.deepEqual([big.sessions, big.actions['core:search']], [MAX_COUNT, MAX_COUNT]);
    const sum = addEditorCounts(big, big);
    assert.deepEqual([sum.sessions, sum.actions['core:search']], [MAX_COUNT, MAX_COUNT]);
  });

  it('adds and takes away per name, dropping names with nothing left', () => {
    const a = counts({ sessions: 2, actions: { 'core:search': 3, 'core:undo': 1 }, themes: { light: 2 } });
    const b = counts({ sessions: 1, actions: { 'core:search': 1 }, themes: { dark: 1 } });
    assert.deepEqual(addEditorCounts(a, b), counts({ sessions: 3, actions: { 'core:search': 4, 'core:undo': 1 }, themes: { light: 2, dark: 1 } }));
    assert.deepEqual(subtractEditorCounts(addEditorCounts(a, b), a), b);
  });

  it('a report with the group carries the counts as the collector\'s schema takes them; without the group, nothing of it', () => {
    const validate = new Ajv({ strict: false }).compile(REPORT_JSON_SCHEMA);
    const editor = counts({ sessions: 1, actions: { [EDITOR_CORE_ACTIONS[0]]: 1, other: 2 }, languages: { 'en-US': 1 }, themes: { light: 1 }, viewports: { desktop: 1 } });
    const sources = { flows: () => null, features: () => assert.fail('not read'), environment: () => assert.fail('not read') };
    const report = buildReport(ID, '4.1.15', { groups: ['editor'], sources, events: [], editor, ext: {} });
    assert.deepEqual(Object.keys(report), ['instanceId', 'os', 'env', 'editor']);
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.equal('editor' in buildReport(ID, '4.1.15', { groups: [], sources, events: [], editor, ext: {} }), false);
  });
});

describe('insight: editor counts on disk', () => {
  it('sums what every editor hands in per UTC day, across instances of the store (a restart)', () => {
    const dir = tmp();
    let now = NOW;
    const first = new EditorUsageStore(dir, () => now);
    assert.ok(first.record(counts({ sessions: 1, actions: { 'core:search': 2 } })));
    assert.ok(new EditorUsageStore(dir, () => now).record(counts({ sessions: 1, actions: { 'core:search': 1, 'core:undo': 1 } })));
    now += DAY;
    assert.ok(new EditorUsageStore(dir, () => now).record(counts({ actions: { 'core:search': 4 } })));
    const stored = JSON.parse(readFileSync(path.join(dir, EDITOR_FILE), 'utf8')) as { days: Record<string, EditorInsight> };
    assert.deepEqual(Object.keys(stored.days), ['2026-11-26', '2026-11-27']);
    assert.deepEqual(stored.days['2026-11-26'].actions, { 'core:search': 3, 'core:undo': 1 });
    assert.deepEqual(new EditorUsageStore(dir, () => now).snapshot().group, counts({ sessions: 2, actions: { 'core:search': 7, 'core:undo': 1 } }));
  });

  it('keeps at most 7 days: today and the 6 before', () => {
    const dir = tmp();
    for (let d = 9; d >= 0; d--) new EditorUsageStore(dir, () => NOW - d * DAY).record(counts({ sessions: 1 }));
    const { days, group } = new EditorUsageStore(dir, () => NOW).snapshot();
    assert.deepEqual(Object.keys(days).sort(), ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26']);
    assert.equal(group.sessions, 7);
  });

  it('a delivered report takes away exactly what it carried; what came meanwhile stays', () => {
    const dir = tmp();
    const store = new EditorUsageStore(dir, () => NOW);
    store.record(counts({ sessions: 1, actions: { 'core:search': 2 } }));
    const snapshot = store.snapshot();
    store.record(counts({ actions: { 'core:search': 1, 'core:undo': 1 } }));
    store.acknowledge(snapshot);
    assert.deepEqual(store.snapshot().group, counts({ actions: { 'core:search': 1, 'core:undo': 1 } }));
    store.acknowledge(store.snapshot());
    assert.deepEqual(store.snapshot(), { group: emptyEditorCounts(), days: {} });
  });

  it('nothing kept is a group of zeros; a torn or edited file counts what can be read of it', () => {
    const dir = tmp();
    const store = new EditorUsageStore(dir, () => NOW);
    assert.deepEqual(store.snapshot().group, emptyEditorCounts());
    writeFileSync(store.file, '{"days":{"2026-11-26":{"sessions":2},"2026-11-25":{"sessions":"x"},"yesterday":{"sessions":1}}');
    assert.equal(store.snapshot().group.sessions, 0, 'torn: nothing');
    writeFileSync(store.file, '{"days":{"2026-11-26":{"sessions":2,"actions":{"acme:x":1}},"2026-11-25":{"sessions":"x"},"yesterday":{"sessions":1}}}');
    assert.deepEqual(store.snapshot().group, counts({ sessions: 2, actions: { other: 1 } }));
  });

  it('withdrawing consent deletes the file; a failed write says so and throws nothing', () => {
    const dir = tmp();
    const store = new EditorUsageStore(dir, () => NOW);
    store.record(counts({ sessions: 1 }));
    store.clear();
    assert.equal(existsSync(store.file), false);
    const nowhere = new EditorUsageStore(path.join(dir, 'no-such-dir'), () => NOW);
    assert.equal(nowhere.record(counts({ sessions: 1 })), false);
  });
});
