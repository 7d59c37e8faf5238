/**
 * What the admin API answers and the editor shows: the plugin's state as
 * plain data. The editor's scripts take these types (// @ts-check), so the
 * shape is stated once.
 */
import type { Reason } from './config';
import type { FullReport, InsightGroup } from '@node-red-telemetry/protocol';
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

/** What a user agreed to in one PUT /telemetry. */
export interface ChoiceOptions {
  /** Items the "yes" covers; all wanted items when absent. */
  covers?: readonly string[];
  /** Items declined while the rest stays on. */
  declines?: readonly string[];
  /** With `enabled: false`: also ask the collector to delete what this instance sent. */
  erase?: boolean;
}

/** What the admin API returns and the editor shows. */
export interface Status {
  enabled: boolean | null;
  reason: Reason;
  url: string | null;
  update: Offer | null;
  lastReport: { at: string; ok: boolean } | null;
  nextReportAt: string | null;
  /** The configured rhythm, in the syntax of the settings ("30m", "24h"). */
  schedule: { initialDelay: string; interval: string };
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
