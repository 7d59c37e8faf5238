import {
  CONTEXT_STORE_KINDS,
  GRAPH_COUNT_FIELDS,
  InsightGroup,
  INSIGHT_GROUPS,
  InsightReport,
  LifecycleEvent,
  reportableErrorName,
} from '@node-red-telemetry/protocol';
import { editorValues } from './editor-values';

/**
 * Pure: what one instance's opt-in groups add to a day's roll-up. Counts
 * become fixed buckets, booleans and enumerations their value, events their
 * type; nothing an instance sent is published as it was except values from a
 * closed list (enumerations, core node types, npm module names of crashes,
 * provider ids), and those still pass the "other" threshold.
 */

/** One value an instance is counted under: `dimension` is `<group>.<field>`. */
export type DimensionValue = readonly [dimension: string, value: string];

/** What one instance adds: the values it is counted under, and amounts summed over the fleet. */
export interface InstanceInsight {
  values: DimensionValue[];
  sums: Array<readonly [metric: string, amount: number]>;
}

/** Upper bounds (inclusive) and labels of the buckets counts fall into. */
const COUNT_BUCKETS: ReadonlyArray<readonly [number, string]> = [
  [0, '0'],
  [1, '1'],
  [5, '2-5'],
  [10, '6-10'],
  [50, '11-50'],
  [100, '51-100'],
  [500, '101-500'],
];
const MEMORY_BUCKETS: ReadonlyArray<readonly [number, string]> = [
  [0, '<1'],
  [1, '1'],
  [2, '2'],
  [4, '3-4'],
  [8, '5-8'],
  [16, '9-16'],
  [32, '17-32'],
  [64, '33-64'],
];

/** The bucket of a count: 0, 1, 2-5, 6-10, 11-50, 51-100, 101-500, >500. */
export function countBucket(n: number): string {
  return bucket(n, COUNT_BUCKETS, '>500');
}

/** The bucket of a size in GiB: <1, 1, 2, 3-4, 5-8, 9-16, 17-32, 33-64, >64. */
export function memoryBucket(gib: number): string {
  return bucket(gib, MEMORY_BUCKETS, '>64');
}

function bucket(n: number, bounds: ReadonlyArray<readonly [number, string]>, above: string): string {
  for (const [max, label] of bounds) if (n <= max) return label;
  return above;
}

/** The count fields of `flows`: each instance counted under one bucket of each, and summed over the fleet. */
const FLOWS_COUNTS = [...GRAPH_COUNT_FIELDS, 'modules'] as const;
/** The yes/no fields of `features`. */
const FEATURE_FLAGS = ['adminAuth', 'httpNodeAuth', 'https', 'projects', 'functionExternalModules', 'editorTheme', 'disableEditor'] as const;
/** The fields of `environment` published as the value sent (closed lists), and those sent as true/false. */
const ENVIRONMENT_VALUES = ['container', 'piModel', 'uptime'] as const;
const ENVIRONMENT_FLAGS = ['kubernetes', 'ci', 'officialDockerImage'] as const;

/**
 * The dimensions of the opt-in groups under which an instance that sent the
 * group counts exactly once (its last snapshot's bucket or value), so that
 * their counts add up to the instances that sent the group. Every other
 * dimension of the groups counts an instance under each of its values (the
 * groups it sent, each node type, each event type, each crash's module…).
 */
export const ONCE_PER_INSTANCE_INSIGHTS: ReadonlySet<string> = new Set([
  ...FLOWS_COUNTS.map((field) => `flows.${field}`),
  ...FEATURE_FLAGS.map((field) => `features.${field}`),
  'features.storage',
  ...['cpus', 'memoryGiB', 'diskFreeGiB', ...ENVIRONMENT_VALUES, ...ENVIRONMENT_FLAGS].map((field) => `environment.${field}`),
  'editor.sessions',
]);

/**
 * What one instance's reports of a day (oldest first) add. The flows,
 * features and environment groups are snapshots, so the day's last one
 * counts; lifecycle events are all counted, on the day they arrive, and
 * editor counts summed (editor-values.ts).
 */
export function instanceInsight(reports: readonly InsightReport[]): InstanceInsight {
  const values: DimensionValue[] = [];
  const sums: Array<readonly [string, number]> = [];
  const last = <K extends keyof InsightReport>(key: K): InsightReport[K] | undefined => {
    for (let i = reports.length - 1; i >= 0; i--) if (reports[i][key] !== undefined) return reports[i][key];
    return undefined;
  };

  const sent = new Set<InsightGroup>();
  for (const report of reports) for (const group of INSIGHT_GROUPS) if (report[group] !== undefined) sent.add(group);
  // The denominator of every group's distribution: instances that sent it.
  for (const group of sent) values.push(['insight.groups', group]);

  const flows = last('flows');
  if (flows) {
    for (const field of FLOWS_COUNTS) {
      values.push([`flows.${field}`, countBucket(flows[field])]);
      sums.push([`flows.${field}`, flows[field]]);
    }
    for (const [type, n] of Object.entries(flows.types)) {
      if (n && n > 0) values.push(['flows.types', type]);
    }
  }

  const features = last('features');
  if (features) {
    for (const field of FEATURE_FLAGS) {
      values.push([`features.${field}`, String(features[field])]);
    }
    for (const kind of CONTEXT_STORE_KINDS) if (features.contextStores[kind] > 0) values.push(['features.contextStores', kind]);
    values.push(['features.storage', features.storage]);
  }

  const environment = last('environment');
  if (environment) {
    values.push(['environment.cpus', countBucket(environment.cpus)]);
    values.push(['environment.memoryGiB', memoryBucket(environment.memoryGiB)]);
    if (environment.diskFreeGiB !== undefined) values.push(['environment.diskFreeGiB', memoryBucket(environment.diskFreeGiB)]);
    for (const field of ENVIRONMENT_VALUES) values.push([`environment.${field}`, environment[field]]);
    for (const field of ENVIRONMENT_FLAGS) values.push([`environment.${field}`, String(environment[field])]);
  }

  const events: LifecycleEvent[] = reports.flatMap((r) => r.lifecycle?.events ?? []);
  if (events.length > 0) {
    const perType = new Map<string, number>();
    for (const event of events) perType.set(event.type, (perType.get(event.type) ?? 0) + 1);
    for (const [type, n] of perType) {
      values.push(['lifecycle.events', type]);
      sums.push([`lifecycle.events.${type}`, n]);
    }
    const distinct = (pick: (e: LifecycleEvent) => string | undefined, dimension: string) => {
      for (const value of new Set(events.map(pick).filter((v): v is string => v !== undefined))) values.push([dimension, value]);
    };
    distinct((e) => (e.type === 'crash' ? e.module : undefined), 'lifecycle.crash.module');
    // Older plugins sent any constructor name, which can be a class the user wrote: folded, never published.
    distinct((e) => (e.type === 'crash' ? reportableErrorName(e.error) : undefined), 'lifecycle.crash.error');
    distinct((e) => (e.type === 'deploy' ? e.deploy : undefined), 'lifecycle.deploy');
  }

  const editors = reports.flatMap((r) => (r.editor ? [r.editor] : []));
  if (editors.length > 0) {
    const editor = editorValues(editors, countBucket);
    values.push(...editor.values);
    sums.push(...editor.sums);
  }

  const providers = new Set(reports.flatMap((r) => Object.keys(r.ext ?? {})));
  for (const id of providers) values.push(['ext.providers', id]);
  return { values, sums };
}
