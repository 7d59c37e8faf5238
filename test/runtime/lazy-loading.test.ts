import assert from 'node:assert/strict';
import path from 'node:path';
import { NodeRedOptions, NodeRedProcess, REPO_ROOT, useNodeRed } from '../helpers/node-red';

const PROBE = path.join(REPO_ROOT, 'test', 'fixtures', 'module-probe.js');
const GROUPS = ['flows', 'features', 'environment', 'lifecycle'];
const DIST = `${path.join(REPO_ROOT, 'dist')}${path.sep}`;

/** The shared protocol, as the build carries it. */
const PROTOCOL = 'node_modules/@node-red-telemetry/protocol/';
/** What only a report, an answer or an erasure needs. */
const REPORTING = ['transport.js', 'transport-request.js', 'transport-proxy.js', 'updates.js', 'erasure.js'];
/** What only an insight group needs. */
const GROUP_CODE = ['insight/flows.js', 'insight/features.js', 'insight/environment.js', 'insight/event-queue.js', 'insight/lifecycle.js', 'insight/loaded-modules.js'];

/** Every module file the Node-RED has loaded, from the probe preloaded into it. */
async function loaded(red: NodeRedProcess): Promise<Set<string>> {
  const marker = 'MODULES ';
  const count = (): number => red.output.split(marker).length;
  const seen = count();
  process.kill(red.pid, 'SIGWINCH');
  const deadline = Date.now() + 10_000;
  while (count() === seen || !red.output.slice(red.output.lastIndexOf(marker)).includes('\n')) {
    if (Date.now() > deadline) throw new Error(`the module probe did not answer:\n${red.output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const last = red.output.slice(red.output.lastIndexOf(marker) + marker.length);
  return new Set(JSON.parse(last.slice(0, last.indexOf('\n'))) as string[]);
}

/** The plugin's own files among them, relative to dist/ ("insight/flows.js"). */
const pluginFiles = (files: Set<string>): string[] => [...files].filter((f) => f.startsWith(DIST)).map((f) => path.relative(DIST, f).split(path.sep).join('/'));

/** Files of a package (its code, not its package.json) loaded beyond what Node-RED without the plugin loaded. */
const packageCode = (files: Set<string>, baseline: Set<string>, name: string): string[] =>
  [...files].filter((f) => !baseline.has(f) && f.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`) && f.endsWith('.js'));

describe('runtime: nothing that only a report, a group or an erasure needs is loaded before it is needed', function () {
  this.timeout(120_000);
  const { collector, start } = useNodeRed({ collector: 'test' });
  const probe: NodeRedOptions = { env: { NODE_OPTIONS: `--require ${PROBE}` } };
  let baseline: Set<string>;

  before(async () => {
    const red = await NodeRedProcess.start({ ...probe, settings: { nodesDir: [] } });
    baseline = await loaded(red);
    await red.stop();
  });

  it('installed and pending: no transport, no answer reading, no group code, no semver or undici', async () => {
    const red = await start({ ...probe, settings: { telemetry: { url: collector.url } } });
    await red.waitForLog(/Started flows/);
    const files = await loaded(red);
    const own = pluginFiles(files);
    assert.ok(own.includes('index.js') && own.includes('service.js'), `the probe saw the plugin: ${own.join(', ')}`);
    for (const file of [...REPORTING, ...GROUP_CODE]) assert.ok(!own.includes(file), `${file} was loaded while pending`);
    // Of the shared protocol, the durations, the group names and limits, the text pattern: not its
    // schemas, catalogue or answer.
    assert.deepEqual(own.filter((f) => f.startsWith(PROTOCOL)).sort(), ['durations.js', 'insight.js', 'patterns.js'].map((f) => PROTOCOL + f));
    assert.deepEqual(packageCode(files, baseline, 'semver'), []);
    assert.deepEqual(packageCode(files, baseline, 'undici'), []);
  });

  it('reporting the base payload: the transport and the answer’s reading once a report went, still no group code and never undici', async () => {
    const red = await start({ ...probe, settings: { telemetry: { url: collector.url, initialDelay: 0 } }, runtimeSettings: { 'node-red-telemetry': { instanceId: 'e'.repeat(32), choice: true } } });
    await collector.waitFor(1);
    await red.waitForLog(/Report sent to/);
    const own = pluginFiles(await loaded(red));
    for (const file of ['transport.js', 'transport-request.js', 'transport-proxy.js', 'updates.js']) assert.ok(own.includes(file), `${file} not loaded after a report`);
    for (const file of [...GROUP_CODE, 'erasure.js']) assert.ok(!own.includes(file), `${file} was loaded`);
    assert.deepEqual(packageCode(await loaded(red), baseline, 'undici'), []);
  });

  it('with every group on, the groups’ code is loaded (the probe sees what a group loads)', async () => {
    const red = await start({
      ...probe,
      settings: { telemetry: { url: collector.url, initialDelay: 0, include: GROUPS } },
      runtimeSettings: { 'node-red-telemetry': { instanceId: 'f'.repeat(32), choice: true, covered: GROUPS } },
    });
    await collector.waitFor(1);
    // The flows group counts the flows Node-RED started: it is read once they have.
    await red.waitForLog(/Started flows/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const own = pluginFiles(await loaded(red));
    for (const file of GROUP_CODE) assert.ok(own.includes(file), `${file} not loaded with every group on`);
    // Reports and groups alike take the protocol's values by module path: its root, with the JSON
    // Schemas and the field catalogue only the collector needs, is never loaded into a Node-RED.
    const protocol = own.filter((f) => f.startsWith(PROTOCOL)).map((f) => f.slice(PROTOCOL.length)).sort();
    assert.deepEqual(protocol, ['answer.js', 'durations.js', 'insight.js', 'patterns.js', 'read-capped.js']);
  });
});
