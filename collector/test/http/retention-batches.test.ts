import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reportRow } from '../../src/report-rules';
import { PendingReport, PRUNE_BATCH, Store } from '../../src/store/store';
import { report, StoreKind } from '../helpers/collector-process';
import { freshDatabase } from '../helpers/postgres';

/**
 * Retention deletes expired reports in bounded batches: all of them go, none
 * that is still kept, and a report arriving meanwhile is stored while the
 * deletion is still under way instead of after it.
 */
const STORES: StoreKind[] = ['sqlite', 'postgres'];

function pendingOn(day: string, instance: number): PendingReport {
  const row = reportRow(report({}, instance), { id: `${day}-${instance}`, receivedAt: new Date(`${day}T10:00:00Z`), addressHash: 'h', client: 'other' }, {});
  // Each report opens its own hourly counter, so that expired counters are as many as expired reports.
  const windowStart = `${day}T10:00:00.000Z`;
  return { report: row, limits: [{ key: `instance:${row.instance_id}`, limit: 10, windowStart, windowEnd: `${day}T11:00:00.000Z` }] };
}

for (const kind of STORES) {
  describe(`retention in batches (${kind})`, function () {
    this.timeout(180_000);

    it('deletes every expired report, keeps the rest, and lets ingest in between its batches', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nrt-prune-'));
      const url = kind === 'postgres' ? await freshDatabase() : undefined;
      const store = await Store.open(url ? { kind: 'postgres', url } : { kind: 'sqlite', dataDir });
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
  });
}
