import { inspect } from 'node:util';
import type { NodeRedApi } from './red';

export const LOG_PREFIX = '[node-red-telemetry] ';

type Substitutions = Record<string, unknown>;

/** Logs through RED.log with the plugin's prefix; every message is a locale key under `runtime.`. */
export interface Logger {
  info(key: string, substitutions?: Substitutions): void;
  warn(key: string, substitutions?: Substitutions): void;
  error(key: string, substitutions?: Substitutions): void;
  debug(key: string, substitutions?: Substitutions): void;
  /** The translated text without logging it, for blocks assembled from several keys. */
  text(key: string, substitutions?: Substitutions): string;
}

const MAX_SHOWN = 60;
const MAX_ERROR = 200;

/**
 * settings.js is code: a value may be a getter, a Proxy, a bigint or an object
 * with its own inspect hook. Nothing here runs the value's code (no getters,
 * no custom inspect, a Proxy's target rather than its traps), so showing a
 * value can neither throw nor misstate it as JSON would (Infinity as null).
 */
const INSPECT: Parameters<typeof inspect>[1] = {
  depth: 4,
  breakLength: Infinity,
  compact: true,
  customInspect: false,
  getters: false,
  showProxy: false,
  maxArrayLength: 10,
  maxStringLength: MAX_SHOWN,
  colors: false,
};

/** Cuts between code points, so a long value never leaves half a surrogate pair in the log. */
function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 3);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}...`;
}

/** Shows a settings value in a warning, on one line, without flooding the log. Strings stay JSON-quoted. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    // Sliced first: a megabyte string would otherwise be escaped whole only to be cut.
    text = typeof value === 'string' ? JSON.stringify(value.slice(0, MAX_SHOWN * 2)) : inspect(value, INSPECT);
  } catch {
    text = '[value that cannot be shown]';
  }
  return cap(text, MAX_SHOWN);
}

/**
 * The message of an error for a log line or an API answer, without a stack.
 * Whatever was thrown (a string, a Symbol, an object whose toString throws)
 * gives a bounded line: this runs inside catch blocks, where a second throw
 * would escape into Node-RED.
 */
export function errorMessage(err: unknown): string {
  try {
    if (err instanceof Error) {
      const message: unknown = err.message;
      return cap(typeof message === 'string' ? message : describeValue(message), MAX_ERROR);
    }
  } catch {
    /* a hostile error object: described below without touching it */
  }
  return describeValue(err);
}

export function createLogger(RED: Pick<NodeRedApi, 'log' | '_'>): Logger {
  const text = (key: string, substitutions?: Substitutions): string => RED._(`runtime.${key}`, substitutions);
  const at =
    (level: 'info' | 'warn' | 'error' | 'debug') =>
    (key: string, substitutions?: Substitutions): void => {
      // A logging failure must never become a failure of the host.
      try {
        RED.log[level](LOG_PREFIX + text(key, substitutions));
      } catch {
        /* nothing sensible left to report it to */
      }
    };
  return { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug'), text };
}
