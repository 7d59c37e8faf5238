import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { CORE_NODE_TYPES, FullReport, INSIGHT_FIELDS, INSIGHT_GROUPS, INSIGHT_JSON_SCHEMAS, REPORT_JSON_SCHEMA } from '@node-red-telemetry/protocol';

/** The collector's validator settings (collector/src/http/app.ts): strict, no coercion, nothing removed. */
const ajv = new Ajv({ removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false, strict: true });
const validate = ajv.compile(REPORT_JSON_SCHEMA);

const full: FullReport = {
  instanceId: '0123456789abcdef0123456789abcdef',
  os: { type: 'Linux', release: '6.1.0', arch: 'x64' },
  env: { nodejs: '20.20.2', 'node-red': '4.1.15' },
  flows: { tabs: 2, disabledTabs: 1, subflows: 1, subflowInstances: 2, nodes: 9, configNodes: 1, groups: 1, junctions: 1, wires: 7, modules: 1, types: { inject: 1, debug: 2, other: 1 } },
  features: { adminAuth: false, httpNodeAuth: false, https: false, projects: false, contextStores: { memory: 1, localfilesystem: 0, other: 0 }, functionExternalModules: true, editorTheme: false, disableEditor: false, storage: 'default' },
  environment: { cpus: 4, memoryGiB: 8, diskFreeGiB: 100, container: 'docker', kubernetes: false, ci: false, officialDockerImage: true, piModel: 'none', uptime: '<1h' },
  lifecycle: {
    events: [
      { type: 'start', day: '2026-11-26' },
      { type: 'crash', day: '2026-11-26', error: 'TypeError', module: 'node-red-contrib-x' },
      { type: 'deploy', day: '2026-11-26', deploy: 'full', graph: { tabs: 1, disabledTabs: 0, subflows: 0, subflowInstances: 0, nodes: 2, configNodes: 0, groups: 0, junctions: 0, wires: 1 } },
    ],
  },
  ext: { 'node-red-contrib-acme': { queues: 3, broker: 'mosquitto', tls: true, none: null } },
};

function withChange(change: (r: any) => void): unknown {
  // any: a deep copy to break on purpose.
  const copy = JSON.parse(JSON.stringify(full));
  change(copy);
  return copy;
}

describe('schema: the insight groups', () => {
  it('a report with every group passes the schema the collector uses', () => {
    assert.ok(validate(full), JSON.stringify(validate.errors));
  });

  it('the base report alone still passes: every group is optional', () => {
    const { instanceId, os, env } = full;
    assert.ok(validate({ instanceId, os, env }));
  });

  const refused: Array<[string, (r: any) => void]> = [
    ['an undeclared group', (r) => (r.secrets = {})],
    ['an undeclared field in flows', (r) => (r.flows.names = ['a'])],
    ['a non-core type name in flows.types', (r) => (r.flows.types['node-red-contrib-x'] = 1)],
    ['a negative count', (r) => (r.flows.nodes = -1)],
    ['a fractional count', (r) => (r.flows.nodes = 1.5)],
    ['a count beyond the cap', (r) => (r.flows.wires = 1e9)],
    ['an unknown container', (r) => (r.environment.container = 'vmware')],
    ['zero CPUs', (r) => (r.environment.cpus = 0)],
    ['a string for a boolean', (r) => (r.features.https = 'yes')],
    ['an unknown storage kind', (r) => (r.features.storage = 's3')],
    ['a crash message', (r) => (r.lifecycle.events[1].message = 'boom')],
    ['a crash module that is a path', (r) => (r.lifecycle.events[1].module = '/home/me/x.js')],
    ['a malformed day', (r) => (r.lifecycle.events[0].day = '26/11/2026')],
    ['an unknown event type', (r) => (r.lifecycle.events[0].type = 'reboot')],
    ['101 events', (r) => (r.lifecycle.events = Array.from({ length: 101 }, () => ({ type: 'start', day: '2026-11-26' })))],
    ['a nested provider value', (r) => (r.ext['node-red-contrib-acme'].deep = { a: 1 })],
    ['a provider id with a space', (r) => (r.ext['bad id'] = {})],
    ['9 providers', (r) => (r.ext = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`p${i}`, {}])))],
    ['a long provider string', (r) => (r.ext['node-red-contrib-acme'].broker = 'x'.repeat(129))],
  ];
  for (const [label, change] of refused) {
    it(`refuses ${label}`, () => {
      assert.equal(validate(withChange(change)), false);
    });
  }

  it('the exported lists match the schema (one source for the collector)', () => {
    for (const group of INSIGHT_GROUPS) {
      const schema = INSIGHT_JSON_SCHEMAS[group] as { properties: Record<string, unknown> };
      assert.deepEqual(Object.keys(schema.properties), [...INSIGHT_FIELDS[group]], group);
      assert.ok(group in REPORT_JSON_SCHEMA.properties);
      assert.ok(!(REPORT_JSON_SCHEMA.required as readonly string[]).includes(group));
    }
    assert.deepEqual(Object.keys(INSIGHT_JSON_SCHEMAS.flows.properties.types.properties), [...CORE_NODE_TYPES, 'other']);
  });

  it('CORE_NODE_TYPES is exactly what Node-RED registers, less config nodes and junctions', () => {
    const core = path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'core');
    const registered = new Set<string>();
    for (const dir of readdirSync(core)) {
      for (const file of readdirSync(path.join(core, dir)).filter((f) => f.endsWith('.js'))) {
        for (const m of readFileSync(path.join(core, dir, file), 'utf8').matchAll(/registerType\(\s*["']([^"']+)["']/g)) registered.add(m[1]);
      }
    }
    for (const notCounted of ['mqtt-broker', 'websocket-listener', 'websocket-client', 'tls-config', 'http proxy', 'global-config', 'junction']) {
      assert.ok(registered.delete(notCounted), notCounted);
    }
    assert.deepEqual([...registered].sort(), [...CORE_NODE_TYPES].sort());
  });
});
