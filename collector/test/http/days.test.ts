import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { CollectorConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { rollUpFinishedDay, runDailyJob } from '../../src/rollup/daily-job';
import { InProcessCollector, postReport, report, startInProcess, StoreKind } from '../helpers/collector-process';
import { rowsOf, StoreFiles } from '../helpers/tables';

/**
 * Behaviour across days, in process so that the clock can move: the real
 * HTTP server and the real database, with `now` in the test's hands.
 */
const STORES: StoreKind[] = ['sqlite', 'postgres'];
const ADDRESS = '127.0.0.1';

for (const kind of STORES) {
  describe(`collector across days (${kind})`, function () {
    this.timeout(60_000);
    let now: Date;
    let collector: InProcessCollector;
    let files: StoreFiles;

    async function start(overrides: Partial<CollectorConfig> = {}): Promise<void> {
      const config = { latest: '4.2.0', rateLimit: { perInstance: 1, perAddress: 1000 }, ...overrides };
      // The clock as a bare function, as callers passed it before the options object.
      collector = await startInProcess({ store: kind, config, options: () => now });
      files = collector.files;
    }

    function send(instance: number, env: Record<string, string> = { nodejs: '20.11.1', 'node-red': '4.1.0' }, osType = 'Linux'): Promise<number> {
      return postReport(collector.url, report({ env, os: { type: osType, release: '6.1', arch: instance % 2 ? 'x64' : 'arm64' } }, instance));
    }

    afterEach(async () => {
      await collector?.stop();
    });

    it('hashes one address differently each day and destroys the previous day\'s secret', async () => {
      now = new Date('2026-11-01T10:00:00Z');
      await start();
      assert.equal(await send(1), 200);
      const [day1Salt] = await rowsOf(files, 'salts');
      assert.equal(day1Salt.day, '2026-11-01');

      now = new Date('2026-11-02T00:00:05Z');
      assert.equal(await send(2), 200);
      const salts = await rowsOf(files, 'salts');
      assert.deepEqual(salts.map((s) => s.day), ['2026-11-02'], 'the day-1 secret is gone');

      const reports = await rowsOf(files, 'reports');
      const h1 = reports.find((r) => r.instance_id === 'instance00000001')!.ip_hash;
      const h2 = reports.find((r) => r.instance_id === 'instance00000002')!.ip_hash;
      assert.notEqual(h1, h2, 'the same address links across days');
      assert.equal(h1, createHmac('sha256', String(day1Salt.secret)).update(ADDRESS).digest('hex'), 'a keyed hash under that day\'s secret');
      assert.notEqual(h1, createHash('sha256').update(ADDRESS).digest('hex'), 'not a plain hash');
      assert.notEqual(h1, createHmac('sha256', String(salts[0].secret)).update(ADDRESS).digest('hex'), 'the remaining secret cannot recompute it');
    });

    it('the daily job destroys an old secret even when no report arrives', async () => {
      now = new Date('2026-11-01T10:00:00Z');
      await start();
      assert.equal(await send(1), 200);
      now = new Date('2026-11-02T01:00:00Z');
      await runDailyJob(collector.store, now, 90, createLogger('silent'));
      assert.deepEqual(await rowsOf(files, 'salts'), []);
    });

    it('rolls a day up idempotently, counts distinct instances, and publishes small counts as "other", never under the threshold', async () => {
      now = new Date('2026-11-10T09:00:00Z');
      await start();
      for (let i = 1; i <= 6; i++) assert.equal(await send(i), 200);
      assert.equal(await send(7, { nodejs: '18.20.4', 'node-red': '3.1.0' }, '<img src=x onerror=alert(1)>'), 200);
      now = new Date('2026-11-10T11:00:00Z');
      assert.equal(await send(1), 200, 'instance 1 again, in the next hour');

      now = new Date('2026-11-11T00:30:00Z');
      const first = await rollUpFinishedDay(collector.store, '2026-11-10', now, 90);
      const rowsAfterFirst = await rowsOf(files, 'daily_usage');
      const second = await rollUpFinishedDay(collector.store, '2026-11-10', now, 90);
      assert.deepEqual(second, first);
      assert.deepEqual(await rowsOf(files, 'daily_usage'), rowsAfterFirst, 're-running changes nothing');
      assert.deepEqual(first, { status: 'aggregated', day: '2026-11-10', instances: 7, reports: 8 });

      const usage = (await (await fetch(`${collector.url}/api/usage?days=1`)).json()) as {
        threshold: number;
        days: Array<{ day: string; instances: number; counts: Array<{ dimension: string; value: string; instances: number }> }>;
      };
      assert.equal(usage.threshold, 5);
      assert.equal(usage.days[0].instances, 7);
      const counts = usage.days[0].counts.map((c) => `${c.dimension}=${c.value}:${c.instances}`);
      // One rare value among 7 instances: publishing the 6 would give it away (7 − 6), so they join "other" too.
      assert.deepEqual(counts, [
        'node-red=other:7',
        'nodejs=other:7',
        'os=other:7',
        'arch=other:7',
        // fetch's own User-Agent: neither Node-RED's client nor the plugin, and too few to show.
        'client=other:7',
      ]);
      assert.ok(!JSON.stringify(usage).includes('onerror'), 'a rare value is never published');
    });

    it('deletes raw reports past retention only after rolling them up, and keeps the roll-up', async () => {
      now = new Date('2026-11-01T09:00:00Z');
      await start({ retentionDays: 7 });
      for (let i = 1; i <= 5; i++) assert.equal(await send(i), 200);
      now = new Date('2026-11-05T09:00:00Z');
      assert.equal(await send(6), 200);

      now = new Date('2026-11-09T03:00:00Z');
      await runDailyJob(collector.store, now, 7, createLogger('silent'));
      const days = (await rowsOf(files, 'reports')).map((r) => r.day);
      assert.deepEqual(days, ['2026-11-05'], 'the 2026-11-01 reports are past 7 days');
      const aggregated = await rowsOf(files, 'aggregated_days');
      assert.deepEqual(
        aggregated.map((d) => [d.day, Number(d.instances)]).sort(),
        [['2026-11-01', 5], ['2026-11-05', 1]],
      );
      const again = await rollUpFinishedDay(collector.store, '2026-11-01', now, 7);
      assert.equal(again.status, 'kept');
      assert.equal((await rowsOf(files, 'aggregated_days')).find((d) => d.day === '2026-11-01')!.instances, 5);
      assert.equal((await rollUpFinishedDay(collector.store, '2026-11-09', now, 7)).status, 'skipped', 'today is not over');
    });
  });
}
