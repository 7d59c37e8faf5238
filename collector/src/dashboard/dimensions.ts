import {
  CONTAINER_KINDS,
  CONTEXT_STORE_KINDS,
  DEPLOY_TYPES,
  EDITOR_THEMES,
  EDITOR_VIEWPORTS,
  INSIGHT_FIELDS,
  INSIGHT_GROUPS,
  LIFECYCLE_EVENT_TYPES,
  PI_MODELS,
  STORAGE_KINDS,
  UPTIME_BUCKETS,
} from '@node-red-telemetry/protocol';
import { countBucket, memoryBucket } from '../rollup/insight-values';
import { COUNTRY, DIMENSIONS, OTHER } from '../rollup/rules';

/**
 * Pure: what the page and /api/v1 say about each dimension the roll-up
 * counts: its title, the section it is shown in, and the order of its
 * values. Values with an order of their own (buckets, versions, closed lists)
 * are shown in it, so that a panel reads like a scale; the rest by count.
 */

/** How version values are grouped: as reported, by major.minor, or by major. */
export const GROUPINGS = ['exact', 'minor', 'major'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** The sections of the page, in order: what every report says, then each opt-in group. */
const SECTIONS: Record<string, string> = {
  report: 'Every report',
  insight: 'Opt-in groups',
  flows: 'Flows (opt-in)',
  features: 'Features (opt-in)',
  environment: 'Environment (opt-in)',
  lifecycle: 'Lifecycle (opt-in)',
  editor: 'Editor features used (opt-in)',
  ext: 'Metric providers (opt-in)',
};
const OTHER_SECTION = 'Other dimensions';

const FLOWS_TITLES: Record<(typeof INSIGHT_FIELDS.flows)[number], string> = {
  tabs: 'Flow tabs',
  disabledTabs: 'Disabled flow tabs',
  subflows: 'Subflows',
  subflowInstances: 'Subflow instances',
  nodes: 'Nodes',
  configNodes: 'Configuration nodes',
  groups: 'Groups',
  junctions: 'Junctions',
  wires: 'Wires',
  modules: 'Installed node modules',
  types: 'Core node types in use',
};
const FEATURES_TITLES: Record<(typeof INSIGHT_FIELDS.features)[number], string> = {
  adminAuth: 'Editor login (adminAuth)',
  httpNodeAuth: 'HTTP node login (httpNodeAuth)',
  https: 'HTTPS served by Node-RED',
  projects: 'Projects',
  contextStores: 'Context stores',
  functionExternalModules: 'npm modules in Function nodes',
  editorTheme: 'Editor theme',
  disableEditor: 'Editor disabled',
  storage: 'Flow storage',
};
const ENVIRONMENT_TITLES: Record<(typeof INSIGHT_FIELDS.environment)[number], string> = {
  cpus: 'CPUs',
  memoryGiB: 'Memory (GiB)',
  diskFreeGiB: 'Free disk (GiB)',
  container: 'Container',
  kubernetes: 'Kubernetes',
  ci: 'CI',
  officialDockerImage: 'Official Docker image',
  piModel: 'Raspberry Pi model',
  uptime: 'Uptime',
};

const prefixed = (group: string, titles: Record<string, string>): Array<[string, string]> =>
  Object.entries(titles).map(([field, title]) => [`${group}.${field}`, title]);

/**
 * Every dimension the page has a title for, in the order it shows them: the
 * base report's (as the roll-up lists them), country, then the opt-in groups
 * field by field in payload order.
 */
const TITLED: ReadonlyArray<readonly [string, string]> = [
  ['node-red', 'Node-RED version'],
  ['nodejs', 'Node.js version'],
  ['os', 'Operating system'],
  ['arch', 'Architecture'],
  ['client', 'Reporting client'],
  [COUNTRY, 'Country'],
  ['insight.groups', 'Opt-in groups sent'],
  ...prefixed('flows', FLOWS_TITLES),
  ...prefixed('features', FEATURES_TITLES),
  ...prefixed('environment', ENVIRONMENT_TITLES),
  ['lifecycle.events', 'Lifecycle events'],
  ['lifecycle.deploy', 'Deploys by type'],
  ['lifecycle.crash.module', 'Crashes by module'],
  ['lifecycle.crash.error', 'Crashes by error'],
  ['editor.actions', 'Editor features used'],
  ['editor.sessions', 'Editor sessions'],
  ['editor.languages', 'Editor language'],
  ['editor.themes', 'Editor look (light or dark)'],
  ['editor.viewports', 'Editor window size'],
  ['ext.providers', 'Metric providers'],
];
export const TITLES: Readonly<Record<string, string>> = Object.fromEntries(TITLED);
const RANK = new Map(TITLED.map(([id], i) => [id, i]));

/** The dimensions this collector counts from every report, in the order the page shows them. */
export const KNOWN_DIMENSIONS: readonly string[] = [...DIMENSIONS, COUNTRY];

export function titleOf(dimension: string): string {
  return TITLES[dimension] ?? dimension;
}

/** The title of the page's section a dimension is shown in. */
export function sectionOf(dimension: string): string {
  if (KNOWN_DIMENSIONS.includes(dimension)) return SECTIONS.report;
  return SECTIONS[dimension.split('.')[0]] ?? OTHER_SECTION;
}

/** The grouping the page uses for a dimension: Node-RED by minor, Node.js by major, the rest as is. */
export function defaultGrouping(dimension: string): Grouping {
  if (dimension === 'node-red') return 'minor';
  if (dimension === 'nodejs') return 'major';
  return 'exact';
}

/** Dimensions found in the data: titled ones in the page's order, then the others by name. */
export function orderDimensions(names: Iterable<string>): string[] {
  const found = [...new Set(names)];
  const rank = (d: string) => RANK.get(d) ?? RANK.size;
  return found.sort((a, b) => rank(a) - rank(b) || compareText(a, b));
}

/** The labels a bucket function gives, in the order of the numbers it is given. */
function bucketLabels(bucket: (n: number) => string, upTo: number): string[] {
  const labels = new Set<string>();
  for (let n = 0; n <= upTo; n++) labels.add(bucket(n));
  return [...labels];
}
const COUNT_BUCKETS = bucketLabels(countBucket, 1000);
const MEMORY_BUCKETS = bucketLabels(memoryBucket, 128);
const YES_NO = ['true', 'false'];

/** Dimensions whose values have an order of their own: the buckets the roll-up makes, the protocol's closed lists. */
const VALUE_ORDERS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['insight.groups', INSIGHT_GROUPS],
  ...INSIGHT_FIELDS.flows.filter((f) => f !== 'types').map((f): [string, readonly string[]] => [`flows.${f}`, COUNT_BUCKETS]),
  ...(['adminAuth', 'httpNodeAuth', 'https', 'projects', 'functionExternalModules', 'editorTheme', 'disableEditor'] as const).map(
    (f): [string, readonly string[]] => [`features.${f}`, YES_NO],
  ),
  ['features.contextStores', CONTEXT_STORE_KINDS],
  ['features.storage', STORAGE_KINDS],
  ['environment.cpus', COUNT_BUCKETS],
  ['environment.memoryGiB', MEMORY_BUCKETS],
  ['environment.diskFreeGiB', MEMORY_BUCKETS],
  ['environment.container', CONTAINER_KINDS],
  ['environment.piModel', PI_MODELS],
  ['environment.uptime', UPTIME_BUCKETS],
  ['environment.kubernetes', YES_NO],
  ['environment.ci', YES_NO],
  ['environment.officialDockerImage', YES_NO],
  ['lifecycle.events', LIFECYCLE_EVENT_TYPES],
  ['lifecycle.deploy', DEPLOY_TYPES],
  ['editor.sessions', COUNT_BUCKETS],
  ['editor.themes', EDITOR_THEMES],
  ['editor.viewports', EDITOR_VIEWPORTS],
]);
/** Versions read newest first. */
const VERSION_DIMENSIONS = new Set(['node-red', 'nodejs']);

/** Numeric parts of a version ("4.1" → [4, 1]), or null for anything else ("other", "invalid"). */
function versionParts(value: string): number[] | null {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(value);
  return match ? match.slice(1).map((part) => Number(part ?? -1)) : null;
}

/**
 * How a dimension's values are ordered on the page and in a breakdown:
 * "other" last; then a closed list's or bucket's own order, versions newest
 * first, or else most instances first; ties and unlisted values by name.
 */
export function valueOrder(dimension: string): (a: { value: string; instances: number }, b: { value: string; instances: number }) => number {
  const byCount = (a: { value: string; instances: number }, b: { value: string; instances: number }) =>
    b.instances - a.instances || compareText(a.value, b.value);
  const last = (a: { value: string }, b: { value: string }) => Number(a.value === OTHER) - Number(b.value === OTHER);
  const listed = VALUE_ORDERS.get(dimension);
  if (listed) {
    const rank = (value: string) => (listed.includes(value) ? listed.indexOf(value) : listed.length);
    return (a, b) => last(a, b) || rank(a.value) - rank(b.value) || byCount(a, b);
  }
  if (VERSION_DIMENSIONS.has(dimension)) {
    return (a, b) => {
      const [x, y] = [versionParts(a.value), versionParts(b.value)];
      if (!x || !y) return last(a, b) || Number(!x) - Number(!y) || byCount(a, b);
      return x[0] - y[0] ? y[0] - x[0] : x[1] - y[1] ? y[1] - x[1] : y[2] - x[2] || compareText(a.value, b.value);
    };
  }
  return (a, b) => last(a, b) || byCount(a, b);
}

/** Code-point order, the same in every locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
