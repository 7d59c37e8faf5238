/**
 * Fills one day with reports from `instances` distinct instances, generated
 * inside the database (a recursive CTE on SQLite, generate_series on
 * PostgreSQL) so that millions of rows take seconds, with realistic spreads:
 * ~30 Node-RED versions, ~60 Node.js versions, 3 OS types, 3 architectures.
 * Instance ids are the plugin's form (32 hex digits) in scrambled order, so
 * that the index is filled as real, randomly ordered arrivals fill it.
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Client } from 'pg';
import { SQLITE_FILE } from '../../collector/src/store/connect';
import { dayNumber } from '../../collector/src/store/report-encoding';

/** Every environment repeats after this many reports. */
const CYCLE = 240;

/** The environment of report number n (os_type … country): the spreads, on both databases alike. */
function environmentOf(n: number): string[] {
  return [
    `${3 + (n % 2)}.${n % 3}.${n % 16}`,
    `${18 + 2 * (n % 3)}.${n % 20}.0`,
    n % 10 === 0 ? 'Windows_NT' : n % 10 === 1 ? 'Darwin' : 'Linux',
    `6.1.0-${n % 40}-amd64`,
    n % 4 === 0 ? 'arm64' : n % 4 === 1 ? 'arm' : 'x64',
    'node-red-telemetry',
    '',
  ];
}

const ENVIRONMENT_INSERT = `INSERT INTO environments (node_red, nodejs, os_type, os_release, os_arch, client, country, last_day)`;
/** A permutation of 0 … 2^32-1 (an odd multiplier): distinct ids, in no order. */
const SCRAMBLE = 2654435761;

export type SeedTarget = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

export async function seedDay(target: SeedTarget, day: string, instances: number, offset = 0): Promise<void> {
  const at = Date.parse(`${day}T12:00:00.000Z`);
  const dayNo = dayNumber(day);
  if (target.kind === 'sqlite') {
    const db = new SQLite(path.join(target.dataDir, SQLITE_FILE));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TEMP TABLE seed_environment (k INTEGER PRIMARY KEY, id INTEGER NOT NULL)');
    const upsert = db.prepare(
      `${ENVIRONMENT_INSERT} VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (node_red, nodejs, os_type, os_release, os_arch, client, country) DO UPDATE SET last_day = max(last_day, excluded.last_day)
       RETURNING id`,
    );
    const map = db.prepare('INSERT INTO seed_environment (k, id) VALUES (?, ?)');
    for (let k = 0; k < CYCLE; k++) map.run(k, (upsert.get(...environmentOf(k), dayNo) as { id: number }).id);
    db.prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < @instances)
       INSERT INTO reports (day, received_at, instance, ip_hash, environment, extra, insights)
       SELECT @dayNo, @at, unhex(printf('%032x', ((n + @offset) * ${SCRAMBLE}) % 4294967296)), unhex(printf('%064x', (n * 7919) % 250000)),
              (SELECT id FROM seed_environment WHERE k = n % ${CYCLE}), NULL, NULL
       FROM seq`,
    ).run({ instances, dayNo, at, offset });
    db.exec('ANALYZE');
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    return;
  }
  const client = new Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query('CREATE TEMP TABLE seed_environment (k integer PRIMARY KEY, id integer NOT NULL)');
    for (let k = 0; k < CYCLE; k++) {
      const { rows } = await client.query<{ id: number }>(
        `${ENVIRONMENT_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (node_red, nodejs, os_type, os_release, os_arch, client, country) DO UPDATE SET last_day = greatest(environments.last_day, excluded.last_day)
         RETURNING id`,
        [...environmentOf(k), dayNo],
      );
      await client.query('INSERT INTO seed_environment (k, id) VALUES ($1, $2)', [k, rows[0].id]);
    }
    await client.query(
      `INSERT INTO reports (day, received_at, instance, ip_hash, environment, extra, insights)
       SELECT $2, $3, decode(lpad(to_hex(((n + $4)::bigint * ${SCRAMBLE}) % 4294967296), 32, '0'), 'hex'),
              decode(lpad(to_hex((n::bigint * 7919) % 250000), 64, '0'), 'hex'),
              (SELECT id FROM seed_environment WHERE k = n % ${CYCLE}), NULL, NULL
       FROM generate_series(1, $1::int) AS n`,
      [instances, dayNo, at, offset],
    );
    // What autovacuum does to a table after a day of inserts: without it, PostgreSQL cannot
    // answer from the index alone.
    await client.query('VACUUM ANALYZE reports');
  } finally {
    await client.end();
  }
}

/** Bytes the raw reports take, per stored report: the reports table, `environments`, and their indexes. */
export async function bytesPerReport(target: SeedTarget): Promise<{ reports: number; bytes: number }> {
  if (target.kind === 'sqlite') {
    const db = new SQLite(path.join(target.dataDir, SQLITE_FILE), { readonly: true });
    try {
      const reports = (db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
      // dbstat counts the pages of each table and of each of its indexes.
      const rows = db
        .prepare("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name IN ('reports', 'environments'))")
        .get() as { bytes: number };
      return { reports, bytes: rows.bytes / reports };
    } finally {
      db.close();
    }
  }
  const client = new Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query('VACUUM ANALYZE reports');
    const { rows } = await client.query<{ n: string; bytes: string }>(
      "SELECT count(*) AS n, pg_total_relation_size('reports') + pg_total_relation_size('environments') AS bytes FROM reports",
    );
    return { reports: Number(rows[0].n), bytes: Number(rows[0].bytes) / Number(rows[0].n) };
  } finally {
    await client.end();
  }
}
