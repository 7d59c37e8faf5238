import assert from 'node:assert/strict';
import os from 'node:os';
import { buildReport } from '../../src/report';

describe('report', () => {
  it('carries exactly the documented fields', () => {
    const report = buildReport('0123456789abcdef0123456789abcdef', '4.1.15');
    assert.deepEqual(report, {
      instanceId: '0123456789abcdef0123456789abcdef',
      os: { type: os.type(), release: os.release(), arch: os.arch() },
      env: { nodejs: process.versions.node, 'node-red': '4.1.15' },
    });
    assert.deepEqual(Object.keys(report), ['instanceId', 'os', 'env']);
    assert.deepEqual(Object.keys(report.os), ['type', 'release', 'arch']);
    assert.deepEqual(Object.keys(report.env), ['nodejs', 'node-red']);
  });
});

describe('report: insight groups', () => {
  const sources = {
    flows: () => ({ tabs: 1, disabledTabs: 0, subflows: 0, subflowInstances: 0, nodes: 1, configNodes: 0, groups: 0, junctions: 0, wires: 0, modules: 0, types: { inject: 1 } }),
    features: () => { throw new Error('features not covered: never read'); },
    environment: () => { throw new Error('environment not covered: never read'); },
  };

  it('carries only the selected groups, after the base fields, and reads nothing else', () => {
    const report = buildReport('0123456789abcdef0123456789abcdef', '4.1.15', {
      groups: ['flows', 'lifecycle'],
      sources,
      events: [{ type: 'start', day: '2026-11-26' }],
      ext: { acme: { n: 1 } },
    });
    assert.deepEqual(Object.keys(report), ['instanceId', 'os', 'env', 'flows', 'lifecycle', 'ext']);
    assert.deepEqual(report.lifecycle, { events: [{ type: 'start', day: '2026-11-26' }] });
  });

  it('no group and no provider is the base payload, byte for byte', () => {
    const report = buildReport('0123456789abcdef0123456789abcdef', '4.1.15', { groups: [], sources, events: [], ext: {} });
    assert.deepEqual(Object.keys(report), ['instanceId', 'os', 'env']);
  });

  it('flows before Node-RED started any is left out, not sent as zeros', () => {
    const report = buildReport('0123456789abcdef0123456789abcdef', '4.1.15', { groups: ['flows'], sources: { ...sources, flows: () => null }, events: [], ext: {} });
    assert.equal('flows' in report, false);
  });
});
