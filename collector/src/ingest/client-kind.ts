/** The programs a report can come from, as the daily records count them. */
export const CLIENT_KINDS = ['node-red-core', 'node-red-telemetry', 'other'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/**
 * Pure: which program sent a report, from its User-Agent. Node-RED's own
 * telemetry (4.1+) sends exactly `Node-RED/<version>`; this plugin names
 * itself `node-red-telemetry/<version>` (beside Node-RED's version). Anything
 * else, a missing header included, is "other" — the header is never stored.
 */
export function clientKind(userAgent: string | undefined): ClientKind {
  if (!userAgent) return 'other';
  if (/(^|[\s;(])node-red-telemetry\/\S/.test(userAgent)) return 'node-red-telemetry';
  if (/^Node-RED\/\S+$/.test(userAgent.trim())) return 'node-red-core';
  return 'other';
}
