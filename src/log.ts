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

/** The message of an error for a log line or an API answer, without a stack. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
