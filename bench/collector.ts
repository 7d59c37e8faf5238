/**
 * The collector at fleet scale, each figure beside a baseline measured in the
 * same run (the machine is shared and noisy: medians of interleaved rounds).
 *
 * - ingest: accepted reports/s at 50 connections, each report from a new
 *   instance, against a bare node:http server that parses the same JSON and
 *   answers the same body; p99 at a fixed 1,000 reports/s; the same again
 *   with each report from an address of its own, as a fleet's arrive;
 * - roll-up of one day of BENCH_ROLLUP_INSTANCES (1M) instances, and of five
 *   times as many on SQLite: wall time and peak RSS of the `aggregate`
 *   command, beside a plain scan of the same rows;
 * - raw storage per report (table and indexes);
 * - retention under load (issue 12, target 5): BENCH_RETENTION_DAYS (90)
 *   expired days of BENCH_RETENTION_PER_DAY (40,000) reports deleted by the
 *   collector's daily job (its first run, 10 s after start) while reports
 *   arrive at the fixed rate; ingest p95/p99 during the deletion, beside the
 *   same load on the same collector right after it. Seeding and deleting take
 *   minutes a round, so BENCH_RETENTION_ROUNDS (1) replaces BENCH_ROUNDS here.
 *
 * Every loop is bounded; all traffic goes to 127.0.0.1.
 * Run: npm run bench   (results are written up in BENCHMARKS.md)
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CollectorProcess, COLLECTOR_BIN, freshStore, locationOf, report, StoreKind } from '../collector/test/helpers/collector-process';
import { stopPostgres } from '../collector/test/helpers/postgres';
import { closedLoop, median, openLoop, percentile, RequestFor } from './scale/load';
import { measureRun, startBareServer } from './scale/processes';
import { retentionUnderLoad } from './scale/retention';
import { bytesPerReport, seedDay, SeedTarget } from './scale/seed';

/** Each size is BENCH_<NAME> in the environment, or the default here (BENCHMARKS.md says which matter). */
function fromEnvironment<T extends Record<string, number>>(defaults: T): T {
  return Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, Number(process.env[`BENCH_${name}`] ?? value)])) as T;
}
const {
  ROUNDS, INGEST_REPORTS, CONNECTIONS, FIXED_RATE, FIXED_SECONDS, ROLLUP_INSTANCES, ROLLUP_LARGE_FACTOR,
  READ_INSTANCES, READ_SEQUENTIAL, READ_CONCURRENT, RETENTION_DAYS, RETENTION_PER_DAY, RETENTION_ROUNDS,
} = fromEnvironment({
  ROUNDS: 3,
  INGEST_REPORTS: 10_000, CONNECTIONS: 50, FIXED_RATE: 1000, FIXED_SECONDS: 5,
  ROLLUP_INSTANCES: 1_000_000, ROLLUP_LARGE_FACTOR: 5,
  READ_INSTANCES: 5000, READ_SEQUENTIAL: 300, READ_CONCURRENT: 3000,
  RETENTION_DAYS: 90, RETENTION_PER_DAY: 40_000, RETENTION_ROUNDS: 1,
});
const ONLY = (process.env.BENCH_ONLY ?? 'ingest,reads,rollup,retention').split(',');
const STORES: StoreKind[] = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',') as StoreKind[];

const DAY = '2026-11-20';

type Row = Record<string, string | number>;
const round1 = (n: number) => Number(n.toFixed(1));

/** Reports from new instances, with ids as the plugin makes them (32 random-looking hex digits): n is instance n. */
const reportRequest: RequestFor = (n) => ({
  method: 'POST',
  path: '/ping',
  body: JSON.stringify(report({ instanceId: createHash('md5').update(String(n)).digest('hex') }, n)),
});

/**
 * The same reports, each from an address of its own, as a fleet's arrive: each then also creates a
 * per-address counter row at a random place, where all of the reports above share one (they all
 * come from 127.0.0.1). The address is given in X-Forwarded-For, to a collector that trusts one
 * proxy (which costs it a little more per request than the plain rows).
 */
const fleetRequest: RequestFor = (n) => ({
  ...reportRequest(n),
  headers: { 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
});

/** Each store is measured twice: as the table has it, and with an address per report. */
const INGEST_LOADS = [
  { suffix: '', requestFor: reportRequest, trustProxy: 0 },
  { suffix: ', an address per report', requestFor: fleetRequest, trustProxy: 1 },
];

async function ingest(): Promise<Row[]> {
  const bare = await startBareServer();
  const collectors = new Map<string, CollectorProcess>();
  const targets: Array<[string, string, RequestFor]> = [['bare node:http', bare.origin, reportRequest]];
  const throughput = new Map<string, number[]>();
  const p99 = new Map<string, number[]>();
  const p95 = new Map<string, number[]>();
  let next = 1;
  try {
    for (const store of STORES) {
      for (const { suffix, requestFor, trustProxy } of INGEST_LOADS) {
        // Its log goes to a file, as an operator's would: this process generates the load and must not also read every line.
        const collector = await CollectorProcess.start({
          store,
          args: ['--latest', '4.2.0'],
          config: { trustProxy, rateLimit: { perInstance: 1, perAddress: 1_000_000 } },
          logToFile: true,
        });
        collectors.set(`${store}${suffix}`, collector);
        targets.push([`${store}${suffix}`, collector.url, requestFor]);
      }
    }
    for (const [, origin, requestFor] of targets) await closedLoop(origin, CONNECTIONS, 500, requestFor, (next += 500) - 500); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, origin, requestFor] of targets) {
        const closed = await closedLoop(origin, CONNECTIONS, INGEST_REPORTS, requestFor, next);
        next += INGEST_REPORTS;
        if (closed.statuses[200] !== INGEST_REPORTS) throw new Error(`${name}: ${JSON.stringify(closed.statuses)}`);
        throughput.set(name, [...(throughput.get(name) ?? []), closed.perSecond]);
        const open = await openLoop(origin, FIXED_RATE, FIXED_SECONDS, requestFor, next);
        next += open.requests;
        // Fast refusals would look like good latency: every report must have been stored.
        if (open.statuses[200] !== open.requests) throw new Error(`${name} at a fixed rate: ${JSON.stringify(open.statuses)}`);
        p99.set(name, [...(p99.get(name) ?? []), percentile(open.latenciesMs, 0.99)]);
        p95.set(name, [...(p95.get(name) ?? []), percentile(open.latenciesMs, 0.95)]);
      }
    }
  } finally {
    await bare.stop();
    for (const c of collectors.values()) await c.stop();
  }
  // What the reports just ingested take, in the order they arrived (not generated in place).
  // (For the rows: with an address per report, the address counters take room too, for their hour.)
  const stored = new Map<string, number>();
  for (const store of STORES) {
    const c = collectors.get(store)!;
    const target: SeedTarget = locationOf(c);
    stored.set(store, (await bytesPerReport(target)).bytes);
  }
  const ceiling = median(throughput.get('bare node:http')!);
  return targets.map(([name]) => ({
    target: name,
    'reports/s': Math.round(median(throughput.get(name)!)),
    'ratio to bare': Number((median(throughput.get(name)!) / ceiling).toFixed(3)),
    [`p95 ms @${FIXED_RATE}/s`]: round1(median(p95.get(name)!)),
    [`p99 ms @${FIXED_RATE}/s`]: round1(median(p99.get(name)!)),
    'bytes/report stored': stored.has(name) ? Math.round(stored.get(name)!) : '-',
  }));
}

/** A collector's store, migrated and empty: started once so that its migrations run, then stopped. */
async function emptyStore(store: StoreKind): Promise<{ target: SeedTarget; args: string[] }> {
  const collector = await CollectorProcess.start({ store, args: ['--latest', '4.2.0'] });
  await collector.stop();
  const target: SeedTarget = locationOf(collector);
  const args = collector.databaseUrl ? ['--database-url', collector.databaseUrl] : ['--data', collector.dataDir];
  return { target, args };
}

async function rollup(): Promise<Row[]> {
  const rows: Row[] = [];
  const cases: Array<[StoreKind, number]> = STORES.map((s): [StoreKind, number] => [s, ROLLUP_INSTANCES]);
  if (STORES.includes('sqlite') && ROLLUP_LARGE_FACTOR > 1) cases.push(['sqlite', ROLLUP_INSTANCES * ROLLUP_LARGE_FACTOR]);
  for (const [store, instances] of cases) {
    const { target, args } = await emptyStore(store);
    await seedDay(target, DAY, instances);
    const scanArgs = [path.join(__dirname, 'scale/scan-day.js'), JSON.stringify(target), DAY];
    const seconds: number[] = [];
    const peaks: number[] = [];
    const scanSeconds: number[] = [];
    const scanPeaks: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const scan = await measureRun(process.execPath, scanArgs);
      scanSeconds.push(scan.seconds);
      scanPeaks.push(scan.peakMiB);
      const run = await measureRun(process.execPath, [COLLECTOR_BIN, 'aggregate', '--day', DAY, ...args, '--log-level', 'warn']);
      seconds.push(run.seconds);
      peaks.push(run.peakMiB);
    }
    const bytes = await bytesPerReport(target);
    rows.push({
      store,
      instances,
      'roll-up s': round1(median(seconds)),
      'roll-up peak RSS MiB': Math.round(median(peaks)),
      'scan s': round1(median(scanSeconds)),
      'scan peak RSS MiB': Math.round(median(scanPeaks)),
      'ratio to scan (time)': Number((median(seconds) / median(scanSeconds)).toFixed(2)),
      'bytes/report': Math.round(bytes.bytes),
    });
  }
  return rows;
}

/** The public side on a store holding a year and more of roll-ups (the demo generator's). */
async function reads(): Promise<Row[]> {
  const seeded = await freshStore('sqlite');
  const { dataDir } = seeded;
  await measureRun(process.execPath, [COLLECTOR_BIN, 'demo-data', '--days', '400', '--instances', String(READ_INSTANCES), '--data', dataDir, '--log-level', 'warn']);
  const collector = await CollectorProcess.start({ store: seeded, args: ['--latest', '4.2.0'], logToFile: true });
  const paths = ['/api/usage?days=365', '/api/v1/series/node-red?range=365', '/'];
  const files: Record<string, string> = {};
  for (const p of paths) {
    const res = await fetch(`${collector.url}${p}`, { headers: { 'accept-encoding': 'identity' } });
    if (res.status !== 200) throw new Error(`${p}: HTTP ${res.status}`);
    files[p] = path.join(dataDir, `body-${Object.keys(files).length}`);
    writeFileSync(files[p], Buffer.from(await res.arrayBuffer()));
  }
  const bare = await startBareServer(files);
  const rows: Row[] = [];
  try {
    const targets: Array<[string, string]> = [['bare node:http', bare.origin], ['collector', collector.url]];
    const sequentialP95 = new Map<string, number[]>();
    const concurrent = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of paths) {
        for (const [name, origin] of targets) {
          const get: RequestFor = () => ({ method: 'GET', path: p });
          const sequential = await closedLoop(origin, 1, READ_SEQUENTIAL, get);
          const key = `${name} ${p}`;
          sequentialP95.set(key, [...(sequentialP95.get(key) ?? []), percentile(sequential.latenciesMs, 0.95)]);
          const crowd = await closedLoop(origin, 20, READ_CONCURRENT, get);
          if (crowd.statuses[200] !== READ_CONCURRENT) throw new Error(`${key}: ${JSON.stringify(crowd.statuses)}`);
          concurrent.set(key, [...(concurrent.get(key) ?? []), crowd.perSecond]);
        }
      }
    }
    for (const p of paths) {
      const bareRps = median(concurrent.get(`bare node:http ${p}`)!);
      const rps = median(concurrent.get(`collector ${p}`)!);
      rows.push({
        path: p,
        'body KiB': Math.round(readFileSync(files[p]).length / 1024),
        'p95 ms sequential': round1(median(sequentialP95.get(`collector ${p}`)!)),
        'bare p95 ms': round1(median(sequentialP95.get(`bare node:http ${p}`)!)),
        'req/s @20 conns': Math.round(rps),
        'bare req/s': Math.round(bareRps),
        'ratio to bare': Number((rps / bareRps).toFixed(3)),
      });
    }
  } finally {
    await bare.stop();
    await collector.stop();
  }
  return rows;
}

async function main(): Promise<void> {
  console.log(`collector at scale: ${ROUNDS} interleaved rounds, medians; node ${process.version}, ${os.cpus().length} cores`);
  if (ONLY.includes('ingest')) {
    console.log(`ingest: ${INGEST_REPORTS} reports per round over ${CONNECTIONS} connections; latency at a fixed ${FIXED_RATE}/s for ${FIXED_SECONDS} s`);
    console.table(await ingest());
  }
  if (ONLY.includes('reads')) {
    console.log(`public reads: a store with 400 days of roll-ups; ${READ_SEQUENTIAL} sequential requests, then ${READ_CONCURRENT} over 20 connections`);
    console.table(await reads());
  }
  if (ONLY.includes('rollup')) {
    console.log(`roll-up of one day: ${ROLLUP_INSTANCES} instances (and ${ROLLUP_LARGE_FACTOR}x on SQLite); baseline: a plain scan of the same rows`);
    console.table(await rollup());
  }
  if (ONLY.includes('retention')) {
    console.log(
      `retention under load: ${RETENTION_DAYS} expired days of ${RETENTION_PER_DAY} reports deleted by the daily job's first run (10 s after start), ingest at a fixed ${FIXED_RATE}/s meanwhile; ` +
        `baseline: ${FIXED_SECONDS} s of the same load right after; ${RETENTION_ROUNDS} round(s) (BENCH_RETENTION_ROUNDS), medians`,
    );
    console.table(
      await retentionUnderLoad({
        stores: STORES,
        days: RETENTION_DAYS,
        perDay: RETENTION_PER_DAY,
        rounds: RETENTION_ROUNDS,
        rate: FIXED_RATE,
        baselineSeconds: FIXED_SECONDS,
        timeoutMs: 600_000,
        requestFor: reportRequest,
        emptyStore,
        first: 1,
      }),
    );
  }
  await stopPostgres();
}

main().catch(async (err) => {
  console.error(err);
  await stopPostgres();
  process.exit(1);
});
