import type { Generated } from 'kysely';

/**
 * The collector's tables, as Kysely sees them. Outside the packed `reports`,
 * timestamps are ISO-8601 UTC strings and days are 'YYYY-MM-DD', so that both
 * SQLite and PostgreSQL store, compare and sort them the same way.
 */

/**
 * One accepted report, packed (see report-encoding.ts): kept `retentionDays`,
 * then deleted. What most reports share (versions, OS, client, country) is one
 * row of `environments`, referenced by its id.
 */
export interface ReportsTable {
  /** Assigned by the database, in order of insertion. */
  id: Generated<number>;
  /** Days since 1970-01-01 (UTC). */
  day: number;
  /** Milliseconds since 1970-01-01 (UTC); PostgreSQL's bigint reads back as a string. */
  received_at: number | string;
  /** The instance id, packed by `encodeInstanceId`. */
  instance: Uint8Array;
  /** HMAC-SHA256 of the sender's IP under that day's secret, 32 bytes; never the address itself. */
  ip_hash: Uint8Array;
  /** The row of `environments` this report was sent from. */
  environment: number;
  /** Fields the operator declared in `extraFields`, as a JSON object; null when none. */
  extra: string | null;
  /** The report's opt-in groups (flows, features, environment, lifecycle, ext) as JSON; null when it had none. */
  insights: string | null;
}

/**
 * One combination of what reports share, stored once: a fleet has a few
 * thousand of them, where it has millions of reports. No instance id or
 * address is here. Deleted by retention once no kept report can use it.
 */
export interface EnvironmentsTable {
  id: Generated<number>;
  node_red: string;
  nodejs: string;
  os_type: string;
  os_release: string;
  os_arch: string;
  /** Which program sent it, from its User-Agent (see client-kind.ts); "unknown" for reports stored before this was kept. */
  client: string;
  /** ISO 3166-1 alpha-2 code or "unknown" when the country lookup was on; "" when it was off. */
  country: string;
  /** The newest day (a day number) of a report from it: retention deletes it once that day is past. */
  last_day: number;
}

/** Daily roll-up: amounts summed over every instance that sent them, such as the fleet's nodes. Kept for good. */
export interface DailySumsTable {
  day: string;
  metric: string;
  total: number | string;
}

/** The day's secret for IP hashes. A past day's row is deleted, which makes its hashes unlinkable. */
export interface SaltsTable {
  day: string;
  secret: string;
}

/** Fixed-window counters for rate limits, shared by every collector process. */
export interface RateWindowsTable {
  key: string;
  window_start: string;
  hits: number;
}

/** Daily roll-up: distinct instances per value of one dimension. Kept for good. */
export interface DailyUsageTable {
  day: string;
  dimension: string;
  value: string;
  instances: number;
}

/** Which days have been rolled up, and from how many reports. */
export interface AggregatedDaysTable {
  day: string;
  instances: number;
  reports: number;
  aggregated_at: string;
}

/** Facts about the store itself; `demo` marks a store filled by the demo-data command. */
export interface CollectorMetaTable {
  key: string;
  value: string;
}

export interface Database {
  reports: ReportsTable;
  environments: EnvironmentsTable;
  salts: SaltsTable;
  rate_windows: RateWindowsTable;
  daily_usage: DailyUsageTable;
  aggregated_days: AggregatedDaysTable;
  daily_sums: DailySumsTable;
  collector_meta: CollectorMetaTable;
}

