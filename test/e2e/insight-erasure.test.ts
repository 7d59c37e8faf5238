import assert from 'node:assert/strict';
import { useCollectorProcesses } from '../../collector/test/helpers/collector-process';
import { rowsOf } from '../../collector/test/helpers/tables';
import { useNodeRed } from '../helpers/node-red';

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs}ms; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Withdrawal with erasure (issue 10): the plugin calls the collector's
 * DELETE /ping/:instanceId, and starts a new instance id.
 */
describe('plugin ↔ collector: withdrawal with erasure (real Node-RED, real collector)', function () {
  this.timeout(120_000);
  const nodeRed = useNodeRed({ collector: 'none' });
  const collectors = useCollectorProcesses();

  for (const store of ['sqlite', 'postgres'] as const) {
    it(`"also delete what this Node-RED has sent": raw reports gone, the next report after a new yes carries a new id (${store})`, async () => {
      const collector = await collectors.start({ store });
      const red = await nodeRed.start({ settings: { telemetry: { url: `${collector.url}/ping`, initialDelay: '300ms', interval: '2s' } } });
      const yes = await red.api('PUT', '/telemetry', { enabled: true });
      assert.equal(yes.status, 200);
      const oldId = yes.body.preview.instanceId as string;
      const ofId = async (id: string) => (await rowsOf(collector, 'reports')).filter((row) => row.instance_id === id);
      // The collector stores one report per instance and rate-limit window; one is enough to erase.
      const before = await until(() => ofId(oldId), (rows) => rows.length >= 1);

      const off = await red.api('PUT', '/telemetry', { enabled: false, erase: true });
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.equal(off.body.enabled, false);
      assert.notEqual(off.body.preview.instanceId, oldId, 'a new id at once');
      const done = await until(
        async () => (await red.api('GET', '/telemetry')).body.erasure,
        (erasure) => erasure?.state !== 'running',
      );
      assert.equal(done.state, 'done', JSON.stringify(done));
      assert.ok(done.deleted >= before.length, `${done.deleted} deleted, ${before.length} seen before`);
      assert.deepEqual(await ofId(oldId), [], "the instance's raw reports are gone");
      await red.waitForLog(/\[node-red-telemetry\] .*deleted \d+ report\(s\) of this Node-RED/);

      const again = await red.api('PUT', '/telemetry', { enabled: true });
      const newId = again.body.preview.instanceId as string;
      assert.notEqual(newId, oldId);
      const after = await until(() => rowsOf(collector, 'reports'), (rows) => rows.length > 0);
      assert.ok(after.every((row) => row.instance_id === newId), 'every later report carries the new id');
      assert.equal(red.runtimeSettings()['node-red-telemetry'] && (red.runtimeSettings()['node-red-telemetry'] as { instanceId: string }).instanceId, newId);
    });
  }

  it('the erasure is also available without a collector: it fails with a clear message, a new id is used anyway', async () => {
    const red = await nodeRed.start({ runtimeSettings: { 'node-red-telemetry': { instanceId: '8'.repeat(32), choice: true } } });
    const off = await red.api('PUT', '/telemetry', { enabled: false, erase: true });
    assert.equal(off.status, 200);
    assert.deepEqual([off.body.erasure.state, off.body.erasure.error], ['failed', 'no-url']);
    assert.notEqual(off.body.preview.instanceId, '8'.repeat(32));
    await red.waitForLog(/Deleting what this Node-RED has sent at - failed: no collector is configured/);
    const refused = await red.api('PUT', '/telemetry', { enabled: true, erase: true });
    assert.equal(refused.status, 400, 'erase goes with enabled: false only');
  });
});

describe('plugin ↔ collector: every insight group accepted by the real collector', function () {
  this.timeout(120_000);
  const nodeRed = useNodeRed({ collector: 'none' });
  const collectors = useCollectorProcesses();

  it('a report with flows, features, environment and lifecycle is stored (sqlite)', async () => {
    const collector = await collectors.start({ store: 'sqlite' });
    const red = await nodeRed.start({
      settings: { telemetry: { url: `${collector.url}/ping`, initialDelay: '1500ms', interval: '1h', include: ['flows', 'features', 'environment', 'lifecycle'] } },
      runtimeSettings: { 'node-red-telemetry': { instanceId: '9'.repeat(32), choice: true, covered: ['flows', 'features', 'environment', 'lifecycle'] } },
    });
    await red.waitForLog(/\[node-red-telemetry\] Report (sent to|to) /, 30_000);
    const line = red.pluginLines('info').find((l) => /Report (sent to|to) /.test(l)) ?? '';
    assert.match(line, /accepted \(HTTP 200/, `${line}\n${collector.lines.slice(-5).join('\n')}`);
    assert.equal((await rowsOf(collector, 'reports')).length, 1);
    const sent = JSON.parse(red.output.match(/Sending report: (.*)/)?.[1] ?? '{}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(sent), ['instanceId', 'os', 'env', 'flows', 'features', 'environment', 'lifecycle']);
  });
});
