/**
 * Fills one day with reports from `instances` distinct instances, generated
 * inside the database (a recursive CTE on SQLite, generate_series on
 * PostgreSQL) so that millions of rows take seconds, with realistic spreads:
 * ~30 Node-RED versions, ~60 Node.js versions, 3 OS types, 3 architectures.
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Client } from 'pg';
import { SQLITE_FILE } from '../../collector/src/store/connect';

/** os_type … client of report number n: the same spreads on both databases. */
const SPREAD = `CASE n % 10 WHEN 0 THEN 'Windows_NT' WHEN 1 THEN 'Darwin' ELSE 'Linux' END,
              '6.1.0-' || (n % 40) || '-amd64',
              CASE n % 4 WHEN 0 THEN 'arm64' WHEN 1 THEN 'arm' ELSE 'x64' END,
              (18 + 2 * (n % 3)) || '.' || (n % 20) || '.0',
              (3 + n % 2) || '.' || (n % 3) || '.' || (n % 16),
              NULL, 'node-red-telemetry'`;

export type SeedTarget = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

export async function seedDay(target: SeedTarget, day: string, instances: number, offset = 0): Promise<void> {
  const at = `${day}T12:00:00.000Z`;
  if (target.kind === 'sqlite') {
    const db = new SQLite(path.join(target.dataDir, SQLITE_FILE));
    db.pragma('journal_mode = WAL');
    db.prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < @instances)
       INSERT INTO reports (id, instance_id, received_at, day, ip_hash, os_type, os_release, os_arch, nodejs, node_red, extra, client)
       SELECT printf('%s-%d', @day, n + @offset), printf('%032x', n + @offset), @at, @day, printf('%064x', (n * 7919) % 250000),
              ${SPREAD}
       FROM seq`,
    ).run({ instances, day, at, offset });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    return;
  }
  const client = new Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO reports (id, instance_id, received_at, day, ip_hash, os_type, os_release, os_arch, nodejs, node_red, extra, client)
       SELECT $2 || '-' || (n + $4), lpad(to_hex(n + $4), 32, '0'), $3, $2, lpad(to_hex((n::bigint * 7919) % 250000), 64, '0'),
              ${SPREAD}
       FROM generate_series(1, $1::int) AS n`,
      [instances, day, at, offset],
    );
    await client.query('ANALYZE reports');
  } finally {
    await client.end();
  }
}

/** Bytes the reports table and its indexes take, per stored report. */
export async function bytesPerReport(target: SeedTarget): Promise<{ reports: number; bytes: number }> {
  if (target.kind === 'sqlite') {
    const db = new SQLite(path.join(target.dataDir, SQLITE_FILE), { readonly: true });
    try {
      const reports = (db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
      // dbstat counts the pages of the table and of each of its indexes.
      const rows = db.prepare("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name = 'reports' OR name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'reports')").get() as { bytes: number };
      return { reports, bytes: rows.bytes / reports };
    } finally {
      db.close();
    }
  }
  const client = new Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query('VACUUM ANALYZE reports');
    const { rows } = await client.query<{ n: string; bytes: string }>("SELECT count(*) AS n, pg_total_relation_size('reports') AS bytes FROM reports");
    return { reports: Number(rows[0].n), bytes: Number(rows[0].bytes) / Number(rows[0].n) };
  } finally {
    await client.end();
  }
}
