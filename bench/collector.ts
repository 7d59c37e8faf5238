/**
 * What one collector process takes: accepted reports per second over HTTP on
 * 127.0.0.1, the latency of each (validation, address hash, rate limits and a
 * durable commit included), and the process's memory, on SQLite and on
 * PostgreSQL. Every loop is bounded (BENCH_COLLECTOR_REPORTS, BENCH_CONCURRENCY).
 * Run: npm run bench   (results are written up in BENCHMARKS.md)
 */
import { readFileSync } from 'node:fs';
import { CollectorProcess, postReport, report, StoreKind } from '../collector/test/helpers/collector-process';
import { stopPostgres } from '../collector/test/helpers/postgres';

const REPORTS = Number(process.env.BENCH_COLLECTOR_REPORTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function rssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kib / 1024;
}

async function ingest(store: StoreKind): Promise<Record<string, string | number>> {
  const collector = await CollectorProcess.start({
    store,
    args: ['--latest', '4.2.0'],
    config: { rateLimit: { perInstance: 1, perAddress: 1_000_000 } },
  });
  try {
    const idle = rssMiB(collector.child.pid!);
    const post = async (n: number) => {
      const started = performance.now();
      const status = await postReport(collector.url, report({}, n));
      if (status !== 200) throw new Error(`report ${n}: HTTP ${status}`);
      return performance.now() - started;
    };
    for (let n = 1; n <= 50; n++) await post(n); // warm-up, not measured
    const latencies: number[] = [];
    let next = 51;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next <= REPORTS + 50) latencies.push(await post(next++));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      store,
      reports: latencies.length,
      'reports/s': Math.round(latencies.length / seconds),
      'p50 ms': Number(percentile(latencies, 0.5).toFixed(1)),
      'p95 ms': Number(percentile(latencies, 0.95).toFixed(1)),
      'RSS idle MiB': Number(idle.toFixed(1)),
      'RSS after MiB': Number(rssMiB(collector.child.pid!).toFixed(1)),
    };
  } finally {
    await collector.stop();
  }
}

async function main(): Promise<void> {
  console.log(`collector: ${REPORTS} reports, ${CONCURRENCY} at a time, each from a new instance`);
  const rows = [await ingest('sqlite'), await ingest('postgres')];
  console.table(rows);
  await stopPostgres();
}

main().catch(async (err) => {
  console.error(err);
  await stopPostgres();
  process.exit(1);
});
