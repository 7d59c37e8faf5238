import assert from 'node:assert/strict';
import { fixture, useNodeRed } from '../helpers/node-red';

/**
 * Metric providers registered by another plugin (test/fixtures/node-red-contrib-nrt-providers):
 * a normal one, one that throws, one that never answers in time, one whose answer is too large.
 */
describe('runtime: metric providers', function () {
  this.timeout(60000);
  const { collector, red } = useNodeRed({
    collector: 'suite',
    red: ({ url }) => ({
      settings: { telemetry: { url, initialDelay: '1s', interval: '2s' } },
      runtimeSettings: { 'node-red-telemetry': { instanceId: '7'.repeat(32), choice: true } },
      modules: [fixture('node-red-contrib-nrt-providers')],
    }),
  });
  before(() => red.waitForLog(/Started flows/));

  it('are listed with their names, pending until a yes covers them; nothing of them is sent before', async () => {
    // Providers are asked once Node-RED has started its flows; the slow one holds that for 1 s.
    let status = (await red.api('GET', '/telemetry')).body;
    for (let i = 0; i < 50 && !status.preview.ext; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await red.api('GET', '/telemetry')).body;
    }
    assert.deepEqual(status.providers, [
      { id: 'nrt-normal', name: 'NRT normal metrics' },
      { id: 'nrt-throwing', name: 'NRT throwing metrics' },
      { id: 'nrt-slow', name: 'NRT slow metrics' },
      { id: 'nrt-oversized', name: 'NRT oversized metrics' },
    ]);
    assert.deepEqual(status.pending, ['ext:nrt-normal', 'ext:nrt-throwing', 'ext:nrt-slow', 'ext:nrt-oversized']);
    assert.deepEqual(status.preview.ext, { 'nrt-normal': { queues: 3, broker: 'mosquitto', tls: true } }, 'the preview shows what would be added');
    const [first] = await collector.waitFor(1, 10000);
    assert.equal(JSON.parse(first.body).ext, undefined);
  });

  it('once covered, only the valid answer is sent; each bad provider gets one warning, however many reports', async () => {
    const answer = await red.api('PUT', '/telemetry', { enabled: true, covers: ['ext:nrt-normal', 'ext:nrt-throwing', 'ext:nrt-slow', 'ext:nrt-oversized'] });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.pending, []);
    const since = Date.now();
    const deadline = since + 20000;
    let carried: Array<Record<string, unknown>> = [];
    while (Date.now() < deadline) {
      carried = collector.received.filter((r) => r.at > since).map((r) => JSON.parse(r.body) as Record<string, unknown>);
      if (carried.length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(carried.length >= 3, `${carried.length} reports`);
    for (const report of carried) assert.deepEqual(report.ext, { 'nrt-normal': { queues: 3, broker: 'mosquitto', tls: true } });
    const warnings = red.pluginLines('warn').filter((l) => l.includes('Metric provider'));
    assert.deepEqual(
      warnings.map((l) => l.replace(/^.*\[node-red-telemetry\] /, '')),
      [
        'Metric provider nrt-throwing was skipped: it threw an error. Reports go on without it.',
        'Metric provider nrt-slow was skipped: it did not answer within 1 s. Reports go on without it.',
        'Metric provider nrt-oversized was skipped: its fields take more than 1 KiB. Reports go on without it.',
      ],
    );
    assert.ok(red.alive, 'Node-RED still running');
  });
});

describe('runtime: telemetry.enabled: true in settings.js covers what settings.js lists', function () {
  this.timeout(60000);
  const { red } = useNodeRed({
    collector: 'suite',
    red: ({ url }) => ({ settings: { telemetry: { enabled: true, url, initialDelay: '1h', include: ['features'] } }, modules: [fixture('node-red-contrib-nrt-providers')] }),
  });

  it('the listed group is covered; a provider is not, until a yes in the editor (which cannot switch it off)', async () => {
    const status = (await red.api('GET', '/telemetry')).body;
    assert.deepEqual([status.enabled, status.reason, status.covered], [true, 'settings', ['features']]);
    assert.deepEqual(status.pending, ['ext:nrt-normal', 'ext:nrt-throwing', 'ext:nrt-slow', 'ext:nrt-oversized']);
    const widened = await red.api('PUT', '/telemetry', { enabled: true, covers: ['ext:nrt-normal'] });
    assert.equal(widened.status, 200);
    assert.deepEqual(widened.body.covered, ['features', 'ext:nrt-normal']);
    await red.waitForLog(/Telemetry consent widened in the editor to: ext:nrt-normal\./);
    const off = await red.api('PUT', '/telemetry', { enabled: false });
    assert.equal(off.status, 409);
    assert.equal(off.body.error.code, 'decision_fixed');
  });
});
