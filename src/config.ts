import { isIPv4 } from 'node:net';
import { DurationProblem, formatDuration, MAX_DURATION_MS, parseDuration } from '@node-red-telemetry/protocol';
import { describeValue, errorMessage } from './log';
import { INSIGHT_GROUPS, InsightGroup } from '@node-red-telemetry/protocol';

/** Why telemetry is on, off or undecided; strongest source first. */
export type Reason = 'flag' | 'env' | 'do-not-track' | 'opt-out-file' | 'settings' | 'consent' | 'pending';

/** The one resolved state: `null` means nobody has chosen yet, and nothing is sent. */
export interface Decision {
  enabled: boolean | null;
  reason: Reason;
}

/** Decisions made outside the editor; a user's choice cannot override them. */
const FIXED_REASONS: ReadonlySet<Reason> = new Set<Reason>(['flag', 'env', 'do-not-track', 'opt-out-file', 'settings']);

export function isFixed(decision: Decision): boolean {
  return FIXED_REASONS.has(decision.reason);
}

export interface Options {
  /** Where reports go; null when none is configured or the configured one is unusable. */
  url: URL | null;
  updateNotification: boolean;
  initialDelay: number;
  interval: number;
  /** The limit of one attempt to send a report, from connecting to the answer's last byte. */
  timeout: number;
  /** The opt-in insight groups `telemetry.include` lists, known ones only, in the documented order. */
  include: InsightGroup[];
}

export const DEFAULT_INITIAL_DELAY_MS = 30 * 60 * 1000;
export const DEFAULT_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** Below a second an interval is a typo (a number is milliseconds, not seconds), not a schedule. */
export const MIN_INTERVAL_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 30 * 1000;
/** Below a second no collector can answer over a real network; above 5 minutes a report would block the next one. */
export const MIN_TIMEOUT_MS = 1000;
export const MAX_TIMEOUT_MS = 5 * 60 * 1000;

export type ProblemCode =
  | 'not-object'
  | 'not-boolean'
  | 'not-url'
  | 'insecure-url'
  | 'unknown-setting'
  | 'unreadable'
  | 'not-list'
  | 'unknown-group'
  | DurationProblem
  | EnvProblem;

/** An environment switch with a value that does not say clearly what it means. */
export type EnvProblem = 'env-odd-set' | 'env-odd-unset' | 'env-core-set';

/** What happens because of a problem, so that the warning can say it. */
export type Outcome = 'off' | 'no-url' | 'default' | 'ignored' | 'no-groups';

/** One malformed setting: named, with the offending value, and the safe outcome taken. */
export interface Problem {
  setting: string;
  code: ProblemCode;
  /** The value as given, for a warning to show; absent when it could not be read, or is not shown. */
  value?: string;
  /** What reading the setting threw, for `unreadable`. */
  error?: string;
  outcome: Outcome;
  /** The value used instead, for outcome `default`. */
  fallback?: string;
  /** The bound a duration broke ("1s", "5m"), for the duration problems. */
  limit?: string;
}

export interface SettingsResolution {
  options: Options;
  /** `telemetry.enabled` when given; a malformed or unreadable section or value counts as `false`. */
  enabled: boolean | undefined;
  problems: Problem[];
}

const KNOWN_SETTINGS = ['enabled', 'updateNotification', 'url', 'allowInsecure', 'initialDelay', 'interval', 'timeout', 'include'] as const;
type Known = (typeof KNOWN_SETTINGS)[number];

/** Callers and tests know describeValue as part of reading settings; it lives with the log that shows it. */
export { describeValue };

/**
 * How an unknown key is named in a warning: as written when it is a plain
 * identifier, quoted otherwise, so a key such as "x\n[warn] ..." cannot forge a log line.
 */
function settingName(key: string): string {
  return /^[A-Za-z_$][\w$]{0,59}$/.test(key) ? `telemetry.${key}` : `telemetry[${describeValue(key)}]`;
}

/**
 * Sections that could not be read at all: settings.js is code, and
 * `RED.settings.telemetry` may be a getter that throws. A WeakSet rather
 * than a class and `instanceof`, which would run a Proxy's traps.
 */
const unreadableSections = new WeakSet<object>();

/** Reads the `telemetry` section once; a throw becomes a marker {@link resolveSettings} reports. */
export function readSection(read: () => unknown): unknown {
  try {
    return read();
  } catch (err) {
    const marker = Object.freeze({ error: errorMessage(err) });
    unreadableSections.add(marker);
    return marker;
  }
}

type Read = { ok: true; value: unknown } | { ok: false; error: string };

function guarded(read: () => unknown): Read {
  try {
    return { ok: true, value: read() };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

/**
 * Each known setting read exactly once, in a try: a getter may throw, and a
 * Proxy may answer differently on every read, so what is checked, used and
 * shown in a warning must be one and the same value.
 */
interface Snapshot {
  values: Partial<Record<Known, unknown>>;
  unreadable: Array<{ key: Known; error: string }>;
  unknownKeys: string[];
}

type SectionRead = { kind: 'absent' } | { kind: 'unreadable'; error: string } | { kind: 'not-object' } | { kind: 'object'; snapshot: Snapshot };

function readKeys(section: unknown): SectionRead {
  if (section === undefined || section === null) return { kind: 'absent' };
  if (typeof section === 'object' && unreadableSections.has(section)) {
    return { kind: 'unreadable', error: (section as { error: string }).error };
  }
  if (typeof section !== 'object') return { kind: 'not-object' };
  // Array.isArray throws for a revoked Proxy; Object.keys runs an ownKeys trap.
  const isArray = guarded(() => Array.isArray(section));
  if (!isArray.ok) return { kind: 'unreadable', error: isArray.error };
  if (isArray.value) return { kind: 'not-object' };
  const keys = guarded(() => Object.keys(section));
  if (!keys.ok) return { kind: 'unreadable', error: keys.error };
  const snapshot: Snapshot = {
    values: {},
    unreadable: [],
    unknownKeys: (keys.value as string[]).filter((key) => !(KNOWN_SETTINGS as readonly string[]).includes(key)),
  };
  for (const key of KNOWN_SETTINGS) {
    const read = guarded(() => (section as Record<string, unknown>)[key]);
    if (read.ok) snapshot.values[key] = read.value;
    else {
      snapshot.unreadable.push({ key, error: read.error });
      // Telemetry is off without `enabled`: the rest would only add warnings about settings that no longer matter.
      if (key === 'enabled') break;
    }
  }
  return { kind: 'object', snapshot };
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return isIPv4(hostname) && hostname.startsWith('127.');
}

/** The URL as it may be shown in logs and the editor: never with credentials. */
export function displayUrl(url: URL | null): string | null {
  if (!url) return null;
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  return shown.href;
}

/** Drops absent optional fields, so a problem reads (and compares) as what it says. */
function problemOf(fields: Problem): Problem {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as Problem;
}

/** What an unreadable setting falls back to: the same outcome as a malformed one. */
const UNREADABLE_OUTCOME: Record<Known, { outcome: Outcome; fallback?: (options: Options) => string }> = {
  enabled: { outcome: 'off' },
  updateNotification: { outcome: 'default', fallback: () => 'true' },
  url: { outcome: 'no-url' },
  allowInsecure: { outcome: 'default', fallback: () => 'false' },
  initialDelay: { outcome: 'default', fallback: (o) => formatDuration(o.initialDelay) },
  interval: { outcome: 'default', fallback: (o) => formatDuration(o.interval) },
  timeout: { outcome: 'default', fallback: (o) => formatDuration(o.timeout) },
  include: { outcome: 'no-groups' },
};

/**
 * Resolves the `telemetry` section of settings.js into options, reporting every
 * malformed or unreadable value once. Pure: the caller logs the problems.
 */
export function resolveSettings(section: unknown): SettingsResolution {
  const options: Options = {
    url: null,
    updateNotification: true,
    initialDelay: DEFAULT_INITIAL_DELAY_MS,
    interval: DEFAULT_INTERVAL_MS,
    timeout: DEFAULT_TIMEOUT_MS,
    include: [],
  };
  const problems: Problem[] = [];
  const read = readKeys(section);
  if (read.kind === 'absent') return { options, enabled: undefined, problems };
  if (read.kind === 'unreadable') {
    problems.push(problemOf({ setting: 'telemetry', code: 'unreadable', error: read.error, outcome: 'off' }));
    return { options, enabled: false, problems };
  }
  if (read.kind === 'not-object') {
    problems.push(problemOf({ setting: 'telemetry', code: 'not-object', value: describeValue(section), outcome: 'off' }));
    return { options, enabled: false, problems };
  }
  const { values, unreadable, unknownKeys } = read.snapshot;
  const problem = (setting: string, code: ProblemCode, outcome: Outcome, fallback?: string, limit?: string): void => {
    problems.push(problemOf({ setting: `telemetry.${setting}`, code, value: describeValue(values[setting as Known]), outcome, fallback, limit }));
  };

  if (unreadable[0]?.key === 'enabled') {
    problems.push(problemOf({ setting: 'telemetry.enabled', code: 'unreadable', error: unreadable[0].error, outcome: 'off' }));
    return { options, enabled: false, problems };
  }

  for (const key of unknownKeys) {
    problems.push(problemOf({ setting: settingName(key), code: 'unknown-setting', outcome: 'ignored' }));
  }

  let enabled: boolean | undefined;
  if (values.enabled !== undefined) {
    if (typeof values.enabled === 'boolean') {
      enabled = values.enabled;
    } else {
      problem('enabled', 'not-boolean', 'off');
      enabled = false;
    }
  }

  if (values.updateNotification !== undefined) {
    if (typeof values.updateNotification === 'boolean') options.updateNotification = values.updateNotification;
    else problem('updateNotification', 'not-boolean', 'default', 'true');
  }

  let allowInsecure = false;
  if (values.allowInsecure !== undefined) {
    if (typeof values.allowInsecure === 'boolean') allowInsecure = values.allowInsecure;
    else problem('allowInsecure', 'not-boolean', 'default', 'false');
  }

  if (values.url !== undefined) {
    let url: URL | null = null;
    try {
      url = typeof values.url === 'string' ? new URL(values.url) : null;
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      problem('url', 'not-url', 'no-url');
    } else if (url.protocol === 'http:' && !allowInsecure && !isLoopbackHost(url.hostname)) {
      problem('url', 'insecure-url', 'no-url');
    } else {
      options.url = url;
    }
  }

  const bounds = { initialDelay: [0, undefined], interval: [MIN_INTERVAL_MS, undefined], timeout: [MIN_TIMEOUT_MS, MAX_TIMEOUT_MS] } as const;
  for (const key of ['initialDelay', 'interval', 'timeout'] as const) {
    if (values[key] === undefined) continue;
    const [minimum, maximum = MAX_DURATION_MS] = bounds[key];
    const parsed = parseDuration(values[key], minimum, maximum);
    if (parsed.ok) options[key] = parsed.ms;
    else {
      const limit = parsed.problem === 'duration-too-long' ? maximum : minimum;
      problem(key, parsed.problem, 'default', formatDuration(options[key]), formatDuration(limit));
    }
  }

  if (values.include !== undefined) {
    const include = resolveInclude(values.include);
    options.include = include.groups;
    if (include.malformed) problem('include', 'not-list', 'no-groups');
    for (const name of include.unknown) {
      problems.push(problemOf({ setting: 'telemetry.include', code: 'unknown-group', value: describeValue(name), outcome: 'ignored' }));
    }
  }

  for (const { key, error } of unreadable) {
    const { outcome, fallback } = UNREADABLE_OUTCOME[key];
    problems.push(problemOf({ setting: `telemetry.${key}`, code: 'unreadable', error, outcome, fallback: fallback?.(options) }));
  }

  return { options, enabled, problems };
}

/**
 * `telemetry.include`: a list of group names. Unknown names are reported one
 * by one and ignored; anything but a list of strings is malformed, and then
 * no group is sent at all (an operator who wrote it meant something we cannot tell).
 */
export function resolveInclude(value: unknown): { groups: InsightGroup[]; unknown: string[]; malformed: boolean } {
  let items: unknown[];
  try {
    if (!Array.isArray(value)) return { groups: [], unknown: [], malformed: true };
    items = Array.from(value as unknown[]).slice(0, 64);
  } catch {
    return { groups: [], unknown: [], malformed: true };
  }
  if (!items.every((item) => typeof item === 'string')) return { groups: [], unknown: [], malformed: true };
  const names = new Set(items as string[]);
  const known = new Set<string>(INSIGHT_GROUPS);
  return {
    groups: INSIGHT_GROUPS.filter((group) => names.has(group)),
    unknown: [...names].filter((name) => !known.has(name)),
    malformed: false,
  };
}

export interface DecisionInputs {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Whether `<userDir>/.opt-out-from-anonymous-statistics` exists. */
  optOutFile: boolean;
  /** `telemetry.enabled` as resolved by {@link resolveSettings}. */
  settingsEnabled: boolean | undefined;
  /** The choice a user made in the editor, if any. */
  storedChoice: boolean | undefined;
}

/** An environment switch counts as set for anything but "", "0" or "false" (any case). */
export function isEnvSet(value: string | undefined): boolean {
  if (value === undefined) return false;
  return !['', '0', 'false'].includes(value.trim().toLowerCase());
}

/** Values whose meaning nobody has to guess: no warning for these. */
const CLEARLY_SET = ['1', 'true', 'yes', 'on'];
const CLEARLY_UNSET = ['', '0', 'false'];

/**
 * One problem for each opt-out variable whose value does not say clearly what
 * it means ("no", "off", " 0 "), naming how it was read; and for
 * NODE_RED_DISABLE_TELEMETRY="false" or "0", which Node-RED >= 4.1's red.js
 * reads as set although this plugin would not.
 */
export function envProblems(env: DecisionInputs['env'], settingsEnabled: boolean | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const name of ['NODE_RED_DISABLE_TELEMETRY', 'DO_NOT_TRACK'] as const) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const set = isEnvSet(value);
    let code: EnvProblem;
    if (name === 'NODE_RED_DISABLE_TELEMETRY' && !set && settingsEnabled === false) code = 'env-core-set';
    else if ([...CLEARLY_SET, ...CLEARLY_UNSET].includes(value.toLowerCase())) continue;
    else code = set ? 'env-odd-set' : 'env-odd-unset';
    problems.push({ setting: name, code, value: describeValue(value), outcome: code === 'env-odd-unset' ? 'ignored' : 'off' });
  }
  return problems;
}

/**
 * Resolves whether telemetry may run. Any opt-out beats any opt-in, and unlike
 * Node-RED 4.1's own telemetry a stored editor opt-in never overrides the flag.
 */
export function resolveDecision(inputs: DecisionInputs): Decision {
  if (inputs.argv.includes('--no-telemetry') || inputs.argv.includes('--telemetry=false')) {
    return { enabled: false, reason: 'flag' };
  }
  const disable = inputs.env.NODE_RED_DISABLE_TELEMETRY;
  // Node-RED >= 4.1's red.js sets telemetry.enabled = false for any non-empty
  // value, even "false"; name that cause rather than blame settings.js.
  const coreDisabled = disable !== undefined && disable !== '' && inputs.settingsEnabled === false;
  if (isEnvSet(disable) || coreDisabled) return { enabled: false, reason: 'env' };
  if (isEnvSet(inputs.env.DO_NOT_TRACK)) return { enabled: false, reason: 'do-not-track' };
  if (inputs.optOutFile) return { enabled: false, reason: 'opt-out-file' };
  if (inputs.settingsEnabled !== undefined) return { enabled: inputs.settingsEnabled, reason: 'settings' };
  if (inputs.storedChoice !== undefined) return { enabled: inputs.storedChoice, reason: 'consent' };
  return { enabled: null, reason: 'pending' };
}
