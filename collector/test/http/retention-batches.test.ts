import assert from 'node:assert/strict';
import { reportRow } from '../../src/ingest/report-rules';
import { PendingReport } from '../../src/store/store';
import { PRUNE_BATCH } from '../../src/store/retention-and-erasure';
import { freshStore, openStore, report, StoreKind } from '../helpers/collector-process';
import { rowsOf } from '../helpers/tables';

/**
 * Retention deletes expired reports in bounded batches: all of them go, none
 * that is still kept, and a report arriving meanwhile is stored while the
 * deletion is still under way instead of after it.
 */
const STORES: StoreKind[] = ['sqlite', 'postgres'];

function pendingOn(day: string, instance: number): PendingReport {
  const row = reportRow(report({}, instance), { receivedAt: new Date(`${day}T10:00:00Z`), addressHash: 'ab', client: 'other' }, {});
  // Each report opens its own hourly counter, so that expired counters are as many as expired reports.
  const windowStart = `${day}T10:00:00.000Z`;
  return { report: row, limits: [{ key: `address:${day}-${instance}`, limit: 10, windowStart, windowEnd: `${day}T11:00:00.000Z` }] };
}

for (const kind of STORES) {
  describe(`retention in batches (${kind})`, function () {
    this.timeout(180_000);

    it('deletes every expired report, keeps the rest, and lets ingest in between its batches', async () => {
      const store = await openStore(await freshStore(kind));
      try {
        const expired = PRUNE_BATCH * 6 + 37;
        const items = Array.from({ length: expired }, (_, i) => pendingOn('2026-08-01', i + 1));
        for (let i = 0; i < items.length; i += 1000) await store.acceptBatch(items.slice(i, i + 1000));
        await store.acceptBatch(Array.from({ length: 20 }, (_, i) => pendingOn('2026-11-19', i + 1)));

        const events: string[] = [];
        const pruning = store.prune({ reportsBefore: '2026-08-20', windowsBefore: '2026-11-20T00:00:00.000Z', today: '2026-11-20' }).then((r) => {
          events.push('prune done');
          return r;
        });
        // Arrives just after the deletion started.
        await new Promise((r) => setImmediate(r));
        let expiredLeftWhenStored: boolean | undefined;
        const arriving = store.acceptBatch([pendingOn('2026-11-20', 1)]).then(async () => {
          events.push('report stored');
          expiredLeftWhenStored = await store.hasReports('2026-08-01');
        });
        const [result] = await Promise.all([pruning, arriving]);

        assert.equal(result.reports, expired);
        assert.equal(result.windows, expired + 20, 'every counter that started before the cut, in batches too');
        // SQLite has one writer: a single DELETE would hold the report back until all is deleted.
        // PostgreSQL never blocks an insert behind a delete (MVCC), so there the order is free.
        if (kind === 'sqlite') {
          assert.deepEqual(events, ['report stored', 'prune done']);
          assert.equal(expiredLeftWhenStored, true, 'the report waited for one batch, not for the whole deletion');
        }
        else assert.deepEqual([...events].sort(), ['prune done', 'report stored']);
        assert.equal(await store.hasReports('2026-08-01'), false);
        assert.equal(await store.hasReports('2026-11-19'), true);
        assert.equal(await store.hasReports('2026-11-20'), true);
      } finally {
        await store.close();
      }
    });

    // SQLite only: on PostgreSQL every statement waits on the network, so the event loop turns
    // with or without the pause, and the check could not fail there.
    if (kind === 'sqlite') it('gives the event loop back between its batches: timers and requests run while it deletes, not only after', async () => {
      const store = await openStore(await freshStore('sqlite'));
      try {
        const batches = 5;
        const items = Array.from({ length: PRUNE_BATCH * batches }, (_, i) => pendingOn('2026-08-01', i + 1));
        for (let i = 0; i < items.length; i += 1000) await store.acceptBatch(items.slice(i, i + 1000));

        // Every statement runs on the event loop and one batch follows another by promises
        // alone: without the pause, nothing else (a timer, a socket read) would run until the
        // whole deletion ended.
        let turns = 0;
        let done = false;
        const spin = (): void => {
          if (done) return;
          turns++;
          setImmediate(spin);
        };
        const pruning = store.prune({ reportsBefore: '2026-08-20', windowsBefore: '2026-08-01T00:00:00.000Z', today: '2026-11-20' });
        setImmediate(spin);
        const result = await pruning;
        done = true;

        assert.equal(result.reports, PRUNE_BATCH * batches);
        // Full batches, then the one that finds fewer than a batch: a pause after each full one.
        assert.ok(turns >= batches, `the event loop turned ${turns} times during ${batches + 1} delete batches`);
      } finally {
        await store.close();
      }
    });

    it('deletes the environments only expired reports used, and a collector that remembered one stores its next report right', async () => {
      const files = await freshStore(kind);
      const store = await openStore(files);
      const on = (day: string, instance: number, release: string) => {
        const item = pendingOn(day, instance);
        item.report.environment.osRelease = release;
        return item;
      };
      try {
        // "old" is used only by expired reports; "both" by an expired and a kept one; "new" by a kept one.
        await store.acceptBatch([on('2026-08-01', 1, 'old'), on('2026-08-01', 2, 'both')]);
        await store.acceptBatch([on('2026-11-19', 3, 'both'), on('2026-11-19', 4, 'new')]);
        await store.prune({ reportsBefore: '2026-08-20', windowsBefore: '2026-11-20T00:00:00.000Z', today: '2026-11-20' });
        const releases = async () => (await rowsOf(files, 'environments')).map((e) => e.os_release).sort();
        assert.deepEqual(await releases(), ['both', 'new']);
        assert.deepEqual((await rowsOf(files, 'reports')).map((r) => [r.instance_id, r.os_release]).sort(), [
          ['instance00000003', 'both'],
          ['instance00000004', 'new'],
        ]);

        // This store (like any collector on the database) remembered "old"'s id; its next report from
        // that environment must get a stored one, not the deleted id.
        await store.acceptBatch([on('2026-11-20', 5, 'old')]);
        assert.deepEqual(await releases(), ['both', 'new', 'old']);
        const stored = await rowsOf(files, 'reports');
        assert.equal(stored.length, 3, 'every report joins its environment');
        assert.deepEqual(stored.find((r) => r.instance_id === 'instance00000005')?.os_release, 'old');
      } finally {
        await store.close();
      }
    });
  });
}
