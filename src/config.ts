import { isIPv4 } from 'node:net';
import { DurationProblem, formatDuration, parseDuration } from './durations';

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
}

export const DEFAULT_INITIAL_DELAY_MS = 30 * 60 * 1000;
export const DEFAULT_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** Below a second an interval is a typo (a number is milliseconds, not seconds), not a schedule. */
export const MIN_INTERVAL_MS = 1000;

export type ProblemCode = 'not-object' | 'not-boolean' | 'not-url' | 'insecure-url' | 'unknown-setting' | DurationProblem;

/** What happens because of a problem, so that the warning can say it. */
export type Outcome = 'off' | 'no-url' | 'default' | 'ignored';

/** One malformed setting: named, with the offending value, and the safe outcome taken. */
export interface Problem {
  setting: string;
  code: ProblemCode;
  value: string;
  outcome: Outcome;
  /** The value used instead, for outcome `default`. */
  fallback?: string;
}

export interface SettingsResolution {
  options: Options;
  /** `telemetry.enabled` when given; a malformed section or value counts as `false`. */
  enabled: boolean | undefined;
  problems: Problem[];
}

const KNOWN_SETTINGS = ['enabled', 'updateNotification', 'url', 'allowInsecure', 'initialDelay', 'interval'];

/** Shows a settings value in a warning without flooding the log. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
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

/**
 * Resolves the `telemetry` section of settings.js into options, reporting every
 * malformed value once. Pure: the caller logs the problems.
 */
export function resolveSettings(section: unknown): SettingsResolution {
  const options: Options = {
    url: null,
    updateNotification: true,
    initialDelay: DEFAULT_INITIAL_DELAY_MS,
    interval: DEFAULT_INTERVAL_MS,
  };
  const problems: Problem[] = [];
  if (section === undefined || section === null) {
    return { options, enabled: undefined, problems };
  }
  if (typeof section !== 'object' || Array.isArray(section)) {
    problems.push({ setting: 'telemetry', code: 'not-object', value: describeValue(section), outcome: 'off' });
    return { options, enabled: false, problems };
  }
  const values = section as Record<string, unknown>;
  const problem = (setting: string, code: ProblemCode, outcome: Outcome, fallback?: string): void => {
    problems.push({ setting: `telemetry.${setting}`, code, value: describeValue(values[setting]), outcome, fallback });
  };

  for (const key of Object.keys(values)) {
    if (!KNOWN_SETTINGS.includes(key)) problem(key, 'unknown-setting', 'ignored');
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

  for (const key of ['initialDelay', 'interval'] as const) {
    if (values[key] === undefined) continue;
    const parsed = parseDuration(values[key], key === 'interval' ? MIN_INTERVAL_MS : 0);
    if (parsed.ok) options[key] = parsed.ms;
    else problem(key, parsed.problem, 'default', formatDuration(options[key]));
  }

  return { options, enabled, problems };
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
