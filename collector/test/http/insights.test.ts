import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EnvironmentInsight, FeaturesInsight, FlowsInsight, InsightReport } from '@node-red-telemetry/protocol';
import { RunningCollector, startCollector } from '../../src/collector';
import { CollectorConfig, DEFAULTS, resolveConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { rollUpFinishedDay } from '../../src/rollup/daily-job';
import { report, StoreKind } from '../helpers/collector-process';
import { freshDatabase } from '../helpers/postgres';
import { rowsOf, StoreFiles } from '../helpers/tables';

/**
 * The opt-in groups at the collector: validated strictly by the plugin's own
 * schema, stored with the report, rolled up per group with the "other"
 * threshold, on both stores.
 */
const STORES: StoreKind[] = ['sqlite', 'postgres'];
const DAY = '2026-11-20';

const flows = (nodes: number, types: FlowsInsight['types'] = { inject: 1, debug: 1, other: 2 }): FlowsInsight => ({
  tabs: 2, disabledTabs: 1, subflows: 1, subflowInstances: 2, nodes, configNodes: 1, groups: 1, junctions: 0, wires: 3, modules: 2, types,
});
const features: FeaturesInsight = {
  adminAuth: true, httpNodeAuth: false, https: false, projects: false,
  contextStores: { memory: 1, localfilesystem: 0, other: 0 },
  functionExternalModules: false, editorTheme: false, disableEditor: false, storage: 'default',
};
const environment: EnvironmentInsight = {
  cpus: 4, memoryGiB: 4, diskFreeGiB: 20, container: 'docker', kubernetes: false, ci: false, officialDockerImage: true, piModel: 'none', uptime: '1d-7d',
};
const crash = (module: string) => ({ lifecycle: { events: [{ type: 'start', day: DAY }, { type: 'crash', day: DAY, error: 'TypeError', module }] } });

for (const kind of STORES) {
  describe(`opt-in groups at the collector (${kind})`, function () {
    this.timeout(60_000);
    let collector: RunningCollector | undefined;
    let files: StoreFiles;
    let instance = 0;
    let now = new Date(`${DAY}T12:00:00Z`);

    before(async () => {
      files = { dataDir: mkdtempSync(path.join(os.tmpdir(), 'nrt-insights-')) };
      if (kind === 'postgres') files.databaseUrl = await freshDatabase();
      const config: CollectorConfig = { ...DEFAULTS, port: 0, data: files.dataDir, databaseUrl: files.databaseUrl, latest: '4.2.0', threshold: 3, rateLimit: { perInstance: 1, perAddress: 10_000 } };
      collector = await startCollector(config, createLogger('silent'), { now: () => now });
    });

    after(async () => {
      await collector?.stop();
    });

    async function send(groups: InsightReport | Record<string, unknown>): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
      const res = await fetch(`${collector!.url}/ping`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...report({}, ++instance), ...groups }),
      });
      return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
    }

    it('refuses a group that breaks the schema, naming the field, and stores nothing of it', async () => {
      const bad: Array<[string, Record<string, unknown>, RegExp]> = [
        ['a count of the wrong type', { flows: { ...flows(3), nodes: '3' } }, /flows\.nodes/],
        ['a negative count', { flows: { ...flows(3), wires: -1 } }, /flows\.wires/],
        ['a non-core node type by name', { flows: flows(3, { 'node-red-contrib-secret': 1 } as FlowsInsight['types']) }, /flows\.types/],
        ['an undeclared field in a group', { features: { ...features, hostname: 'box' } }, /features/],
        ['a value outside its enumeration', { environment: { ...environment, container: 'vmware' } }, /environment\.container/],
        ['a crash carrying a path as its module', { lifecycle: { events: [{ type: 'crash', day: DAY, error: 'TypeError', module: '/home/me/x.js' }] } }, /lifecycle/],
        ['a crash carrying its message', { lifecycle: { events: [{ type: 'crash', day: DAY, error: 'TypeError', module: 'x', message: 'password=1' }] } }, /lifecycle/],
        ['an unknown group', { secrets: { a: 1 } }, /secrets/],
      ];
      const before = (await rowsOf(files, 'reports')).length;
      for (const [name, groups, field] of bad) {
        const answer = await send(groups);
        assert.equal(answer.status, 400, name);
        assert.equal(answer.body.error?.code, 'invalid_report', name);
        assert.match(answer.body.error?.message ?? '', field, name);
      }
      assert.equal((await rowsOf(files, 'reports')).length, before);
    });

    it('stores the groups a report carried with it, and nothing for a report without any', async () => {
      const plain = await send({});
      assert.equal(plain.status, 200);
      const full = await send({ flows: flows(12), features, environment, ...crash('node-red-contrib-a'), ext: { 'fleet-metrics': { devices: 3 } } });
      assert.equal(full.status, 200);
      const rows = await rowsOf(files, 'reports');
      const stored = rows.slice(-2).map((r) => (r.insights ? JSON.parse(String(r.insights)) : null));
      assert.equal(stored[0], null);
      assert.deepEqual(Object.keys(stored[1]).sort(), ['environment', 'ext', 'features', 'flows', 'lifecycle']);
      assert.equal(stored[1].flows.nodes, 12);
    });

    it('rolls the groups up into buckets and values, with "other" below the threshold and totals only over enough instances', async () => {
      // Three more instances send flows and crash in one module; one crashes in a rare module.
      for (const nodes of [3, 4, 5]) assert.equal((await send({ flows: flows(nodes), ...crash('node-red-contrib-a') })).status, 200);
      assert.equal((await send({ ...crash('node-red-contrib-rare') })).status, 200);
      now = new Date('2026-11-21T01:00:00Z');
      const outcome = await rollUpFinishedDay(collector!.store, DAY, now, 90);
      assert.equal(outcome.status, 'aggregated');

      const res = await fetch(`${collector!.url}/api/usage?days=1`);
      const usage = (await res.json()) as { days: Array<{ counts: Array<{ dimension: string; value: string; instances: number }>; sums: Record<string, number> }> };
      const [day] = usage.days;
      const of = (dimension: string) => Object.fromEntries(day.counts.filter((c) => c.dimension === dimension).map((c) => [c.value, c.instances]));
      assert.deepEqual(of('insight.groups'), { flows: 4, lifecycle: 5, other: 2 }, 'features and environment: one instance each, below 3');
      assert.deepEqual(of('flows.nodes'), { '2-5': 3, other: 1 });
      assert.deepEqual(of('flows.types'), { inject: 4, debug: 4, other: 4 });
      assert.deepEqual(of('lifecycle.crash.module'), { 'node-red-contrib-a': 4, other: 1 });
      assert.deepEqual(of('lifecycle.events'), { start: 5, crash: 5 });
      assert.equal(day.sums['flows.nodes'], 12 + 3 + 4 + 5);
      assert.equal(day.sums['lifecycle.events.crash'], 5);
      assert.equal(day.sums['features.contextStores'], undefined);
      assert.equal(JSON.stringify(usage).includes('node-red-contrib-rare'), false, 'a module seen once is not published');
      assert.equal(JSON.stringify(usage).includes('fleet-metrics'), false, 'a provider seen once is not published');
    });
  });
}

describe('opt-in groups: operator settings', () => {
  it('an extra field cannot take a group\'s name', () => {
    const result = resolveConfig({ env: {}, flags: {}, file: { extraFields: { flows: 'number', ext: 'string', lifecycle: 'string' } } });
    assert.equal(result.ok, false);
    const problems = result.ok ? [] : result.problems;
    for (const name of ['flows', 'ext', 'lifecycle']) assert.ok(problems.some((p) => p.includes(`extraFields.${name}`)), name);
  });
});
