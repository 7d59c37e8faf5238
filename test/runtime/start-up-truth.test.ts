import assert from 'node:assert/strict';
import { fixture, NodeRedOptions, useNodeRed } from '../helpers/node-red';

const ID = '9'.repeat(32);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the start-up log says, and whom it asks, when it cannot or may not send. */
describe('runtime: the start-up log tells the truth, and nothing is asked that cannot be sent', function () {
  this.timeout(120000);
  const { collector, start } = useNodeRed({ collector: 'suite' });

  // One at a time: four Node-REDs starting together overload a 2-core machine.
  const forcedOff: Array<[string, NodeRedOptions]> = [
    ['--no-telemetry', { args: ['--no-telemetry'] }],
    ['NODE_RED_DISABLE_TELEMETRY', { env: { NODE_RED_DISABLE_TELEMETRY: '1' } }],
    ['the opt-out file', { files: { '.opt-out-from-anonymous-statistics': '' } }],
    ['telemetry.enabled: false', { settings: { telemetry: { enabled: false, url: '' } } }],
  ];
  for (const [how, options] of forcedOff) {
    it(`no metric provider is asked while telemetry is off for good (${how})`, async () => {
      const red = await start({
        ...options,
        settings: { telemetry: { url: collector.url, initialDelay: '1s', interval: '2s', ...(options.settings?.telemetry as object) } },
        runtimeSettings: { 'node-red-telemetry': { instanceId: ID, choice: true, covered: ['ext:nrt-normal', 'ext:nrt-slow'] } },
        modules: [fixture('node-red-contrib-nrt-providers')],
      });
      await red.waitForLog(/Started flows/);
      await red.waitForLog(/\[node-red-telemetry\] Anonymous usage telemetry: OFF/);
      // The slow provider's timeout is 1 s: had it been asked, its warning would be out by now.
      await sleep(2500);
      assert.doesNotMatch(red.output, /nrt-normal: collect called/, 'a provider was asked');
      assert.doesNotMatch(red.output, /was skipped/, 'a warning about a report that never goes');
      assert.equal(collector.connections, 0);
    });
  }

  it('after a restart, the disclosure says when the next report really goes (the daily rhythm, not initialDelay)', async () => {
    const lastAt = Date.now() - 60 * 60 * 1000;
    const red = await start({
      settings: { telemetry: { url: collector.url, initialDelay: '15s', interval: '24h' } },
      runtimeSettings: { 'node-red-telemetry': { instanceId: ID, choice: true, lastReport: { at: new Date(lastAt).toISOString(), ok: true } } },
    });
    const when = (await red.waitForLog(/\[node-red-telemetry\][\s\S]*?(When: .*)/))[1];
    const due = new Date(lastAt + 24 * 60 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    assert.equal(when, `When: next report at ${due}, then every 24h.`);
    assert.equal((await red.api('GET', '/telemetry')).body.nextReportAt, new Date(lastAt + 24 * 60 * 60 * 1000).toISOString());
    assert.doesNotMatch(red.output, /15s after start/);
  });

  it('without a collector, every line says that nothing is sent; none says it waits for a choice', async () => {
    const red = await start({ settings: { telemetry: { initialDelay: '1s' } } });
    await red.waitForLog(/Started flows/);
    const lines = red.pluginLines().join('\n');
    assert.match(lines, /No collector is configured \(telemetry\.url in settings\.js\): nothing can be sent\./);
    assert.match(lines, /Anonymous usage telemetry: not sending: no collector is configured \(telemetry\.url\)/);
    assert.doesNotMatch(lines, /waiting for a choice/);
  });
});
