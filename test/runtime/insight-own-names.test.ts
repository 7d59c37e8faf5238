import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { LifecycleEvent } from '@node-red-telemetry/protocol';
import { TestCollector } from '../helpers/collector';
import { fixture, modulesBesideNodeRed, NodeRedProcess, useNodeRed } from '../helpers/node-red';

const ID = '8'.repeat(32);
const PROJECT = 'acme-plant7-secret-project';
const LOCAL_ERROR = 'AcmeSecretLocalError';
const FUNCTION_ERROR = 'AcmeSecretPaymentError';
const PHANTOM = 'node-red-contrib-acme-phantom';
const GROUPS = ['flows', 'features', 'environment', 'lifecycle'];

/** A local node under `<userDir>/nodes/`, whose nearest package.json is the user directory's own. */
const LOCAL_NODE_JS = `module.exports = function (RED) {
  class ${LOCAL_ERROR} extends Error {}
  function AcmeSecretCrasher(config) {
    RED.nodes.createNode(this, config);
    const timer = setTimeout(function acmeSecretExplode() { throw new ${LOCAL_ERROR}("acme secret local message"); }, Number(config.crashAfter));
    this.on("close", () => clearTimeout(timer));
  }
  RED.nodes.registerType("acme-secret-crasher", AcmeSecretCrasher);
};
`;
const LOCAL_NODE_HTML = `<script type="text/javascript">RED.nodes.registerType("acme-secret-crasher", { category: "function", defaults: { name: { value: "" }, crashAfter: { value: "1500" } }, inputs: 1, outputs: 0 });</script>`;

/** A Function node whose initialisation rejects a promise with a class of the user's, which nobody handles. */
const FUNCTION_FLOW = [
  { id: 'acmeTabFn', type: 'tab', label: 'AcmeSecretBillingTab' },
  {
    id: 'acmeFn', type: 'function', z: 'acmeTabFn', name: 'AcmeSecretBillingFunction', func: 'return msg;', outputs: 1,
    initialize: `class ${FUNCTION_ERROR} extends Error {}\nnew Promise((_, reject) => setTimeout(() => reject(new ${FUNCTION_ERROR}("acme secret payment message")), 1200));`,
    x: 100, y: 60, wires: [[]],
  },
];

const QUIET_FLOW = [
  { id: 'acmeTabQuiet', type: 'tab', label: 'AcmeSecretQuietTab' },
  { id: 'acmeInject', type: 'inject', z: 'acmeTabQuiet', name: 'AcmeSecretInject', props: [], repeat: '', once: false, x: 100, y: 60, wires: [['acmeFixtureNode']] },
  { id: 'acmeFixtureNode', type: 'nrt-secret-type', z: 'acmeTabQuiet', name: 'AcmeSecretFixtureNode', x: 300, y: 60, wires: [] },
];

const settings = (url: string): Record<string, unknown> => ({
  telemetry: { url, initialDelay: '1s', interval: '2s', include: GROUPS },
  runtimeState: { enabled: true },
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A hostile user's Node-RED: a project named after a plant, a local node and a
 * Function node that crash it with classes of their own, a listed module that
 * is not installed, and flows stopped, started, reloaded and deployed with a
 * missing type. No name of theirs may leave; reports go on whatever the flows do.
 */
describe("runtime: insight groups never carry a user's own names, and go on when flows stop", function () {
  this.timeout(180000);
  const { collector, start } = useNodeRed({ collector: 'suite' });
  let userDir = '';
  let red: NodeRedProcess | undefined;

  const reportsSince = async (since: number, count: number, timeoutMs = 20000): Promise<Array<Record<string, any>>> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = collector.received.filter((r) => r.at > since && r.method === 'POST');
      if (found.length >= count) return found.map((r) => JSON.parse(r.body) as Record<string, any>);
      if (Date.now() > deadline) throw new Error(`${found.length} of ${count} reports arrived`);
      await sleep(100);
    }
  };

  it('a local node that throws a class of its own: the crash is "local" / "other"', async () => {
    red = await start({
      settings: settings(collector.url),
      runtimeSettings: { 'node-red-telemetry': { instanceId: ID, choice: true, covered: GROUPS } },
      modules: [fixture('node-red-contrib-nrt-fixture')],
      files: {
        'package.json': JSON.stringify({
          name: PROJECT,
          private: true,
          // Listed, as the palette manager leaves them: one not installed, and this plugin itself.
          dependencies: { 'node-red-contrib-nrt-fixture': '1.0.0', [PHANTOM]: '9.9.9', 'node-red-telemetry': '0.1.0' },
        }),
        'nodes/acme-secret-crasher.js': LOCAL_NODE_JS,
        'nodes/acme-secret-crasher.html': LOCAL_NODE_HTML,
      },
    });
    userDir = red.userDir;
    await red.waitForLog(/Started flows/);
    const flows = [
      { id: 'acmeTabLocal', type: 'tab', label: 'AcmeSecretLocalTab' },
      { id: 'acmeCrasher', type: 'acme-secret-crasher', z: 'acmeTabLocal', name: 'AcmeSecretCrasherName', crashAfter: '1500', x: 100, y: 60, wires: [] },
    ];
    assert.equal((await red.api('POST', '/flows', flows, undefined, { 'Node-RED-Deployment-Type': 'full' })).status, 204);
    assert.equal(await red.waitForExit(15000), 1, 'Node-RED ended on the uncaught exception');
    assert.match(red.output, /acme secret local message/, 'the local node really crashed Node-RED');
  });

  it('a Function node that rejects with a class of its own: the crash is "local" / "other"', async () => {
    writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(FUNCTION_FLOW));
    red = await start({ userDir, settings: settings(collector.url) });
    assert.equal(await red.waitForExit(20000), 1, 'Node-RED ended on the unhandled rejection');
    assert.match(red.output, /acme secret payment message/, 'the Function node really crashed Node-RED');
  });

  it('after the restart, the crashes arrive with neither the project name nor the class names', async () => {
    writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(QUIET_FLOW));
    const since = Date.now();
    // Kept for the tests after this one.
    red = await start({ userDir, settings: settings(collector.url) }, 'suite');
    const crashes = (await reportsSince(since, 1))
      .flatMap((body) => (body.lifecycle?.events ?? []) as LifecycleEvent[])
      .concat(collector.received.filter((r) => r.at <= since).flatMap((r) => (JSON.parse(r.body).lifecycle?.events ?? []) as LifecycleEvent[]))
      .filter((e) => e.type === 'crash')
      .map(({ day: _day, ...rest }) => rest);
    // Two crashes; one may arrive twice, had Node-RED crashed between a delivery and its acknowledgement.
    assert.ok(crashes.length >= 2, JSON.stringify(crashes));
    for (const crash of crashes) assert.deepEqual(crash, { type: 'crash', error: 'other', module: 'local' });
  });

  it('flows.modules counts the modules Node-RED loaded: not a listed one that is missing, not this plugin', async () => {
    const [body] = await reportsSince(Date.now(), 1);
    assert.equal(body.flows.modules, 1 + modulesBesideNodeRed(), 'node-red-contrib-nrt-fixture, and the modules beside Node-RED');
    assert.equal(body.flows.nodes, 2);
  });

  it('Stop flows: reports go on, and neither Stop nor Start nor Restart is a deploy', async () => {
    const r = red!;
    const deploysBefore = deployCount(collector);
    assert.equal((await r.api('POST', '/flows/state', { state: 'stop' })).status, 200);
    await r.waitForLog(/Stopped flows/);
    const status = (await r.api('GET', '/telemetry')).body;
    assert.notEqual(status.nextReportAt, null, 'a report is scheduled while the flows are stopped');
    const stoppedAt = Date.now();
    const whileStopped = await reportsSince(stoppedAt, 2);
    assert.equal(whileStopped[1].flows.nodes, 2, 'the flows group describes the stopped configuration');

    assert.equal((await r.api('POST', '/flows/state', { state: 'start' })).status, 200);
    const restart = await r.api('POST', '/flows', { flows: [] }, undefined, { 'Node-RED-Deployment-Type': 'reload' });
    assert.equal(restart.status, 204, JSON.stringify(restart.body));
    await r.waitForLog(/Started flows[\s\S]*Started flows[\s\S]*Started flows/, 10000);
    await reportsSince(Date.now(), 2);
    assert.equal(deployCount(collector), deploysBefore, 'no deploy event for Stop, Start or Restart');
    assert.doesNotMatch(r.pluginLines().join('\n'), /paused|held/i);
  });

  it('a deploy with a missing type: one deploy event, and reports go on while Node-RED waits for the type', async () => {
    const r = red!;
    const deploysBefore = deployCount(collector);
    const flows = [...QUIET_FLOW, { id: 'acmeMissing', type: 'acme-secret-missing-type', z: 'acmeTabQuiet', name: 'AcmeSecretMissingName', x: 300, y: 160, wires: [] }];
    assert.equal((await r.api('POST', '/flows', flows, undefined, { 'Node-RED-Deployment-Type': 'full' })).status, 204);
    await r.waitForLog(/Waiting for missing types/, 10000);
    const status = (await r.api('GET', '/telemetry')).body;
    assert.notEqual(status.nextReportAt, null, 'a report is scheduled while flows wait for missing types');
    const bodies = await reportsSince(Date.now(), 2);
    assert.equal(bodies[1].flows.nodes, 3, 'the flows group describes the deployed configuration');
    assert.equal(bodies[1].flows.types.other, 2);
    assert.equal(deployCount(collector), deploysBefore + 1, `the deploy is counted once: ${JSON.stringify(collector.received.map((x) => JSON.parse(x.body).lifecycle?.events))}`);
  });

  it("no report carries the project name, a class name, or any name, type or path of the user's", () => {
    const bodies = collector.received.map((r) => r.body);
    // Enough reports to prove something (the crashes', the deploys', the stopped flows'), not an exact
    // number: each first report after a start goes at a random point of its spread window.
    assert.ok(bodies.length >= 6, `${bodies.length} reports`);
    const names = [
      PROJECT, LOCAL_ERROR, FUNCTION_ERROR, PHANTOM, userDir, path.basename(userDir), 'acme-secret-crasher', 'acme-secret-missing-type',
      'nrt-secret-type', 'acme secret', 'AcmeSecret', 'acmeTab', 'acmeFn', 'acmeCrasher', 'acmeMissing', 'acmeInject', 'acmeFixtureNode', 'nodes/',
    ];
    for (const body of bodies) {
      const leaked = names.filter((name) => body.toLowerCase().includes(name.toLowerCase()));
      assert.deepEqual(leaked, [], `leaked into ${body}`);
    }
  });
});

function deployCount(collector: TestCollector): number {
  return collector.received
    .flatMap((r) => (JSON.parse(r.body).lifecycle?.events ?? []) as LifecycleEvent[])
    .filter((e) => e.type === 'deploy').length;
}
