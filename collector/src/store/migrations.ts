import { Kysely, Migration, MigrationProvider, Migrator } from 'kysely';

/**
 * The schema, one migration per change, in code so that the published package
 * needs no migration files on disk. Only types both SQLite and PostgreSQL share.
 */
const MIGRATIONS: Record<string, Migration> = {
  '001_initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('ip_hash', 'text', (c) => c.notNull())
        .addColumn('os_type', 'text', (c) => c.notNull())
        .addColumn('os_release', 'text', (c) => c.notNull())
        .addColumn('os_arch', 'text', (c) => c.notNull())
        .addColumn('nodejs', 'text', (c) => c.notNull())
        .addColumn('node_red', 'text', (c) => c.notNull())
        .addColumn('extra', 'text')
        .execute();
      await db.schema.createIndex('reports_day').on('reports').column('day').execute();
      await db.schema.createIndex('reports_instance').on('reports').column('instance_id').execute();

      await db.schema
        .createTable('salts')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('secret', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('rate_windows')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('window_start', 'text', (c) => c.notNull())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('rate_windows_pk', ['key', 'window_start'])
        .execute();

      await db.schema
        .createTable('daily_usage')
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('dimension', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('instances', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('daily_usage_pk', ['day', 'dimension', 'value'])
        .execute();

      await db.schema
        .createTable('aggregated_days')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('instances', 'integer', (c) => c.notNull())
        .addColumn('reports', 'integer', (c) => c.notNull())
        .addColumn('aggregated_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

const provider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

/**
 * Brings the database to the current schema. Kysely's migrator takes a lock,
 * so several collector processes starting at once against one PostgreSQL
 * apply each migration exactly once.
 */
export async function migrate(db: Kysely<unknown>): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
}
