import type {
  CoreNodeType,
  EnvironmentInsight,
  FeaturesInsight,
  FlowsInsight,
  GraphCounts,
  InsightGroup,
  InsightReport,
  LifecycleEvent,
} from '@node-red-telemetry/protocol';
import { EditorProfile, editorOfDay, editorProfile } from './editor';
import { between, logNormal, weighted } from './random';

/**
 * Pure: the opt-in groups of the demo fleet, so that every panel of the
 * dashboard has something to show. Only installations that report through
 * this plugin can send them, and each agreed to some of the groups. Their
 * flows grow with deploys, their machines stay the same, and their uptime
 * follows their restarts; crashes are rare and spread over a few modules,
 * some of them too rare to publish.
 */

/** What the rest of the demo knows of an installation when its groups are made. */
export interface Host {
  osType: string;
  arch: string;
}

/** One installation's groups, kept from day to day. */
export interface InsightProfile {
  groups: ReadonlySet<InsightGroup>;
  flows: FlowsInsight;
  features: FeaturesInsight;
  environment: Omit<EnvironmentInsight, 'uptime'>;
  editor: EditorProfile;
  /** The day index of its last start, for its uptime. */
  lastStart: number;
}

/** The share of installations reporting through the plugin that were asked to send opt-in groups and agreed. */
const OPTED_IN = 0.35;
/** The share of those that agreed to each group. */
const AGREED: ReadonlyArray<readonly [InsightGroup, number]> = [
  ['flows', 0.8],
  ['features', 0.6],
  ['environment', 0.7],
  ['lifecycle', 0.5],
  ['editor', 0.45],
];

/** How often a core node type appears in a flow set; the rest are rare. */
const TYPE_USE: ReadonlyArray<readonly [CoreNodeType, number]> = [
  ['inject', 0.9], ['debug', 0.95], ['function', 0.85], ['change', 0.7], ['switch', 0.65], ['comment', 0.4],
  ['mqtt in', 0.45], ['mqtt out', 0.35], ['http in', 0.3], ['http response', 0.3], ['http request', 0.4],
  ['template', 0.35], ['delay', 0.4], ['trigger', 0.25], ['json', 0.45], ['link in', 0.3], ['link out', 0.3],
  ['catch', 0.2], ['status', 0.15], ['complete', 0.1], ['file', 0.12], ['exec', 0.1], ['split', 0.12], ['join', 0.12],
  ['csv', 0.08], ['websocket in', 0.06], ['websocket out', 0.06], ['link call', 0.08], ['rbe', 0.1], ['range', 0.05],
];

const CRASH_MODULES: ReadonlyArray<readonly [string, number]> = [
  ['local', 30], ['unknown', 20], ['node-red-contrib-modbus', 12], ['node-red-node-serialport', 10],
  ['@flowfuse/node-red-dashboard', 8], ['node-red-contrib-influxdb', 6], ['node-red-contrib-rare-driver', 1],
];
const CRASH_ERRORS: ReadonlyArray<readonly [string, number]> = [
  ['TypeError', 40], ['Error', 30], ['RangeError', 10], ['ReferenceError', 8], ['other', 5], ['SyntaxError', 2],
];

function flowsOf(rnd: () => number): FlowsInsight {
  const nodes = Math.min(5000, logNormal(rnd, 3.2, 1.1));
  const tabs = Math.max(1, Math.round(nodes / 25 + rnd() * 3));
  const subflows = rnd() < 0.35 ? between(rnd, 1, 6) : 0;
  const types: FlowsInsight['types'] = {};
  let typed = 0;
  for (const [type, use] of TYPE_USE) {
    if (rnd() >= use || typed >= nodes) continue;
    const n = Math.min(nodes - typed, 1 + Math.floor((rnd() * nodes) / 8));
    types[type] = n;
    typed += n;
  }
  if (nodes > typed) types.other = nodes - typed;
  return {
    tabs,
    disabledTabs: rnd() < 0.2 ? Math.min(tabs, between(rnd, 1, 2)) : 0,
    subflows,
    subflowInstances: subflows * between(rnd, 0, 4),
    nodes,
    configNodes: between(rnd, 0, 5) + (nodes > 50 ? 3 : 0),
    groups: rnd() < 0.4 ? between(rnd, 1, 8) : 0,
    junctions: rnd() < 0.25 ? between(rnd, 1, 5) : 0,
    wires: Math.round(nodes * (0.8 + rnd() * 0.5)),
    modules: Math.max(0, logNormal(rnd, 1.2, 1) - 1),
    types,
  };
}

function featuresOf(rnd: () => number): FeaturesInsight {
  return {
    adminAuth: rnd() < 0.6,
    httpNodeAuth: rnd() < 0.15,
    https: rnd() < 0.25,
    projects: rnd() < 0.1,
    contextStores: { memory: 1, localfilesystem: rnd() < 0.3 ? 1 : 0, other: rnd() < 0.04 ? 1 : 0 },
    functionExternalModules: rnd() < 0.8,
    editorTheme: rnd() < 0.15,
    disableEditor: rnd() < 0.03,
    storage: rnd() < 0.05 ? 'other' : 'default',
  };
}

function environmentOf(rnd: () => number, host: Host): Omit<EnvironmentInsight, 'uptime'> {
  const linux = host.osType === 'Linux';
  const pi = linux && (host.arch === 'arm' || (host.arch === 'arm64' && rnd() < 0.7));
  const piModel: EnvironmentInsight['piModel'] = !pi
    ? 'none'
    : host.arch === 'arm'
      ? weighted(rnd, [['3', 35], ['4', 30], ['zero', 12], ['2', 6], ['1', 2], ['400', 4], ['compute-module', 6], ['other', 2]] as const)
      : weighted(rnd, [['4', 40], ['5', 35], ['3', 8], ['400', 5], ['500', 4], ['compute-module', 8]] as const);
  const container: EnvironmentInsight['container'] =
    linux && !pi ? weighted(rnd, [['docker', 38], ['podman', 4], ['lxc', 7], ['none', 51]] as const) : pi && rnd() < 0.1 ? 'docker' : 'none';
  const cpus = pi ? (piModel === 'zero' || piModel === '1' ? 1 : 4) : weighted(rnd, [[1, 4], [2, 18], [4, 40], [8, 24], [16, 10], [32, 4]] as const);
  const memoryGiB = pi ? weighted(rnd, [[0, 8], [1, 30], [2, 17], [4, 30], [8, 15]] as const) : weighted(rnd, [[2, 10], [4, 25], [8, 30], [16, 22], [32, 9], [64, 4]] as const);
  return {
    cpus,
    memoryGiB,
    ...(rnd() < 0.95 ? { diskFreeGiB: pi ? between(rnd, 1, 60) : logNormal(rnd, 4, 1.2) } : {}),
    container,
    kubernetes: container !== 'none' && rnd() < 0.12,
    ci: rnd() < 0.025,
    officialDockerImage: container === 'docker' && rnd() < 0.7,
    piModel,
  };
}

/** The groups an installation that reports through the plugin agreed to, and what they hold; none for any other client. */
export function insightProfile(rnd: () => number, host: Host, client: string, joins: number): InsightProfile | undefined {
  if (client !== 'node-red-telemetry' || rnd() >= OPTED_IN) return undefined;
  const groups = new Set(AGREED.filter(([, share]) => rnd() < share).map(([group]) => group));
  if (groups.size === 0) return undefined;
  return {
    groups,
    flows: flowsOf(rnd),
    features: featuresOf(rnd),
    environment: environmentOf(rnd, host),
    editor: editorProfile(rnd),
    lastStart: joins - between(rnd, 0, 60),
  };
}

function graphOf(flows: FlowsInsight): GraphCounts {
  const { tabs, disabledTabs, subflows, subflowInstances, nodes, configNodes, groups, junctions, wires } = flows;
  return { tabs, disabledTabs, subflows, subflowInstances, nodes, configNodes, groups, junctions, wires };
}

function uptimeOf(days: number, restarted: boolean, rnd: () => number): EnvironmentInsight['uptime'] {
  if (restarted) return rnd() < 0.3 ? '<1h' : '1h-1d';
  return days < 7 ? '1d-7d' : days < 30 ? '7d-30d' : '>30d';
}

/**
 * The groups of one installation's first report on day `d` (`day` its date): the day's events
 * (a restart, a deploy that changes its flows, now and then a crash) and its snapshots after them.
 */
export function insightsOfDay(rnd: () => number, profile: InsightProfile, d: number, day: string): InsightReport {
  const events: LifecycleEvent[] = [];
  const restarted = rnd() < 0.04;
  if (restarted) {
    if (rnd() < 0.7) events.push({ type: 'stop', day });
    events.push({ type: 'start', day });
    profile.lastStart = d;
  }
  if (rnd() < 0.15) {
    profile.flows.nodes = Math.max(1, profile.flows.nodes + between(rnd, -2, 6));
    profile.flows.wires = Math.round(profile.flows.nodes * 1.05);
    events.push({ type: 'deploy', day, deploy: weighted(rnd, [['full', 20], ['flows', 30], ['nodes', 50]] as const), graph: graphOf(profile.flows) });
  }
  if (rnd() < 0.06) events.push({ type: 'crash', day, module: weighted(rnd, CRASH_MODULES), error: weighted(rnd, CRASH_ERRORS) });

  const report: InsightReport = {};
  const { groups } = profile;
  if (groups.has('flows')) report.flows = { ...profile.flows, types: { ...profile.flows.types } };
  if (groups.has('features')) report.features = profile.features;
  if (groups.has('environment')) report.environment = { ...profile.environment, uptime: uptimeOf(d - profile.lastStart, restarted, rnd) };
  if (groups.has('lifecycle') && events.length > 0) report.lifecycle = { events };
  if (groups.has('editor')) report.editor = editorOfDay(rnd, profile.editor);
  return report;
}
