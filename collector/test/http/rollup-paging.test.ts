import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rollUp } from '../../src/aggregate';
import { reportRow } from '../../src/report-rules';
import { PendingReport, ROLLUP_PAGE, Store } from '../../src/store/store';
import { report, StoreKind } from '../helpers/collector-process';
import { freshDatabase } from '../helpers/postgres';

/**
 * The store reads a day in pages, one instance at a time: whatever the
 * layout across pages (an instance split by a page boundary, one with more
 * reports than a page), the roll-up is the one the pure rule gives over all
 * the day's rows at once.
 */
const STORES: StoreKind[] = ['sqlite', 'postgres'];
const DAY = '2026-11-20';

function pendingOf(instance: number, n: number, nodeRed: string, nodejs = '20.11.1'): PendingReport {
  const receivedAt = new Date(Date.parse(`${DAY}T00:00:00Z`) + n * 1000);
  const row = reportRow(report({ env: { nodejs, 'node-red': nodeRed } }, instance), { id: `r${instance}-${n}`, receivedAt, addressHash: 'h', client: 'other' }, {});
  return { report: row, limits: [] };
}

for (const kind of STORES) {
  describe(`roll-up in pages (${kind})`, function () {
    this.timeout(180_000);

    it('counts a day spanning several pages exactly as the pure rule does over all of its rows', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nrt-paging-'));
      const url = kind === 'postgres' ? await freshDatabase() : undefined;
      const store = await Store.open(url ? { kind: 'postgres', url } : { kind: 'sqlite', dataDir });
      try {
        const items: PendingReport[] = [];
        // A page less two of instances with one report; one of three that upgraded (it straddles the
        // first page's end); one with more reports than a page; then 1,000 more single ones after it.
        const singles = ROLLUP_PAGE - 2;
        const long = ROLLUP_PAGE + 1000;
        for (let i = 1; i <= singles; i++) items.push(pendingOf(i, 0, i % 3 ? '4.1.0' : '4.0.9', i % 7 ? '20.11.1' : '18.20.4'));
        for (let n = 0; n < 3; n++) items.push(pendingOf(singles + 1, n, ['4.0.9', '4.1.0', '4.1.2'][n]));
        for (let n = 0; n < long; n++) items.push(pendingOf(singles + 2, n, n < long - 1 ? '4.1.0' : '5.0.7', n < long - 1 ? '20.11.1' : '22.11.0'));
        for (let i = singles + 3; i <= singles + 1002; i++) items.push(pendingOf(i, 0, '4.1.2'));
        for (let i = 0; i < items.length; i += 1000) await store.acceptBatch(items.slice(i, i + 1000));

        const summary = await store.aggregateDay(DAY, '2026-11-21T00:00:00.000Z');
        const expected = rollUp(
          items.map(({ report: r }) => ({ instanceId: r.instance_id, nodeRed: r.node_red, nodejs: r.nodejs, osType: r.os_type, arch: r.os_arch, client: r.client })),
        );
        assert.deepEqual(summary, { day: DAY, instances: singles + 1002, reports: items.length });
        assert.equal(expected.instances, singles + 1002);
        const [stored] = await store.usage(DAY, DAY);
        const byKey = (counts: typeof stored.counts) => counts.map((c) => `${c.dimension}=${c.value}:${c.instances}`).sort();
        assert.deepEqual(byKey(stored.counts), byKey(expected.counts));
        const versions = Object.fromEntries(stored.counts.filter((c) => c.dimension === 'node-red').map((c) => [c.value, c.instances]));
        assert.equal(versions['5.0.7'], 1, 'the last report of the long instance, on the last page, is counted');
      } finally {
        await store.close();
      }
    });
  });
}
