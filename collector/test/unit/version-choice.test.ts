import assert from 'node:assert/strict';
import fc from 'fast-check';
import semver from 'semver';
import { Catalog, catalogFromPackument, chooseAnswer, fixedAnswer } from '../../src/versions/choice';
import { NODE_RED_RELEASES, packument } from '../helpers/packument';

const TAGS = { latest: '5.0.7', next: '5.1.0-beta.2', 'maintenance-v3': '3.1.15' };
const catalog = (tags: Record<string, string> = TAGS, versions = NODE_RED_RELEASES): Catalog => {
  const read = catalogFromPackument(packument(versions, tags));
  assert.ok(read);
  return read;
};
const NEEDS_22 = { '5.0.7': { node: '>=22.9' }, '5.1.0-beta.2': { node: '>=22.9' } };

describe('version choice (pure)', () => {
  it('offers each Node.js the newest release it can run, and names the newer ones it cannot', () => {
    const rows: Array<[string, object | null]> = [
      ['22.11.0', { latest: '5.0.7', next: '5.1.0-beta.2' }],
      ['v22.9.0', { latest: '5.0.7', next: '5.1.0-beta.2' }],
      ['22.8.0', { latest: '4.1.2', next: '4.1.2', requires: NEEDS_22 }],
      ['20.18.0', { latest: '4.1.2', next: '4.1.2', requires: NEEDS_22 }],
      ['18.20.4', { latest: '4.1.2', next: '4.1.2', requires: NEEDS_22 }],
      ['16.20.2', { latest: '3.1.15', next: '3.1.15', requires: NEEDS_22 }],
      ['12.22.12', null],
      // A Node.js version that does not parse gets the tags as they are.
      ['not-a-version', { latest: '5.0.7', next: '5.1.0-beta.2' }],
      ['', { latest: '5.0.7', next: '5.1.0-beta.2' }],
    ];
    for (const [nodejs, expected] of rows) assert.deepEqual(chooseAnswer(catalog(), nodejs), expected, nodejs);
  });

  it('never offers a deprecated release', () => {
    const read = catalog();
    assert.equal(read.releases.some((r) => r.version === '4.1.1'), false);
  });

  it('falls back to latest for next when the registry has no next tag, or an older one', () => {
    assert.deepEqual(chooseAnswer(catalog({ latest: '5.0.7' }), '22.11.0'), { latest: '5.0.7', next: '5.0.7' });
    assert.deepEqual(chooseAnswer(catalog({ latest: '5.0.7', next: '5.0.0-beta.1' }), '22.11.0'), { latest: '5.0.7', next: '5.0.7' });
    assert.deepEqual(chooseAnswer(catalog({ latest: '4.1.2' }), '20.18.0'), { latest: '4.1.2', next: '4.1.2' });
  });

  it('offers a pre-release between latest and next to a Node.js that can run it', () => {
    const tags = { latest: '4.1.2', next: '5.0.0-beta.1' };
    assert.deepEqual(chooseAnswer(catalog(tags), '22.11.0'), { latest: '4.1.2', next: '5.0.0-beta.1' });
    assert.deepEqual(chooseAnswer(catalog(tags), '20.18.0'), { latest: '4.1.2', next: '4.1.2', requires: { '5.0.0-beta.1': { node: '>=22.9' } } });
  });

  it('never offers a stable release above the latest tag', () => {
    assert.deepEqual(chooseAnswer(catalog({ latest: '4.1.0' }), '22.11.0'), { latest: '4.1.0', next: '4.1.0' });
  });

  it('without dist-tags, takes the newest stable release', () => {
    assert.deepEqual(chooseAnswer(catalog({}), '22.11.0'), { latest: '5.0.7', next: '5.0.7' });
  });

  it('treats a missing or unreadable engines.node as "runs anywhere"', () => {
    const read = catalog({ latest: '2.0.0' }, { '1.0.0': {}, '2.0.0': { node: 'not a range' } });
    assert.deepEqual(chooseAnswer(read, '8.0.0'), { latest: '2.0.0', next: '2.0.0' });
  });

  it('reads nothing usable from a garbage packument', () => {
    for (const bad of [null, 'x', [], {}, { versions: [] }, { versions: {} }, { versions: { 'not-semver': {} } }, { versions: { '1.0.0': 'x' } }]) {
      assert.equal(catalogFromPackument(bad), null, JSON.stringify(bad));
    }
    const tagsOnly = catalogFromPackument({ 'dist-tags': { latest: 'garbage', next: 5 }, versions: { '1.0.0': {} } });
    assert.deepEqual(tagsOnly, { releases: [{ version: '1.0.0' }] });
  });

  it('fixed versions: next falls back to latest', () => {
    assert.deepEqual(fixedAnswer({ latest: '4.1.2' }), { latest: '4.1.2', next: '4.1.2' });
    assert.deepEqual(fixedAnswer({ latest: '4.1.2', next: '5.0.0-beta.1' }), { latest: '4.1.2', next: '5.0.0-beta.1' });
  });

  it('any packument, any Node.js: no answer, or both versions valid, next ≥ latest, latest runnable and stable', () => {
    const version = fc
      .tuple(fc.nat(6), fc.nat(6), fc.nat(6), fc.option(fc.constantFrom('beta.1', 'beta.2', 'rc.1'), { nil: undefined }))
      .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ''}`);
    const range = fc.option(fc.constantFrom('>=0', '>=2', '>=4.1', '>=5 <6', '^3.0.0', '*', 'bogus'), { nil: undefined });
    fc.assert(
      fc.property(
        fc.dictionary(version, fc.record({ node: range }, { requiredKeys: [] })),
        fc.record({ latest: version, next: version }, { requiredKeys: [] }),
        fc.oneof(version, fc.constant('garbage')),
        (versions, tags, nodejs) => {
          const read = catalogFromPackument(packument(versions, tags));
          if (!read) return;
          const answer = chooseAnswer(read, nodejs);
          if (!answer) return;
          assert.ok(semver.valid(answer.latest) && semver.valid(answer.next));
          assert.ok(semver.gte(answer.next, answer.latest));
          assert.equal(semver.prerelease(answer.latest), null);
          const chosen = read.releases.find((r) => r.version === answer.latest);
          assert.ok(chosen);
          if (chosen.node && semver.valid(nodejs)) assert.ok(semver.satisfies(nodejs, chosen.node, { includePrerelease: true }));
          if (read.latest) assert.ok(semver.lte(answer.latest, read.latest));
        },
      ),
      { seed: 20261126, numRuns: 2000 },
    );
  });
});
