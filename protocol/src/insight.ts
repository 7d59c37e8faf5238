/**
 * The opt-in insight groups: each is an optional top-level property of the
 * report, present only when `telemetry.include` lists it and the stored
 * consent covers it. The collector validates them with the schemas in
 * insight-schemas.ts and rolls them up from the same lists.
 */
import type { EditorCoreAction } from './editor-actions';

/** The opt-in groups, in the order the README, the preview and the editor list them. */
export const INSIGHT_GROUPS = ['flows', 'features', 'environment', 'lifecycle', 'editor'] as const;
export type InsightGroup = (typeof INSIGHT_GROUPS)[number];

/** The largest count any field holds; beyond it a value is clamped, never refused. */
export const MAX_COUNT = 1_000_000;

/**
 * Node-RED's core node types (the `@node-red/nodes` package of 3.x to 5.x), the
 * only types counted by name. Config nodes (`mqtt-broker`, `tls-config`...) are
 * counted in `configNodes`, and every other type is folded into `other`.
 */
export const CORE_NODE_TYPES = [
  'inject', 'debug', 'complete', 'catch', 'status', 'link in', 'link out', 'link call', 'comment', 'unknown',
  'function', 'switch', 'change', 'range', 'template', 'delay', 'trigger', 'exec', 'rbe',
  'mqtt in', 'mqtt out', 'http in', 'http response', 'http request', 'websocket in', 'websocket out',
  'tcp in', 'tcp out', 'tcp request', 'udp in', 'udp out',
  'csv', 'html', 'json', 'xml', 'yaml', 'split', 'join', 'sort', 'batch', 'file', 'file in', 'watch',
] as const;
export type CoreNodeType = (typeof CORE_NODE_TYPES)[number];

/** The counts that describe a flow graph's shape; shared by `flows` and lifecycle `deploy` events. */
export const GRAPH_COUNT_FIELDS = ['tabs', 'disabledTabs', 'subflows', 'subflowInstances', 'nodes', 'configNodes', 'groups', 'junctions', 'wires'] as const;
export type GraphCounts = Record<(typeof GRAPH_COUNT_FIELDS)[number], number>;

/** `flows`: counts only; never a name, label, id, property, credential or non-core type. */
export interface FlowsInsight extends GraphCounts {
  /** Node modules listed in `<userDir>/package.json` (what the palette manager installs). */
  modules: number;
  /** Nodes per core type, every other type in `other`; subflow instances are not in here. */
  types: Partial<Record<CoreNodeType | 'other', number>>;
}

export const CONTEXT_STORE_KINDS = ['memory', 'localfilesystem', 'other'] as const;
export const STORAGE_KINDS = ['default', 'other'] as const;

/** `features`: which Node-RED features are switched on. */
export interface FeaturesInsight {
  adminAuth: boolean;
  httpNodeAuth: boolean;
  https: boolean;
  projects: boolean;
  /** Configured context stores per kind; Node-RED's default is one memory store. */
  contextStores: Record<(typeof CONTEXT_STORE_KINDS)[number], number>;
  functionExternalModules: boolean;
  editorTheme: boolean;
  disableEditor: boolean;
  storage: (typeof STORAGE_KINDS)[number];
}

export const CONTAINER_KINDS = ['docker', 'podman', 'lxc', 'none'] as const;
/** Raspberry Pi families as `/proc/device-tree/model` names them; `none` on anything else. */
export const PI_MODELS = ['none', 'zero', '1', '2', '3', '4', '5', '400', '500', 'compute-module', 'other'] as const;
export const UPTIME_BUCKETS = ['<1h', '1h-1d', '1d-7d', '7d-30d', '>30d'] as const;

/** `environment`: the shape of the machine, read once at start (uptime at report time). */
export interface EnvironmentInsight {
  cpus: number;
  /** Total memory, rounded to GiB. */
  memoryGiB: number;
  /** Free space on the user directory's filesystem, rounded to GiB; absent when it cannot be read. */
  diskFreeGiB?: number;
  container: (typeof CONTAINER_KINDS)[number];
  kubernetes: boolean;
  ci: boolean;
  officialDockerImage: boolean;
  piModel: (typeof PI_MODELS)[number];
  uptime: (typeof UPTIME_BUCKETS)[number];
}

export const LIFECYCLE_EVENT_TYPES = ['start', 'stop', 'crash', 'deploy'] as const;
export const DEPLOY_TYPES = ['full', 'flows', 'nodes'] as const;
/** The most events one report carries, and the longest they are kept. */
export const MAX_LIFECYCLE_EVENTS = 100;
export const MAX_LIFECYCLE_AGE_DAYS = 7;
/** What a crash names when no frame but Node.js's and Node-RED's own can be told. */
export const UNKNOWN_MODULE = 'unknown';
/**
 * What a crash names when the top frame is the user's own code: a local node (`<userDir>/nodes/`),
 * the user directory's own project, a Function node, a package linked from outside `node_modules`,
 * or any file outside an installed package. Never that code's package name, which users choose.
 */
export const LOCAL_MODULE = 'local';
/**
 * The only error names a crash carries: ECMAScript's and Node.js's own error constructors,
 * and what `typeof` says of a thrown value that is not an object. A class the user wrote
 * (`class AcmePaymentError extends Error`) can name a customer or product: it becomes
 * {@link OTHER_ERROR}, here and again in the collector's roll-up.
 */
export const BUILTIN_ERROR_NAMES = [
  'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError',
  'AssertionError', 'DOMException', 'AbortError', 'SystemError', 'Object',
  'string', 'number', 'bigint', 'boolean', 'symbol', 'undefined', 'object', 'function',
] as const;
export const OTHER_ERROR = 'other';

/** The error name a crash may carry: a built-in one as it is, anything else {@link OTHER_ERROR}. */
export function reportableErrorName(name: string): string {
  return (BUILTIN_ERROR_NAMES as readonly string[]).includes(name) ? name : OTHER_ERROR;
}
/** An npm package name (scoped or not), as npm accepts new ones. */
export const NPM_NAME_PATTERN = '^(?:@[a-z0-9][a-z0-9._~-]{0,99}/)?[a-z0-9][a-z0-9._~-]{0,213}$';
/** What the collector accepts as an error name; the plugin sends only {@link BUILTIN_ERROR_NAMES} and `other`. */
export const ERROR_NAME_PATTERN = '^[A-Za-z_$][A-Za-z0-9_$]{0,63}$';

interface EventBase {
  /** The UTC day it happened, `YYYY-MM-DD`: enough for daily counts, no finer. */
  day: string;
}
export type LifecycleEvent =
  | (EventBase & { type: 'start' | 'stop' })
  | (EventBase & { type: 'crash'; error: string; module: string })
  | (EventBase & { type: 'deploy'; deploy: (typeof DEPLOY_TYPES)[number]; graph: GraphCounts });

/** `lifecycle`: what happened since the last delivered report, oldest first. */
export interface LifecycleInsight {
  events: LifecycleEvent[];
}

/** Node-RED's editor languages (the catalogues of its editor, 3.x to 5.x); any other is `other`. */
export const EDITOR_LANGUAGES = ['de', 'en-US', 'es-ES', 'fr', 'ja', 'ko', 'pt-BR', 'ru', 'zh-CN', 'zh-TW', 'other'] as const;
export const EDITOR_THEMES = ['light', 'dark'] as const;
export const EDITOR_VIEWPORTS = ['phone', 'tablet', 'desktop'] as const;
/** The most UTC days of editor counts an instance keeps undelivered; older days are dropped. */
export const MAX_EDITOR_AGE_DAYS = 7;

/**
 * `editor`: what the instance's editors did since the last delivered report,
 * summed over every editor, user and day (at most {@link MAX_EDITOR_AGE_DAYS});
 * never per user, browser or session, and no time finer than that. Keys with
 * no count are absent.
 */
export interface EditorInsight {
  /** Editor page loads while the consent covered the group. */
  sessions: number;
  /** Runs of each core editor action; every other action in `other`. */
  actions: Partial<Record<EditorCoreAction | 'other', number>>;
  /** Sessions per editor language, look and window size. */
  languages: Partial<Record<(typeof EDITOR_LANGUAGES)[number], number>>;
  themes: Partial<Record<(typeof EDITOR_THEMES)[number], number>>;
  viewports: Partial<Record<(typeof EDITOR_VIEWPORTS)[number], number>>;
}

/** Metric providers: `ext["<plugin id>"]` holds that plugin's flat fields. */
export const MAX_PROVIDERS = 8;
export const MAX_PROVIDER_FIELDS = 32;
/** Serialised size of one provider's fields; larger is skipped whole. */
export const MAX_PROVIDER_BYTES = 1024;
export const MAX_PROVIDER_STRING = 128;
export const PROVIDER_ID_PATTERN = '^[A-Za-z0-9@][A-Za-z0-9@/._-]{0,63}$';
export const PROVIDER_FIELD_PATTERN = '^[A-Za-z_][A-Za-z0-9_.-]{0,63}$';
export type ProviderValue = string | number | boolean | null;
export type ProviderFields = Record<string, ProviderValue>;

/** The groups as they appear in a report; each optional. */
export interface InsightReport {
  flows?: FlowsInsight;
  features?: FeaturesInsight;
  environment?: EnvironmentInsight;
  lifecycle?: LifecycleInsight;
  editor?: EditorInsight;
  ext?: Record<string, ProviderFields>;
}

/** Field names per group, for roll-ups and the README, in payload order. */
export const INSIGHT_FIELDS = {
  flows: [...GRAPH_COUNT_FIELDS, 'modules', 'types'],
  features: ['adminAuth', 'httpNodeAuth', 'https', 'projects', 'contextStores', 'functionExternalModules', 'editorTheme', 'disableEditor', 'storage'],
  environment: ['cpus', 'memoryGiB', 'diskFreeGiB', 'container', 'kubernetes', 'ci', 'officialDockerImage', 'piModel', 'uptime'],
  lifecycle: ['events'],
  editor: ['sessions', 'actions', 'languages', 'themes', 'viewports'],
} as const satisfies Record<InsightGroup, readonly string[]>;
