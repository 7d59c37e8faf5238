import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FeaturesInsight, InsightReport } from '@node-red-telemetry/protocol';
import { rollUp, RollUp } from '../../src/rollup/rules';
import { addDays } from '../../src/days';
import { parseInsights, reportRow } from '../../src/ingest/report-rules';
import { MIXED_PAGE, ROLLUP_PAGE } from '../../src/store/day-rows';
import { rollUpDay } from '../../src/rollup/daily-job';
import { PendingReport, Store } from '../../src/store/store';
import { freshStore, openStore, report, StoreKind } from '../helpers/collector-process';
import { featuresOf } from '../helpers/insights';

/**
 * The store counts a day in SQL per environment and reads the rest (instances
 * with several environments, reports with opt-in groups) in pages, one
 * instance at a time: whatever the layout across pages (an instance split by
 * a page boundary, one with more reports than a page), and for any mix of
 * environments and groups, the roll-up is the one the pure rule gives over all
 * the day's rows at once.
 */
const STORES: StoreKind[] = ['sqlite', 'postgres'];
const DAY = '2026-11-20';

const FEATURES = featuresOf();

function pendingOf(instance: number, n: number, nodeRed: string, nodejs = '20.11.1', groups: Partial<InsightReport> = {}, day = DAY): PendingReport {
  const receivedAt = new Date(Date.parse(`${day}T00:00:00Z`) + n * 1000);
  const row = reportRow(report({ env: { nodejs, 'node-red': nodeRed }, ...groups }, instance), { receivedAt, addressHash: 'ab', client: 'other' }, {});
  return { report: row, limits: [] };
}

/** The pure rule over the same reports. */
function expectedOf(items: readonly PendingReport[]): RollUp {
  return rollUp(items.map(({ report: r }) => ({ instanceId: r.instanceId, ...r.environment, insights: parseInsights(r.insights) })));
}

/** What the store published for `day`, in a form to compare with the pure rule's. */
async function storedOf(store: Store, day: string): Promise<{ counts: string[]; sums: string[] }> {
  const [stored] = await store.usage(day, day);
  return {
    counts: (stored?.counts ?? []).map((c) => `${c.dimension}=${c.value}:${c.instances}`).sort(),
    sums: ((await store.sums(day, day)).get(day) ?? []).map((s) => `${s.metric}:${s.total}`).sort(),
  };
}

function asStored(expected: RollUp): { counts: string[]; sums: string[] } {
  return { counts: expected.counts.map((c) => `${c.dimension}=${c.value}:${c.instances}`).sort(), sums: expected.sums.map((s) => `${s.metric}:${s.total}`).sort() };
}

for (const kind of STORES) {
  describe(`roll-up in pages (${kind})`, function () {
    this.timeout(180_000);

    it('counts a day spanning several pages exactly as the pure rule does over all of its rows', async () => {
      const store = await openStore(await freshStore(kind));
      try {
        const items: PendingReport[] = [];
        // A page less two of instances with one report; one of three that upgraded (it straddles the
        // first page's end); one with more reports than a page; then 1,000 more single ones after it.
        const singles = ROLLUP_PAGE - 2;
        const long = ROLLUP_PAGE + 1000;
        // Every one of them sent opt-in groups too, so that those are read in pages as well.
        const features = (adminAuth: boolean, storage: FeaturesInsight['storage'] = 'default') => ({ features: { ...FEATURES, adminAuth, storage } });
        for (let i = 1; i <= singles; i++) items.push(pendingOf(i, 0, i % 3 ? '4.1.0' : '4.0.9', i % 7 ? '20.11.1' : '18.20.4', features(i % 2 === 0)));
        // Three in five of them also reported after a Node.js upgrade: more than a page of instances
        // with two environments, which the store reads out one at a time.
        const mixed = Array.from({ length: singles }, (_, i) => i + 1).filter((i) => i % 5 < 3);
        assert.ok(mixed.length > MIXED_PAGE);
        for (const i of mixed) items.push(pendingOf(i, 1, i % 3 ? '4.1.0' : '4.0.9', '22.11.0', features(i % 2 === 0)));
        for (let n = 0; n < 3; n++) items.push(pendingOf(singles + 1, n, ['4.0.9', '4.1.0', '4.1.2'][n], '20.11.1', features(true)));
        for (let n = 0; n < long; n++) {
          items.push(pendingOf(singles + 2, n, n < long - 1 ? '4.1.0' : '5.0.7', n < long - 1 ? '20.11.1' : '22.11.0', features(true, n < long - 1 ? 'default' : 'other')));
        }
        for (let i = singles + 3; i <= singles + 1002; i++) items.push(pendingOf(i, 0, '4.1.2', '20.11.1', features(false)));
        for (let i = 0; i < items.length; i += 1000) await store.acceptBatch(items.slice(i, i + 1000));

        const summary = await rollUpDay(store, DAY, '2026-11-21T00:00:00.000Z');
        const expected = expectedOf(items);
        assert.deepEqual(summary, { day: DAY, instances: singles + 1002, reports: items.length });
        assert.equal(expected.instances, singles + 1002);
        const stored = await storedOf(store, DAY);
        assert.deepEqual(stored, asStored(expected));
        assert.ok(stored.counts.includes('node-red=5.0.7:1'), 'the last report of the long instance, on the last page, is counted');
        assert.ok(stored.counts.includes('features.storage=other:1'), 'the last groups of the long instance, read on their own, are counted');
      } finally {
        await store.close();
      }
    });

    it('any mix of environments, upgrades, countries and groups: the store counts exactly as the pure rule (property)', async () => {
      const store = await openStore(await freshStore(kind));
      const reportOf = fc.record({
        nodeRed: fc.constantFrom('4.0.9', '4.1.0', 'not-semver'),
        nodejs: fc.constantFrom('18.20.4', '20.11.1'),
        osType: fc.constantFrom('Linux', 'Darwin'),
        release: fc.constantFrom('6.1', '6.8'),
        client: fc.constantFrom('node-red-core', 'other'),
        country: fc.constantFrom(null, 'US', 'GB'),
        storage: fc.constantFrom(undefined, 'default' as const, 'other' as const),
      });
      let run = 0;
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(fc.array(reportOf, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 25 }), async (instances) => {
            // Each run a day of its own in the one store.
            const day = addDays(DAY, -1 - run++);
            const items = instances.flatMap((reports, i) =>
              reports.map((r, n) => {
                const item = pendingOf(i + 1, n, r.nodeRed, r.nodejs, r.storage ? { features: { ...FEATURES, storage: r.storage } } : {}, day);
                Object.assign(item.report.environment, { osType: r.osType, osRelease: r.release, client: r.client, country: r.country });
                return item;
              }),
            );
            await store.acceptBatch(items);
            const summary = await rollUpDay(store, day, '2026-12-01T00:00:00.000Z');
            const expected = expectedOf(items);
            assert.deepEqual(summary, { day, instances: expected.instances, reports: expected.reports });
            assert.deepEqual(await storedOf(store, day), asStored(expected));
          }),
          { seed: 20261126, numRuns: kind === 'sqlite' ? 40 : 15 },
        );
      } finally {
        await store.close();
      }
    });
  });
}
