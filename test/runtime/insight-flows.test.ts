import assert from 'node:assert/strict';
import { DEFAULT_FEATURES } from '../helpers/insight';
import { fixture, modulesBesideNodeRed, useNodeRed } from '../helpers/node-red';

const ID = '5'.repeat(32);

/**
 * A flow configuration with every kind of object Node-RED has, and secrets
 * in every place a secret can be: names, labels, ids, info, code, URLs,
 * credentials and non-core types. The `flows` group must count it exactly
 * and carry none of it.
 */
const FLOWS = [
  { id: 'idTabAlpha', type: 'tab', label: 'SecretTabAlpha', disabled: false, info: 'SecretInfoText' },
  { id: 'idTabBeta', type: 'tab', label: 'SecretDisabledBeta', disabled: true, info: '' },
  {
    id: 'idSubflowGamma', type: 'subflow', name: 'SecretSubflowGamma', info: '', category: '',
    in: [{ x: 50, y: 30, wires: [{ id: 'idFnInside' }] }], out: [{ x: 300, y: 30, wires: [{ id: 'idFnInside', port: 0 }] }],
  },
  { id: 'idFnInside', type: 'function', z: 'idSubflowGamma', name: 'SecretInsideFn', func: 'return msg; // SECRET_CODE_1', outputs: 1, x: 150, y: 30, wires: [[]] },
  { id: 'idGroupDelta', type: 'group', z: 'idTabAlpha', name: 'SecretGroupDelta', nodes: ['idInjectOne', 'idDebugOne'], style: { label: true }, x: 10, y: 10, w: 300, h: 100 },
  { id: 'idJunction', type: 'junction', z: 'idTabAlpha', x: 200, y: 60, wires: [['idDebugOne']] },
  { id: 'idBroker', type: 'mqtt-broker', name: 'SecretBrokerName', broker: 'secret-broker.example.com', port: '1883', autoConnect: false, credentials: { user: 'SecretUser', password: 'SecretPassword' } },
  { id: 'idSecretConfig', type: 'nrt-secret-config', name: 'SecretConfigName' },
  { id: 'idInjectOne', type: 'inject', z: 'idTabAlpha', g: 'idGroupDelta', name: 'SecretInjectName', props: [{ p: 'payload' }], payload: 'SecretPayload', payloadType: 'str', repeat: '', once: false, x: 100, y: 60, wires: [['idJunction', 'idFnOne']] },
  { id: 'idDebugOne', type: 'debug', z: 'idTabAlpha', g: 'idGroupDelta', name: 'SecretDebugName', active: false, x: 300, y: 60, wires: [] },
  { id: 'idFnOne', type: 'function', z: 'idTabAlpha', name: 'SecretFunctionName', func: 'return msg; // SECRET_CODE_2', outputs: 1, x: 100, y: 120, wires: [['idChange']] },
  { id: 'idChange', type: 'change', z: 'idTabAlpha', name: 'SecretChangeName', rules: [{ t: 'set', p: 'SecretProperty', pt: 'msg', to: 'x', tot: 'str' }], x: 200, y: 120, wires: [['idInstanceOne']] },
  { id: 'idInstanceOne', type: 'subflow:idSubflowGamma', z: 'idTabAlpha', name: 'SecretInstanceOne', x: 300, y: 120, wires: [['idInstanceTwo']] },
  { id: 'idInstanceTwo', type: 'subflow:idSubflowGamma', z: 'idTabAlpha', x: 400, y: 120, wires: [['idSecretNode']] },
  { id: 'idMqttIn', type: 'mqtt in', z: 'idTabAlpha', name: 'SecretMqttName', topic: 'secret/topic', qos: '0', broker: 'idBroker', inputs: 0, x: 100, y: 180, wires: [['idDebugOne']] },
  { id: 'idHttpIn', type: 'http in', z: 'idTabAlpha', name: 'SecretHttpName', url: '/secret-endpoint', method: 'get', x: 100, y: 240, wires: [[]] },
  { id: 'idSecretNode', type: 'nrt-secret-type', z: 'idTabAlpha', name: 'SecretNonCoreName', x: 500, y: 120, wires: [] },
  { id: 'idDebugTwo', type: 'debug', z: 'idTabBeta', name: 'SecretDebugTwo', active: false, x: 300, y: 60, wires: [] },
  { id: 'idInjectTwo', type: 'inject', z: 'idTabBeta', name: '', props: [], repeat: '', once: false, x: 100, y: 60, wires: [['idDebugTwo']] },
];

/** Every string in the configuration that is not a core type name: none may appear in a payload. */
function secretsOf(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => secretsOf(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => secretsOf(v, out));
  return out;
}
const CORE_OR_SHAPE = new Set(['tab', 'subflow', 'function', 'group', 'junction', 'mqtt-broker', 'inject', 'debug', 'change', 'mqtt in', 'http in', 'payload', 'str', 'set', 'msg', 'x', 'get', '0', '1883', '', 'return msg; // SECRET_CODE_1'.slice(0, 0)]);
const SECRETS = [...secretsOf(FLOWS)].filter((s) => !CORE_OR_SHAPE.has(s) && s.length > 1);

describe('runtime: the flows, features and environment groups against real flows', function () {
  this.timeout(60000);
  const { collector, red } = useNodeRed({
    collector: 'suite',
    red: ({ url }) => ({
      settings: { telemetry: { url, initialDelay: '1s', interval: '2s', include: ['flows', 'features', 'environment'] } },
      runtimeSettings: { 'node-red-telemetry': { instanceId: ID, choice: true, covered: ['flows', 'features', 'environment'] } },
      modules: [fixture('node-red-contrib-nrt-fixture')],
    }),
  });

  before(async () => {
    await red.waitForLog(/Started flows/);
    const deployed = await red.api('POST', '/flows', FLOWS, undefined, { 'Node-RED-Deployment-Type': 'full' });
    assert.equal(deployed.status, 204, JSON.stringify(deployed.body));
    await red.waitForLog(/Started flows[\s\S]*Started flows/, 10000);
  });

  it('the secrets checked for are really in the deployed flows (or this test proves nothing)', async () => {
    const flows = await red.api('GET', '/flows');
    const text = JSON.stringify(flows.body);
    for (const secret of ['SecretTabAlpha', 'nrt-secret-type', 'nrt-secret-config', 'SecretNonCoreName', 'idSubflowGamma', 'SECRET_CODE_2']) assert.ok(text.includes(secret), secret);
    assert.ok(SECRETS.length > 40, `${SECRETS.length} secrets`);
  });

  it('counts exactly, in the preview and in the report the collector receives', async () => {
    const expected = {
      tabs: 2,
      disabledTabs: 1,
      subflows: 1,
      subflowInstances: 2,
      nodes: 12,
      configNodes: 2,
      groups: 1,
      junctions: 1,
      wires: 9,
      modules: 1 + modulesBesideNodeRed(),
      types: { inject: 2, debug: 2, function: 2, change: 1, 'mqtt in': 1, 'http in': 1, other: 1 },
    };
    const status = await red.api('GET', '/telemetry');
    assert.deepEqual(status.body.preview.flows, expected);
    const deployedAt = Date.now();
    const deadline = deployedAt + 15000;
    let body: any;
    while (Date.now() < deadline) {
      const after = collector.received.filter((r) => r.at > deployedAt);
      if (after.length > 0) {
        body = JSON.parse(after[0].body);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(body, 'a report after the deploy');
    assert.deepEqual(body.flows, expected);
    assert.deepEqual(Object.keys(body), ['instanceId', 'os', 'env', 'flows', 'features', 'environment']);
    assert.deepEqual(body.features, DEFAULT_FEATURES, "Node-RED's defaults: settings.js sets none of them");
    assert.equal(body.environment.cpus > 0, true);
    assert.ok(['<1h'].includes(body.environment.uptime));
  });

  it('no name, label, id, property, credential or non-core type appears anywhere in a payload', async () => {
    const payloads = [...collector.received.map((r) => r.body), JSON.stringify((await red.api('GET', '/telemetry')).body.preview)];
    assert.ok(payloads.length >= 2);
    for (const payload of payloads) {
      const leaked = SECRETS.filter((secret) => payload.includes(secret));
      assert.deepEqual(leaked, [], `leaked into ${payload}`);
    }
  });
});
