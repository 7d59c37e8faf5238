/**
 * What the admin API answers and the editor shows: the plugin's state as
 * plain data. The editor's scripts take these types (// @ts-check), so the
 * shape is stated once.
 */
import { formatDuration } from '@node-red-telemetry/protocol/durations';
import type { FullReport, InsightGroup } from '@node-red-telemetry/protocol';
import { Decision, displayUrl, Options, Reason } from './config';
import { Coverage, providerItem } from './consent/coverage';
import { firstReportBy, LastReport } from './schedule';
import type { Offer } from './updates';

/** A provider as the editor lists it. */
export interface ProviderInfo {
  id: string;
  name: string;
}

/** The last erasure asked for in this process. */
export type Erasure =
  | { state: 'running'; at: string }
  | { state: 'done'; at: string; deleted: number }
  | { state: 'failed'; at: string; error: string };

/** What the admin API returns and the editor shows. */
export interface Status {
  enabled: boolean | null;
  reason: Reason;
  url: string | null;
  /** What the collector collects, why and how it publishes it (its `GET /api/v1/fields`), or null without a collector. */
  fieldsUrl: string | null;
  /** `telemetry.operator`: who receives the reports, or null when settings.js names nobody. */
  operator: string | null;
  /** `telemetry.updateNotification` as settings.js gives it, or null when unset (then a "no" to Node-RED's own question holds). */
  updateNotification: boolean | null;
  update: Offer | null;
  lastReport: { at: string; ok: boolean } | null;
  nextReportAt: string | null;
  /** The configured rhythm, in the syntax of the settings ("30m", "24h"). */
  /** As configured; `firstBy`: the end of the window the first report after a start goes in. */
  schedule: { initialDelay: string; firstBy: string; interval: string };
  /** The exact payload with every enabled group and provider (pending ones included, declined ones not). */
  preview: FullReport;
  /** Groups `telemetry.include` lists. */
  include: InsightGroup[];
  /** Metric provider plugins installed. */
  providers: ProviderInfo[];
  /** Items reports carry now, beyond the base payload. */
  covered: string[];
  /** Items in the preview that need a "yes" before they are sent. */
  pending: string[];
  erasure: Erasure | null;
}

/** The plugin's state, as plain values, that the status is made of. */
export interface StatusInputs {
  decision: Decision;
  options: Pick<Options, 'url' | 'operator' | 'updateNotification' | 'updateNotificationSet' | 'initialDelay' | 'interval'>;
  /** Groups settings.js lists, or none without insight sources. */
  include: readonly InsightGroup[];
  lastReport: LastReport | undefined;
  /** When the schedule's timer fires, or null when it is not armed. */
  due: number | null;
  coverage: Coverage;
  preview: FullReport;
  providers: readonly ProviderInfo[];
  /** The offer to show, or null (none, or update notifications are off). */
  offer: Offer | null;
  erasure: Erasure | null;
}

/** Pure: the status for the admin API and the editor. Nothing is due, and nothing covered, unless telemetry is on. */
export function buildStatus(inputs: StatusInputs): Status {
  const { decision, options, lastReport, coverage } = inputs;
  const on = decision.enabled === true;
  const due = on ? inputs.due : null;
  return {
    enabled: decision.enabled,
    reason: decision.reason,
    url: displayUrl(options.url),
    fieldsUrl: fieldsUrlOf(displayUrl(options.url)),
    operator: options.operator,
    updateNotification: options.updateNotificationSet ? options.updateNotification : null,
    update: inputs.offer ? { ...inputs.offer } : null,
    lastReport: lastReport ? { at: new Date(lastReport.at).toISOString(), ok: lastReport.ok } : null,
    nextReportAt: due === null ? null : new Date(due).toISOString(),
    schedule: { initialDelay: formatDuration(options.initialDelay), firstBy: formatDuration(firstReportBy(options.initialDelay)), interval: formatDuration(options.interval) },
    preview: inputs.preview,
    include: [...inputs.include],
    providers: inputs.providers.map((p) => ({ ...p })),
    covered: on ? [...coverage.groups, ...coverage.providers.map(providerItem)] : [],
    pending: coverage.pending,
    erasure: inputs.erasure ? { ...inputs.erasure } : null,
  };
}

/**
 * Pure: where the collector at `url` (a report url, shown without credentials) lists what it
 * collects: `url` with its last segment, `ping`, replaced by `api/v1/fields`, so that a collector
 * behind a proxy under a path prefix is found there too; no query or fragment.
 */
export function fieldsUrlOf(url: string | null): string | null {
  if (url === null) return null;
  const fields = new URL('api/v1/fields', url);
  fields.username = '';
  fields.password = '';
  return fields.href;
}
