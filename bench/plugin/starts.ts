/**
 * Start-up and memory of a real Node-RED with the plugin, against the same
 * Node-RED without it, in interleaved rounds (the scenarios' order rotates
 * each round, so that the machine's drift and any first-in-round effect hit
 * each alike); medians of the per-round differences and ratios.
 *
 * Memory is read settled: after a forced collection, and once Node-RED has
 * been idle long enough (BENCH_SETTLE_S, 15 s) for V8's memory reducer to
 * have given back what start-up used for a while. Read a second after
 * start-up instead, RSS moves by several MiB from one start to the next, with
 * or without the plugin (BENCHMARKS.md); what a Raspberry Pi keeps paying is
 * the settled figure.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestCollector } from '../../test/helpers/collector';
import { GROUPS, settledMemory, Setup, startNodeRed } from './node-red';
import { TLS_CERT, TlsCollector } from './tls-collector';
import { median, MIB, printRows, Row, signedMib, sleep } from './stats';

const STARTS = Number(process.env.BENCH_STARTS ?? 15);
const MEMORY_ROUNDS = Number(process.env.BENCH_MEMORY_ROUNDS ?? 10);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_S ?? 20) * 1000;
/** Reports made in the "several reports" scenarios, one a second, before reporting is switched off. */
const SEVERAL = 6;

const id = (n: number): string => n.toString(16).padStart(32, '0');

interface Scenario {
  name: string;
  setup: (round: number) => Setup;
  /** Reports to wait for before the idle wait. */
  reports?: number;
  /** Stopped once they went, by the opt-out file (checked before every report), so that Node-RED then idles as between daily reports. */
  switchOff?: boolean;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * Runs every scenario once per round, rotating their order. `together`: a
 * round's Node-REDs run side by side (memory, which waits in idle, not CPU,
 * and needs many rounds to see through its noise); otherwise one at a time (time).
 */
async function rounds<T>(scenarios: readonly Scenario[], count: number, run: (scenario: Scenario, round: number) => Promise<T>, together = false): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(scenarios.map((s) => [s.name, []]));
  for (let round = 0; round < count; round++) {
    const order = rotate(scenarios, round);
    if (together) {
      const settled = await Promise.all(order.map((scenario) => run(scenario, round)));
      order.forEach((scenario, i) => results.get(scenario.name)?.push(settled[i]));
    } else {
      for (const scenario of order) results.get(scenario.name)?.push(await run(scenario, round));
    }
    process.stderr.write(`  round ${round + 1}/${count}\r`);
  }
  return results;
}

type Memory = { rss: number; heap: number };

/** One row: the scenario's settled memory against the baseline's, paired by round. */
function memoryRow(figure: string, base: Memory[], runs: Memory[], target?: number): Row {
  const diffs = runs.map((r, i) => r.rss - base[i].rss);
  const heapDiffs = runs.map((r, i) => r.heap - base[i].heap);
  const range = (values: number[]): string => `${(Math.min(...values) / MIB).toFixed(1)}-${(Math.max(...values) / MIB).toFixed(1)}`;
  return {
    figure,
    baseline: `${(median(base.map((r) => r.rss)) / MIB).toFixed(1)} MiB (${range(base.map((r) => r.rss))})`,
    value: `${(median(runs.map((r) => r.rss)) / MIB).toFixed(1)} MiB (${range(runs.map((r) => r.rss))}): ${signedMib(median(diffs))} MiB (V8 heap ${signedMib(median(heapDiffs))} MiB)`,
    ...(target !== undefined ? { target: `<= +${target / MIB} MiB`, met: median(diffs) <= target } : {}),
  };
}

/** Start-up time (spawn to "Server now running"), nothing sent: many quick rounds, as the figure is small beside the noise. */
export async function startUp(): Promise<void> {
  const collector = await new TestCollector().start();
  const url = collector.url;
  const scenarios: Scenario[] = [
    { name: 'without plugin', setup: () => ({ plugin: false, telemetry: { url } }) },
    { name: 'plugin, pending', setup: () => ({ plugin: true, telemetry: { url } }) },
    {
      name: 'plugin, all four groups on',
      // Consent given for every group; the first report is 30 minutes away, so start-up is all that is measured.
      setup: (round) => ({ plugin: true, telemetry: { url, include: GROUPS }, stored: { instanceId: id(round + 1), choice: true, covered: GROUPS } }),
    },
  ];
  const times = await rounds(scenarios, STARTS, async (scenario, round) => {
    const { red, startMs } = await startNodeRed(scenario.setup(round));
    await red.stop();
    return startMs;
  });
  const memory = await rounds(
    scenarios,
    MEMORY_ROUNDS,
    async (scenario, round) => {
      const { red } = await startNodeRed(scenario.setup(round));
      await sleep(SETTLE_MS);
      const settled = await settledMemory(red);
      await red.stop();
      return settled;
    },
    true,
  );
  await collector.stop();
  if (collector.received.length > 0) throw new Error('a report was sent during the start-up benchmark');
  const baseMs = times.get('without plugin') ?? [];
  const baseMemory = memory.get('without plugin') ?? [];
  const rows: Row[] = [];
  for (const [name, target] of [
    ['plugin, pending', 1.02],
    ['plugin, all four groups on', 1.03],
  ] as const) {
    const runs = times.get(name) ?? [];
    const ratio = median(runs.map((ms, i) => ms / baseMs[i]));
    rows.push({
      figure: `${name}: start-up`,
      baseline: `${median(baseMs).toFixed(0)} ms`,
      value: `${median(runs).toFixed(0)} ms: ${ratio.toFixed(3)}x (median of ${STARTS} paired ratios)`,
      target: `<= ${target}x`,
      met: ratio <= target,
    });
  }
  rows.push(memoryRow('plugin, pending: RSS', baseMemory, memory.get('plugin, pending') ?? [], 0.5 * MIB));
  rows.push(memoryRow('plugin, all four groups on: RSS', baseMemory, memory.get('plugin, all four groups on') ?? []));
  printRows(`Start-up (${STARTS} interleaved rounds) and settled memory (${MEMORY_ROUNDS} rounds, ${SETTLE_MS / 1000} s after start), nothing sent`, rows);
}

/**
 * Settled memory once reporting: after the first report (then idle), and
 * after several reports, one a second, then stopped by the opt-out file so
 * that Node-RED idles as it does between daily reports.
 * Over plain HTTP to a loopback collector, over HTTPS (TLS is what a Node-RED
 * without the plugin may never load), and with every group on.
 */
export async function reportingMemory(node: string | undefined, label: string): Promise<void> {
  const collector = await new TestCollector().start();
  const secure = await new TlsCollector().start();
  const once = { url: collector.url, initialDelay: '1s', interval: '24h' };
  const often = { url: collector.url, initialDelay: '1s', interval: '1s' };
  // Every Node-RED alike trusts the HTTPS collector's test certificate.
  const env = { NODE_EXTRA_CA_CERTS: TLS_CERT };
  const consent = (n: number, covered: string[] = []): Record<string, unknown> => ({ instanceId: id(n), choice: true, covered });
  const scenarios: Scenario[] = [
    { name: 'without plugin', setup: () => ({ node, env, plugin: false, telemetry: once }) },
    { name: 'after the first report', reports: 1, setup: (round) => ({ node, env, plugin: true, telemetry: once, stored: consent(100 + round) }) },
    {
      name: `after ${SEVERAL} reports`,
      reports: SEVERAL,
      switchOff: true,
      setup: (round) => ({ node, env, plugin: true, telemetry: often, stored: consent(200 + round) }),
    },
    { name: 'over HTTPS, after the first report', reports: 1, setup: (round) => ({ node, env, plugin: true, telemetry: { ...once, url: secure.url }, stored: consent(300 + round) }) },
    {
      name: 'all four groups, after the first report',
      reports: 1,
      setup: (round) => ({ node, env, plugin: true, telemetry: { ...once, include: GROUPS }, stored: consent(400 + round, GROUPS) }),
    },
  ];
  const results = await rounds(scenarios, MEMORY_ROUNDS, async (scenario, round) => {
    const setup = scenario.setup(round);
    const instanceId = String(setup.stored?.instanceId);
    const sent = (): number => [...collector.received.map((r) => r.body), ...secure.received].filter((body) => body.includes(`"${instanceId}"`)).length;
    const { red } = await startNodeRed(setup);
    const deadline = Date.now() + 30_000;
    while (sent() < (scenario.reports ?? 0)) {
      if (Date.now() > deadline) throw new Error(`${scenario.name}: ${sent()} report(s) in 30 s:\n${red.output}`);
      await sleep(50);
    }
    // The opt-out file rather than the admin API: a PUT would make Node-RED load code of its own for the request.
    if (scenario.switchOff) writeFileSync(path.join(red.userDir, '.opt-out-from-anonymous-statistics'), '');
    await sleep(SETTLE_MS);
    const settled = await settledMemory(red);
    await red.stop();
    return settled;
  }, true);
  await collector.stop();
  await secure.stop();
  const base = results.get('without plugin') ?? [];
  const rows = scenarios.slice(1).map((s) => memoryRow(`reporting, ${s.name}: RSS`, base, results.get(s.name) ?? [], 3 * MIB));
  printRows(`Settled memory while reporting, ${label} (${MEMORY_ROUNDS} interleaved rounds, ${SETTLE_MS / 1000} s idle before reading)`, rows);
}
