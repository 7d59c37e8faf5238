import assert from 'node:assert/strict';
import { Kysely, sql } from 'kysely';
import { connect } from '../../src/store/connect';
import { migrate } from '../../src/store/migrations';
import { rollUp } from '../../src/rollup/rules';
import { rollUpDay } from '../../src/rollup/daily-job';
import { parseInsights } from '../../src/ingest/report-rules';
import { freshStore, locationOf, openStore, StoreKind } from '../helpers/collector-process';
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
      const files = await freshStore(kind);
      const old = connect(locationOf(files)) as unknown as Kysely<unknown>;
      await migrate(old, kind, '001_initial');
      for (const n of [1, 2]) {
        await sql`insert into reports (id, instance_id, received_at, day, ip_hash, os_type, os_release, os_arch, nodejs, node_red, extra)
                  values (${`old-${n}`}, ${`instance0000000${n}`}, '2026-11-01T10:00:00.000Z', '2026-11-01', 'ab', 'Linux', '6.1', 'x64', '20.11.1', '4.1.0', null)`.execute(old);
      }
      for (const key of ['instance:instance00000001', 'address:ab']) {
        await sql`insert into rate_windows (key, window_start, hits) values (${key}, '2026-11-01T10:00:00.000Z', 2)`.execute(old);
      }
      await old.destroy();

      const store = await openStore(files);
      try {
        assert.deepEqual(
          (await rowsOf(files, 'rate_windows')).map((w) => [w.key, w.window_start, Number(w.hits)]),
          [['address:ab', '2026-11-01T10:00:00.000Z', 2]],
          'an address counter of the hour survives its table being re-keyed; instances are counted from their reports now',
        );
        const rows = await rowsOf(files, 'reports');
        assert.deepEqual(
          rows.map((r) => [r.instance_id, r.day, r.received_at, r.ip_hash, r.node_red, r.os_release, r.client, r.country ?? null, r.insights ?? null]),
          [1, 2].map((n) => [`instance0000000${n}`, '2026-11-01', '2026-11-01T10:00:00.000Z', 'ab', '4.1.0', '6.1', 'unknown', null, null]),
        );
        const indexes =
          kind === 'sqlite'
            ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and name not like 'sqlite_%'`.execute(store.db)).rows
            : (await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = 'public'`.execute(store.db)).rows;
        const names = indexes.map((i) => i.name);
        for (const name of ['reports_day_instance', 'reports_insights', 'environments_values']) assert.ok(names.includes(name), name);
        for (const gone of ['reports_day', 'reports_instance', 'rate_windows_start']) assert.equal(names.includes(gone), false, `${gone}, which the packed tables need no more, is gone`);

        const summary = await rollUpDay(store, '2026-11-01', '2026-11-02T00:00:00.000Z');
        assert.deepEqual(summary, { day: '2026-11-01', instances: 2, reports: 2 });
        const [day] = await store.usage('2026-11-01', '2026-11-01');
        assert.deepEqual(day.counts.filter((c) => c.dimension === 'client'), [{ dimension: 'client', value: 'unknown', instances: 2 }]);
      } finally {
        await store.close();
      }
    });

    it('packs the reports an earlier collector stored: every field reads back, the roll-up counts them alike, erasure finds them', async () => {
      const files = await freshStore(kind);
      const old = connect(locationOf(files)) as unknown as Kysely<unknown>;
      await migrate(old, kind, '005_roll_up_and_retention_indexes');
      const hexId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
      const hash = 'ab'.repeat(32);
      const insights = JSON.stringify({
        features: {
          adminAuth: true, httpNodeAuth: false, https: false, projects: false, contextStores: { memory: 1, localfilesystem: 0, other: 0 },
          functionExternalModules: false, editorTheme: false, disableEditor: false, storage: 'default',
        },
      });
      // More rows than one page of the conversion, from a few environments, across two days.
      const rows = Array.from({ length: 5003 }, (_, n) => ({
        id: `old-${String(n).padStart(5, '0')}`,
        instance_id: n === 0 ? hexId : `instance${String(n % 2500).padStart(8, '0')}`,
        received_at: `2026-11-0${1 + (n % 2)}T10:00:${String(n % 60).padStart(2, '0')}.000Z`,
        day: `2026-11-0${1 + (n % 2)}`,
        ip_hash: hash,
        os_type: n % 3 ? 'Linux' : 'Darwin',
        os_release: '6.1',
        os_arch: 'x64',
        nodejs: '20.11.1',
        node_red: n % 5 ? '4.1.0' : '4.0.9',
        extra: n === 1 ? '{"tabs":2}' : null,
        client: 'node-red-telemetry',
        country: n % 4 === 0 ? 'US' : null,
        insights: n % 7 === 0 ? insights : null,
      }));
      for (let i = 0; i < rows.length; i += 500) await (old as Kysely<{ reports: (typeof rows)[number] }>).insertInto('reports').values(rows.slice(i, i + 500)).execute();
      await old.destroy();

      const store = await openStore(files);
      try {
        const stored = await rowsOf(files, 'reports');
        const fields = (r: Record<string, unknown>) =>
          JSON.stringify([r.instance_id, r.received_at, r.day, r.ip_hash, r.os_type, r.os_release, r.os_arch, r.nodejs, r.node_red, r.extra, r.client, r.country, r.insights]);
        assert.deepEqual(stored.map(fields).sort(), rows.map(fields).sort());

        for (const day of ['2026-11-01', '2026-11-02']) {
          await rollUpDay(store, day, '2026-11-03T00:00:00.000Z');
          // Oldest first, as the rule reads them: an instance counts under its last report's values.
          const expected = rollUp(
            rows
              .filter((r) => r.day === day)
              .sort((a, b) => a.received_at.localeCompare(b.received_at))
              .map((r) => ({ instanceId: r.instance_id, nodeRed: r.node_red, nodejs: r.nodejs, osType: r.os_type, arch: r.os_arch, client: r.client, country: r.country, insights: parseInsights(r.insights) })),
          );
          const [usage] = await store.usage(day, day);
          assert.equal(usage.instances, expected.instances);
          assert.deepEqual(usage.counts.map((c) => `${c.dimension}=${c.value}:${c.instances}`).sort(), expected.counts.map((c) => `${c.dimension}=${c.value}:${c.instances}`).sort());
        }
        assert.equal(await store.erase(hexId), 1);
        assert.equal(await store.erase('instance00000001'), 3, 'on both days');
        assert.equal((await rowsOf(files, 'reports')).length, rows.length - 4);
      } finally {
        await store.close();
      }
    });
  });
}
