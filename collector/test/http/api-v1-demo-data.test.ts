import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { COLLECTOR_BIN, CollectorProcess, freshStore, report, StoreKind } from '../helpers/collector-process';
import { rowsOf } from '../helpers/tables';

const STORES: StoreKind[] = ['sqlite', 'postgres'];

/** Runs the published bin; resolves to its exit code and output, never rejects. */
async function cli(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // DATABASE_URL and COLLECTOR_* of the environment running the tests must not name a store here.
    const env = { PATH: process.env.PATH };
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [COLLECTOR_BIN, ...args, '--log-level', 'warn'], { cwd, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

for (const store of STORES) {
  describe(`demo-data command (${store})`, function () {
    this.timeout(120_000);

    it('fills an empty store with a labelled, deterministic history, and refills it the same', async () => {
      const files = await freshStore(store);
      const target = files.databaseUrl ? ['--database-url', files.databaseUrl] : ['--data', files.dataDir];
      const args = ['demo-data', ...target, '--days', '120', '--instances', '2000', '--end', '2026-11-20', '--seed', '42'];
      const first = await cli(args);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(JSON.parse(first.stdout), { days: 120, from: '2026-07-24', to: '2026-11-20', lastDayInstances: 1711, store });
      const stored = await rowsOf(files, 'aggregated_days');
      assert.equal(stored.length, 120);
      assert.equal((await rowsOf(files, 'reports')).length, 0, 'only roll-ups are written');

      const collector = await CollectorProcess.start({ store: files, args: ['--latest', '4.2.0'] });
      try {
        const summary = await collector.request('GET', '/api/v1/summary');
        const body = summary.body as { demo: string; daysAggregated: number; lastDayTotals: { instances: number } };
        assert.match(body.demo, /^Demo data: a generated history of about 2000 installations over 120 days \(seed 42\), not real usage\.$/);
        assert.equal(body.daysAggregated, 120);
        assert.ok(body.lastDayTotals.instances > 1200 && body.lastDayTotals.instances < 2400, String(body.lastDayTotals.instances));
        const series = await collector.request('GET', '/api/v1/series/node-red?range=all');

        // The same options again: the same counts, so the same answers and ETags (only aggregated_at differs, which answers do not carry).
        assert.equal((await cli(args)).code, 0);
        const again = await collector.request('GET', '/api/v1/series/node-red?range=all');
        assert.equal(again.text, series.text);
      } finally {
        await collector.stop();
      }
    });

    it('refuses a store holding real reports and leaves it as it was', async () => {
      const collector = await CollectorProcess.start({ store });
      try {
        assert.equal((await collector.request('POST', '/ping', report({}, 1))).status, 200);
      } finally {
        await collector.stop();
      }
      const target = collector.databaseUrl ? ['--database-url', collector.databaseUrl] : ['--data', collector.dataDir];
      const refused = await cli(['demo-data', ...target]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^demo-data: this store already holds real reports or roll-ups; demo data goes only into an empty store/);
      assert.equal((await rowsOf(collector, 'reports')).length, 1);
      assert.equal((await rowsOf(collector, 'aggregated_days')).length, 0);
      assert.equal((await rowsOf(collector, 'collector_meta')).length, 0);
    });
  });
}

describe('demo-data command line', function () {
  this.timeout(30_000);

  it('is listed in --help and names each bad flag', async () => {
    assert.match((await cli(['--help'])).stdout, /demo-data\s+fill an empty store with a generated history/);
    const bad = await cli(['demo-data', '--days', '0', '--end', 'yesterday', '--data', mkdtempSync(path.join(os.tmpdir(), 'nrt-demo-bad-'))]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, '--days: must be an integer from 1 to 3660 (got "0")\n--end: must be a day written YYYY-MM-DD (got "yesterday")\n');
  });

  it('never writes into the default store: without --data or DATABASE_URL it refuses', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'nrt-demo-cwd-'));
    const refused = await cli(['demo-data', '--days', '5'], cwd);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^demo-data: name the demo's own store with --data <dir> \(or DATABASE_URL\)/);
    assert.equal(existsSync(path.join(cwd, 'data')), false, 'nothing was created under ./data');
  });
});
