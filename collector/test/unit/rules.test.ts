import assert from 'node:assert/strict';
import { addDays, isDay, secondsUntil, windowOf } from '../../src/days';
import { hashAddress, normalizeAddress } from '../../src/ingest/address-hash';
import { describeFailure } from '../../src/http/validation-message';
import { reportRow, storedVersion } from '../../src/ingest/report-rules';
import { dayText, packReport } from '../../src/store/report-encoding';

describe('collector rules (pure)', () => {
  it('days: arithmetic across months and leap days, and strict parsing', () => {
    assert.equal(addDays('2028-02-28', 1), '2028-02-29');
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
    assert.equal(addDays('2026-11-22', -90), '2026-08-24');
    for (const bad of ['2026-02-30', '2026-13-01', 'yesterday', '2026-1-01', '']) assert.equal(isDay(bad), false, bad);
    assert.equal(isDay('2028-02-29'), true);
  });

  it('rate windows: fixed hours, and Retry-After counts to the window end', () => {
    const moment = new Date('2026-11-22T10:59:30Z');
    assert.deepEqual(windowOf(moment, 3_600_000), { start: '2026-11-22T10:00:00.000Z', end: '2026-11-22T11:00:00.000Z' });
    assert.equal(secondsUntil(moment, '2026-11-22T11:00:00.000Z'), 30);
    assert.equal(secondsUntil(moment, '2026-11-22T10:00:00.000Z'), 1, 'never 0 or negative');
  });

  it('address hash: one spelling per address, keyed by the secret', () => {
    assert.equal(normalizeAddress('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(normalizeAddress('2001:DB8::1'), '2001:db8::1');
    assert.equal(hashAddress('s1', '::ffff:192.0.2.1'), hashAddress('s1', '192.0.2.1'));
    assert.notEqual(hashAddress('s1', '192.0.2.1'), hashAddress('s2', '192.0.2.1'));
  });

  it('versions: semver is kept in its clean form, anything else stored as "invalid"', () => {
    assert.equal(storedVersion('v4.1.0'), '4.1.0');
    assert.equal(storedVersion('4.1.15-git'), '4.1.15-git');
    for (const bad of ['4.1', 'latest', '<script>', '']) assert.equal(storedVersion(bad), 'invalid', bad);
  });

  it('report row: the day is the UTC day received, extras only when declared', () => {
    const row = reportRow(
      { instanceId: 'abcdefgh', os: { type: 'Linux', release: '6', arch: 'x64' }, env: { nodejs: '20.0.0', 'node-red': '4.1.0' }, tabs: 2 },
      { receivedAt: new Date('2026-11-22T23:59:59.999Z'), addressHash: 'ab', client: 'node-red-core' },
      { tabs: 'number', nodes: 'number' },
    );
    assert.equal(dayText(packReport(row, 1).day), '2026-11-22');
    assert.equal(row.extra, '{"tabs":2}');
    assert.equal(row.environment.client, 'node-red-core');
  });

  it('validation messages name the field, including the ones ajv leaves out', () => {
    assert.equal(describeFailure({ keyword: 'required', instancePath: '/os', params: { missingProperty: 'arch' } }), 'field "os.arch" is required');
    assert.equal(describeFailure({ keyword: 'additionalProperties', instancePath: '', params: { additionalProperty: 'mac' } }), 'field "mac" is not collected here');
    assert.equal(describeFailure({ keyword: 'type', instancePath: '/env/node-red', params: {}, message: 'must be string' }), 'field "env.node-red" must be string');
    assert.equal(describeFailure({ keyword: 'type', instancePath: '', params: {}, message: 'must be object' }), 'the body must be object');
  });
});
