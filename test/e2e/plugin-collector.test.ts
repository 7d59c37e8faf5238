import assert from 'node:assert/strict';
import os from 'node:os';
import semver from 'semver';
import { useCollectorProcesses } from '../../collector/test/helpers/collector-process';
import { rowsOf } from '../../collector/test/helpers/tables';
import { subscribe, waitForMessage } from '../helpers/comms';
import { useNodeRed } from '../helpers/node-red';

describe('plugin ↔ collector, end to end (real Node-RED, real collector)', function () {
  this.timeout(90_000);
  const nodeRed = useNodeRed({ collector: 'none' });
  const collectors = useCollectorProcesses();

  for (const store of ['sqlite', 'postgres'] as const) {
    it(`a user's consent leads to a stored report and an update notification (${store})`, async () => {
      // Start with no choice made: nothing may be sent until the user agrees.
      const collector = await collectors.start({ store, args: ['--latest', '99.1.0'] });
      const red = await nodeRed.start({ settings: { telemetry: { url: `${collector.url}/ping`, initialDelay: '500ms', interval: '1h' } } });
      const running = String((await red.api('GET', '/settings')).body.version);
      assert.ok(semver.valid(running), running);
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(await rowsOf(collector, 'reports'), [], 'nothing before consent');

      const updates = await subscribe(red.baseUrl, 'node-red-telemetry/update');
      const chosen = await red.api('PUT', '/telemetry', { enabled: true });
      assert.equal(chosen.status, 200, JSON.stringify(chosen.body));

      // The topic is retained: the first message says there is no update yet.
      const offer = (data: unknown) => (data as { version?: unknown }).version === '99.1.0';
      assert.deepEqual(await waitForMessage(updates.messages, 'node-red-telemetry/update', offer, 15_000), { version: '99.1.0' });
      updates.close();
      await red.waitForLog(/\[node-red-telemetry\] A new version of Node-RED is available: 99\.1\.0/);

      const rows = await rowsOf(collector, 'reports');
      assert.equal(rows.length, 1);
      const [row] = rows;
      const status = (await red.api('GET', '/telemetry')).body;
      assert.equal(row.instance_id, (status.preview as { instanceId: string }).instanceId);
      assert.equal(row.node_red, running);
      assert.equal(row.nodejs, process.version.slice(1));
      assert.deepEqual([row.os_type, row.os_arch], [os.type(), os.arch()]);
      assert.deepEqual(status.update, { version: '99.1.0' });
      assert.equal((status.lastReport as { ok: boolean }).ok, true);
    });
  }
});
