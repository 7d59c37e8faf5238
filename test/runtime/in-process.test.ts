import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { TestCollector } from '../helpers/collector';
import { REPO_ROOT } from '../helpers/node-red';

/**
 * The one suite that embeds Node-RED in the test process (Node-RED is meant
 * to be initialised once per process): what RED.stop() leaves behind, and
 * whether anything escapes as an unhandled rejection.
 */
describe('runtime: embedded in a host process (RED.init / RED.stop)', function () {
  this.timeout(30000);
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  const logs: string[] = [];
  let collector: TestCollector;
  let server: http.Server;
  let dueAt = 0;
  // any: node-red ships no type declarations.
  let RED: any;

  before(async () => {
    process.on('unhandledRejection', onRejection);
    collector = await new TestCollector().start();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded here on purpose, once the suite runs and the rejection listener is on; node-red has no types to import
    RED = require('node-red');
    const app = express();
    server = http.createServer(app);
    const userDir = mkdtempSync(path.join(os.tmpdir(), 'nrt-embedded-'));
    // Consent given in the editor earlier: telemetry.enabled in settings.js
    // would also switch on Node-RED's own telemetry, whose timer outlives RED.stop().
    writeFileSync(path.join(userDir, '.config.runtime.json'), JSON.stringify({ 'node-red-telemetry': { instanceId: 'e'.repeat(32), choice: true } }));
    RED.init(server, {
      userDir,
      httpAdminRoot: '/',
      nodesDir: [REPO_ROOT],
      editorTheme: { tours: false },
      logging: {
        console: { level: 'off' },
        capture: { level: 'debug', metrics: false, audit: false, handler: () => (msg: { msg: unknown }) => void logs.push(String(msg.msg)) },
      },
      telemetry: { url: collector.url, initialDelay: '4s', interval: '1h' },
    });
    app.use('/', RED.httpAdmin);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await RED.start();
  });

  after(async () => {
    process.removeListener('unhandledRejection', onRejection);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await collector.stop();
  });

  it('is loaded and armed', async () => {
    const port = (server.address() as AddressInfo).port;
    const body = (await (await fetch(`http://127.0.0.1:${port}/telemetry`)).json()) as { enabled: boolean; nextReportAt: string };
    assert.equal(body.enabled, true);
    dueAt = Date.parse(body.nextReportAt);
    assert.ok(dueAt > Date.now());
    assert.ok(logs.some((l) => l.includes('[node-red-telemetry] Anonymous usage telemetry: ON (a user agreed in the editor)')));
  });

  it('clears its timer on RED.stop(): the due report never goes out', async () => {
    const deadline = Date.now() + 5000;
    while (!logs.some((l) => l.includes('Started flows')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await RED.stop();
    assert.ok(Date.now() < dueAt, 'stopped before the report was due, or this test proves nothing');
    await new Promise((r) => setTimeout(r, dueAt - Date.now() + 1000));
    assert.equal(collector.connections, 0);
  });

  it('let no promise rejection escape', () => {
    assert.deepEqual(rejections, []);
  });
});
