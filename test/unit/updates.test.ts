import assert from 'node:assert/strict';
import { isStillNewer, minimumNode, Offer, offerUpdate, parseAnswer, ParsedAnswer, reviewOffer, sameOffer } from '../../src/updates';

/** The Node.js the plugin runs on in these tests: older than Node-RED 5 needs. */
const NODE_20 = '20.20.2';

describe('updates: which version to offer', () => {
  const answer = { latest: '4.1.15', next: '5.0.0-beta.3' };
  const rows: Array<[string, string, string | null]> = [
    ['an older release is offered latest', '4.0.2', '4.1.15'],
    ['an older pre-release of latest is offered latest', '4.1.15-beta.1', '4.1.15'],
    ['the latest release is offered nothing', '4.1.15', null],
    ['a newer release is offered nothing', '4.2.0', null],
    ['a pre-release between latest and next is offered next', '5.0.0-beta.1', '5.0.0-beta.3'],
    ['the next pre-release itself is offered nothing', '5.0.0-beta.3', null],
    ['a pre-release newer than next is offered nothing', '5.0.0-beta.4', null],
    ['an unparseable running version is offered nothing', 'dev', null],
  ];
  for (const [name, running, offer] of rows) {
    it(name, () => assert.deepEqual(offerUpdate(running, answer, NODE_20), offer === null ? null : { version: offer }));
  }

  it('offers next without latest only to a pre-release', () => {
    assert.deepEqual(offerUpdate('5.0.0-beta.1', { next: '5.0.0-beta.2' }, NODE_20), { version: '5.0.0-beta.2' });
    assert.equal(offerUpdate('4.1.0', { next: '5.0.0-beta.2' }, NODE_20), null);
  });

  it('drops a kept offer once the user has upgraded', () => {
    assert.equal(isStillNewer('4.1.0', '4.1.15'), true);
    assert.equal(isStillNewer('4.1.15', '4.1.15'), false);
    assert.equal(isStillNewer('4.2.0', '4.1.15'), false);
    assert.equal(isStillNewer('4.1.0', 'garbage'), false);
  });
});

describe('updates: a newer Node-RED that needs a newer Node.js', () => {
  const requires = { '5.0.7': { node: '>=22.9' } };

  it('offers the compatible update, and mentions the newer one with what it needs', () => {
    assert.deepEqual(offerUpdate('4.1.15', { latest: '4.1.16', next: '4.1.16', requires }, NODE_20), {
      version: '4.1.16',
      newer: { version: '5.0.7', node: '22.9' },
    });
  });

  it('with nothing compatible to offer, offers the newer one with its Node.js requirement', () => {
    assert.deepEqual(offerUpdate('4.1.16', { latest: '4.1.16', next: '4.1.16', requires }, NODE_20), { version: '5.0.7', node: '22.9' });
    assert.deepEqual(offerUpdate('4.1.16', { requires }, NODE_20), { version: '5.0.7', node: '22.9' });
  });

  it('says nothing about a requirement this Node.js meets', () => {
    assert.deepEqual(offerUpdate('4.1.15', { latest: '4.1.16', requires }, '22.10.0'), { version: '4.1.16' });
    assert.equal(offerUpdate('4.1.16', { latest: '4.1.16', requires }, '22.9.0'), null);
  });

  it('does not offer a latest that this Node.js cannot run, from a collector that did not filter it', () => {
    assert.deepEqual(offerUpdate('4.1.15', { latest: '5.0.7', requires }, NODE_20), { version: '5.0.7', node: '22.9' });
  });

  it('mentions nothing older than the running version or the compatible offer', () => {
    assert.equal(offerUpdate('5.0.7', { latest: '5.0.7', requires }, NODE_20), null);
    assert.equal(offerUpdate('5.1.0', { requires }, NODE_20), null);
    assert.deepEqual(offerUpdate('4.0.0', { latest: '5.1.0', requires }, NODE_20), { version: '5.1.0' });
  });

  it('picks the newest of several versions it cannot run', () => {
    const several = { '5.0.7': { node: '>=22.9' }, '6.0.0': { node: '>=24' }, '5.1.0': { node: '>=22.9' } };
    assert.deepEqual(offerUpdate('4.1.16', { latest: '4.1.16', requires: several }, NODE_20), { version: '6.0.0', node: '24.0' });
  });

  it('mentions a pre-release only to someone running one', () => {
    const beta = { '5.0.0-beta.3': { node: '>=22.9' } };
    assert.equal(offerUpdate('4.1.16', { latest: '4.1.16', requires: beta }, NODE_20), null);
    assert.deepEqual(offerUpdate('5.0.0-beta.1', { requires: beta }, NODE_20), { version: '5.0.0-beta.3', node: '22.9' });
  });

  it('writes the minimum as people do: no .0 patch, but a real patch or pre-release kept', () => {
    assert.equal(minimumNode('>=22.9'), '22.9');
    assert.equal(minimumNode('>=22.9.0'), '22.9');
    assert.equal(minimumNode('>=22.9.1'), '22.9.1');
    assert.equal(minimumNode('^22.9 || >=24'), '22.9');
    assert.equal(minimumNode('>22.9.0'), '22.9.1');
    assert.equal(minimumNode('>=23.0.0-rc.1'), '23.0.0-rc.1');
    assert.equal(minimumNode('>=24'), '24.0');
    assert.equal(minimumNode('<0.0.0'), null);
    assert.equal(minimumNode('banana'), null);
  });

  it('judges the range, not just its minimum', () => {
    // 23 is above the minimum, but outside "^22.9 || >=24".
    assert.deepEqual(offerUpdate('4.1.16', { requires: { '5.0.7': { node: '^22.9 || >=24' } } }, '23.1.0'), { version: '5.0.7', node: '22.9' });
  });
});

describe('updates: a kept offer after a restart', () => {
  const rows: Array<[string, string, string, Offer, Offer | null]> = [
    ['stays as it was', '4.1.15', NODE_20, { version: '4.1.16', newer: { version: '5.0.7', node: '22.9' } }, { version: '4.1.16', newer: { version: '5.0.7', node: '22.9' } }],
    ['is dropped once Node-RED is upgraded to it', '4.1.16', NODE_20, { version: '4.1.16' }, null],
    ['falls back to the newer one once Node-RED is upgraded past the compatible one', '4.1.16', NODE_20, { version: '4.1.16', newer: { version: '5.0.7', node: '22.9' } }, { version: '5.0.7', node: '22.9' }],
    ['loses its requirement once Node.js is upgraded', '4.1.16', '22.9.0', { version: '5.0.7', node: '22.9' }, { version: '5.0.7' }],
    ['promotes the newer one once Node.js is upgraded', '4.1.15', '22.12.0', { version: '4.1.16', newer: { version: '5.0.7', node: '22.9' } }, { version: '5.0.7' }],
    ['keeps a requirement still unmet', '4.1.16', NODE_20, { version: '5.0.7', node: '22.9' }, { version: '5.0.7', node: '22.9' }],
  ];
  for (const [name, running, nodejs, kept, reviewed] of rows) {
    it(name, () => assert.deepEqual(reviewOffer(running, kept, nodejs), reviewed));
  }

  it('compares offers by what they say', () => {
    assert.equal(sameOffer(null, undefined), true);
    assert.equal(sameOffer({ version: '1.0.0' }, { version: '1.0.0' }), true);
    assert.equal(sameOffer({ version: '1.0.0' }, { version: '1.0.0', node: '22.9' }), false);
    assert.equal(sameOffer({ version: '1.0.0', newer: { version: '2.0.0', node: '22' } }, { version: '1.0.0', newer: { version: '2.0.0', node: '24' } }), false);
    assert.equal(sameOffer({ version: '1.0.0' }, null), false);
  });
});

describe('updates: reading the collector answer', () => {
  it("reads Node-RED's format", () => {
    assert.deepEqual(parseAnswer({ 'node-red': { latest: '4.1.15', next: '5.0.0-beta.3' } }), { latest: '4.1.15', next: '5.0.0-beta.3' });
    assert.deepEqual(parseAnswer({ 'node-red': { latest: 'v4.1.15' } }), { latest: '4.1.15' });
  });

  it('reads requires, with the range as a valid semver range', () => {
    assert.deepEqual(parseAnswer({ 'node-red': { latest: '4.1.16', next: '4.1.16', requires: { '5.0.7': { node: '>=22.9' } } } }), {
      latest: '4.1.16',
      next: '4.1.16',
      requires: { '5.0.7': { node: '>=22.9.0' } },
    });
  });

  const garbage: Array<[string, unknown]> = [
    ['null', null],
    ['a string', 'update!'],
    ['an array', [{ latest: '9.9.9' }]],
    ['an empty object', {}],
    ['an object without the key', { latest: '9.9.9' }],
    ['a string under the key', { 'node-red': '9.9.9' }],
    ['an array under the key', { 'node-red': ['9.9.9'] }],
    ['versions that are not semver', { 'node-red': { latest: 'banana', next: 42 } }],
    ['an empty entry', { 'node-red': {} }],
    ['a version longer than semver allows', { 'node-red': { latest: `1.0.0-${'a'.repeat(300)}` } }],
    ['only a malformed requires', { 'node-red': { requires: { banana: { node: '>=22' } } } }],
  ];
  for (const [name, body] of garbage) {
    it(`ignores ${name}`, () => assert.equal(parseAnswer(body), null));
  }

  it('keeps the valid half of a half-valid answer', () => {
    assert.deepEqual(parseAnswer({ 'node-red': { latest: '<script>', next: '5.0.0-beta.1' } }), { next: '5.0.0-beta.1' });
  });

  it('takes only latest, or only next', () => {
    assert.deepEqual(parseAnswer({ 'node-red': { latest: '4.1.16' } }), { latest: '4.1.16' });
    assert.deepEqual(parseAnswer({ 'node-red': { next: '5.0.0-beta.1' } }), { next: '5.0.0-beta.1' });
  });

  const badRequires: Array<[string, unknown]> = [
    ['null', null],
    ['a string', '>=22.9'],
    ['a number', 22],
    ['an array', [{ '5.0.7': { node: '>=22.9' } }]],
    ['an array of pairs', [['5.0.7', { node: '>=22.9' }]]],
    ['a key that is not a version', { latest: { node: '>=22.9' } }],
    ['an entry that is a string', { '5.0.7': '>=22.9' }],
    ['an entry that is null', { '5.0.7': null }],
    ['an entry that is an array', { '5.0.7': ['>=22.9'] }],
    ['an entry without node', { '5.0.7': { nodejs: '>=22.9' } }],
    ['a node that is a number', { '5.0.7': { node: 22.9 } }],
    ['a node that is not a range', { '5.0.7': { node: 'the newest' } }],
    ['a range that admits nothing', { '5.0.7': { node: '<0.0.0' } }],
    ['a range longer than any real one', { '5.0.7': { node: `>=22.9 ${'|| >=22.9 '.repeat(100)}` } }],
    ['a __proto__ key', JSON.parse('{"__proto__": {"node": ">=22.9"}}')],
  ];
  for (const [name, requires] of badRequires) {
    it(`drops a requires that is ${name}, and keeps the rest of the answer`, () => {
      const parsed = parseAnswer({ 'node-red': { latest: '4.1.16', requires } });
      assert.deepEqual(parsed, { latest: '4.1.16' });
      assert.deepEqual(offerUpdate('4.1.15', parsed as ParsedAnswer, NODE_20), { version: '4.1.16' });
    });
  }

  it('keeps the valid entries of a half-valid requires', () => {
    const parsed = parseAnswer({ 'node-red': { latest: '4.1.16', requires: { '5.0.7': { node: '>=22.9' }, '6.0.0': { node: 'soon' }, x: 1 } } });
    assert.deepEqual(Object.keys(parsed?.requires ?? {}), ['5.0.7']);
  });

  // How fast is a benchmark's question, not a test's: this one checks the outcome only.
  it('reads a huge answer without trouble', () => {
    const requires: Record<string, unknown> = {};
    for (let i = 0; i < 2000; i++) requires[`5.${i}.0`] = { node: `>=22.${i % 20}` };
    const parsed = parseAnswer({ 'node-red': { latest: '4.1.16', requires, pad: 'x'.repeat(60_000) } });
    assert.deepEqual(offerUpdate('4.1.15', parsed as ParsedAnswer, NODE_20), { version: '4.1.16', newer: { version: '5.1999.0', node: '22.19' } });
  });
});
