import assert from 'node:assert/strict';
import type { FlowsInsight, InsightReport } from '@node-red-telemetry/protocol';
import { CountedRow, rollUp } from '../../src/rollup/rules';
import { countBucket, instanceInsight, memoryBucket } from '../../src/rollup/insight-values';
import { environmentOf, featuresOf } from '../helpers/insights';

const flows = (nodes: number, overrides: Partial<FlowsInsight> = {}): FlowsInsight => ({
  tabs: 2, disabledTabs: 0, subflows: 1, subflowInstances: 2, nodes, configNodes: 1, groups: 0, junctions: 0, wires: 7, modules: 3,
  types: { inject: 1, debug: 2, other: 4 },
  ...overrides,
});
const features = featuresOf({ contextStores: { memory: 1, localfilesystem: 1, other: 0 }, functionExternalModules: true });
const environment = environmentOf({ memoryGiB: 8, diskFreeGiB: 120 });

const row = (instanceId: string, insights: InsightReport | null = null, nodeRed = '4.1.0'): CountedRow => ({
  instanceId, nodeRed, nodejs: '20.11.1', osType: 'Linux', arch: 'x64', client: 'node-red-telemetry', insights,
});

const valuesOf = (report: ReturnType<typeof rollUp>, dimension: string) =>
  Object.fromEntries(report.counts.filter((c) => c.dimension === dimension).map((c) => [c.value, c.instances]));

describe('insight roll-up (pure)', () => {
  it('buckets counts and sizes at their edges', () => {
    const counts: Array<[number, string]> = [[0, '0'], [1, '1'], [2, '2-5'], [5, '2-5'], [6, '6-10'], [10, '6-10'], [11, '11-50'], [50, '11-50'], [51, '51-100'], [100, '51-100'], [101, '101-500'], [500, '101-500'], [501, '>500'], [1_000_000, '>500']];
    for (const [n, label] of counts) assert.equal(countBucket(n), label, String(n));
    const sizes: Array<[number, string]> = [[0, '<1'], [1, '1'], [2, '2'], [3, '3-4'], [4, '3-4'], [8, '5-8'], [16, '9-16'], [32, '17-32'], [64, '33-64'], [65, '>64']];
    for (const [n, label] of sizes) assert.equal(memoryBucket(n), label, String(n));
  });

  it('flows: buckets per field, instances per core type used, and fleet sums; the last snapshot of the day counts', () => {
    const day = rollUp([
      row('a', { flows: flows(3) }),
      row('a', { flows: flows(12) }),
      row('b', { flows: flows(700, { types: { function: 5 } }) }),
      row('c'),
    ]);
    assert.deepEqual(valuesOf(day, 'flows.nodes'), { '11-50': 1, '>500': 1 });
    assert.deepEqual(valuesOf(day, 'flows.types'), { inject: 1, debug: 1, other: 1, function: 1 });
    assert.deepEqual(valuesOf(day, 'insight.groups'), { flows: 2 });
    const sums = Object.fromEntries(day.sums.map((s) => [s.metric, s.total]));
    assert.equal(sums['flows.nodes'], 712, 'the last snapshot of a, plus b');
    assert.equal(sums['flows.wires'], 14);
    assert.equal(day.instances, 3);
    assert.equal(day.reports, 4);
  });

  it('features and environment: one count per value, booleans as "true"/"false", sizes bucketed', () => {
    const day = rollUp([row('a', { features, environment }), row('b', { features: { ...features, adminAuth: false, storage: 'other' } })]);
    assert.deepEqual(valuesOf(day, 'features.adminAuth'), { true: 1, false: 1 });
    assert.deepEqual(valuesOf(day, 'features.contextStores'), { memory: 2, localfilesystem: 2 });
    assert.deepEqual(valuesOf(day, 'features.storage'), { default: 1, other: 1 });
    assert.deepEqual(valuesOf(day, 'environment.container'), { docker: 1 });
    assert.deepEqual(valuesOf(day, 'environment.memoryGiB'), { '5-8': 1 });
    assert.deepEqual(valuesOf(day, 'environment.diskFreeGiB'), { '>64': 1 });
    assert.deepEqual(valuesOf(day, 'environment.officialDockerImage'), { true: 1 });
    assert.deepEqual(valuesOf(day, 'environment.cpus'), { '2-5': 1 });
  });

  it('lifecycle: instances per event type and per crashing module, event totals summed, across every report of the day', () => {
    const day = rollUp([
      row('a', { lifecycle: { events: [{ type: 'start', day: '2026-11-20' }, { type: 'crash', day: '2026-11-20', error: 'TypeError', module: 'node-red-contrib-x' }] } }),
      row('a', { lifecycle: { events: [{ type: 'start', day: '2026-11-20' }, { type: 'deploy', day: '2026-11-20', deploy: 'full', graph: { tabs: 1, disabledTabs: 0, subflows: 0, subflowInstances: 0, nodes: 2, configNodes: 0, groups: 0, junctions: 0, wires: 1 } }] } }),
      row('b', { lifecycle: { events: [{ type: 'crash', day: '2026-11-19', error: 'RangeError', module: 'unknown' }] } }),
    ]);
    assert.deepEqual(valuesOf(day, 'lifecycle.events'), { start: 1, crash: 2, deploy: 1 });
    assert.deepEqual(valuesOf(day, 'lifecycle.crash.module'), { 'node-red-contrib-x': 1, unknown: 1 });
    assert.deepEqual(valuesOf(day, 'lifecycle.crash.error'), { TypeError: 1, RangeError: 1 });
    assert.deepEqual(valuesOf(day, 'lifecycle.deploy'), { full: 1 });
    const sums = Object.fromEntries(day.sums.map((s) => [s.metric, s.total]));
    assert.deepEqual(sums, { 'lifecycle.events.crash': 2, 'lifecycle.events.deploy': 1, 'lifecycle.events.start': 2 });
  });

  it("lifecycle: an error name that is not a built-in one (an older plugin's, a class the user wrote) is counted as other", () => {
    const day = rollUp([
      row('a', { lifecycle: { events: [{ type: 'crash', day: '2026-11-20', error: 'AcmeSecretPaymentError', module: 'local' }] } }),
      row('b', { lifecycle: { events: [{ type: 'crash', day: '2026-11-20', error: 'TypeError', module: 'local' }] } }),
    ]);
    assert.deepEqual(valuesOf(day, 'lifecycle.crash.error'), { other: 1, TypeError: 1 });
    assert.deepEqual(valuesOf(day, 'lifecycle.crash.module'), { local: 2 });
  });

  it('providers: instances per provider id, never their values', () => {
    const values = instanceInsight([{ ext: { 'node-red-contrib-fleet': { devices: 3, region: 'eu-west-secret' } } }]).values;
    assert.deepEqual(values, [['ext.providers', 'node-red-contrib-fleet']]);
  });

  it('base dimensions keep their meaning: an instance that upgraded counts once, under its last version of the day', () => {
    const day = rollUp([row('a', null, '4.1.0'), row('a', null, '4.1.2'), row('a', null, '4.1.2'), row('b', null, '4.1.2'), row('c', null, '4.1.2'), row('c', null, '4.1.0')]);
    assert.deepEqual(valuesOf(day, 'node-red'), { '4.1.2': 2, '4.1.0': 1 });
    assert.deepEqual(valuesOf(day, 'client'), { 'node-red-telemetry': 3 });
    assert.deepEqual(day.sums, []);
  });
});
