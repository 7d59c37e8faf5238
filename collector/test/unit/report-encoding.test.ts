import assert from 'node:assert/strict';
import fc from 'fast-check';
import { INSTANCE_ID_PATTERN } from '@node-red-telemetry/protocol';
import { addDays } from '../../src/days';
import { dayNumber, dayNumberOf, dayText, decodeInstanceId, encodeInstanceId } from '../../src/store/report-encoding';

const idCharacter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_');
/** Any id the collector accepts, and the plugin's own form (32 hex digits) often. */
const instanceId = fc.oneof(
  fc.array(idCharacter, { minLength: 8, maxLength: 64 }).map((c) => c.join('')),
  fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: 32, maxLength: 32 }).map((c) => c.join('')),
);

describe('report packing (pure)', () => {
  it('the plugin\'s instance ids take 16 bytes, others their own length (plus one from 16 on)', () => {
    assert.equal(encodeInstanceId('0123456789abcdef0123456789abcdef').length, 16);
    assert.equal(encodeInstanceId('abcdefgh').length, 8);
    assert.equal(encodeInstanceId('instance0000001').length, 15);
    assert.equal(encodeInstanceId('instance00000001').length, 17, 'a 16-letter id must not read as a packed one');
    assert.equal(encodeInstanceId('0123456789ABCDEF0123456789ABCDEF').length, 33, 'upper-case hex is not the plugin\'s form: kept as written');
  });

  it('every accepted instance id reads back as itself, and no two share a stored form (property)', () => {
    fc.assert(
      fc.property(instanceId, instanceId, (a, b) => {
        assert.match(a, new RegExp(INSTANCE_ID_PATTERN));
        assert.equal(decodeInstanceId(encodeInstanceId(a)), a);
        assert.equal(encodeInstanceId(a).equals(encodeInstanceId(b)), a === b);
      }),
      { numRuns: 2000 },
    );
    // 16 bytes from hex that happen to spell a 16-letter id still read as hex.
    const spelled = Buffer.from('instance00000001').toString('hex');
    assert.equal(decodeInstanceId(encodeInstanceId(spelled)), spelled);
    assert.equal(decodeInstanceId(encodeInstanceId('instance00000001')), 'instance00000001');
  });

  it('days are day numbers and back, across months, leap days and years', () => {
    assert.equal(dayNumber('1970-01-01'), 0);
    assert.equal(dayNumber('2026-11-26'), 20783);
    for (let day = '2023-12-25'; day < '2025-01-10'; day = addDays(day, 1)) {
      assert.equal(dayText(dayNumber(day)), day);
      assert.equal(dayNumber(addDays(day, 1)), dayNumber(day) + 1);
    }
    assert.equal(dayText('20783'), '2026-11-26', 'PostgreSQL\'s bigint arrives as text');
    for (const moment of ['2026-11-26T00:00:00.000Z', '2026-11-26T23:59:59.999Z', '1970-01-01T00:00:00.000Z']) {
      assert.equal(dayNumberOf(new Date(moment)), dayNumber(moment.slice(0, 10)), moment);
    }
  });
});
