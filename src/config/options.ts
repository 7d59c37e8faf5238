import type { InsightGroup } from '@node-red-telemetry/protocol';

/** The `telemetry` section of settings.js as the plugin runs with it: every value checked, defaults filled in. */
export interface Options {
  /** Where reports go; null when none is configured or the configured one is unusable. */
  url: URL | null;
  updateNotification: boolean;
  /**
   * Whether settings.js gives `updateNotification` itself. Unset, the editor keeps update notices
   * off for a user who said no to Node-RED's own update-notification question.
   */
  updateNotificationSet: boolean;
  /** `telemetry.operator`: who receives the reports, named to users with the destination; null when unset or malformed. */
  operator: string | null;
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

export function defaultOptions(): Options {
  return {
    url: null,
    updateNotification: true,
    updateNotificationSet: false,
    operator: null,
    initialDelay: DEFAULT_INITIAL_DELAY_MS,
    interval: DEFAULT_INTERVAL_MS,
    timeout: DEFAULT_TIMEOUT_MS,
    include: [],
  };
}
