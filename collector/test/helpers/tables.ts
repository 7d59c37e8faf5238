import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Client } from 'pg';
import { dayText, decodeInstanceId } from '../../src/store/report-encoding';

/** Where a collector keeps its data, as tests see it. */
export interface StoreFiles {
  dataDir: string;
  databaseUrl?: string;
}

/** Runs `query` against the collector's database: PostgreSQL when it has a URL, else its SQLite file. */
async function withDatabase<T>(
  store: StoreFiles,
  query: { postgres: (client: Client) => Promise<T>; sqlite: (db: SQLite.Database, file: string) => T },
): Promise<T> {
  if (store.databaseUrl) {
    const client = new Client({ connectionString: store.databaseUrl });
    await client.connect();
    try {
      return await query.postgres(client);
    } finally {
      await client.end();
    }
  }
  const file = path.join(store.dataDir, 'collector.sqlite');
  const db = new SQLite(file, { readonly: true });
  try {
    return query.sqlite(db, file);
  } finally {
    db.close();
  }
}

/**
 * Every row of every table as text, for "this never reaches the database"
 * checks. For SQLite the database and WAL files' raw bytes are included too,
 * so that deleted or not yet checkpointed rows count as well.
 */
export function everythingStored(store: StoreFiles): Promise<string> {
  return withDatabase(store, {
    async postgres(client) {
      const tables = await client.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public'",
      );
      const parts: string[] = [];
      for (const { table_name } of tables.rows) {
        const rows = await client.query(`select * from "${table_name}"`);
        parts.push(`${table_name}: ${JSON.stringify(rows.rows, bytesAsText)}`);
      }
      return parts.join('\n');
    },
    sqlite(db, file) {
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
      const parts = tables.map(({ name }) => `${name}: ${JSON.stringify(db.prepare(`select * from "${name}"`).all())}`);
      for (const suffix of ['', '-wal']) {
        if (existsSync(file + suffix)) parts.push(readFileSync(file + suffix).toString('latin1'));
      }
      return parts.join('\n');
    },
  });
}

/** Binary columns (bytea) as their raw bytes, as the SQLite file's bytes are searched. */
function bytesAsText(_key: string, value: unknown): unknown {
  const bytes = value as { type?: unknown; data?: unknown } | null;
  return bytes && bytes.type === 'Buffer' && Array.isArray(bytes.data) ? Buffer.from(bytes.data as number[]).toString('latin1') : value;
}

/**
 * Rows of one table, for assertions on what was stored. `reports` comes
 * unpacked, one field per column as a report has them (instance_id, day,
 * received_at and ip_hash as text; its environment's columns; country null
 * when it was not looked up), in the order the reports were stored.
 */
export async function rowsOf(store: StoreFiles, table: string): Promise<Array<Record<string, unknown>>> {
  const query =
    table === 'reports'
      ? 'select r.*, e.node_red, e.nodejs, e.os_type, e.os_release, e.os_arch, e.client, e.country from reports r join environments e on e.id = r.environment order by r.id'
      : `select * from "${table}"`;
  const rows = await withDatabase(store, {
    postgres: async (client) => (await client.query(query)).rows as Array<Record<string, unknown>>,
    sqlite: (db) => db.prepare(query).all() as Array<Record<string, unknown>>,
  });
  return table === 'reports' ? rows.map(unpacked) : rows;
}

function unpacked(row: Record<string, unknown>): Record<string, unknown> {
  const { instance, environment: _environment, ...rest } = row;
  return {
    ...rest,
    id: Number(row.id),
    instance_id: decodeInstanceId(instance as Uint8Array),
    day: dayText(row.day as number),
    received_at: new Date(Number(row.received_at)).toISOString(),
    ip_hash: Buffer.from(row.ip_hash as Uint8Array).toString('hex'),
    country: row.country === '' ? null : row.country,
  };
}
