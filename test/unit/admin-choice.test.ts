import assert from 'node:assert/strict';
import { parseChoice } from '../../src/admin-api';

describe('admin API: the body of PUT /telemetry', () => {
  it('accepts the documented shapes', () => {
    assert.deepEqual(parseChoice({ enabled: true }), { enabled: true, options: {} });
    assert.deepEqual(parseChoice({ enabled: false }), { enabled: false, options: {} });
    assert.deepEqual(parseChoice({ enabled: true, covers: ['flows', 'ext:acme'] }), { enabled: true, options: { covers: ['flows', 'ext:acme'] } });
    assert.deepEqual(parseChoice({ enabled: true, declines: ['flows'] }), { enabled: true, options: { declines: ['flows'] } });
    assert.deepEqual(parseChoice({ enabled: false, erase: true }), { enabled: false, options: { erase: true } });
    assert.deepEqual(parseChoice({ enabled: false, erase: false }), { enabled: false, options: {} });
  });

  for (const [label, body] of [
    ['no body', undefined],
    ['an array', [true]],
    ['enabled as a string', { enabled: 'true' }],
    ['covers not a list', { enabled: true, covers: 'flows' }],
    ['covers with a number', { enabled: true, covers: [1] }],
    ['65 items', { enabled: true, covers: Array.from({ length: 65 }, (_, i) => `g${i}`) }],
    ['erase with enabled: true', { enabled: true, erase: true }],
    ['erase not a boolean', { enabled: false, erase: 'yes' }],
    ['covers with enabled: false', { enabled: false, covers: ['flows'] }],
  ] as const) {
    it(`refuses ${label}`, () => {
      assert.equal(parseChoice(body), null);
    });
  }
});
