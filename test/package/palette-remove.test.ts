import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NodeRedProcess, useNodeRed } from '../helpers/node-red';
import { uploadTarball, usePackedTarball } from './fresh-copy';

const MODULE = 'node-red-telemetry';

/** Manage palette → Install → upload. */
async function installTarball(red: NodeRedProcess, tarball: string): Promise<void> {
  const res = await uploadTarball(red.baseUrl, tarball);
  assert.equal(res.status, 200, await res.text());
}

/** Manage palette → Remove: what the editor sends. */
async function removeModule(red: NodeRedProcess): Promise<void> {
  const res = await fetch(`${red.baseUrl}/nodes/${MODULE}`, { method: 'DELETE' });
  assert.equal(res.status, 204, await res.text());
}

/** What Node-RED answers for an admin route nobody mounted: its plain 404, not the plugin's JSON. */
async function assertNeverMounted(red: NodeRedProcess, method: 'GET' | 'PUT'): Promise<void> {
  const body = method === 'PUT' ? JSON.stringify({ enabled: true }) : undefined;
  const res = await fetch(`${red.baseUrl}/telemetry`, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
  const text = await res.text();
  assert.equal(res.status, 404, `${method} /telemetry: ${text}`);
  const unknown = await fetch(`${red.baseUrl}/telemetry-never-installed`, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
  assert.equal(text, (await unknown.text()).replace('/telemetry-never-installed', '/telemetry'), 'the same answer as a route that never existed');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The packed plugin installed, removed and installed again through Node-RED's own `/nodes` API
 * (what Manage palette does), in one running Node-RED that is never restarted.
 */
describe('the packed plugin, removed through the palette and installed again', function () {
  this.timeout(240_000);
  const packed = usePackedTarball();
  const { collector, start } = useNodeRed();

  // 4.x calls the plugin's onremove; 3.x does not, and the plugin notices once npm has deleted it.
  for (const version of ['4', '3'] as const) {
    it(`Node-RED ${version}.x: answers 404 and sends nothing once removed, and works again after a re-install without a restart`, async () => {
      const userDir = packed.emptyUserDir();
      const red = await start({
        version,
        userDir,
        settings: { nodesDir: [], telemetry: { url: collector.url, initialDelay: '200ms', interval: '1s' } },
      });
      await assertNeverMounted(red, 'GET');

      // Installed and consented: reports go out every second.
      await installTarball(red, packed.tarball);
      const status = await red.api('GET', '/telemetry');
      assert.equal(status.status, 200, JSON.stringify(status.body));
      assert.equal(status.body.reason, 'pending');
      const consent = await red.api('PUT', '/telemetry', { enabled: true });
      assert.equal(consent.status, 200, JSON.stringify(consent.body));
      await collector.waitFor(2, 10_000);

      await removeModule(red);
      assert.equal(existsSync(path.join(userDir, 'node_modules', MODULE)), false, 'npm removed the package');
      await assertNeverMounted(red, 'GET');
      await assertNeverMounted(red, 'PUT');
      const plugins = await fetch(`${red.baseUrl}/plugins`, { headers: { accept: 'text/html' } }).then((r) => r.text());
      assert.doesNotMatch(plugins, /telemetry-editor\.js/, 'the editor no longer loads its script');

      // A report under way when the module went may still be answered; after that, nothing.
      await sleep(500);
      const connections = collector.connections;
      const reports = collector.received.length;
      await sleep(3500);
      assert.equal(collector.received.length, reports, 'no report after removal (the interval is 1s)');
      assert.equal(collector.connections, connections, 'not even a connection after removal');

      // What stays behind, as the README's "What it stores" says.
      const kept = red.runtimeSettings()[MODULE] as { choice?: unknown; instanceId?: unknown } | undefined;
      assert.equal(kept?.choice, true, 'the choice stays in .config.runtime.json');
      assert.equal(typeof kept?.instanceId, 'string');

      // Installed again in the same process: it answers, keeps the stored choice and reports again.
      await installTarball(red, packed.tarball);
      const again = await red.api('GET', '/telemetry');
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.enabled, true, JSON.stringify(again.body));
      await collector.waitFor(reports + 1, 10_000);
      const off = await red.api('PUT', '/telemetry', { enabled: false });
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.equal(off.body.enabled, false);

      assert.deepEqual(red.pluginLines('error'), [], 'no error logged by the plugin');
      assert.equal(red.alive, true);
    });
  }
});
