import assert from 'node:assert/strict';
import type { InsightReport } from '@node-red-telemetry/protocol';
import { csvFileName } from '../../src/dashboard/csv';
import { breakdownOf, publishDays } from '../../src/dashboard/data';
import { orderDimensions, sectionOf, TITLES, titleOf } from '../../src/dashboard/dimensions';
import { rollUp } from '../../src/rollup/rules';
import type { DayUsage } from '../../src/store/store';
import { environmentOf, featuresOf } from '../helpers/insights';

/** Every group with every kind of value the roll-up counts. */
const EVERYTHING: InsightReport = {
  flows: { tabs: 2, disabledTabs: 1, subflows: 1, subflowInstances: 2, nodes: 9, configNodes: 1, groups: 1, junctions: 1, wires: 7, modules: 1, types: { inject: 1, other: 1 } },
  features: featuresOf(),
  environment: environmentOf(),
  lifecycle: {
    events: [
      { type: 'start', day: '2026-11-20' },
      { type: 'crash', day: '2026-11-20', error: 'TypeError', module: 'local' },
      { type: 'deploy', day: '2026-11-20', deploy: 'full', graph: { tabs: 1, disabledTabs: 0, subflows: 0, subflowInstances: 0, nodes: 2, configNodes: 0, groups: 0, junctions: 0, wires: 1 } },
    ],
  },
  editor: { sessions: 2, actions: { 'core:deploy-flows': 3, other: 1 }, languages: { de: 2 }, themes: { dark: 2 }, viewports: { phone: 2 } },
  ext: { 'node-red-contrib-acme': { queues: 3 } },
};

function day(counts: Array<[string, string, number]>): DayUsage {
  return { day: '2026-11-20', instances: 100, reports: 100, counts: counts.map(([dimension, value, instances]) => ({ dimension, value, instances })) };
}

const valuesOf = (dimension: string, counts: Array<[string, number]>, group: 'exact' | 'minor' | 'major' = 'exact') =>
  breakdownOf(publishDays([day(counts.map(([value, n]) => [dimension, value, n]))], 5)[0], dimension, group).values.map((v) => v.value);

describe('dashboard dimensions (pure)', () => {
  it('every dimension the roll-up counts has a title and a section of the page', () => {
    const env = { nodeRed: '4.1.15', nodejs: '20.20.2', osType: 'Linux', arch: 'x64', client: 'node-red-telemetry', country: 'DE' };
    const counted = new Set(rollUp([{ instanceId: 'a', ...env, insights: EVERYTHING }]).counts.map((c) => c.dimension));
    assert.ok(counted.size >= 40, [...counted].join(', '));
    assert.deepEqual([...counted].filter((d) => !(d in TITLES)), [], 'a dimension without a title');
    assert.deepEqual([...counted].filter((d) => sectionOf(d) === 'Other dimensions'), [], 'a dimension without a section');
    assert.equal(titleOf('flows.nodes'), 'Nodes');
    assert.equal(titleOf('environment.memoryGiB'), 'Memory (GiB)');
    assert.equal(titleOf('acme.queues'), 'acme.queues', 'an unknown dimension is shown under its own name');
    assert.equal(sectionOf('os'), 'Every report');
    assert.equal(sectionOf('country'), 'Every report');
    assert.equal(sectionOf('features.https'), 'Features (opt-in)');
  });

  it('orders dimensions as the page shows them: the base report, country, then each group field by field; unknown ones last by name', () => {
    assert.deepEqual(
      orderDimensions(['zz.unknown', 'lifecycle.events', 'flows.nodes', 'environment.cpus', 'country', 'os', 'node-red', 'features.https', 'flows.tabs', 'insight.groups', 'client', 'aa.unknown']),
      ['node-red', 'os', 'client', 'country', 'insight.groups', 'flows.tabs', 'flows.nodes', 'features.https', 'environment.cpus', 'lifecycle.events', 'aa.unknown', 'zz.unknown'],
    );
  });

  it('buckets and closed lists read in their own order, not by count; "other" last', () => {
    assert.deepEqual(valuesOf('flows.nodes', [['101-500', 40], ['0', 9], ['11-50', 90], ['>500', 6], ['2-5', 20], ['other', 7]]), ['0', '2-5', '11-50', '101-500', '>500', 'other']);
    assert.deepEqual(valuesOf('environment.memoryGiB', [['>64', 5], ['9-16', 50], ['<1', 6], ['2', 30]]), ['<1', '2', '9-16', '>64']);
    assert.deepEqual(valuesOf('environment.uptime', [['>30d', 60], ['<1h', 5], ['1d-7d', 20]]), ['<1h', '1d-7d', '>30d']);
    assert.deepEqual(valuesOf('features.https', [['false', 80], ['true', 20]]), ['true', 'false']);
    assert.deepEqual(valuesOf('environment.piModel', [['none', 80], ['5', 9], ['zero', 6], ['4', 20]]), ['none', 'zero', '4', '5']);
    assert.deepEqual(valuesOf('insight.groups', [['lifecycle', 9], ['flows', 50], ['environment', 40]]), ['flows', 'environment', 'lifecycle']);
  });

  it('versions read newest first, in every grouping; anything not a version after them', () => {
    assert.deepEqual(valuesOf('node-red', [['4.1.15', 50], ['5.0.7', 10], ['4.1.9', 30], ['invalid', 6], ['3.1.0', 40]]), ['5.0.7', '4.1.15', '4.1.9', '3.1.0', 'invalid']);
    assert.deepEqual(valuesOf('node-red', [['4.1.15', 50], ['4.10.0', 6], ['5.0.7', 10], ['4.2.0', 30]], 'minor'), ['5.0', '4.10', '4.2', '4.1']);
    assert.deepEqual(valuesOf('nodejs', [['20.11.1', 90], ['24.11.1', 10], ['18.20.8', 30]], 'major'), ['24', '20', '18']);
  });

  it('the rest reads by count, most first, ties by name', () => {
    assert.deepEqual(valuesOf('os', [['Darwin', 20], ['Linux', 70], ['Windows_NT', 20]]), ['Linux', 'Darwin', 'Windows_NT']);
    assert.deepEqual(valuesOf('flows.types', [['debug', 9], ['inject', 30], ['other', 50]]), ['inject', 'debug', 'other']);
  });

  it('names a CSV download by what it holds and its days', () => {
    assert.equal(csvFileName('node-red', 'minor', '2026-08-23', '2026-11-20'), 'node-red-telemetry-node-red-by-minor-2026-08-23-to-2026-11-20.csv');
    assert.equal(csvFileName('instances', 'exact', '2026-08-23', '2026-11-20'), 'node-red-telemetry-instances-2026-08-23-to-2026-11-20.csv');
    assert.equal(csvFileName('os', 'exact', '2026-11-20', '2026-11-20'), 'node-red-telemetry-os-2026-11-20.csv');
    assert.equal(csvFileName('os', 'exact', null, null), 'node-red-telemetry-os-no-data.csv');
    assert.equal(csvFileName('a"b\\c', 'exact', null, null), 'node-red-telemetry-a_b_c-no-data.csv', 'nothing that could end the header value');
  });
});
