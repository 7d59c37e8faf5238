import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { reportRow } from '../../src/ingest/report-rules';
import { GroupCommit } from '../../src/store/group-commit';
import { rollUpDay } from '../../src/rollup/daily-job';
import { AcceptResult, Limit, PendingReport, Store, StoreOptions } from '../../src/store/store';
import { DurabilityLost, WalSync } from '../../src/store/wal-sync';
import { freshStore, openStore, report, StoreKind } from '../helpers/collector-process';
import { rowsOf, StoreFiles } from '../helpers/tables';

/**
 * Group commit against the real databases: a batch decides exactly what the
 * same reports one at a time would have, commits all or nothing, and many
 * concurrent reports share few transactions.
 */
const STORES: StoreKind[] = ['sqlite', 'postgres'];
const WINDOW = { windowStart: '2026-11-20T12:00:00.000Z', windowEnd: '2026-11-20T13:00:00.000Z' };

let serial = 0;
function pending(instance: number, address: string, limits: { perInstance: number; perAddress: number }, id = `r${++serial}`): PendingReport {
  const row = reportRow(report({}, instance), { receivedAt: new Date('2026-11-20T12:30:00Z'), addressHash: Buffer.from(address).toString('hex'), client: 'other' }, {});
  // A tag the stored row can be told by: ids are the database's own.
  row.extra = JSON.stringify({ id });
  const list: Limit[] = [
    { key: `instance:${row.instanceId}`, instanceId: row.instanceId, limit: limits.perInstance, ...WINDOW },
    { key: `address:${address}`, limit: limits.perAddress, ...WINDOW },
  ];
  return { report: row, limits: list };
}

/** What the same reports one at a time would get: the rule, in memory. */
function oneByOne(items: readonly PendingReport[]): AcceptResult[] {
  const hits = new Map<string, number>();
  return items.map(({ limits }) => {
    const over = limits.find((l) => (hits.get(l.key) ?? 0) + 1 > l.limit);
    if (over) return { accepted: false, hit: { key: over.key, windowEnd: over.windowEnd } };
    for (const l of limits) hits.set(l.key, (hits.get(l.key) ?? 0) + 1);
    return { accepted: true };
  });
}

for (const kind of STORES) {
  describe(`group commit (${kind})`, function () {
    this.timeout(120_000);
    let store: Store;
    let files: StoreFiles;

    /** A store on the test's database: the test's own, or a second collector's. */
    function storeOnFiles(options?: StoreOptions): Promise<Store> {
      return openStore(files, options);
    }

    async function open(options?: StoreOptions): Promise<void> {
      files = await freshStore(kind);
      store = await storeOnFiles(options);
    }

    /** The test's store opened, and a second collector's store on the same database for `run`, closed after it. */
    async function withSecondCollector(run: (other: Store) => Promise<void>): Promise<void> {
      await open();
      const other = await storeOnFiles();
      try {
        await run(other);
      } finally {
        await other.close();
      }
    }

    /** SQLite's connection setting: 2 is FULL, a commit waits for the disk. */
    async function synchronous(): Promise<number> {
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
      return rows[0].synchronous;
    }

    afterEach(async () => {
      await store?.close();
    });

    /** The real store, with the size of every batch it is handed written down. */
    function countingBatches(): { batches: number[]; counting: Pick<Store, 'acceptBatch'> } {
      const batches: number[] = [];
      return {
        batches,
        counting: {
          acceptBatch: async (items) => {
            batches.push(items.length);
            return store.acceptBatch(items);
          },
        },
      };
    }

    it('a batch decides each report exactly as one transaction per report would, in order', async () => {
      await open();
      const limits = { perInstance: 1, perAddress: 3 };
      const items = [pending(1, 'a', limits), pending(1, 'a', limits), pending(2, 'a', limits), pending(3, 'b', limits), pending(4, 'a', limits), pending(5, 'a', limits)];
      const results = await store.acceptBatch(items);
      assert.deepEqual(results, oneByOne(items));
      assert.deepEqual(results.map((r) => r.accepted), [true, false, true, true, true, false]);
      const stored = await rowsOf(files, 'reports');
      assert.deepEqual(stored.map((r) => r.extra).sort(), items.filter((_, i) => results[i].accepted).map((i) => i.report.extra).sort());
      const windows = Object.fromEntries((await rowsOf(files, 'rate_windows')).map((w) => [w.key, Number(w.hits)]));
      assert.equal(windows['address:a'], 3, 'refused reports move no counter');
      assert.equal(windows['instance:instance00000001'], undefined, 'an instance is counted from its stored reports, not a row of its own');
    });

    it('any mix of instances, addresses and limits, in one batch or two: the batches match one-by-one (property)', async () => {
      await open();
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom('x', 'y', 'z')), { minLength: 1, maxLength: 24 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 6 }),
          fc.nat(24),
          async (senders, perInstance, perAddress, split) => {
            // Each run counts in a window of its own, so that runs do not share counters.
            const windowStart = `2026-11-20T12:00:00.${String(++round).padStart(3, '0')}Z`;
            const items = senders.map(([instance, address]) => {
              // Instances of their own too: an instance is counted from its reports stored in the window.
              const item = pending(round * 10 + instance, address, { perInstance, perAddress });
              item.limits = item.limits.map((l) => ({ ...l, windowStart, key: `${l.key}#${round}` }));
              return item;
            });
            // A second batch in the same window finds the counters and stored reports of the first.
            const first = await store.acceptBatch(items.slice(0, split));
            const second = await store.acceptBatch(items.slice(split));
            assert.deepEqual([...first, ...second], oneByOne(items));
            // (PostgreSQL creates a batch's counters before deciding: a refused report's may stay at 0.)
            const counters = Object.fromEntries(
              (await rowsOf(files, 'rate_windows')).filter((w) => w.window_start === windowStart && Number(w.hits) > 0).map((w) => [w.key, Number(w.hits)]),
            );
            const expected: Record<string, number> = {};
            oneByOne(items).forEach((r, i) => {
              if (r.accepted) for (const l of items[i].limits) if (l.instanceId === undefined) expected[l.key] = (expected[l.key] ?? 0) + 1;
            });
            assert.deepEqual(counters, expected);
          },
        ),
        { seed: 20261126, numRuns: kind === 'sqlite' ? 60 : 25 },
      );
    });

    // PostgreSQL only: two SQLite connections in one process cannot take turns (each waits for the
    // lock synchronously, blocking the other's commit); SQLite serialises collectors by its one writer.
    if (kind === 'postgres') it('two collectors on one database: an instance reporting to both at once gets exactly one report in', async () => {
      await withSecondCollector(async (other) => {
        const limits = { perInstance: 1, perAddress: 10_000 };
        for (let round = 0; round < 20; round++) {
          // Each batch also carries reports of other instances, in another order, so that locks interleave.
          const instance = 500 + round;
          const a = [pending(instance, 'f', limits), pending(900 + round, 'f', limits)];
          const b = [pending(950 + round, 'g', limits), pending(instance, 'g', limits)];
          const [fromA, fromB] = await Promise.all([store.acceptBatch(a), other.acceptBatch(b)]);
          assert.equal([fromA[0], fromB[1]].filter((r) => r.accepted).length, 1, `round ${round}: ${JSON.stringify([fromA, fromB])}`);
          assert.ok(fromA[1].accepted && fromB[0].accepted);
        }
        const stored = (await rowsOf(files, 'reports')).filter((r) => Number(String(r.instance_id).slice(-3)) < 520);
        assert.equal(stored.length, 20, 'one report per contested instance');
      });
    });

    // The address counter is one row that both collectors count in: each must wait for the other's
    // commit before reading it (a row lock), or both would read 0 and both accept.
    if (kind === 'postgres') it('two collectors on one database: an address at its limit gets exactly one report in, whichever collector it reaches', async () => {
      await withSecondCollector(async (other) => {
        const limits = { perInstance: 10, perAddress: 2 };
        for (let round = 0; round < 20; round++) {
          const address = `shared-${round}`;
          // The counter row exists already (a new one would make the second insert wait on the
          // unique index anyway): only its lock can keep the two apart.
          assert.deepEqual(await store.acceptBatch([pending(1000 + round, address, limits)]), [{ accepted: true }]);
          const [fromA, fromB] = await Promise.all([store.acceptBatch([pending(1100 + round, address, limits)]), other.acceptBatch([pending(1200 + round, address, limits)])]);
          assert.equal([fromA[0], fromB[0]].filter((r) => r.accepted).length, 1, `round ${round}: ${JSON.stringify([fromA, fromB])}`);
        }
        assert.equal((await rowsOf(files, 'reports')).length, 40, 'two reports per address');
      });
    });

    it('a batch that fails stores none of its reports and moves no counter, and every caller hears of it', async () => {
      await open();
      const limits = { perInstance: 5, perAddress: 50 };
      assert.deepEqual(await store.acceptBatch([pending(10, 'c', limits)]), [{ accepted: true }]);
      const before = { reports: (await rowsOf(files, 'reports')).length, windows: await rowsOf(files, 'rate_windows') };
      // The database itself refuses the batch: its fourth report has no OS type, which a column requires.
      const broken = pending(14, 'c', limits);
      broken.report.environment.osType = null as unknown as string;
      const batch = [pending(11, 'c', limits), pending(12, 'c', limits), pending(13, 'd', limits), broken, pending(15, 'c', limits)];
      const writer = new GroupCommit(store, { maxBatch: batch.length, maxDelayMs: 50 });
      const outcomes = await Promise.allSettled(batch.map((item) => writer.accept(item)));
      assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
      assert.equal((await rowsOf(files, 'reports')).length, before.reports);
      assert.deepEqual(await rowsOf(files, 'rate_windows'), before.windows);
      // The writer goes on: the next batch commits.
      assert.deepEqual(await writer.accept(pending(16, 'c', limits)), { accepted: true });
    });

    it('a batch whose insert the database refuses part-way (rows before it already written by the same statement) stores none', async () => {
      await open();
      // The database refuses one row in the middle of the batch's insert, after the statement wrote the
      // rows before it. On SQLite the trigger fails the statement and keeps those rows, as the store's
      // `or fail` insert does: only the transaction's rollback can take them back.
      if (kind === 'sqlite') {
        await sql`create trigger refuse_one before insert on reports when new.extra like '%refused%' begin select raise(fail, 'refused'); end`.execute(store.db);
      } else {
        await sql`create function refuse_one() returns trigger language plpgsql as $$ begin if new.extra like '%refused%' then raise exception 'refused'; end if; return new; end $$`.execute(store.db);
        await sql`create trigger refuse_one before insert on reports for each row execute function refuse_one()`.execute(store.db);
      }
      const limits = { perInstance: 5, perAddress: 50 };
      assert.deepEqual(await store.acceptBatch([pending(20, 'f', limits)]), [{ accepted: true }]);
      const before = { reports: await rowsOf(files, 'reports'), windows: await rowsOf(files, 'rate_windows') };
      const batch = [pending(21, 'f', limits), pending(22, 'f', limits), pending(23, 'g', limits), pending(24, 'f', limits, 'refused'), pending(25, 'g', limits)];
      await assert.rejects(store.acceptBatch(batch), /refused/);
      assert.deepEqual(await rowsOf(files, 'reports'), before.reports);
      assert.deepEqual(await rowsOf(files, 'rate_windows'), before.windows);
      // A failed batch, too, leaves the connection durable at commit for the writes that are not batches.
      if (kind === 'sqlite') assert.equal(await synchronous(), 2);
      // The connection is left with no transaction open: the same reports, less the refused one, commit.
      const accepted = await store.acceptBatch(batch.filter((_, i) => i !== 3));
      assert.deepEqual(accepted, Array(4).fill({ accepted: true }));
      assert.equal((await rowsOf(files, 'reports')).length, before.reports.length + 4);
    });

    // SQLite only: a full disk, made by capping the database's size.
    if (kind === 'sqlite') it('a batch that fills the disk stores none, fails saying so, and the next commits once there is room', async () => {
      await open();
      const limits = { perInstance: 5, perAddress: 500 };
      assert.deepEqual(await store.acceptBatch([pending(30, 'h', limits)]), [{ accepted: true }]);
      const before = await rowsOf(files, 'reports');
      const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
      await sql`pragma max_page_count = ${sql.lit(rows[0].page_count)}`.execute(store.db);
      const batch = Array.from({ length: 200 }, (_, i) => pending(31 + i, 'h', limits));
      // SQLite's own error, not the failed rollback of a transaction it already rolled back itself.
      await assert.rejects(store.acceptBatch(batch), /database or disk is full/);
      assert.deepEqual(await rowsOf(files, 'reports'), before);
      await sql`pragma max_page_count = 1073741823`.execute(store.db);
      assert.deepEqual(await store.acceptBatch(batch), Array(200).fill({ accepted: true }));
      assert.equal((await rowsOf(files, 'reports')).length, before.length + 200);
    });

    // SQLite only: its batches commit without waiting for the disk, and WalSync makes them durable.
    if (kind === 'sqlite') it('a batch commits without SQLite waiting for the disk, and a write that is not a batch still waits', async () => {
      await open();
      // Inserted at FULL, a report is refused: the trigger reads the connection's setting as the insert runs.
      await sql`create trigger at_full before insert on reports when (select synchronous from pragma_synchronous) = 2 begin select raise(fail, 'inserted at synchronous=FULL'); end`.execute(store.db);
      const limits = { perInstance: 1, perAddress: 50 };
      assert.deepEqual(await store.acceptBatch([pending(35, 'l', limits), pending(36, 'l', limits)]), [{ accepted: true }, { accepted: true }]);
      assert.equal(await synchronous(), 2);
      await assert.rejects(
        store.db.insertInto('reports').values({ day: 1, received_at: 0, instance: Buffer.alloc(16), ip_hash: Buffer.alloc(32), environment: 1, extra: null, insights: null }).execute(),
        /inserted at synchronous=FULL/,
      );
    });

    if (kind === 'sqlite') it('a batch is answered only once its write-ahead log is synced, and other writes stay durable at their commit', async () => {
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let syncAsked = (): void => undefined;
      const asked = new Promise<void>((resolve) => (syncAsked = resolve));
      /** The real sync, held back until the test lets it go. */
      class HeldSync extends WalSync {
        override async sync(): Promise<void> {
          syncAsked();
          await held;
          return super.sync();
        }
      }
      await open({ walSync: (file) => new HeldSync(file) });
      const item = pending(40, 'i', { perInstance: 1, perAddress: 50 });
      let answered = false;
      const answer = store.acceptBatch([item]).then((results) => {
        answered = true;
        return results;
      });
      await asked;
      // Committed (another connection reads it), and not answered while the disk has not confirmed it.
      assert.ok((await rowsOf(files, 'reports')).some((r) => r.extra === item.report.extra));
      for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(answered, false, 'answered before its write-ahead log was synced');
      // Back to FULL before the sync: an erasure or a roll-up meanwhile is durable when its commit returns.
      assert.equal(await synchronous(), 2);
      release();
      assert.deepEqual(await answer, [{ accepted: true }]);
    });

    if (kind === 'sqlite') it('the file synced is the log SQLite writes, also for a database reached through a symbolic link', async () => {
      const synced: string[] = [];
      const recording = (file: string) => {
        synced.push(file);
        return new WalSync(file);
      };
      await open({ walSync: recording });
      assert.deepEqual(synced, [path.join(realpathSync(files.dataDir), 'collector.sqlite-wal')]);
      await store.close();

      const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'nrt-batch-target-'));
      try {
        writeFileSync(path.join(elsewhere, 'real.sqlite'), '');
        files = await freshStore('sqlite');
        symlinkSync(path.join(elsewhere, 'real.sqlite'), path.join(files.dataDir, 'collector.sqlite'));
        store = await storeOnFiles({ walSync: recording });
        assert.deepEqual(await store.acceptBatch([pending(45, 'm', { perInstance: 1, perAddress: 50 })]), [{ accepted: true }]);
        assert.equal(synced[1], path.join(realpathSync(elsewhere), 'real.sqlite-wal'));
        assert.ok(existsSync(synced[1]), 'SQLite wrote its log there');
        assert.equal(existsSync(path.join(files.dataDir, 'collector.sqlite-wal')), false);
      } finally {
        rmSync(elsewhere, { recursive: true, force: true });
      }
    });

    if (kind === 'sqlite') it('once the disk fails a sync, that batch fails though committed, and every later write and the health check fail without writing', async () => {
      // Linux refuses to sync /dev/null (EINVAL), as a failing disk refuses a sync.
      await open({ walSync: () => new WalSync('/dev/null') });
      const limits = { perInstance: 1, perAddress: 50 };
      const first = pending(50, 'j', limits);
      await assert.rejects(store.acceptBatch([first]), (err) => err instanceof DurabilityLost && /EINVAL/.test(err.message));
      // Its commit came before the sync: the report is there, though its sender was told of a failure.
      const stored = await rowsOf(files, 'reports');
      assert.ok(stored.some((r) => r.extra === first.report.extra));
      const windows = await rowsOf(files, 'rate_windows');
      const salts = await rowsOf(files, 'salts');
      await assert.rejects(store.acceptBatch([pending(51, 'j', limits), pending(52, 'k', limits)]), DurabilityLost);
      await assert.rejects(store.erase(first.report.instanceId), DurabilityLost);
      await assert.rejects(store.secretFor('2026-11-21', () => 'a fresh secret'), DurabilityLost);
      await assert.rejects(rollUpDay(store, '2026-11-20', '2026-11-21T00:00:00.000Z'), DurabilityLost);
      await assert.rejects(store.prune({ reportsBefore: '2026-11-21', windowsBefore: '2026-11-21T00:00:00.000Z', today: '2026-11-21' }), DurabilityLost);
      await assert.rejects(store.ping(), DurabilityLost);
      // Checked where statements run, not by each method: a write no method of the store makes is refused too.
      const meta = await rowsOf(files, 'collector_meta');
      await assert.rejects(store.db.insertInto('collector_meta').values({ key: 'written after the failure', value: 'x' }).execute(), DurabilityLost);
      await assert.rejects(sql`delete from salts`.execute(store.db), DurabilityLost);
      assert.deepEqual(await rowsOf(files, 'collector_meta'), meta);
      assert.deepEqual(await rowsOf(files, 'reports'), stored);
      assert.deepEqual(await rowsOf(files, 'rate_windows'), windows);
      assert.deepEqual(await rowsOf(files, 'salts'), salts);
      assert.deepEqual(await rowsOf(files, 'aggregated_days'), []);
      // Reading goes on.
      assert.equal((await store.usage('2026-11-01', '2026-11-30')).length, 0);
    });

    if (kind === 'sqlite') it('a transaction during which durability is lost rolls back instead of committing', async () => {
      let sync: WalSync | undefined;
      await open({ walSync: (file) => (sync = new WalSync(file)) });
      const meta = await rowsOf(files, 'collector_meta');
      await assert.rejects(
        store.db.transaction().execute(async (trx) => {
          await trx.insertInto('collector_meta').values({ key: 'written before the failure', value: 'x' }).execute();
          sync!.fail('syncing the log failed', new Error('EIO'));
        }),
        DurabilityLost,
      );
      assert.deepEqual(await rowsOf(files, 'collector_meta'), meta);
    });

    if (kind === 'sqlite') it('a retention run under way when durability is lost stops at its next batch', async () => {
      let sync: WalSync | undefined;
      await open({ walSync: (file) => (sync = new WalSync(file)) });
      const limits = { perInstance: 1, perAddress: 1_000_000 };
      const expired = Array.from({ length: 2500 }, (_, i) => pending(2000 + i, 'n', limits));
      assert.equal((await store.acceptBatch(expired)).length, 2500);
      const pruning = store.prune({ reportsBefore: '2026-11-21', windowsBefore: '2026-11-01T00:00:00.000Z', today: '2026-11-21' });
      // In the pause after its first batch of deletes (SQLite's calls are synchronous: the batch is done before
      // the event loop turns, and the next one waits for a timer), the sync fails.
      setImmediate(() => sync!.fail('syncing the log failed', new Error('EIO')));
      await assert.rejects(pruning, DurabilityLost);
      assert.equal((await rowsOf(files, 'reports')).length, 2500 - 1000, 'one batch deleted, none after');
    });

    it('by default, reports that arrive in one turn of the event loop share a transaction, and none waits for a clock', async () => {
      await open();
      const { batches, counting } = countingBatches();
      const writer = new GroupCommit(counting);
      const limits = { perInstance: 1, perAddress: 10_000 };
      const together = await Promise.all(Array.from({ length: 40 }, (_, i) => writer.accept(pending(700 + i, 'h', limits))));
      assert.ok(together.every((r) => r.accepted));
      assert.deepEqual(batches, [40]);
      // Alone, a report goes at the end of its turn: a timer of even a millisecond would show here.
      const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const alone = writer.accept(pending(800, 'h', limits));
      assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, timers, 'no timer was set');
      assert.deepEqual(await alone, { accepted: true });
      assert.deepEqual(batches, [40, 1]);
    });

    it('concurrent reports share transactions, and each is answered only after its own batch committed', async () => {
      await open();
      const { batches, counting } = countingBatches();
      const writer = new GroupCommit(counting, { maxBatch: 64, maxDelayMs: 5 });
      const limits = { perInstance: 1, perAddress: 10_000 };
      const storedWhenAnswered: boolean[] = [];
      const results = await Promise.all(
        Array.from({ length: 300 }, async (_, i) => {
          const item = pending(100 + i, 'e', limits);
          const result = await writer.accept(item);
          // Read through another connection (for every 30th): the row is there as soon as its caller hears back.
          if (i % 30 === 0) storedWhenAnswered.push((await rowsOf(files, 'reports')).some((r) => r.extra === item.report.extra));
          return result;
        }),
      );
      assert.ok(results.every((r) => r.accepted));
      assert.deepEqual(storedWhenAnswered, Array(10).fill(true), 'a report was answered before its batch committed');
      assert.equal(batches.reduce((a, b) => a + b, 0), 300);
      assert.ok(batches.length <= 10, `300 concurrent reports took ${batches.length} transactions`);
      assert.ok(Math.max(...batches) <= 64);
      assert.equal((await rowsOf(files, 'reports')).length, 300);
    });
  });
}
