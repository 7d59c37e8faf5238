// Its parts by path: the start path loads the durations and the group names, not the schemas and catalogue.
import { formatDuration, MAX_DURATION_MS, parseDuration } from '@node-red-telemetry/protocol/durations';
import { INSIGHT_GROUPS, InsightGroup } from '@node-red-telemetry/protocol/insight';
import { describeValue } from '../log';
import { defaultOptions, MAX_TIMEOUT_MS, MIN_INTERVAL_MS, MIN_TIMEOUT_MS, Options } from './options';
import { operatorName } from './operator';
import { Outcome, Problem, ProblemCode, problemOf } from './problems';
import { Known, readKeys } from './section';
import { collectorUrl } from './url';

export interface SettingsResolution {
  options: Options;
  /** `telemetry.enabled` when given; a malformed or unreadable section or value counts as `false`. */
  enabled: boolean | undefined;
  problems: Problem[];
}

/**
 * How an unknown key is named in a warning: as written when it is a plain
 * identifier, quoted otherwise, so a key such as "x\n[warn] ..." cannot forge a log line.
 */
function settingName(key: string): string {
  return /^[A-Za-z_$][\w$]{0,59}$/.test(key) ? `telemetry.${key}` : `telemetry[${describeValue(key)}]`;
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
  operator: { outcome: 'ignored' },
};

/**
 * Resolves the `telemetry` section of settings.js into options, reporting every
 * malformed or unreadable value once. Pure: the caller logs the problems.
 */
export function resolveSettings(section: unknown): SettingsResolution {
  const options = defaultOptions();
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
    if (typeof values.updateNotification === 'boolean') {
      options.updateNotification = values.updateNotification;
      options.updateNotificationSet = true;
    } else problem('updateNotification', 'not-boolean', 'default', 'true');
  }

  let allowInsecure = false;
  if (values.allowInsecure !== undefined) {
    if (typeof values.allowInsecure === 'boolean') allowInsecure = values.allowInsecure;
    else problem('allowInsecure', 'not-boolean', 'default', 'false');
  }

  if (values.url !== undefined) {
    const checked = collectorUrl(values.url, allowInsecure);
    if ('url' in checked) options.url = checked.url;
    else problem('url', checked.problem, 'no-url');
  }

  if (values.operator !== undefined) {
    options.operator = operatorName(values.operator);
    // Treated as unset: the editor then names only the destination's host.
    if (options.operator === null) problem('operator', 'not-operator', 'ignored');
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
  const names = new Set(items);
  const known = new Set<string>(INSIGHT_GROUPS);
  return {
    groups: INSIGHT_GROUPS.filter((group) => names.has(group)),
    unknown: [...names].filter((name) => !known.has(name)),
    malformed: false,
  };
}
