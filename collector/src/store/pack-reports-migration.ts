import { Kysely, sql } from 'kysely';
import type { StoreLocation } from './connect';
import { dayNumber, Environment, ENVIRONMENT_COLUMNS, environmentColumns, environmentKey, packReport } from './report-encoding';
import type { EnvironmentsTable, ReportsTable } from './tables';

/** A report as migrations 001 to 005 stored it. */
interface TextReport {
  id: string;
  instance_id: string;
  received_at: string;
  day: string;
  ip_hash: string;
  os_type: string;
  os_release: string;
  os_arch: string;
  nodejs: string;
  node_red: string;
  extra: string | null;
  client: string;
  country: string | null;
  insights: string | null;
}

interface Converting {
  reports: TextReport;
  packed_reports: ReportsTable;
  environments: EnvironmentsTable;
}

/** Old reports converted per read: a few MiB at a time, however large the table. */
const PAGE = 5000;

/**
 * Migration 006: the packed `reports` table and `environments`, with every
 * existing report converted by the same code that packs a new one, then the
 * old table replaced. On PostgreSQL all of it is one transaction (Kysely's
 * migrator wraps it); on SQLite a failure leaves `packed_reports` behind,
 * which the next attempt starts by dropping.
 */
export async function packReportsTable(db: Kysely<unknown>, kind: StoreLocation['kind']): Promise<void> {
  const postgres = kind === 'postgres';
  await db.schema.dropTable('packed_reports').ifExists().execute();
  await db.schema.dropTable('environments').ifExists().execute();
  let environments = db.schema
    .createTable('environments')
    .addColumn('id', 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()));
  for (const column of ENVIRONMENT_COLUMNS) environments = environments.addColumn(column, 'text', (c) => c.notNull());
  await environments.addColumn('last_day', 'integer', (c) => c.notNull()).execute();
  await db.schema.createIndex('environments_values').on('environments').columns([...ENVIRONMENT_COLUMNS]).unique().execute();

  const binary = postgres ? 'bytea' : 'blob';
  await db.schema
    .createTable('packed_reports')
    // On SQLite an "integer primary key" is the rowid itself: no separate key to store.
    .addColumn('id', postgres ? 'bigint' : 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('instance', binary, (c) => c.notNull())
    .addColumn('ip_hash', binary, (c) => c.notNull())
    .addColumn('environment', 'integer', (c) => c.notNull())
    .addColumn('extra', 'text')
    .addColumn('insights', 'text')
    .execute();

  await convert(db as Kysely<Converting>);

  await db.schema.dropTable('reports').execute();
  await db.schema.alterTable('packed_reports').renameTo('reports').execute();
  // The one index every query on reports uses: a day's rows in instance order, with what
  // the roll-up counts them by, so that a day is counted from the index alone.
  await db.schema.createIndex('reports_day_instance').on('reports').columns(['day', 'instance', 'environment']).execute();
  // The few reports with opt-in groups, which the roll-up reads one instance at a time.
  await db.schema
    .createIndex('reports_insights')
    .on('reports')
    .columns(['day', 'instance'])
    .where(sql<boolean>`insights is not null`)
    .execute();
}

async function convert(db: Kysely<Converting>): Promise<void> {
  const environments = new Map<string, { id: number; lastDay: number }>();
  let after: string | undefined;
  for (;;) {
    let query = db.selectFrom('reports').selectAll().orderBy('id').limit(PAGE);
    if (after !== undefined) query = query.where('id', '>', after);
    const page = await query.execute();
    if (page.length === 0) break;
    const packed = [];
    for (const old of page) {
      const environment: Environment = {
        nodeRed: old.node_red,
        nodejs: old.nodejs,
        osType: old.os_type,
        osRelease: old.os_release,
        arch: old.os_arch,
        client: old.client,
        country: old.country,
      };
      const day = dayNumber(old.day);
      const key = environmentKey(environment);
      let known = environments.get(key);
      if (!known) {
        const row = await db
          .insertInto('environments')
          .values({ ...environmentColumns(environment), last_day: day })
          .returning('id')
          .executeTakeFirstOrThrow();
        environments.set(key, (known = { id: Number(row.id), lastDay: day }));
      }
      known.lastDay = Math.max(known.lastDay, day);
      const record = { instanceId: old.instance_id, receivedAt: new Date(old.received_at), addressHash: old.ip_hash, environment, extra: old.extra, insights: old.insights };
      // The day it was stored under, which retention and roll-ups went by, whatever its time says.
      packed.push({ ...packReport(record, known.id), day });
    }
    for (let i = 0; i < packed.length; i += 500) await db.insertInto('packed_reports').values(packed.slice(i, i + 500)).execute();
    after = page[page.length - 1].id;
  }
  for (const { id, lastDay } of environments.values()) {
    await db.updateTable('environments').set({ last_day: lastDay }).where('id', '=', id).execute();
  }
}
