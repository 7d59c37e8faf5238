import type { InsightReport } from '@node-red-telemetry/protocol';
import { CountedRow, rollUp, UsageRow } from '../rollup/rules';
import { addDays } from '../days';
import type { DayUsage } from '../store/store';
import { InsightProfile, insightProfile, insightsOfDay } from './insights';
import { random, weighted } from './random';

/**
 * Pure: a deterministic, plausible history of daily roll-ups for the demo
 * dashboard. A simulated fleet joins, reports most days, upgrades Node-RED and
 * Node.js as releases come out, and sometimes leaves; those reporting through
 * the plugin send some of the opt-in groups (insights.ts). Each day's reports
 * go through the real `rollUp`, so the counts obey the same rules as real ones.
 * Instance ids exist only in memory here; nothing but the roll-ups is written.
 */

export interface DemoOptions {
  /** Days of history, ending with `end`. */
  days: number;
  /** Installations alive on the last day (about; churn and joins are random). */
  instances: number;
  /** Same seed, days, instances and end: the same history, to the count. */
  seed: number;
  /** The last generated day, YYYY-MM-DD. */
  end: string;
  /** Also count reports by country, as a collector with the country lookup on does. */
  country: boolean;
}

export const DEMO_LIMITS = { days: 3660, instances: 100_000 } as const;

/** Node-RED releases and the day each came out, as a fleet would have met them. */
const NODE_RED_RELEASES: ReadonlyArray<readonly [string, string]> = [
  ['3.0.2', '2022-08-24'],
  ['3.1.0', '2023-08-28'],
  ['3.1.9', '2024-04-24'],
  ['3.1.15', '2025-01-20'],
  ['4.0.0', '2024-06-20'],
  ['4.0.2', '2024-07-10'],
  ['4.0.5', '2024-10-30'],
  ['4.0.9', '2025-02-19'],
  ['4.1.0', '2025-07-01'],
  ['4.1.1', '2025-08-12'],
  ['4.1.5', '2025-12-03'],
  ['4.1.10', '2026-04-08'],
  ['4.1.15', '2026-09-16'],
  ['5.0.0', '2026-06-10'],
  ['5.0.3', '2026-08-05'],
  ['5.0.7', '2026-10-21'],
];

/** Node.js versions by the day they came out; Node-RED 5 needs 22 or later. */
const NODE_RELEASES: ReadonlyArray<readonly [string, string]> = [
  ['18.20.8', '2025-03-27'],
  ['20.11.1', '2024-02-14'],
  ['20.19.5', '2025-09-03'],
  ['20.20.2', '2026-01-13'],
  ['22.12.0', '2024-12-03'],
  ['22.21.1', '2025-10-28'],
  ['24.11.1', '2025-11-11'],
];

const OS_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['Linux', 72],
  ['Windows_NT', 16],
  ['Darwin', 12],
];
const ARCHES: ReadonlyArray<readonly [string, number]> = [
  ['x64', 52],
  ['arm64', 33],
  ['arm', 15],
];
const CLIENTS: ReadonlyArray<readonly [string, number]> = [
  ['node-red-core', 50],
  ['node-red-telemetry', 45],
  ['other', 5],
];
const COUNTRIES: ReadonlyArray<readonly [string, number]> = [
  ['DE', 18], ['US', 15], ['GB', 8], ['FR', 6], ['NL', 5], ['IN', 5], ['IT', 4], ['JP', 4], ['CN', 4], ['CA', 3],
  ['BR', 3], ['ES', 3], ['PL', 3], ['AU', 2], ['SE', 2], ['CH', 2], ['unknown', 3],
];
/** A handful of installations with values too rare to publish: the page shows them only as "other". */
const RARE: ReadonlyArray<Partial<Pick<UsageRow, 'osType' | 'arch' | 'nodejs'>>> = [
  { osType: 'FreeBSD' },
  { osType: 'FreeBSD' },
  { arch: 's390x' },
  { arch: 'ia32' },
  { nodejs: '23.11.0' },
];

interface Instance {
  id: string;
  joins: number;
  leaves: number;
  /** Chance of reporting on a weekday and on a weekend day. */
  weekday: number;
  weekend: number;
  osType: string;
  arch: string;
  client: string;
  country: string;
  nodeRed: string;
  nodejs: string;
  upgradeRate: number;
  /** The opt-in groups it sends, if any. */
  insight?: InsightProfile;
}

const major = (version: string) => Number(version.split('.')[0]);
const line = (version: string) => version.split('.').slice(0, 2).join('.');

/** Releases out by `day`, oldest first by version order within the catalogue. */
function released(catalogue: ReadonlyArray<readonly [string, string]>, day: string): string[] {
  return catalogue.filter(([, out]) => out <= day).map(([v]) => v);
}

/** The newest version in `versions` (catalogue order is not version order). */
function newest(versions: readonly string[]): string | undefined {
  return [...versions].sort((a, b) => {
    const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  }).at(-1);
}

/** A Node.js that the Node-RED version runs on, out by `day`. */
function nodeFor(rnd: () => number, nodeRed: string, day: string): string {
  const out = released(NODE_RELEASES, day).filter((v) => major(nodeRed) < 5 || major(v) >= 22);
  const candidates = out.length > 0 ? out : ['22.12.0'];
  // Newer releases are more likely: weight by position.
  return weighted(rnd, candidates.map((v, i) => [v, i + 1] as const));
}

/** A Node-RED version an installation that started on `day` would run. */
function nodeRedAtStart(rnd: () => number, day: string, dayIndex: number): string {
  const out = released(NODE_RED_RELEASES, day);
  if (out.length === 0) return NODE_RED_RELEASES[0][0];
  // Older installations lag: the further back they started, the more likely an older line.
  const latest = newest(out)!;
  if (dayIndex > 0 && rnd() < 0.55) return latest;
  return weighted(rnd, out.map((v) => [v, v === latest ? 6 : line(v) === line(latest) ? 3 : major(v) === major(latest) ? 2 : 1] as const));
}

/** Generates `options.days` roll-ups, oldest first. */
export function generateDemo(options: DemoOptions): DayUsage[] {
  const rnd = random(options.seed);
  // The groups draw from a sequence of their own: the rest of the history is the same with or without them.
  const groupsRnd = random(options.seed ^ 0x9e3779b9);
  const first = addDays(options.end, -(options.days - 1));
  const population: Instance[] = [];
  // About a fifth of the fleet leaves during the period, and new installations keep joining.
  const total = Math.round(options.instances * 1.25);
  for (let n = 0; n < total; n++) {
    const existing = rnd() < 0.55;
    const joins = existing ? 0 : Math.floor(rnd() * options.days);
    const leaves = rnd() < 0.2 ? joins + 1 + Math.floor(rnd() * (options.days - joins)) : options.days;
    const server = rnd() < 0.7;
    const startDay = addDays(first, joins);
    const nodeRed = nodeRedAtStart(rnd, startDay, joins);
    const rare = n < RARE.length ? RARE[n] : {};
    const instance: Instance = {
      id: `demo-${n}`,
      joins,
      leaves,
      weekday: server ? 0.95 : 0.6,
      weekend: server ? 0.93 : 0.25,
      osType: rare.osType ?? weighted(rnd, OS_TYPES),
      arch: rare.arch ?? weighted(rnd, ARCHES),
      client: weighted(rnd, CLIENTS),
      country: weighted(rnd, COUNTRIES),
      nodeRed,
      nodejs: rare.nodejs ?? nodeFor(rnd, nodeRed, startDay),
      upgradeRate: 0.001 + rnd() * 0.012,
    };
    instance.insight = insightProfile(groupsRnd, instance, instance.client, joins);
    population.push(instance);
  }

  const result: DayUsage[] = [];
  for (let d = 0; d < options.days; d++) {
    const day = addDays(first, d);
    const weekend = [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
    const out = released(NODE_RED_RELEASES, day);
    const rows: CountedRow[] = [];
    for (const instance of population) {
      if (d < instance.joins || d >= instance.leaves) continue;
      if (rnd() < instance.upgradeRate) upgrade(rnd, instance, out, day);
      if (rnd() >= (weekend ? instance.weekend : instance.weekday)) continue;
      const row: CountedRow = {
        instanceId: instance.id,
        nodeRed: instance.nodeRed,
        nodejs: instance.nodejs,
        osType: instance.osType,
        arch: instance.arch,
        client: instance.client,
        country: options.country ? instance.country : null,
        insights: instance.insight ? insightsOfDay(groupsRnd, instance.insight, d, day) : null,
      };
      rows.push(row);
      // A restart can send a second report the same day: counted once as an instance; its events went with the first.
      if (rnd() < 0.03) rows.push({ ...row, insights: row.insights ? withoutEvents(row.insights) : null });
    }
    const summary = rollUp(rows);
    result.push({ day, instances: summary.instances, reports: summary.reports, counts: summary.counts });
  }
  return result;
}

/** Moves to the newest release of the same line, or (less often) to the newest release of all. */
function upgrade(rnd: () => number, instance: Instance, out: readonly string[], day: string): void {
  const sameLine = newest(out.filter((v) => line(v) === line(instance.nodeRed)));
  const target = rnd() < 0.8 ? sameLine : newest(out);
  if (!target || target === instance.nodeRed) return;
  instance.nodeRed = target;
  if (major(target) >= 5 && major(instance.nodejs) < 22) instance.nodejs = nodeFor(rnd, target, day);
  else if (rnd() < 0.3) instance.nodejs = nodeFor(rnd, target, day);
}

function withoutEvents(insights: InsightReport): InsightReport {
  const { flows, features, environment } = insights;
  return { flows, features, environment };
}
