/**
 * Retention under load (issue 12, target 5): months of expired reports are
 * deleted by the collector's own daily job (its first run, shortly after
 * start), in the same process and on the same event loop as ingest, while new
 * reports arrive at a fixed rate from the moment it listens. Latency counts
 * the requests due from the job's start to the time of its "deleted" log line,
 * which is also the deletion's time. The baseline is the same open loop on
 * the same collector once nothing is left to delete.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Client } from 'pg';
import { Pool } from 'undici';
import { addDays, dayOf } from '../../collector/src/days';
import { JOB_FIRST_RUN_DELAY_MS } from '../../collector/src/rollup/daily-job';
import { SQLITE_FILE } from '../../collector/src/store/connect';
import { CollectorProcess, StoreKind } from '../../collector/test/helpers/collector-process';
import { LoadResult, median, openLoop, percentile, RequestFor } from './load';
import { seedDay, SeedTarget } from './seed';

export interface RetentionOptions {
  stores: StoreKind[];
  days: number;
  perDay: number;
  rounds: number;
  rate: number;
  baselineSeconds: number;
  /** Past this, a round fails rather than wait for a deletion that never ends. */
  timeoutMs: number;
  requestFor: RequestFor;
  emptyStore: (store: StoreKind) => Promise<{ target: SeedTarget; args: string[] }>;
  /** Instance number of the first request; each request gets the next one. */
  first: number;
}

type Row = Record<string, string | number>;

const RETENTION_DAYS = 90;
const DONE = 'raw reports past retention deleted';
const FAILED = 'daily job failed';

/** `days` days ending 400 days ago: all far past a 90-day retention. */
function expiredDays(days: number): string[] {
  const last = addDays(dayOf(new Date()), -400);
  return Array.from({ length: days }, (_, i) => addDays(last, -i));
}

/** Roll-up rows for the seeded days, so that the job goes straight to deleting. */
async function markAggregated(target: SeedTarget, days: string[], perDay: number): Promise<void> {
  const at = new Date().toISOString();
  if (target.kind === 'sqlite') {
    const db = new SQLite(path.join(target.dataDir, SQLITE_FILE));
    try {
      const insert = db.prepare('INSERT INTO aggregated_days (day, instances, reports, aggregated_at) VALUES (?, ?, ?, ?)');
      db.transaction(() => days.forEach((day) => insert.run(day, perDay, perDay, at)))();
    } finally {
      db.close();
    }
    return;
  }
  const client = new Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query('INSERT INTO aggregated_days (day, instances, reports, aggregated_at) SELECT unnest($1::text[]), $2, $2, $3', [days, perDay, at]);
  } finally {
    await client.end();
  }
}

/**
 * The job's end, read from the collector's output line by line as it comes
 * (polling every captured line would cost the load generator more, the longer
 * the run), including lines written before this was asked: a small deletion
 * may end before the collector listens. Resolves to the pino time of the line
 * and the count it gives.
 */
function deletionEnd(collector: CollectorProcess, timeoutMs: number): { ended: Promise<{ at: number; deleted: number }>; stop(): void } {
  let stop = (): void => undefined;
  const ended = new Promise<{ at: number; deleted: number }>((resolve, reject) => {
    const check = (line: string): void => {
      if (!line.includes(DONE) && !line.includes(FAILED)) return;
      let entry: { msg?: string; time?: number; deleted?: number; err?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return; // not pino's: a line on stderr that happens to contain the words
      }
      if (entry.msg === DONE && typeof entry.time === 'number') resolve({ at: entry.time, deleted: Number(entry.deleted) });
      else if (entry.msg === FAILED) reject(new Error(`daily job failed: ${JSON.stringify(entry.err)}`));
    };
    const off = collector.eachLine(check);
    const timer = setTimeout(() => reject(new Error(`no "${DONE}" within ${timeoutMs / 1000} s`)), timeoutMs);
    stop = () => {
      clearTimeout(timer);
      off();
    };
  });
  return { ended, stop: () => stop() };
}

/**
 * An open loop (as load.ts's) that runs until `ended` settles, then keeps
 * only the requests that were due from `from` (this process's performance
 * clock) until the end it gives (a pino time).
 */
async function openLoopUntil(
  origin: string,
  rate: number,
  from: number,
  ended: Promise<{ at: number }>,
  requestFor: RequestFor,
  first: number,
): Promise<{ requests: number; latenciesMs: number[] }> {
  const pool = new Pool(origin, { connections: 64, pipelining: 1 });
  const statuses: Record<number, number> = {};
  const sent: Array<{ due: number; ms: number }> = [];
  let end: number | undefined;
  let failure: unknown;
  // Settles while the loop runs; the end is moved onto this process's performance clock.
  ended.then(
    (e) => (end = e.at - performance.timeOrigin),
    (err: unknown) => (failure = err),
  );
  const inFlight: Array<Promise<void>> = [];
  const started = performance.now();
  try {
    for (let i = 0; end === undefined && failure === undefined; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const request = requestFor(first + i);
      inFlight.push(
        pool
          .request({ method: request.method, path: request.path, body: request.body, headers: { ...(request.body ? { 'content-type': 'application/json' } : {}), ...request.headers } })
          .then(async (res) => {
            await res.body.dump();
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            sent.push({ due, ms: performance.now() - due });
          }),
      );
    }
    await Promise.all(inFlight);
  } finally {
    await pool.close();
  }
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error('waiting for the end of the deletion failed', { cause: failure });
  // Fast refusals would look like good latency: every report must have been stored.
  if (statuses[200] !== inFlight.length) throw new Error(`during deletion: ${JSON.stringify(statuses)}`);
  const during = sent.filter((s) => s.due >= from && s.due < end!);
  return { requests: inFlight.length, latenciesMs: during.map((s) => s.ms) };
}

/** The collector on a seeded store (`args` name it); store 'sqlite' only keeps the helper from creating a database. */
function startOn(args: string[]): Promise<CollectorProcess> {
  return CollectorProcess.start({
    store: 'sqlite',
    args: ['--latest', '4.2.0', ...args],
    config: { retentionDays: RETENTION_DAYS, rateLimit: { perInstance: 1, perAddress: 1_000_000 } },
  });
}

export async function retentionUnderLoad(o: RetentionOptions): Promise<Row[]> {
  const rows: Row[] = [];
  let next = o.first;
  const stored = (store: string, what: string, r: LoadResult): number[] => {
    if (r.statuses[200] !== r.requests) throw new Error(`${store} ${what}: ${JSON.stringify(r.statuses)}`);
    next += r.requests;
    return r.latenciesMs;
  };
  for (const store of o.stores) {
    const m: Record<'seconds' | 'samples' | 'p95' | 'p99' | 'afterP95' | 'afterP99', number[]> = { seconds: [], samples: [], p95: [], p99: [], afterP95: [], afterP99: [] };
    for (let round = 0; round < o.rounds; round++) {
      // The deletion empties the store: every round seeds a fresh one.
      const { target, args } = await o.emptyStore(store);
      const days = expiredDays(o.days);
      for (const [i, day] of days.entries()) await seedDay(target, day, o.perDay, i * o.perDay);
      await markAggregated(target, days, o.perDay);

      const collector = await startOn(args);
      // The job starts this long after the collector listens: the load before it warms the collector up.
      const jobStart = performance.now() + JOB_FIRST_RUN_DELAY_MS;
      const end = deletionEnd(collector, o.timeoutMs + JOB_FIRST_RUN_DELAY_MS);
      try {
        const during = await openLoopUntil(collector.url, o.rate, jobStart, end.ended, o.requestFor, next);
        next += during.requests;
        const { at, deleted } = await end.ended;
        if (deleted !== o.days * o.perDay) throw new Error(`${store}: ${deleted} reports deleted, ${o.days * o.perDay} seeded`);
        // A roll-up first would be measured as deletion: the seeded days must have been taken as rolled up.
        if (collector.lines.some((l) => l.includes('"day aggregated"'))) throw new Error(`${store}: the job rolled up seeded days before deleting`);
        const after = stored(store, 'after the deletion', await openLoop(collector.url, o.rate, o.baselineSeconds, o.requestFor, next));
        m.seconds.push((at - performance.timeOrigin - jobStart) / 1000);
        m.samples.push(during.latenciesMs.length);
        m.p95.push(percentile(during.latenciesMs, 0.95));
        m.p99.push(percentile(during.latenciesMs, 0.99));
        m.afterP95.push(percentile(after, 0.95));
        m.afterP99.push(percentile(after, 0.99));
      } finally {
        end.stop();
        await collector.stop();
        // Deleted rows leave the SQLite file at its full size: gigabytes per round otherwise.
        if (target.kind === 'sqlite') rmSync(target.dataDir, { recursive: true, force: true });
      }
    }
    const r1 = (n: number) => Number(n.toFixed(1));
    rows.push({
      store,
      'expired reports': o.days * o.perDay,
      'deletion s': r1(median(m.seconds)),
      'reports during': Math.round(median(m.samples)),
      'p95 ms during': r1(median(m.p95)),
      'p99 ms during': r1(median(m.p99)),
      'p95 ms after': r1(median(m.afterP95)),
      'p99 ms after': r1(median(m.afterP99)),
      'ratio of p99s': Number((median(m.p99) / median(m.afterP99)).toFixed(2)),
    });
  }
  return rows;
}
