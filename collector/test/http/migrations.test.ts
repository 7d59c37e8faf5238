import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, sql } from 'kysely';
import { connect, StoreLocation } from '../../src/store/connect';
import { migrate } from '../../src/store/migrations';
import { Store } from '../../src/store/store';
import { StoreKind } from '../helpers/collector-process';
import { freshDatabase } from '../helpers/postgres';
import { rowsOf } from '../helpers/tables';

/**
 * A database as the first released collector left it, with reports in it,
 * brought to today's schema by opening it: every migration applies on both
 * stores, old reports keep their fields and say what they cannot know.
 */
const STORES: StoreKind[] = ['sqlite', 'postgres'];

for (const kind of STORES) {
  describe(`migrations from the first schema (${kind})`, function () {
    this.timeout(60_000);

    it('converts a database with reports in it: client "unknown", no groups, the new indexes, and the roll-up still counts them', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nrt-migrate-'));
      const databaseUrl = kind === 'postgres' ? await freshDatabase() : undefined;
      const location: StoreLocation = databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'sqlite', dataDir };
      const old = connect(location) as unknown as Kysely<unknown>;
      await migrate(old, '001_initial');
      for (const n of [1, 2]) {
        await sql`insert into reports (id, instance_id, received_at, day, ip_hash, os_type, os_release, os_arch, nodejs, node_red, extra)
                  values (${`old-${n}`}, ${`instance0000000${n}`}, '2026-11-01T10:00:00.000Z', '2026-11-01', 'ab', 'Linux', '6.1', 'x64', '20.11.1', '4.1.0', null)`.execute(old);
      }
      await old.destroy();

      const store = await Store.open(location);
      try {
        const rows = await rowsOf({ dataDir, databaseUrl }, 'reports');
        assert.deepEqual(
          rows.map((r) => [r.id, r.instance_id, r.node_red, r.client, r.country ?? null, r.insights ?? null]),
          [['old-1', 'instance00000001', '4.1.0', 'unknown', null, null], ['old-2', 'instance00000002', '4.1.0', 'unknown', null, null]],
        );
        const indexes =
          kind === 'sqlite'
            ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and name not like 'sqlite_%'`.execute(store.db)).rows
            : (await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = 'public'`.execute(store.db)).rows;
        const names = indexes.map((i) => i.name);
        for (const name of ['reports_day_instance', 'reports_instance', 'rate_windows_start']) assert.ok(names.includes(name), name);
        assert.equal(names.includes('reports_day'), false, 'the index the new one replaces is gone');

        const summary = await store.aggregateDay('2026-11-01', '2026-11-02T00:00:00.000Z');
        assert.deepEqual(summary, { day: '2026-11-01', instances: 2, reports: 2 });
        const [day] = await store.usage('2026-11-01', '2026-11-01');
        assert.deepEqual(day.counts.filter((c) => c.dimension === 'client'), [{ dimension: 'client', value: 'unknown', instances: 2 }]);
      } finally {
        await store.close();
      }
    });
  });
}
