import assert from 'node:assert/strict';
import { adminAuth, useNodeRed } from '../helpers/node-red';

describe('runtime: the admin API (real Node-RED)', function () {
  this.timeout(60000);
  const { collector, start } = useNodeRed();

  const telemetry = (extra: Record<string, unknown> = {}) => ({ url: collector.url, initialDelay: '200ms', interval: '1h', ...extra });

  it('GET /telemetry answers exactly the documented fields, with the exact preview', async () => {
    const red = await start({ settings: { telemetry: telemetry() } });
    const { status, body } = await red.api('GET', '/telemetry');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), ['covered', 'enabled', 'erasure', 'fieldsUrl', 'include', 'lastReport', 'nextReportAt', 'operator', 'pending', 'preview', 'providers', 'reason', 'schedule', 'update', 'updateNotification', 'url']);
    assert.deepEqual([body.include, body.providers, body.covered, body.pending, body.erasure], [[], [], [], [], null]);
    assert.deepEqual(body.schedule, { initialDelay: '200ms', firstBy: '400ms', interval: '1h' });
    assert.deepEqual(
      { enabled: body.enabled, reason: body.reason, url: body.url, update: body.update, lastReport: body.lastReport, nextReportAt: body.nextReportAt },
      { enabled: null, reason: 'pending', url: collector.url, update: null, lastReport: null, nextReportAt: null },
    );
    assert.deepEqual(Object.keys(body.preview), ['instanceId', 'os', 'env']);
    assert.deepEqual(Object.keys(body.preview.os), ['type', 'release', 'arch']);
    assert.deepEqual(Object.keys(body.preview.env), ['nodejs', 'node-red']);
    assert.equal(body.preview.env.nodejs, process.versions.node);
    const stored = red.runtimeSettings()['node-red-telemetry'] as { instanceId: string };
    assert.equal(body.preview.instanceId, stored.instanceId);
    assert.notEqual(body.preview.instanceId, red.runtimeSettings().instanceId, "not Node-RED's own instance id");
  });

  it('PUT {enabled: true} records consent, applies at once, and the report is the preview', async () => {
    const red = await start({ settings: { telemetry: telemetry() } });
    const put = await red.api('PUT', '/telemetry', { enabled: true });
    assert.equal(put.status, 200);
    assert.deepEqual([put.body.enabled, put.body.reason], [true, 'consent']);
    assert.ok(put.body.nextReportAt);
    const [report] = await collector.waitFor(1);
    assert.deepEqual(JSON.parse(report.body), put.body.preview);
    assert.match(String(report.headers['user-agent']), /^Node-RED\/4\.1\.\d+\S* node-red-telemetry\/0\.1\.0$/);
    await red.waitForLog(/\[info\] \[node-red-telemetry\] Report sent to http:\/\/127\.0\.0\.1:\d+\/ping: accepted \(HTTP 200/);
    const stored = red.runtimeSettings();
    assert.equal((stored['node-red-telemetry'] as { choice: boolean }).choice, true);
    assert.equal('telemetryEnabled' in stored, false, "Node-RED's own telemetryEnabled is never written");
  });

  it('PUT {enabled: false} stops reporting at once', async () => {
    const red = await start({ settings: { telemetry: telemetry({ initialDelay: '1s', interval: '1s' }) } });
    await red.api('PUT', '/telemetry', { enabled: true });
    await collector.waitFor(1);
    const put = await red.api('PUT', '/telemetry', { enabled: false });
    assert.equal(put.status, 200);
    assert.deepEqual([put.body.enabled, put.body.reason, put.body.nextReportAt], [false, 'consent', null]);
    const after = collector.connections;
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(collector.connections, after);
    assert.equal((red.runtimeSettings()['node-red-telemetry'] as { choice: boolean }).choice, false);
  });

  it('PUT answers 409 with a clear message when the flag decides', async () => {
    const red = await start({ args: ['--no-telemetry'], settings: { telemetry: telemetry() } });
    const put = await red.api('PUT', '/telemetry', { enabled: true });
    assert.equal(put.status, 409);
    assert.deepEqual(put.body, {
      error: {
        code: 'decision_fixed',
        message: 'Telemetry is fixed by the --no-telemetry command-line flag; a choice made in the editor cannot change it.',
        reason: 'flag',
      },
    });
    assert.equal((red.runtimeSettings()['node-red-telemetry'] as { choice?: boolean }).choice, undefined);
  });

  it('PUT answers 409 when settings.js decides', async () => {
    const red = await start({ settings: { telemetry: telemetry({ enabled: true }) } });
    const put = await red.api('PUT', '/telemetry', { enabled: false });
    assert.equal(put.status, 409);
    assert.equal(put.body.error.reason, 'settings');
  });

  it('PUT rejects a malformed body with 400, and Node-RED keeps running', async () => {
    const red = await start({ settings: { telemetry: telemetry() } });
    for (const body of [{}, { enabled: 'yes' }, { enabled: 1 }, [true]]) {
      const put = await red.api('PUT', '/telemetry', body);
      assert.equal(put.status, 400, JSON.stringify(body));
      assert.equal(put.body.error.code, 'invalid_body');
    }
    const broken = await red.api('PUT', '/telemetry', '{"enabled": tru');
    assert.equal(broken.status, 400);
    const { body } = await red.api('GET', '/telemetry');
    assert.equal(body.enabled, null);
    assert.equal(red.alive, true);
  });

  it('PUT answers 500 when the choice cannot be saved, and the choice still applies until restart', async () => {
    // A settings.js key with the plugin's name makes Node-RED refuse to store it.
    const red = await start({ settings: { 'node-red-telemetry': 'mine', telemetry: telemetry() } });
    await red.waitForLog(/\[warn\] \[node-red-telemetry\] Could not save the telemetry state: .*read-only/);
    const put = await red.api('PUT', '/telemetry', { enabled: true });
    assert.equal(put.status, 500);
    assert.equal(put.body.error.code, 'not_saved');
    assert.match(put.body.error.message, /^The choice applies until Node-RED restarts but could not be saved: .*read-only/);
    assert.deepEqual([(await red.api('GET', '/telemetry')).body.enabled], [true]);
    await collector.waitFor(1);
    assert.equal(red.alive, true);
  });

  describe('with adminAuth', () => {
    const auth = adminAuth({ admin: '*', reader: 'read', telemetry: ['telemetry.read', 'telemetry.write'], flows: ['flows.read', 'flows.write'] });

    it('needs telemetry.read to read and telemetry.write to choose', async () => {
      const red = await start({ settings: { adminAuth: auth, telemetry: telemetry() } });
      assert.equal((await red.api('GET', '/telemetry')).status, 401, 'anonymous read');
      assert.equal((await red.api('PUT', '/telemetry', { enabled: true })).status, 401, 'anonymous write');

      const reader = await red.login('reader');
      assert.equal((await red.api('GET', '/telemetry', undefined, reader)).status, 200, 'read scope reads');
      assert.equal((await red.api('PUT', '/telemetry', { enabled: true }, reader)).status, 401, 'read scope cannot write');

      const flows = await red.login('flows');
      assert.equal((await red.api('GET', '/telemetry', undefined, flows)).status, 401, 'other permissions cannot read');

      const own = await red.login('telemetry');
      assert.equal((await red.api('PUT', '/telemetry', { enabled: false }, own)).status, 200, 'telemetry.write writes');

      const admin = await red.login('admin');
      const put = await red.api('PUT', '/telemetry', { enabled: true }, admin);
      assert.equal(put.status, 200);
      assert.equal(put.body.enabled, true);
      await collector.waitFor(1);
    });
  });
});
