import assert from 'node:assert/strict';
import { isStillNewer, offerUpdate, parseAnswer } from '../../src/updates';

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
    it(name, () => assert.equal(offerUpdate(running, answer), offer));
  }

  it('offers next without latest only to a pre-release', () => {
    assert.equal(offerUpdate('5.0.0-beta.1', { next: '5.0.0-beta.2' }), '5.0.0-beta.2');
    assert.equal(offerUpdate('4.1.0', { next: '5.0.0-beta.2' }), null);
  });

  it('drops a kept offer once the user has upgraded', () => {
    assert.equal(isStillNewer('4.1.0', '4.1.15'), true);
    assert.equal(isStillNewer('4.1.15', '4.1.15'), false);
    assert.equal(isStillNewer('4.2.0', '4.1.15'), false);
    assert.equal(isStillNewer('4.1.0', 'garbage'), false);
  });
});

describe('updates: reading the collector answer', () => {
  it("reads Node-RED's format", () => {
    assert.deepEqual(parseAnswer({ 'node-red': { latest: '4.1.15', next: '5.0.0-beta.3' } }), { latest: '4.1.15', next: '5.0.0-beta.3' });
    assert.deepEqual(parseAnswer({ 'node-red': { latest: 'v4.1.15' } }), { latest: '4.1.15' });
  });

  const garbage: Array<[string, unknown]> = [
    ['null', null],
    ['a string', 'update!'],
    ['an array', [{ latest: '9.9.9' }]],
    ['an object without the key', { latest: '9.9.9' }],
    ['a string under the key', { 'node-red': '9.9.9' }],
    ['versions that are not semver', { 'node-red': { latest: 'banana', next: 42 } }],
    ['an empty entry', { 'node-red': {} }],
  ];
  for (const [name, body] of garbage) {
    it(`ignores ${name}`, () => assert.equal(parseAnswer(body), null));
  }

  it('keeps the valid half of a half-valid answer', () => {
    assert.deepEqual(parseAnswer({ 'node-red': { latest: '<script>', next: '5.0.0-beta.1' } }), { next: '5.0.0-beta.1' });
  });
});
