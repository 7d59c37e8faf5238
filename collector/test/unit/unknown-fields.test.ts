import assert from 'node:assert/strict';
import { REPORT_JSON_SCHEMA } from '@node-red-telemetry/protocol';
import { dropUnknownFields } from '../../src/ingest/unknown-fields';

const base = (): Record<string, any> => ({ instanceId: 'a'.repeat(32), os: { type: 'Linux', release: '6', arch: 'x64' }, env: { nodejs: '22.0.0', 'node-red': '4.1.0' } });

describe('ingest: fields the collector does not know are dropped before validation', () => {
  it('at the top, in os/env, in a group, in a lifecycle event by its type; counted', () => {
    const body = base();
    body.hostname = 'pi';
    body.os.kernel = 'x';
    body.features = { adminAuth: true, newSetting: 1 };
    body.lifecycle = { events: [{ type: 'crash', day: '2026-12-01', error: 'TypeError', module: 'x', message: 'secret' }, { type: 'start', day: '2026-12-01', pid: 7 }] };
    body.flows = { tabs: 1, types: { inject: 2, 'acme-type': 1 } };
    body.futureGroup = { a: 1 };
    assert.equal(dropUnknownFields(body, REPORT_JSON_SCHEMA), 7);
    assert.deepEqual(body, {
      ...base(),
      features: { adminAuth: true },
      lifecycle: { events: [{ type: 'crash', day: '2026-12-01', error: 'TypeError', module: 'x' }, { type: 'start', day: '2026-12-01' }] },
      flows: { tabs: 1, types: { inject: 2 } },
    });
  });

  it("keeps a metric provider's own fields, and leaves what has the wrong shape to the validator", () => {
    const body = base();
    body.ext = { 'fleet-metrics': { devices: 3, region: 'eu' } };
    body.os = 'Linux';
    body.lifecycle = { events: [{ type: 'reboot', day: '2026-12-01', extra: 1 }, 'x'] };
    assert.equal(dropUnknownFields(body, REPORT_JSON_SCHEMA), 0);
    assert.deepEqual(body.ext, { 'fleet-metrics': { devices: 3, region: 'eu' } });
    assert.equal(body.os, 'Linux');
    assert.deepEqual(body.lifecycle.events[0], { type: 'reboot', day: '2026-12-01', extra: 1 });
  });

  it('anything that is not an object drops nothing', () => {
    for (const body of [null, 'x', 3, [], [{ a: 1 }]]) assert.equal(dropUnknownFields(body, REPORT_JSON_SCHEMA), 0);
  });
});
