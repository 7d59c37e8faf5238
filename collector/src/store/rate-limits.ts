import type { ReportRecord } from './report-encoding';

/** A counter that has reached its limit: which one, and when its window ends. */
export interface LimitHit {
  key: string;
  windowEnd: string;
}

/**
 * One rate limit to check and count within the same transaction as the
 * insert. A limit with `instanceId` counts that instance's reports stored in
 * the window (accepted reports are exactly what such a counter would count,
 * and a random instance id would otherwise cost a counter row per report);
 * any other is a counter row in `rate_windows`.
 */
export interface Limit {
  key: string;
  limit: number;
  windowStart: string;
  windowEnd: string;
  instanceId?: string;
}

/** A limit counted from the instance's own stored reports. */
export type InstanceLimit = Limit & { instanceId: string };

export type AcceptResult = { accepted: true } | { accepted: false; hit: LimitHit };

/** A report waiting to be stored, with the limits it is counted against. */
export interface PendingReport {
  report: ReportRecord;
  limits: Limit[];
}

export function windowKey(key: string, windowStart: string): string {
  return `${windowStart}\u0000${key}`;
}
