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
