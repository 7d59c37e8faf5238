import { Kysely, sql } from 'kysely';
import { migrate } from './migrations';
import { connect, StoreLocation } from './connect';
import { WalSync } from './wal-sync';
import type { Database } from './tables';
import { BatchIngest } from './batch-ingest';
import type { AcceptResult, PendingReport } from './rate-limits';
import { secretFor } from './address-secrets';
import { erase, prune } from './retention-and-erasure';
import { DayRows, daysToAggregate, hasReports } from './day-rows';
import { DaySum, DaySummary, RollUp, writeRollUp } from './rollup-writes';
import { dailySums, dailyUsage, DayUsage } from './published';

export { DurabilityLost } from './wal-sync';
// The types of the facade's own methods, importable with it.
export type { AcceptResult, Limit, LimitHit, PendingReport } from './rate-limits';
export type { DaySummary } from './rollup-writes';
export type { DayUsage } from './published';

/** How a store is opened beyond where it is. */
export interface StoreOptions {
  /**
   * Makes the sync of a SQLite store's write-ahead log: tests give one that
   * holds a sync back, or one pointed at a file that cannot be synced.
   */
  walSync?: (walFile: string) => WalSync;
}

/**
 * The one query layer over SQLite and PostgreSQL. Every statement in store/
 * is Kysely, the same for both dialects except where a branch on `kind` says
 * why; nothing outside store/ writes SQL. This class opens and closes the
 * database and holds the durability gate; each kind of work is a file of its
 * own (batch-ingest, address-secrets, retention-and-erasure, day-rows,
 * rollup-writes, published), which its methods hand over to.
 */
export class Store {
  /** Roll-ups this process has written; published answers cached on the data are checked against it. */
  rollUpWrites = 0;
  private readonly batches: BatchIngest;

  private constructor(
    readonly db: Kysely<Database>,
    readonly kind: StoreLocation['kind'],
    /** On SQLite in WAL mode: what makes a batch durable once it has committed (see BatchIngest.batchTransaction). */
    private readonly walSync: WalSync | undefined,
  ) {
    this.batches = new BatchIngest(db, kind, walSync, () => this.refuseIfNotDurable());
  }

  /** Opens the database and applies pending migrations before anything is served. */
  static async open(location: StoreLocation, options: StoreOptions = {}): Promise<Store> {
    let walSync: WalSync | undefined;
    const db = connect(location, {
      beforeWrite: () => {
        if (walSync?.broken) throw walSync.broken;
      },
    });
    try {
      await migrate(db as Kysely<unknown>, location.kind);
      if (location.kind === 'sqlite') {
        // A file system without WAL support leaves SQLite in its rollback journal, where only FULL is durable.
        const { rows: mode } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
        // The file SQLite itself opened: the log sits beside it, also when the path given is a symbolic link.
        const { rows: files } = await sql<{ file: string }>`select file from pragma_database_list where name = 'main'`.execute(db);
        if (mode[0]?.journal_mode === 'wal') {
          walSync = (options.walSync ?? ((file) => new WalSync(file)))(`${files[0].file}-wal`);
          await walSync.open();
        }
      }
    } catch (err) {
      try {
        await db.destroy();
      } finally {
        await walSync?.close();
      }
      throw err;
    }
    return new Store(db, location.kind, walSync);
  }

  /** A round trip to the database, for the health check; fails once writes can no longer be made durable. */
  async ping(): Promise<void> {
    this.refuseIfNotDurable();
    await sql`select 1`.execute(this.db);
  }

  /**
   * Once a sync of the log has failed, anything committed after it could be
   * lost with the gap in front of it, an erasure as much as a report: every
   * SQLite statement that writes refuses, wherever it comes from, checked
   * where statements run (connect's `beforeWrite`), so that no write path can
   * forget it; a long write stops at its next statement. Reads go on (the
   * dashboard keeps its page): they run outside transactions, which here all
   * write and begin by taking the write lock. Asked here as well by the
   * health check, and by the writes that read first (a batch, an erasure, a
   * roll-up, whose reading is rollup/'s), so that they are refused before
   * the reading, not after it. (Only SQLite's log is synced by the collector
   * itself.)
   */
  refuseIfNotDurable(): void {
    if (this.walSync?.broken) throw this.walSync.broken;
  }

  /** The secret for `day`'s IP hashes (see address-secrets.ts). */
  secretFor(day: string, fresh: () => string): Promise<string> {
    return secretFor(this.db, day, fresh);
  }

  /** Counts and stores a batch of reports in one transaction (see BatchIngest.acceptBatch). */
  acceptBatch(items: readonly PendingReport[]): Promise<AcceptResult[]> {
    return this.batches.acceptBatch(items);
  }

  /** Deletes every raw report of one instance. Aggregates and counters hold no instance ids and stay. */
  async erase(instanceId: string): Promise<number> {
    this.refuseIfNotDurable();
    return erase(this.db, instanceId);
  }

  /** Applies retention (see retention-and-erasure.ts). */
  prune(cut: { reportsBefore: string; windowsBefore: string; today: string }): Promise<{ reports: number; windows: number }> {
    return prune(this.db, cut);
  }

  /** Whether any raw report of `day` is still stored. */
  hasReports(day: string): Promise<boolean> {
    return hasReports(this.db, day);
  }

  /** Days that have raw reports before `beforeDay` but no roll-up yet. */
  daysToAggregate(beforeDay: string): Promise<string[]> {
    return daysToAggregate(this.db, beforeDay);
  }

  /** `day`'s raw reports, for the roll-up to count. */
  dayRows(day: string): DayRows {
    return new DayRows(this.db, day);
  }

  /** Replaces `day`'s roll-up with `summary` (see rollup-writes.ts). */
  async writeRollUp(day: string, summary: RollUp, now: string): Promise<DaySummary> {
    const written = await writeRollUp(this.db, day, summary, now);
    this.rollUpWrites++;
    return written;
  }

  /** Roll-ups for the days from `from` to `to`, inclusive, oldest first. */
  usage(from: string, to: string): Promise<DayUsage[]> {
    return dailyUsage(this, from, to);
  }

  /** Fleet totals of the opt-in groups for the days from `from` to `to`, per day. */
  sums(from: string, to: string): Promise<Map<string, DaySum[]>> {
    return dailySums(this, from, to);
  }

  async close(): Promise<void> {
    try {
      await this.db.destroy();
    } finally {
      await this.walSync?.close();
    }
  }
}
