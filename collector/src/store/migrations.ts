import { CreateTableBuilder, Kysely, Migration, MigrationProvider, Migrator, sql } from 'kysely';
import type { StoreLocation } from './connect';
import { packReportsTable } from './pack-reports-migration';

type Table = CreateTableBuilder<string, string>;

/** Columns that may not be null (most of this schema's), by type, in the order given. */
type ColumnType = 'text' | 'integer' | 'bigint';
function required(columns: Partial<Record<ColumnType, string[]>>): (table: Table) => Table {
  const types = Object.keys(columns) as ColumnType[];
  const typed = types.flatMap((type) => (columns[type] ?? []).map((name) => [name, type] as const));
  return (table) => typed.reduce((t, [name, type]) => t.addColumn(name, type, (c) => c.notNull()), table);
}

/**
 * The schema, one migration per change, in code so that the published package
 * needs no migration files on disk. Only types both SQLite and PostgreSQL share.
 */
function migrations(kind: StoreLocation['kind']): Record<string, Migration> {
  return {
    '001_initial': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('reports')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .$call(required({ text: ['instance_id', 'received_at', 'day', 'ip_hash', 'os_type', 'os_release', 'os_arch', 'nodejs', 'node_red'] }))
          .addColumn('extra', 'text')
          .execute();
        await db.schema.createIndex('reports_day').on('reports').column('day').execute();
        await db.schema.createIndex('reports_instance').on('reports').column('instance_id').execute();

        await db.schema
          .createTable('salts')
          .addColumn('day', 'text', (c) => c.primaryKey())
          .$call(required({ text: ['secret'] }))
          .execute();

        await db.schema
          .createTable('rate_windows')
          .$call(required({ text: ['key', 'window_start'], integer: ['hits'] }))
          .addPrimaryKeyConstraint('rate_windows_pk', ['key', 'window_start'])
          .execute();

        await db.schema
          .createTable('daily_usage')
          .$call(required({ text: ['day', 'dimension', 'value'], integer: ['instances'] }))
          .addPrimaryKeyConstraint('daily_usage_pk', ['day', 'dimension', 'value'])
          .execute();

        await db.schema
          .createTable('aggregated_days')
          .addColumn('day', 'text', (c) => c.primaryKey())
          .$call(required({ integer: ['instances', 'reports'], text: ['aggregated_at'] }))
          .execute();
      },
    },
    '002_report_client': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Reports stored before the client was recorded cannot be told apart; they say so.
        await db.schema.alterTable('reports').addColumn('client', 'text', (c) => c.notNull().defaultTo('unknown')).execute();
      },
    },
    '003_country_and_meta': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Null while the country lookup is off: such reports are not counted by country at all.
        await db.schema.alterTable('reports').addColumn('country', 'text').execute();
        // Facts about the store itself, such as "this holds generated demo data".
        await db.schema
          .createTable('collector_meta')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .$call(required({ text: ['value'] }))
          .execute();
      },
    },
    '004_report_insights': {
      async up(db: Kysely<unknown>): Promise<void> {
        // The opt-in groups a report carried, as JSON; null for a report with none (most of them).
        await db.schema.alterTable('reports').addColumn('insights', 'text').execute();
        // Fleet totals per day (such as all nodes of all instances that sent `flows`): not per value, so not in daily_usage.
        await db.schema
          .createTable('daily_sums')
          .$call(required({ text: ['day', 'metric'], bigint: ['total'] }))
          .addPrimaryKeyConstraint('daily_sums_pk', ['day', 'metric'])
          .execute();
      },
    },
    '005_roll_up_and_retention_indexes': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Roll-ups read a day in instance order; this index serves that and every "where day" the one on day alone served.
        await db.schema.createIndex('reports_day_instance').on('reports').columns(['day', 'instance_id']).execute();
        await db.schema.dropIndex('reports_day').execute();
        // Retention deletes expired windows in batches, found by their start.
        await db.schema.createIndex('rate_windows_start').on('rate_windows').column('window_start').execute();
      },
    },
    '006_packed_reports': {
      // Reports packed to a third of their size (integer days and times, binary ids
      // and hashes, what reports share stored once); existing reports are converted.
      up: (db: Kysely<unknown>) => packReportsTable(db, kind),
    },
    '007_rate_windows_by_window': {
      // Keyed by window first: a batch reads one window's keys, retention deletes the oldest
      // windows, and both follow the key itself, so no second index is needed; on SQLite the
      // rows live in that key (without rowid), one B-tree where there were three. Only address
      // counters are left here: an instance's reports in a window are counted where they are stored.
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema.alterTable('rate_windows').renameTo('rate_windows_by_key').execute();
        await db.schema.dropIndex('rate_windows_start').execute();
        await db.schema
          .createTable('rate_windows')
          .$call(required({ text: ['window_start', 'key'], integer: ['hits'] }))
          .addPrimaryKeyConstraint('rate_windows_window_key', ['window_start', 'key'])
          .$call((t) => (kind === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t))
          .execute();
        // Instances are now counted from their stored reports, which give the same count: their rows go.
        await sql`insert into rate_windows (window_start, key, hits)
                  select window_start, key, hits from rate_windows_by_key where key not like 'instance:%'`.execute(db);
        await db.schema.dropTable('rate_windows_by_key').execute();
      },
    },
  };
}

/**
 * Brings the database to the current schema. Kysely's migrator takes a lock,
 * so several collector processes starting at once against one PostgreSQL
 * apply each migration exactly once.
 */
export async function migrate(db: Kysely<unknown>, kind: StoreLocation['kind'], upTo?: string): Promise<void> {
  // `upTo` lets a test build a database as an older collector left it.
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations(kind)) };
  const migrator = new Migrator({ db, provider });
  const { error } = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest();
  // Kysely hands back whatever a migration threw.
  if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
}
