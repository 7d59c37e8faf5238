import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { CollectorConfig } from '../../src/config';
import { rollUpFinishedDay } from '../../src/rollup/daily-job';
import { freshStore, InProcessCollector, report, startInProcess, StoreKind } from '../helpers/collector-process';
import { FakeRegistry, NODE_RED_RELEASES, packument } from '../helpers/packument';
import { everythingStored, rowsOf, StoreFiles } from '../helpers/tables';

/**
 * What the collector answers each reporter, in process against a registry on
 * loopback: the real HTTP server, the real store, the real poll.
 */
const STORES: StoreKind[] = ['sqlite', 'postgres'];
const TAGS = { latest: '5.0.7', next: '5.1.0-beta.2' };
const NEEDS_22 = { '5.0.7': { node: '>=22.9' }, '5.1.0-beta.2': { node: '>=22.9' } };

for (const kind of STORES) {
  describe(`version answers (${kind})`, function () {
    this.timeout(60_000);
    let collector: InProcessCollector | undefined;
    let registry: FakeRegistry | undefined;
    let files: StoreFiles;
    let sent = 0;
    const now = new Date('2026-11-20T12:00:00Z');

    async function start(overrides: Partial<CollectorConfig>): Promise<InProcessCollector> {
      collector = await startInProcess({ store: kind, config: { rateLimit: { perInstance: 1, perAddress: 10_000 }, ...overrides }, options: { now: () => now } });
      files = collector.files;
      return collector;
    }

    /** One report from a new instance running `nodejs`; the answer's body. */
    async function ask(nodejs: string, headers: Record<string, string> = {}): Promise<unknown> {
      const res = await fetch(`${collector!.url}/ping`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(report({ env: { nodejs, 'node-red': '4.1.0' } }, ++sent)),
      });
      assert.equal(res.status, 200);
      return res.json();
    }

    /** Asks until the first poll has landed: the collector answers before it does. */
    async function firstVersions(nodejs: string): Promise<unknown> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const body = await ask(nodejs);
        if (Object.keys(body as object).length > 0 || Date.now() > deadline) return body;
        await new Promise((r) => setTimeout(r, 20));
      }
    }

    afterEach(async () => {
      await collector?.stop();
      await registry?.stop();
      collector = undefined;
      registry = undefined;
    });

    it('offers Node 18, 20 and 22 reporters the newest release their Node.js can run', async () => {
      registry = await new FakeRegistry(packument(NODE_RED_RELEASES, TAGS)).start();
      await start({ registry: registry.url });
      assert.deepEqual(await firstVersions('22.11.0'), { 'node-red': { latest: '5.0.7', next: '5.1.0-beta.2' } });
      assert.deepEqual(await ask('20.18.0'), { 'node-red': { latest: '4.1.2', next: '4.1.2', requires: NEEDS_22 } });
      assert.deepEqual(await ask('18.20.4'), { 'node-red': { latest: '4.1.2', next: '4.1.2', requires: NEEDS_22 } });
      assert.deepEqual(await ask('16.20.2'), { 'node-red': { latest: '3.1.15', next: '3.1.15', requires: NEEDS_22 } });
      assert.deepEqual(await ask('12.22.12'), {}, 'nothing this Node.js can run: no node-red object at all');
      assert.equal(registry.requests[0]?.url, '/node-red');
      assert.match(String(registry.requests[0]?.accept), /application\/vnd\.npm\.install-v1\+json/);
    });

    it('answers no node-red object while the registry was never reached', async () => {
      const server = net.createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as net.AddressInfo;
      await new Promise((r) => server.close(r));
      await start({ registry: `http://127.0.0.1:${port}` });
      for (const nodejs of ['22.11.0', '20.18.0']) assert.deepEqual(await ask(nodejs), {});
    });

    it('keeps the last good packument when the registry fails or answers garbage', async () => {
      registry = await new FakeRegistry(packument(NODE_RED_RELEASES, { latest: '4.1.2' })).start();
      await start({ registry: registry.url, versionsInterval: 100 });
      const first = await firstVersions('22.11.0');
      assert.deepEqual(first, { 'node-red': { latest: '4.1.2', next: '4.1.2' } }, 'no next tag: next is latest');
      const polls = registry.requests.length;
      registry.body = { versions: 'garbage' };
      while (registry.requests.length < polls + 2) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await ask('22.11.0'), first);
      registry.body = null;
      while (registry.requests.length < polls + 4) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await ask('22.11.0'), first);
    });

    it('answers fixed versions to everyone, next falling back to latest', async () => {
      await start({ latest: '4.1.2' });
      assert.deepEqual(await ask('22.11.0'), { 'node-red': { latest: '4.1.2', next: '4.1.2' } });
      assert.deepEqual(await ask('12.0.0'), { 'node-red': { latest: '4.1.2', next: '4.1.2' } });
    });

    it('counts reports per client kind from the User-Agent, and never stores the header', async () => {
      await start({ latest: '4.1.2' });
      const agents = ['Node-RED/4.1.15', 'Node-RED/4.1.15', 'Node-RED/4.1.15 node-red-telemetry/0.1.0', 'curl/8.5.0-uniquemarker'];
      for (const agent of agents) await ask('20.18.0', { 'user-agent': agent });
      const rows = await rowsOf(files, 'reports');
      assert.deepEqual(rows.map((r) => r.client).sort(), ['node-red-core', 'node-red-core', 'node-red-telemetry', 'other']);
      assert.equal((await everythingStored(files)).includes('uniquemarker'), false, 'the User-Agent itself is not kept');

      const outcome = await rollUpFinishedDay(collector!.store, '2026-11-20', new Date('2026-11-21T01:00:00Z'), 90);
      assert.equal(outcome.status, 'aggregated');
      const [day] = await collector!.store.usage('2026-11-20', '2026-11-20');
      const clients = Object.fromEntries(day.counts.filter((c) => c.dimension === 'client').map((c) => [c.value, c.instances]));
      assert.deepEqual(clients, { 'node-red-core': 2, 'node-red-telemetry': 1, other: 1 });
    });
  });
}

describe('collector over HTTPS: a certificate that cannot be read', () => {
  it('stops the start with the setting and the file named, and leaves nothing listening', async () => {
    const files = await freshStore('sqlite');
    const missing = path.join(files.dataDir, 'no-such-cert.pem');
    await assert.rejects(
      startInProcess({ store: files, config: { latest: '4.1.2', tlsCert: missing, tlsKey: missing } }),
      (err: Error) => err.message === `--tls-cert: cannot read "${missing}" (ENOENT)`,
    );
  });
});
