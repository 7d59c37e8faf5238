/**
 * The collector's tables, as Kysely sees them. Timestamps are ISO-8601 UTC
 * strings and days are 'YYYY-MM-DD', so that both SQLite and PostgreSQL store,
 * compare and sort them the same way.
 */

/** One accepted report. Kept `retentionDays`, then deleted. */
export interface ReportsTable {
  id: string;
  instance_id: string;
  received_at: string;
  day: string;
  /** HMAC of the sender's IP under that day's salt; never the address itself. */
  ip_hash: string;
  os_type: string;
  os_release: string;
  os_arch: string;
  nodejs: string;
  node_red: string;
  /** Fields the operator declared in `extraFields`, as a JSON object; null when none. */
  extra: string | null;
  /** Which program sent it, from its User-Agent (see client-kind.ts); "unknown" for reports stored before this was kept. */
  client: string;
  /** ISO 3166-1 alpha-2 code (or "unknown") when the country lookup is on; null otherwise. Never the address. */
  country?: string | null;
  /** The report's opt-in groups (flows, features, environment, lifecycle, ext) as JSON; null when it had none. */
  insights?: string | null;
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
  salts: SaltsTable;
  rate_windows: RateWindowsTable;
  daily_usage: DailyUsageTable;
  aggregated_days: AggregatedDaysTable;
  daily_sums: DailySumsTable;
  collector_meta: CollectorMetaTable;
}

