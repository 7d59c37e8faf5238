import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  Kysely,
  PostgresDialect,
  SqliteDatabase,
  SqliteDialect,
  SqliteDialectConfig,
  SqliteDriver,
  SqliteStatement,
} from 'kysely';
import type { Database } from './tables';

/** Where the data lives: a SQLite file under a directory, or a PostgreSQL server. */
export type StoreLocation = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

export const SQLITE_FILE = 'collector.sqlite';

/**
 * Opens the database. Drivers are required here, not at the top, so that an
 * operator on PostgreSQL never loads the SQLite addon and vice versa.
 */
export function connect(location: StoreLocation): Kysely<Database> {
  if (location.kind === 'postgres') {
    const { Pool } = require('pg') as typeof import('pg');
    const pool = new Pool({ connectionString: location.url, max: 10 });
    // An idle client losing its server must not crash the collector; the next query reports it.
    pool.on('error', () => undefined);
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  mkdirSync(location.dataDir, { recursive: true });
  const SQLite = require('better-sqlite3') as typeof import('better-sqlite3');
  const database = new SQLite(path.join(location.dataDir, SQLITE_FILE));
  // WAL lets the CLI aggregate while the server writes; synchronous=FULL makes a
  // commit durable before it returns (a batch of reports commits with NORMAL and is
  // synced by WalSync instead: see Store.batchTransaction); secure_delete overwrites
  // erased rows and salts.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('secure_delete = ON');
  database.pragma('busy_timeout = 5000');
  // Reports arrive with random instance ids, so each lands on its own index page: a larger
  // page cache keeps those pages in memory, and checkpoints four times rarer write a page
  // changed by many commits back once.
  database.pragma('cache_size = -32768');
  database.pragma('wal_autocheckpoint = 4000');
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: keepingStatements(database) }, database) });
}

/** Prepared statements kept per SQL text; past this many, the cache starts again. */
const STATEMENT_CACHE = 500;

/**
 * Kysely prepares every statement anew on each run, which costs SQLite a
 * parse and a plan per batch; a statement kept per SQL text is reused
 * instead. Safe because Kysely runs one statement at a time on its one
 * SQLite connection, and the collector never streams a query.
 */
function keepingStatements(database: SqliteDatabase): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE) statements.clear();
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * Every transaction here writes, so each takes SQLite's write lock when it
 * begins: one that read first and wrote later could find another process had
 * written meanwhile, and fail instead of waiting its turn.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    private readonly settings: SqliteDialectConfig,
    private readonly database: { readonly inTransaction: boolean },
  ) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings, this.database);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    settings: SqliteDialectConfig,
    private readonly database: { readonly inTransaction: boolean },
  ) {
    super(settings);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * Only while a transaction is open: SQLite ends one itself on some failures
   * (an I/O error, a full disk in a statement that keeps no statement journal
   * such as the store's `or fail` inserts, a failed commit), and a second
   * rollback would then fail, its error replacing the one that says what
   * happened.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.database.inTransaction) await super.rollbackTransaction(connection);
  }
}
