import assert from 'node:assert/strict';
import { OTHER, publish, rollUp, UsageRow } from '../../src/rollup/rules';

const row = (instanceId: string, nodeRed = '4.1.0', nodejs = '20.11.1', osType = 'Linux', arch = 'x64', client = 'node-red-telemetry'): UsageRow => ({
  instanceId,
  nodeRed,
  nodejs,
  osType,
  arch,
  client,
});

const count = (dimension: string, value: string, instances: number) => ({ dimension, value, instances });

describe('aggregate (pure)', () => {
  it('counts distinct instances, overall and per value', () => {
    const result = rollUp([row('a'), row('a'), row('b', '4.0.0'), row('c', '4.1.0', '18.0.0', 'Darwin', 'arm64', 'node-red-core')]);
    assert.equal(result.instances, 3);
    assert.equal(result.reports, 4);
    assert.deepEqual(
      result.counts.map((c) => `${c.dimension}:${c.value}=${c.instances}`),
      ['node-red:4.1.0=2', 'node-red:4.0.0=1', 'nodejs:20.11.1=2', 'nodejs:18.0.0=1', 'os:Linux=2', 'os:Darwin=1', 'arch:x64=2', 'arch:arm64=1', 'client:node-red-telemetry=2', 'client:node-red-core=1'],
    );
  });

  it('counts an instance that upgraded during the day once, under its last version, in every dimension', () => {
    const result = rollUp([row('a', '4.0.0', '18.0.0'), row('a', '4.1.0', '20.11.1', 'Darwin'), row('b', '4.1.0', '20.11.1', 'Linux')]);
    assert.equal(result.instances, 2);
    assert.equal(result.reports, 3);
    assert.deepEqual(
      result.counts.filter((c) => c.dimension !== 'client' && c.dimension !== 'arch').map((c) => `${c.dimension}:${c.value}=${c.instances}`),
      ['node-red:4.1.0=2', 'nodejs:20.11.1=2', 'os:Darwin=1', 'os:Linux=1'],
    );
    for (const dimension of ['node-red', 'nodejs', 'os', 'arch', 'client']) {
      assert.equal(result.counts.filter((c) => c.dimension === dimension).reduce((n, c) => n + c.instances, 0), result.instances, dimension);
    }
  });

  it('is empty for a day without reports', () => {
    assert.deepEqual(rollUp([]), { instances: 0, reports: 0, counts: [], sums: [] });
  });

  it('merges counts below the threshold into "other", per dimension, and keeps those at it', () => {
    const counts = [
      count('os', 'Linux', 5),
      count('os', 'Darwin', 4),
      count('os', 'Windows_NT', 1),
      count('arch', 'x64', 10),
    ];
    assert.deepEqual(publish(counts, 5), [
      count('os', 'Linux', 5),
      count('os', OTHER, 5),
      count('arch', 'x64', 10),
    ]);
    assert.deepEqual(publish(counts, 1).length, 4, 'a threshold of 1 hides nothing');
  });

  it('never publishes an "other" under the threshold: the smallest value joins it where each instance counts once, else "fewer than"', () => {
    const counts = [
      count('os', 'Linux', 40),
      count('os', 'Darwin', 7),
      count('os', 'Windows_NT', 7),
      count('os', 'FreeBSD', 3),
      count('arch', 'x64', 4),
      count('country', 'US', 6),
      count('insight.groups', 'flows', 30),
      count('insight.groups', 'features', 2),
      count('flows.nodes', '2-5', 27),
      count('flows.nodes', '11-50', 3),
    ];
    assert.deepEqual(publish(counts, 5), [
      count('os', 'Linux', 40),
      count('os', 'Darwin', 7),
      // FreeBSD alone would be 3, which 57 active instances less 40 + 7 + 7 would give away: Windows_NT (7, last by name) goes too.
      count('os', OTHER, 10),
      // Nothing to add to it: hidden.
      { dimension: 'arch', value: OTHER, instances: null, fewerThan: 5 },
      count('country', 'US', 6),
      count('flows.nodes', OTHER, 30),
      // A group count adds up to nothing published (an instance sends several): hidden, nothing merged.
      count('insight.groups', 'flows', 30),
      { dimension: 'insight.groups', value: OTHER, instances: null, fewerThan: 5 },
    ]);
    assert.ok(publish(counts, 5).every((c) => c.instances === null || c.instances >= 5));
  });

  it('folds a reported value that is literally "other" into the merged row', () => {
    assert.deepEqual(
      publish([count('os', OTHER, 9), count('os', 'Plan9', 1)], 5),
      [count('os', OTHER, 10)],
    );
  });
});
