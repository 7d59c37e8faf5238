import assert from 'node:assert/strict';
import { Pool } from 'undici';
import { CollectorProcess, freshStore, report, StoreKind } from '../helpers/collector-process';
import { rowsOf, StoreFiles } from '../helpers/tables';
import { collectorVersion } from '../../src/version';

const STORES: StoreKind[] = ['sqlite', 'postgres'];
const TOTAL = 2_000;
const SENDERS = 16;
const KILL_AFTER = 500;
const CONFIG = { rateLimit: { perInstance: 1, perAddress: 1_000_000 } };

/** Starts a collector on the given data: the first start, and the restart after the kill. */
function startOn(data: StoreFiles): Promise<CollectorProcess> {
  return CollectorProcess.start({ store: data, args: ['--latest', '4.2.0'], config: CONFIG });
}

for (const store of STORES) {
  describe(`collector durability under kill -9 (${store})`, function () {
    this.timeout(120_000);

    it(`keeps every acknowledged report when killed during a load of ${TOTAL} from ${SENDERS} senders`, async () => {
      const data = await freshStore(store);
      const collector = await startOn(data);
      const health = await collector.request('GET', '/healthz');
      assert.deepEqual(health.body, { status: 'ok', store, version: collectorVersion() }, 'the collector under test runs on the store named');

      const pool = new Pool(collector.url, { connections: SENDERS, pipelining: 1 });
      const acked: string[] = [];
      let sent = 0;
      let killed = false;
      let failed = false;
      const sender = async () => {
        while (!killed && !failed && sent < TOTAL) {
          const id = `durable${String(sent++).padStart(8, '0')}`;
          try {
            const answer = await pool.request({
              path: '/ping',
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(report({ instanceId: id })),
              headersTimeout: 10_000,
              bodyTimeout: 10_000,
            });
            await answer.body.text();
            if (answer.statusCode >= 200 && answer.statusCode < 300) acked.push(id);
            else if (!killed) throw new Error(`${id} answered ${answer.statusCode} before the kill`);
          } catch (err) {
            if (!killed) throw err;
            return; // the collector is gone: what was in flight was never acknowledged
          }
          if (acked.length >= KILL_AFTER && !killed) {
            killed = true;
            collector.child.kill('SIGKILL');
          }
        }
      };
      try {
        await Promise.all(Array.from({ length: SENDERS }, sender));
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        await pool.destroy();
      }
      await collector.stop();
      assert.equal(collector.child.signalCode, 'SIGKILL', 'the collector was killed, not stopped');
      assert.ok(acked.length >= KILL_AFTER && sent < TOTAL, `killed during the load: ${acked.length} acknowledged, ${sent} of ${TOTAL} sent`);

      const restarted = await startOn(data);
      try {
        assert.deepEqual((await restarted.request('GET', '/healthz')).body, { status: 'ok', store, version: collectorVersion() });
        const stored = new Set((await rowsOf(data, 'reports')).map((r) => String(r.instance_id)));
        const missing = acked.filter((id) => !stored.has(id));
        assert.deepEqual(
          missing,
          [],
          `acknowledged ${acked.length}, found ${acked.length - missing.length} after restart; missing ${missing.length}: ${missing.slice(0, 20).join(', ')}`,
        );
        const after = await restarted.request('POST', '/ping', report({ instanceId: 'durable-after-restart' }));
        assert.equal(after.status, 200, `the restarted collector takes reports: ${after.text}`);
      } finally {
        assert.equal(await restarted.stop(), 0);
      }
    });
  });
}
