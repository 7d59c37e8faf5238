import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { formatDuration, parseDuration } from '@node-red-telemetry/protocol';

describe('durations', () => {
  it('reads milliseconds and strings such as "30m", "24h", "1500ms"', () => {
    assert.deepEqual(parseDuration(1500, 0), { ok: true, ms: 1500 });
    assert.deepEqual(parseDuration('30m', 0), { ok: true, ms: 1800000 });
    assert.deepEqual(parseDuration('24h', 0), { ok: true, ms: 86400000 });
    assert.deepEqual(parseDuration('1500ms', 0), { ok: true, ms: 1500 });
    assert.deepEqual(parseDuration(' 2d ', 0), { ok: true, ms: 172800000 });
    assert.deepEqual(parseDuration(0, 0), { ok: true, ms: 0 });
  });

  it('rejects what is not a duration', () => {
    for (const value of ['', 'soon', '-5m', -1, NaN, Infinity, null, true, {}, [], '30 parsecs']) {
      assert.deepEqual(parseDuration(value, 0), { ok: false, problem: 'not-duration' }, inspect(value));
    }
  });

  it('enforces the minimum and the one-year maximum', () => {
    assert.deepEqual(parseDuration(999, 1000), { ok: false, problem: 'duration-too-short' });
    assert.deepEqual(parseDuration('366d', 0), { ok: false, problem: 'duration-too-long' });
    assert.deepEqual(parseDuration('365d', 0), { ok: true, ms: 31536000000 });
  });

  it('formats exactly, in the syntax the settings accept', () => {
    assert.equal(formatDuration(1800000), '30m');
    assert.equal(formatDuration(86400000), '24h');
    assert.equal(formatDuration(172800000), '2d');
    assert.equal(formatDuration(1500), '1500ms');
    assert.equal(formatDuration(2000), '2s');
    assert.equal(formatDuration(0), '0ms');
  });
});
