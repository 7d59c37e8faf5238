import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { CollectorProcess, report, StoreKind } from '../helpers/collector-process';
import { FakeRegistry, NODE_RED_RELEASES, packument } from '../helpers/packument';
import { dropDatabase } from '../helpers/postgres';
import { everythingStored, rowsOf } from '../helpers/tables';

const STORES: StoreKind[] = ['sqlite', 'postgres'];

/** A registry on loopback that answers node-red's packument the way the npm registry does. */
function fakeRegistry(): Promise<FakeRegistry> {
  return new FakeRegistry(packument(NODE_RED_RELEASES, { latest: '4.1.2', next: '5.1.0-beta.2', 'maintenance-v3': '3.1.15' })).start();
}

/** The port of something that certainly refuses connections: a server opened and closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

for (const store of STORES) {
  describe(`collector operations (${store})`, function () {
    this.timeout(60_000);

    it('answers the versions it polled from the registry and keeps them when the registry goes away', async () => {
      const registry = await fakeRegistry();
      const collector = await CollectorProcess.start({
        store,
        args: ['--registry', registry.url],
        env: { COLLECTOR_VERSIONS_INTERVAL: '1s' },
      });
      try {
        await collector.waitForLog((e) => e.msg === 'node-red versions updated from the registry');
        assert.equal(registry.requests[0]?.url, '/node-red');
        const first = await collector.request('POST', '/ping', report({}, 1));
        assert.deepEqual(first.body, { 'node-red': { latest: '4.1.2', next: '4.1.2', requires: { '5.1.0-beta.2': { node: '>=22.9' } } } });
        await registry.stop();
        await collector.waitForLog((e) => e.msg === 'registry poll failed; keeping the last known versions');
        const second = await collector.request('POST', '/ping', report({}, 2));
        assert.deepEqual(second.body, first.body);
      } finally {
        assert.equal(await collector.stop(), 0);
      }
    });

    it('starts and answers without versions while the registry is unreachable, and says so in the log', async () => {
      const collector = await CollectorProcess.start({ store, args: ['--registry', `http://127.0.0.1:${await closedPort()}`] });
      try {
        const warning = await collector.waitForLog((e) => e.msg === 'registry poll failed; keeping the last known versions');
        assert.equal(warning.level, 40);
        const answer = await collector.request('POST', '/ping', report({}, 1));
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.body, {}, 'no node-red object: Node-RED\'s own client would crash on an empty one');
      } finally {
        assert.equal(await collector.stop(), 0);
      }
    });

    it('limits reports per address, counting the address behind a trusted proxy, which it never stores', async () => {
      const collector = await CollectorProcess.start({
        store,
        // At debug every request is logged, stored reports too: the privacy check reads them all.
        args: ['--latest', '4.2.0', '--trust-proxy', '1', '--log-level', 'debug'],
        config: { rateLimit: { perAddress: 2 } },
      });
      const A = '203.0.113.77';
      const B = '198.51.100.9';
      try {
        const from = (address: string, n: number) =>
          collector.request('POST', '/ping', report({}, n), { 'x-forwarded-for': address });
        assert.equal((await from(A, 1)).status, 200);
        assert.equal((await from(A, 2)).status, 200);
        const third = await from(A, 3);
        assert.equal(third.status, 429);
        assert.match((third.body as { error: { message: string } }).error.message, /this address/);
        assert.equal((await from(B, 4)).status, 200, 'another address has its own limit');
        const hashes = new Set((await rowsOf(collector, 'reports')).map((r) => r.ip_hash));
        assert.equal(hashes.size, 2);
        const stored = await everythingStored(collector);
        const log = collector.lines.join('\n');
        for (const address of [A, B]) {
          assert.ok(!stored.includes(address), `${address} found in the database`);
          assert.ok(!log.includes(address), `${address} found in the log`);
        }
      } finally {
        assert.equal(await collector.stop(), 0);
      }
    });

    it('on SIGTERM finishes the request in flight, stores it, then exits 0', async () => {
      const collector = await CollectorProcess.start({ store, args: ['--latest', '4.2.0'] });
      const body = JSON.stringify(report({}, 9));
      const url = new URL('/ping', collector.url);
      const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        // Half the body now; the rest after the signal, so the request is in flight when it arrives.
        req.write(body.slice(0, 20));
        setTimeout(() => {
          collector.child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(20)), 300);
        }, 200);
      });
      const answer = await answered;
      assert.equal(answer.status, 200, answer.text);
      assert.equal(await collector.exited(), 0);
      await collector.waitForLog((e) => e.msg === 'collector stopped');
      assert.equal((await rowsOf(collector, 'reports')).filter((r) => r.instance_id === 'instance00000009').length, 1);
      // The count written at shutdown comes after the drain: the request in flight is in it.
      const counts = collector.logs().filter((e) => e.msg === 'requests answered');
      assert.deepEqual(counts.map((e) => e.answered), [{ 200: 1 }]);
    });
  });
}

describe('collector when PostgreSQL goes away', function () {
  this.timeout(60_000);

  it('fails health checks with 503 and reports with a JSON 500, acknowledges nothing, and keeps running', async () => {
    const collector = await CollectorProcess.start({ store: 'postgres', args: ['--latest', '4.2.0'] });
    try {
      assert.equal((await collector.request('GET', '/healthz')).status, 200);
      await dropDatabase(collector.databaseUrl!);
      const health = await collector.request('GET', '/healthz');
      assert.equal(health.status, 503);
      assert.deepEqual(health.body, { error: { code: 'store_unavailable', message: 'the database does not answer' } });
      const answer = await collector.request('POST', '/ping', report({}, 1));
      assert.equal(answer.status, 500);
      assert.deepEqual(answer.body, { error: { code: 'internal', message: 'the collector failed; nothing was stored' } });
      assert.equal(collector.child.exitCode, null, 'still running');
    } finally {
      assert.equal(await collector.stop(), 0);
    }
  });
});
