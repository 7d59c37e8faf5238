import assert from 'node:assert/strict';
import { answerJson } from '../helpers/collector';
import { subscribe, waitForMessage } from '../helpers/comms';
import { NodeRedProcess, useNodeRed } from '../helpers/node-red';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const NODE = process.versions.node.replace(/\./g, '\\.');

/**
 * Issue 9, plugin side: the collector's `requires` names a newer Node-RED that
 * this Node.js cannot run. A real Node-RED reports to a real HTTP collector on
 * 127.0.0.1; the log, the admin API, the retained comms topic and the stored
 * state must all carry the requirement, across a restart.
 */
describe('runtime: an update that needs a newer Node.js (real Node-RED)', function () {
  this.timeout(60000);
  const { collector, start } = useNodeRed();

  const telemetry = (extra: Record<string, unknown> = {}) => ({ enabled: true, url: collector.url, initialDelay: '200ms', interval: '1h', ...extra });
  const offerOf = async (red: NodeRedProcess): Promise<unknown> => (await red.api('GET', '/telemetry')).body.update;
  const retained = async (red: NodeRedProcess): Promise<unknown> => {
    const editor = await subscribe(red.baseUrl, 'node-red-telemetry/update');
    try {
      return await waitForMessage(editor.messages, 'node-red-telemetry/update', () => true);
    } finally {
      editor.close();
    }
  };

  it('with nothing runnable to offer, offers the newer version with its Node.js requirement, and keeps it across a restart', async () => {
    // `latest` is older than the running Node-RED: the only newer version needs Node.js 99.9.
    collector.always(answerJson(200, { 'node-red': { latest: '1.0.0', next: '1.0.0', requires: { '99.0.7': { node: '>=99.9' } } } }));
    const first = await start({ settings: { telemetry: telemetry() } });
    await first.waitForLog(new RegExp(`\\[info\\] \\[node-red-telemetry\\] Node-RED 99\\.0\\.7 is available; it needs Node\\.js 99\\.9 or later \\(this is ${NODE}\\)\\.`));
    const expected = { version: '99.0.7', node: '99.9' };
    assert.deepEqual(await offerOf(first), expected);
    assert.deepEqual(await retained(first), expected);
    assert.deepEqual((first.runtimeSettings()['node-red-telemetry'] as { update: unknown }).update, expected);
    assert.equal(first.output.includes('A new version of Node-RED is available'), false, 'not offered as if it ran here');
    await first.stop();

    const second = await start({ userDir: first.userDir, settings: { telemetry: telemetry({ initialDelay: '1h' }) } });
    assert.deepEqual(await offerOf(second), expected);
    assert.deepEqual(await retained(second), expected);
    assert.equal(collector.received.length, 1);
  });

  it('offers the runnable update, and mentions the newer one with what it needs', async () => {
    collector.always(answerJson(200, { 'node-red': { latest: '98.0.0', next: '98.0.0', requires: { '99.0.7': { node: '>=99.9' } } } }));
    const red = await start({ settings: { telemetry: telemetry() } });
    await red.waitForLog(/\[info\] \[node-red-telemetry\] A new version of Node-RED is available: 98\.0\.0/);
    await red.waitForLog(/\[info\] \[node-red-telemetry\] Node-RED 99\.0\.7 is available; it needs Node\.js 99\.9 or later/);
    const expected = { version: '98.0.0', newer: { version: '99.0.7', node: '99.9' } };
    assert.deepEqual(await offerOf(red), expected);
    assert.deepEqual(await retained(red), expected);
    assert.deepEqual((red.runtimeSettings()['node-red-telemetry'] as { update: unknown }).update, expected);
  });

  it('tolerates every answer shape, a malformed requires included: no offer, no error, still reporting', async () => {
    const shapes: unknown[] = [
      {},
      { 'node-red': {} },
      { 'node-red': { requires: 'everything' } },
      { 'node-red': { latest: 'banana', requires: { '99.0.0': { node: 'soon' } } } },
      { 'node-red': { requires: { '99.0.0': null, 'not-a-version': { node: '>=99' } } } },
      { 'node-red': { requires: [{ '99.0.0': { node: '>=99' } }] } },
      { 'node-red': { latest: '1.0.0', pad: 'x'.repeat(60_000) } },
    ];
    collector.respond(...shapes.map((shape) => answerJson(200, shape)));
    const red = await start({ settings: { telemetry: telemetry({ interval: '1s' }) } });
    await collector.waitFor(shapes.length, 20000);
    await red.waitForLog(new RegExp(`(Report sent to[^]*){${shapes.length}}`), 5000);
    await sleep(200);
    assert.equal(await offerOf(red), null);
    assert.deepEqual(red.pluginLines('error'), []);
    assert.equal(red.output.includes('is available'), false);
    assert.equal(red.alive, true);
  });
});
