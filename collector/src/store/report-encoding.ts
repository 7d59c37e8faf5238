import type { Insertable } from 'kysely';
import type { EnvironmentsTable, ReportsTable } from './tables';

/**
 * Pure: how a report's fields are packed into the `reports` row and read back.
 * A report is stored many millions of times, so every byte of its row counts:
 * days and times are integers, the address hash is its 32 raw bytes, and the
 * plugin's instance id (32 lowercase hex digits) is its 16 raw bytes.
 */

const DAY_MS = 86_400_000;
/** The form of instance id the plugin generates: it packs into 16 bytes. */
const PACKED_ID = /^[0-9a-f]{32}$/;
const PACKED_BYTES = 16;

/**
 * The stored form of an instance id, one to one: the plugin's hex ids as
 * their 16 bytes; any other id (8-64 letters, digits, - or _) as its own
 * bytes, with a 0 byte appended when it is 16 bytes or longer, so that no
 * other id is ever 16 bytes long and none can read as a packed one.
 */
export function encodeInstanceId(id: string): Buffer {
  if (PACKED_ID.test(id)) return Buffer.from(id, 'hex');
  const bytes = Buffer.from(id, 'utf8');
  return bytes.length >= PACKED_BYTES ? Buffer.concat([bytes, Buffer.alloc(1)]) : bytes;
}

/** The instance id `encodeInstanceId` packed. */
export function decodeInstanceId(stored: Uint8Array): string {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (bytes.length === PACKED_BYTES) return bytes.toString('hex');
  return (bytes.length > PACKED_BYTES ? bytes.subarray(0, bytes.length - 1) : bytes).toString('utf8');
}

/** A 'YYYY-MM-DD' day as the number of days since 1970-01-01: two bytes where the text took ten. */
export function dayNumber(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

/** The day number of the UTC day a moment falls on. */
export function dayNumberOf(moment: Date): number {
  return Math.floor(moment.getTime() / DAY_MS);
}

/** The 'YYYY-MM-DD' day of a stored day number. */
export function dayText(day: number | string): string {
  return new Date(Number(day) * DAY_MS).toISOString().slice(0, 10);
}

/** Every day number from `first` to `last`, inclusive. */
export function dayNumbers(first: number, last: number): number[] {
  const days: number[] = [];
  for (let d = first; d <= last; d++) days.push(d);
  return days;
}

/** What a report is counted by in the base dimensions: the environment it was sent from. */
export interface EnvironmentValues {
  nodeRed: string;
  nodejs: string;
  osType: string;
  arch: string;
  client: string;
  /** ISO country code, or "unknown"; absent or null (not counted) while the country lookup is off. */
  country?: string | null;
}

/** What reports share, stored once in `environments`. */
export interface Environment extends EnvironmentValues {
  osRelease: string;
  country: string | null;
}

/** A validated report as the store takes it, before packing. */
export interface ReportRecord {
  instanceId: string;
  receivedAt: Date;
  /** HMAC-SHA256 of the sender's address under the day's secret, as hex. */
  addressHash: string;
  environment: Environment;
  extra: string | null;
  insights: string | null;
}

/** The columns of `environments` that make one environment, in the order of its unique index. */
export const ENVIRONMENT_COLUMNS = ['node_red', 'nodejs', 'os_type', 'os_release', 'os_arch', 'client', 'country'] as const;

type EnvironmentColumns = Pick<EnvironmentsTable, (typeof ENVIRONMENT_COLUMNS)[number]>;

/** The row of `environments` for `env`; "" stands for a country not looked up, since a unique index never matches nulls. */
export function environmentColumns(env: Environment): EnvironmentColumns {
  return {
    node_red: env.nodeRed,
    nodejs: env.nodejs,
    os_type: env.osType,
    os_release: env.osRelease,
    os_arch: env.arch,
    client: env.client,
    country: env.country ?? '',
  };
}

/** The environment a row of `environments` stands for. */
export function environmentOf(row: EnvironmentColumns): Environment {
  return {
    nodeRed: row.node_red,
    nodejs: row.nodejs,
    osType: row.os_type,
    osRelease: row.os_release,
    arch: row.os_arch,
    client: row.client,
    country: row.country === '' ? null : row.country,
  };
}

/** One key per distinct environment. */
export function environmentKey(env: Environment): string {
  const columns = environmentColumns(env);
  return JSON.stringify(ENVIRONMENT_COLUMNS.map((c) => columns[c]));
}

/** The packed row of a report sent from the environment stored as `environment`. */
export function packReport(report: ReportRecord, environment: number): Insertable<ReportsTable> {
  return {
    day: dayNumberOf(report.receivedAt),
    received_at: report.receivedAt.getTime(),
    instance: encodeInstanceId(report.instanceId),
    ip_hash: Buffer.from(report.addressHash, 'hex'),
    environment,
    extra: report.extra,
    insights: report.insights,
  };
}
