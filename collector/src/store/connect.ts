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
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './tables';

/** Where the data lives: a SQLite file under a directory, or a PostgreSQL server. */
export type StoreLocation = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

export const SQLITE_FILE = 'collector.sqlite';

export interface ConnectOptions {
  /**
   * On SQLite, called before every statement that writes (SQLite's own
   * judgement, `sqlite3_stmt_readonly`, in which `begin immediate` writes: it
   * takes the write lock) and before every commit, whatever runs them;
   * throwing refuses the statement, or rolls the transaction back instead of
   * committing it. Rollbacks always run. PostgreSQL needs no such check (see
   * Store.refuseIfNotDurable).
   */
  beforeWrite?: () => void;
}

/**
 * Opens the database. Drivers are required here, not at the top, so that an
 * operator on PostgreSQL never loads the SQLite addon and vice versa.
 */
export function connect(location: StoreLocation, options: ConnectOptions = {}): Kysely<Database> {
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
  return new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: keepingStatements(database, options.beforeWrite) }, { database, beforeWrite: options.beforeWrite }),
  });
}

/** Prepared statements kept per SQL text; past this many, the cache starts again. */
const STATEMENT_CACHE = 500;

/**
 * Kysely prepares every statement anew on each run, which costs SQLite a
 * parse and a plan per batch; a statement kept per SQL text is reused
 * instead. Safe because Kysely runs one statement at a time on its one
 * SQLite connection, and the collector never streams a query.
 */
function keepingStatements(database: BetterSqlite3.Database, beforeWrite: (() => void) | undefined): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE) statements.clear();
        statement = asking(database.prepare(sql), beforeWrite);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/** The statement, made to call `beforeWrite` before each run when it writes. */
function asking(statement: BetterSqlite3.Statement, beforeWrite: (() => void) | undefined): SqliteStatement {
  // `commit` and `rollback` count as not writing: the driver asks before a commit, and a rollback must always run.
  if (!beforeWrite || statement.readonly) return statement;
  return {
    reader: statement.reader,
    all(parameters) {
      beforeWrite();
      return statement.all(parameters);
    },
    run(parameters) {
      beforeWrite();
      return statement.run(parameters);
    },
    iterate(parameters) {
      beforeWrite();
      return statement.iterate(parameters);
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
    private readonly transactions: TransactionOptions,
  ) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings, this.transactions);
  }
}

interface TransactionOptions {
  readonly database: { readonly inTransaction: boolean };
  readonly beforeWrite: (() => void) | undefined;
}

class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    settings: SqliteDialectConfig,
    private readonly transactions: TransactionOptions,
  ) {
    super(settings);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /** Writes checked before a loss could not stop a commit after it: Kysely rolls the transaction back instead. */
  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    this.transactions.beforeWrite?.();
    await super.commitTransaction(connection);
  }

  /**
   * Only while a transaction is open: SQLite ends one itself on some failures
   * (an I/O error, a full disk in a statement that keeps no statement journal
   * such as the store's `or fail` inserts, a failed commit), and a second
   * rollback would then fail, its error replacing the one that says what
   * happened.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.transactions.database.inTransaction) await super.rollbackTransaction(connection);
  }
}
