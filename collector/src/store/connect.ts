import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  Kysely,
  PostgresDialect,
  PostgresPool,
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

/**
 * How long opening a PostgreSQL connection may take, from the TCP connect to
 * the server being ready for queries: a server that accepts the connection
 * and never answers is given up on instead of waited for.
 */
export const CONNECT_TIMEOUT_MS = 10_000;
/** How long the first query on a new PostgreSQL store (a `select 1`) may take before the start gives up. */
export const FIRST_QUERY_TIMEOUT_MS = 10_000;

/** What an operator may be shown of where the data lives: the SQLite file, or PostgreSQL's host, port and database (never a user or password). */
export type StoreDescription = { kind: 'sqlite'; file: string } | { kind: 'postgres'; host: string; port: number; database: string };

/** Where `location` is, as pg itself resolves a connection string (PG* variables fill what it leaves out). */
export function describeStore(location: StoreLocation): StoreDescription {
  if (location.kind === 'sqlite') return { kind: 'sqlite', file: path.join(location.dataDir, SQLITE_FILE) };
  type Parameters = { host: string; port: number; database: string };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- pg's own URL parsing, so the line names what pg will connect to; untyped, hence the cast.
  const ConnectionParameters = require('pg/lib/connection-parameters') as new (url: string) => Parameters;
  const { host, port, database } = new ConnectionParameters(location.url);
  return { kind: 'postgres', host, port, database };
}

/** The store a description names, in words: `the SQLite file "…"`, or `PostgreSQL at host:port, database "…"`. */
export function storeInWords(description: StoreDescription): string {
  return description.kind === 'sqlite'
    ? `the SQLite store "${description.file}"`
    : `PostgreSQL at ${description.host.includes(':') ? `[${description.host}]` : description.host}:${description.port}, database "${description.database}"`;
}

/** An error that names the setting behind it, keeping the original's code and cause. */
function naming(message: string, cause: unknown): Error {
  const error = new Error(message, { cause });
  const code = (cause as { code?: unknown } | null)?.code;
  if (code !== undefined) Object.assign(error, { code });
  return error;
}

/** The reason in an error's message, without the path Node.js repeats after a comma. */
function reasonOf(err: unknown, code = true): string {
  if (!(err instanceof Error)) return String(err);
  const known = (err as { code?: unknown }).code;
  const message = /^E[A-Z]+: /.test(err.message) ? err.message.replace(/, \w+ '.*'$/, '') : err.message;
  return code && typeof known === 'string' && !message.includes(known) ? `${known}: ${message}` : message;
}

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
  if (location.kind === 'postgres') return new Kysely<Database>({ dialect: new PostgresDialect({ pool: postgresPool(location) }) });
  const database = openSqlite(location.dataDir);
  return new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: keepingStatements(database, options.beforeWrite) }, { database, beforeWrite: options.beforeWrite }),
  });
}

/**
 * PostgreSQL's pool, whose failures to connect name DATABASE_URL, the host,
 * port and database (never the password). Opening a connection is bounded by
 * CONNECT_TIMEOUT_MS (on each client, not on waiting for a free one in a busy
 * pool), and the store's first connection must answer a `select 1` within
 * FIRST_QUERY_TIMEOUT_MS: a start against a server that stays silent ends
 * within 20 s, saying so.
 */
function postgresPool(location: { kind: 'postgres'; url: string }): PostgresPool {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the native driver is loaded only for the store in use: a PostgreSQL collector never loads SQLite's, nor the reverse.
  const pg = require('pg') as typeof import('pg');
  class TimedClient extends pg.Client {
    constructor(config?: import('pg').ClientConfig) {
      super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    }
  }
  const pool = new pg.Pool({ connectionString: location.url, max: 10, Client: TimedClient });
  // An idle client losing its server must not crash the collector; the next query reports it.
  pool.on('error', () => undefined);
  const setting = 'DATABASE_URL (--database-url)';
  const where = () => storeInWords(describeStore(location));
  let answered = false;
  return {
    async connect() {
      const started = Date.now();
      let client: import('pg').PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        // pg's own words for its connection timeout, and the time it took: not a slow failure of another kind.
        const silent = /timeout/i.test(reasonOf(err)) && Date.now() - started >= CONNECT_TIMEOUT_MS - 100;
        throw naming(
          silent
            ? `${setting}: no answer from ${where()} within ${CONNECT_TIMEOUT_MS / 1000} s of connecting (${reasonOf(err)})`
            : `${setting}: cannot connect to ${where()} (${reasonOf(err)}${/terminated unexpectedly/.test(reasonOf(err)) ? ': is it a PostgreSQL server?' : ''})`,
          err,
        );
      }
      if (!answered) {
        try {
          // pg reads query_timeout from a query's config too, though its types leave it out.
          await client.query({ text: 'select 1', query_timeout: FIRST_QUERY_TIMEOUT_MS } as import('pg').QueryConfig);
          answered = true;
        } catch (err) {
          client.release(true);
          throw naming(`${setting}: no answer to a first query from ${where()} within ${FIRST_QUERY_TIMEOUT_MS / 1000} s (${reasonOf(err)})`, err);
        }
      }
      return client;
    },
    end: () => pool.end(),
  };
}

/** The SQLite database in `dataDir`, made if missing; failing to, the error names --data and the path. */
function openSqlite(dataDir: string): BetterSqlite3.Database {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw naming(`--data (COLLECTOR_DATA): cannot create the data directory "${dataDir}" (${reasonOf(err, false)})`, err);
  }
  const file = path.join(dataDir, SQLITE_FILE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the native driver is loaded only for the store in use: a PostgreSQL collector never loads SQLite's, nor the reverse.
  const SQLite = require('better-sqlite3') as typeof import('better-sqlite3');
  let database: BetterSqlite3.Database | undefined;
  try {
    database = new SQLite(file);
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
    return database;
  } catch (err) {
    database?.close();
    throw naming(`--data (COLLECTOR_DATA): cannot open ${storeInWords({ kind: 'sqlite', file })} (${reasonOf(err)})`, err);
  }
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
