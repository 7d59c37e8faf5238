import assert from 'node:assert/strict';
import { coverage } from '../../../src/consent/coverage';
import { collectAll, usableProviders, validateFields } from '../../../src/insight/providers';

describe('insight: metric providers', () => {
  it('uses only definitions with a valid id and a collect function, at most 8, first one of an id wins', () => {
    const collect = () => ({});
    const defs = [
      { id: 'ok', name: 'OK metrics', collect },
      { id: 'ok', collect },
      { id: 'no-collect' },
      { id: 'bad id!', collect },
      { id: 42, collect },
      ...Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, collect })),
    ];
    const providers = usableProviders(defs);
    assert.deepEqual(providers.map((p) => p.id), ['ok', 'p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    assert.equal(providers[0].name, 'OK metrics');
    assert.equal(providers[1].name, 'p0', 'the id when no name is given');
  });

  it('accepts a flat object of JSON scalars within the caps', () => {
    assert.deepEqual(validateFields({ a: 1, b: 'x', c: true, d: null }), { ok: true, fields: { a: 1, b: 'x', c: true, d: null } });
  });

  const refused: Array<[string, unknown, string]> = [
    ['an array', [1], 'not-object'],
    ['a string', 'x', 'not-object'],
    ['a Map', new Map(), 'not-object'],
    ['a nested object', { a: { b: 1 } }, 'invalid-value'],
    ['NaN', { a: NaN }, 'invalid-value'],
    ['Infinity', { a: Infinity }, 'invalid-value'],
    ['a long string', { a: 'x'.repeat(129) }, 'invalid-value'],
    ['a control character', { a: 'a\u0000b' }, 'invalid-value'],
    ['a bad field name', { 'a b': 1 }, 'invalid-field'],
    ['33 fields', Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, i])), 'too-many-fields'],
    ['more than 1 KiB', Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, 'x'.repeat(120)])), 'too-large'],
  ];
  for (const [label, value, problem] of refused) {
    it(`refuses ${label} (${problem})`, () => {
      assert.deepEqual(validateFields(value), { ok: false, problem });
    });
  }

  it('a throwing, a rejecting and a slow provider are skipped; the whole waits one timeout at most', async () => {
    const providers = usableProviders([
      { id: 'fine', collect: () => ({ n: 1 }) },
      { id: 'async', collect: () => Promise.resolve({ n: 2 }) },
      { id: 'throws', collect: () => { throw new Error('boom'); } },
      { id: 'rejects', collect: () => Promise.reject(new Error('boom')) },
      { id: 'never', collect: () => new Promise(() => undefined) },
    ]);
    const started = Date.now();
    const results = await collectAll(providers, 200);
    assert.ok(Date.now() - started < 2000);
    assert.deepEqual(results, [
      { id: 'fine', ok: true, fields: { n: 1 } },
      { id: 'async', ok: true, fields: { n: 2 } },
      { id: 'throws', ok: false, problem: 'threw' },
      { id: 'rejects', ok: false, problem: 'threw' },
      { id: 'never', ok: false, problem: 'timeout' },
    ]);
  });
});

describe('insight: what a consent covers', () => {
  const base = { include: [], providers: [], settingsOn: false, covered: [], declined: [] };

  it('a "yes" for the base payload covers no group: a group enabled later is pending', () => {
    assert.deepEqual(coverage({ ...base, include: ['flows'] }), { wanted: ['flows'], groups: [], providers: [], pending: ['flows'] });
  });

  it('covered items are sent, new ones are pending, declined ones are neither', () => {
    const cov = coverage({ ...base, include: ['flows', 'environment', 'lifecycle'], providers: ['acme'], covered: ['flows'], declined: ['lifecycle'] });
    assert.deepEqual(cov, { wanted: ['flows', 'environment', 'lifecycle', 'ext:acme'], groups: ['flows'], providers: [], pending: ['environment', 'ext:acme'] });
  });

  it('telemetry.enabled: true in settings.js covers what settings.js lists, not a provider', () => {
    const cov = coverage({ ...base, include: ['flows', 'features'], providers: ['acme'], settingsOn: true });
    assert.deepEqual(cov.groups, ['flows', 'features']);
    assert.deepEqual(cov.pending, ['ext:acme']);
  });

  it('a covered group no longer listed is not sent', () => {
    assert.deepEqual(coverage({ ...base, include: [], covered: ['flows'] }).groups, []);
  });
});
