import assert from 'node:assert/strict';
import { DEFAULTS, resolveConfig } from '../../src/config';

describe('dashboard and country settings (pure)', () => {
  const resolve = (flags: Record<string, string>, env: NodeJS.ProcessEnv = {}, file?: Record<string, unknown>) => resolveConfig({ flags, env, file });

  it('defaults: the dashboard at "/", country off', () => {
    assert.equal(DEFAULTS.dashboardPath, '/');
    assert.equal(DEFAULTS.country, false);
  });

  it('takes a path that starts and ends with "/", or "off", from a flag, the environment or the file', () => {
    const ok = (result: ReturnType<typeof resolveConfig>) => {
      assert.ok(result.ok, JSON.stringify(result));
      return result.config;
    };
    assert.equal(ok(resolve({ dashboard: '/usage/' })).dashboardPath, '/usage/');
    assert.equal(ok(resolve({}, { COLLECTOR_DASHBOARD: 'off' })).dashboardPath, null);
    assert.equal(ok(resolve({}, {}, { dashboardPath: '/a/b-c_d.e/' })).dashboardPath, '/a/b-c_d.e/');
    assert.equal(ok(resolve({ country: 'on' })).country, true);
    assert.equal(ok(resolve({}, {}, { country: true })).country, true);
    assert.equal(ok(resolve({}, { COLLECTOR_COUNTRY: 'off' })).country, false);
  });

  it('refuses anything else, naming the setting and the value', () => {
    for (const bad of ['usage', '/usage', '/a/../b/', '/a b/', 'https://x/', '']) {
      const result = resolve({ dashboard: bad });
      assert.ok(!result.ok, bad);
      assert.deepEqual(result.problems, [`--dashboard: must be a path that starts and ends with "/" (such as "/usage/"), or "off" (got ${JSON.stringify(bad)})`]);
    }
    const country = resolve({}, { COLLECTOR_COUNTRY: 'yes' });
    assert.ok(!country.ok);
    assert.deepEqual(country.problems, ['COLLECTOR_COUNTRY: must be "on" or "off" (got "yes")']);
  });
});
