import assert from 'node:assert/strict';
import type { FlowsInsight, InsightReport } from '@node-red-telemetry/protocol';
import { resolveConfig } from '../../src/config';
import { rollUpFinishedDay } from '../../src/rollup/daily-job';
import { InProcessCollector, report, startInProcess, StoreKind } from '../helpers/collector-process';
import { environmentOf, featuresOf } from '../helpers/insights';
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
const features = featuresOf();
const environment = environmentOf();
const crash = (module: string) => ({ lifecycle: { events: [{ type: 'start', day: DAY }, { type: 'crash', day: DAY, error: 'TypeError', module }] } });

for (const kind of STORES) {
  describe(`opt-in groups at the collector (${kind})`, function () {
    this.timeout(60_000);
    let collector: InProcessCollector | undefined;
    let files: StoreFiles;
    let instance = 0;
    let now = new Date(`${DAY}T12:00:00Z`);

    before(async () => {
      const config = { latest: '4.2.0', threshold: 3, rateLimit: { perInstance: 1, perAddress: 10_000 } };
      collector = await startInProcess({ store: kind, config, options: { now: () => now } });
      files = collector.files;
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
        ['a value outside its enumeration', { environment: { ...environment, container: 'vmware' } }, /environment\.container/],
        ['a crash carrying a path as its module', { lifecycle: { events: [{ type: 'crash', day: DAY, error: 'TypeError', module: '/home/me/x.js' }] } }, /lifecycle/],
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

    it('drops what a group carries beyond the schema (a newer client), and stores the rest', async () => {
      const newer = await send({
        flows: flows(3, { 'node-red-contrib-secret': 1 } as FlowsInsight['types']),
        features: { ...features, hostname: 'box-secret' },
        lifecycle: { events: [{ type: 'crash', day: DAY, error: 'TypeError', module: 'x', message: 'password=1' }] },
        secrets: { a: 'group-secret' },
      });
      assert.equal(newer.status, 200, JSON.stringify(newer.body));
      const stored = String((await rowsOf(files, 'reports')).at(-1)?.insights);
      for (const dropped of ['node-red-contrib-secret', 'box-secret', 'password=1', 'group-secret', 'secrets', 'hostname', 'message']) {
        assert.ok(!stored.includes(dropped), `${dropped} stored: ${stored}`);
      }
      assert.deepEqual(JSON.parse(stored).lifecycle, { events: [{ type: 'crash', day: DAY, error: 'TypeError', module: 'x' }] });
    });

    it('stores the groups a report carried with it, and nothing for a report without any', async () => {
      const plain = await send({});
      assert.equal(plain.status, 200);
      const full = await send({ flows: flows(12), features, environment, ...crash('node-red-contrib-a'), ext: { 'fleet-metrics': { devices: 3 } } });
      assert.equal(full.status, 200);
      const rows = await rowsOf(files, 'reports');
      const stored = rows.slice(-2).map((r) => (r.insights ? JSON.parse(r.insights as string) : null));
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
      const usage = (await res.json()) as {
        days: Array<{ counts: Array<{ dimension: string; value: string; instances: number | null; fewerThan?: number }>; sums: Record<string, number> }>;
      };
      const [day] = usage.days;
      const of = (dimension: string) =>
        Object.fromEntries(day.counts.filter((c) => c.dimension === dimension).map((c) => [c.value, c.instances ?? `fewer than ${c.fewerThan}`]));
      // With the instance of the test that drops undeclared fields: it sent flows (3 nodes), features and a crash in "x".
      assert.deepEqual(of('insight.groups'), { lifecycle: 6, flows: 5, other: 3 }, 'features (2) and environment (1): each below 3, together 3');
      // An "other" under the threshold is never a number: where each instance counts once (5 instances sent flows,
      // less 4 would give the 1 away) the smallest value joins it…
      assert.deepEqual(of('flows.nodes'), { other: 5 });
      assert.deepEqual(of('flows.types'), { inject: 4, debug: 4, other: 4 });
      // …and where an instance counts under several values (each module it crashed in), it is "fewer than" the threshold.
      assert.deepEqual(of('lifecycle.crash.module'), { 'node-red-contrib-a': 4, other: 'fewer than 3' });
      assert.deepEqual(of('lifecycle.events'), { crash: 6, start: 5 });
      assert.equal(day.sums['flows.nodes'], 3 + 12 + 3 + 4 + 5);
      assert.equal(day.sums['lifecycle.events.crash'], 6);
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
