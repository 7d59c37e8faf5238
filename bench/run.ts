/**
 * What the plugin costs the Node-RED it runs in: start-up time and memory of a
 * real Node-RED with and without it, and the time and heap of one report.
 * All traffic goes to 127.0.0.1; every loop is bounded.
 * Run: npm run bench   (results are written up in BENCHMARKS.md)
 */
import { readFileSync } from 'node:fs';
import { TestCollector } from '../test/helpers/collector';
import { NodeRedProcess, REPO_ROOT } from '../test/helpers/node-red';
import { Transport } from '../src/transport';
import { buildReport } from '../src/report';

const STARTS = Number(process.env.BENCH_STARTS ?? 7);
const REPORTS = Number(process.env.BENCH_REPORTS ?? 500);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

type Scenario = 'without plugin' | 'plugin, pending' | 'plugin, reporting';

/** Start-up time to "Server now running", and RSS once the first report (if any) is out. */
async function startup(scenario: Scenario, collector: TestCollector): Promise<{ ms: number; rss: number }> {
  const withPlugin = scenario !== 'without plugin';
  const reporting = scenario === 'plugin, reporting';
  const before = collector.received.length;
  const started = Date.now();
  const red = await NodeRedProcess.start({
    settings: {
      nodesDir: withPlugin ? [REPO_ROOT] : [],
      logging: { console: { level: 'info', metrics: false, audit: false } },
      telemetry: { url: collector.url, initialDelay: 0 },
    },
    // Consent stored by the editor earlier (telemetry.enabled would also start Node-RED's own telemetry).
    runtimeSettings: reporting ? { 'node-red-telemetry': { instanceId: 'b'.repeat(32), choice: true } } : undefined,
  });
  const ms = Date.now() - started;
  if (reporting) await collector.waitFor(before + 1);
  // Let start-up work settle before reading memory.
  await new Promise((r) => setTimeout(r, 1000));
  const rss = rssKiB(red.pid);
  if (withPlugin !== red.output.includes('[node-red-telemetry]')) throw new Error(`${scenario}: plugin ${withPlugin ? 'missing' : 'present'}`);
  if (!reporting && collector.received.length !== before) throw new Error(`${scenario}: a report was sent`);
  await red.stop();
  return { ms, rss };
}

async function reports(): Promise<{ meanMs: number; p95Ms: number; heapGrowthKiB: number }> {
  const collector = await new TestCollector().start();
  const transport = new Transport({ userAgent: 'bench' });
  const url = new URL(collector.url);
  const payload = buildReport('b'.repeat(32), '4.1.15');
  const signal = new AbortController().signal;
  for (let i = 0; i < 20; i++) await transport.send(url, payload, signal);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const times: number[] = [];
  for (let i = 0; i < REPORTS; i++) {
    const t = process.hrtime.bigint();
    const outcome = await transport.send(url, payload, signal);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (!outcome.ok) throw new Error(`report ${i} failed: ${outcome.error}`);
    collector.received.length = 0;
  }
  global.gc?.();
  const heapGrowthKiB = (process.memoryUsage().heapUsed - heapBefore) / 1024;
  await transport.close();
  await collector.stop();
  const sorted = [...times].sort((a, b) => a - b);
  return { meanMs: times.reduce((a, b) => a + b, 0) / times.length, p95Ms: sorted[Math.floor(sorted.length * 0.95)], heapGrowthKiB };
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${STARTS} starts each, ${REPORTS} reports${global.gc ? '' : ' (run with --expose-gc for heap figures)'}`);
  const scenarios: Scenario[] = ['without plugin', 'plugin, pending', 'plugin, reporting'];
  const runs = new Map<Scenario, Array<{ ms: number; rss: number }>>(scenarios.map((s) => [s, []]));
  const collector = await new TestCollector().start();
  // Round-robin, so that drift of the machine hits every scenario alike.
  for (let i = 0; i < STARTS; i++) {
    for (const scenario of scenarios) runs.get(scenario)?.push(await startup(scenario, collector));
  }
  await collector.stop();
  const base = runs.get('without plugin') ?? [];
  const baseMs = median(base.map((x) => x.ms));
  const baseRss = median(base.map((x) => x.rss));
  for (const scenario of scenarios) {
    const r = runs.get(scenario) ?? [];
    const ms = median(r.map((x) => x.ms));
    const rss = median(r.map((x) => x.rss));
    console.log(
      `${scenario.padEnd(18)} start ${String(ms).padStart(5)} ms (${ms - baseMs >= 0 ? '+' : ''}${ms - baseMs})   RSS ${(rss / 1024).toFixed(1).padStart(6)} MiB (${rss - baseRss >= 0 ? '+' : ''}${((rss - baseRss) / 1024).toFixed(1)})`,
    );
  }
  const r = await reports();
  console.log(`one report       mean ${r.meanMs.toFixed(2)} ms   p95 ${r.p95Ms.toFixed(2)} ms   heap growth over ${REPORTS} reports ${r.heapGrowthKiB.toFixed(0)} KiB`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
