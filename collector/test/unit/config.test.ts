import assert from 'node:assert/strict';
import { DEFAULTS, resolveConfig } from '../../src/config';

describe('collector config (pure)', () => {
  it('defaults: 127.0.0.1:8790, SQLite under ./data, 90 days, threshold 5, registry polled hourly', () => {
    const result = resolveConfig({ env: {}, flags: {} });
    assert.ok(result.ok);
    assert.deepEqual(result.config, DEFAULTS);
    assert.equal(result.config.host, '127.0.0.1');
    assert.equal(result.config.retentionDays, 90);
    assert.equal(result.config.versionsInterval, 3_600_000);
  });

  it('flags win over environment, environment over the file', () => {
    const result = resolveConfig({
      file: { port: 1000, host: '0.0.0.0', retentionDays: 30 },
      env: { COLLECTOR_PORT: '2000', COLLECTOR_RETENTION_DAYS: '60' },
      flags: { port: '3000' },
    });
    assert.ok(result.ok);
    assert.equal(result.config.port, 3000);
    assert.equal(result.config.retentionDays, 60);
    assert.equal(result.config.host, '0.0.0.0');
  });

  it('reads DATABASE_URL, fixed versions, durations, extra fields and rate limits', () => {
    const result = resolveConfig({
      file: { extraFields: { tabs: 'number', theme: 'string' }, rateLimit: { perAddress: 500 }, versionsInterval: '30m' },
      env: { DATABASE_URL: 'postgresql://u:p@db/telemetry' },
      flags: { latest: 'v4.2.0', next: '5.0.0-beta.1' },
    });
    assert.ok(result.ok);
    assert.equal(result.config.databaseUrl, 'postgresql://u:p@db/telemetry');
    assert.equal(result.config.latest, '4.2.0');
    assert.equal(result.config.versionsInterval, 1_800_000);
    assert.deepEqual(result.config.extraFields, { tabs: 'number', theme: 'string' });
    assert.deepEqual(result.config.rateLimit, { perInstance: 1, perAddress: 500 });
  });

  it('an empty environment variable counts as unset', () => {
    const result = resolveConfig({ env: { COLLECTOR_PORT: '', DATABASE_URL: '' }, flags: {} });
    assert.ok(result.ok);
    assert.equal(result.config.port, 8790);
    assert.equal(result.config.databaseUrl, undefined);
  });

  it('reports every problem with its origin', () => {
    const result = resolveConfig({
      file: { threshold: 0, rateLimit: { perInstance: 'one', burst: 2 }, extraFields: ['tabs'] },
      env: { COLLECTOR_REGISTRY: 'ftp://registry' },
      flags: { host: ' ' },
    });
    assert.ok(!result.ok);
    assert.deepEqual(result.problems, [
      '--host: must be a host name or address (got " ")',
      'COLLECTOR_REGISTRY: must be an http(s) URL (got "ftp://registry")',
      'config file "threshold": must be an integer from 1 to 1000 (got 0)',
      'config file "extraFields": must be an object of field name to "string", "number" or "boolean"',
      'config file "rateLimit.perInstance": must be an integer from 1 to 1000000 reports per hour (got "one")',
      'config file "rateLimit.burst": unknown setting (perInstance, perAddress)',
    ]);
  });
});
