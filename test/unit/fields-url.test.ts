import assert from 'node:assert/strict';
import { resolveSettings } from '../../src/config';
import { disclosure } from '../../src/disclosure';
import { fieldsUrlOf } from '../../src/status';
import { pendingStatus, runtimeText as t } from '../helpers/runtime-text';

/**
 * Where the plugin points a user for what its collector collects (`GET <collector>/api/v1/fields`):
 * the status the admin API answers and the editor shows (`fieldsUrl`), and the start-up
 * disclosure. Pure: no Node-RED, no collector.
 */
describe('fields url: where the collector says what it collects', () => {
  it('is the report url with its last segment, ping, replaced by api/v1/fields', () => {
    assert.equal(fieldsUrlOf('https://telemetry.example.com/ping'), 'https://telemetry.example.com/api/v1/fields');
    assert.equal(fieldsUrlOf('http://127.0.0.1:8790/ping'), 'http://127.0.0.1:8790/api/v1/fields');
  });

  it('keeps a proxy\'s path prefix, and drops a query, a fragment and any credentials', () => {
    assert.equal(fieldsUrlOf('https://example.com/telemetry/ping?x=1#y'), 'https://example.com/telemetry/api/v1/fields');
    assert.equal(fieldsUrlOf('https://user:secret@example.com/ping'), 'https://example.com/api/v1/fields');
    assert.equal(fieldsUrlOf('https://example.com'), 'https://example.com/api/v1/fields');
  });

  it('is null without a collector', () => {
    assert.equal(fieldsUrlOf(null), null);
  });

  it('is in the status, from the configured url without its credentials, and null without one', () => {
    const status = (url?: string) => pendingStatus(resolveSettings(url ? { url } : {}).options);
    assert.equal(status('https://u:p@telemetry.example.com/ping').fieldsUrl, 'https://telemetry.example.com/api/v1/fields');
    assert.equal(status().fieldsUrl, null);
  });

  it('is a line of the start-up disclosure when a collector is configured, and absent when none is', () => {
    const { options } = resolveSettings({ url: 'https://telemetry.example.com/ping' });
    const facts = { optOutFile: '/data/.opt-out-from-anonymous-statistics', nextAt: null };
    const block = disclosure({ enabled: null, reason: 'pending' }, options, { ...facts, destination: 'https://telemetry.example.com/ping' }, t);
    const lines = block.split('\n');
    const where = lines.findIndex((l) => l.includes('Where: https://telemetry.example.com/ping'));
    assert.equal(lines[where + 1], '  Fields: https://telemetry.example.com/api/v1/fields says what each field is, why it is collected and how it is published.');
    const nowhere = disclosure({ enabled: null, reason: 'pending' }, resolveSettings({}).options, { ...facts, destination: null }, t);
    assert.ok(!nowhere.includes('Fields:'), nowhere);
    assert.ok(!nowhere.includes('api/v1/fields'), nowhere);
  });
});
