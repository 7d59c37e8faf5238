import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { screenshot, useChromium } from '../../../test/helpers/browser';

const ROOT = path.resolve(__dirname, '../../..');
const NODE_RED_VERSION = (JSON.parse(readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string }).version;

/** `npm start` without npm: examples/demo.js, everything under a temp DEMO_DIR, free ports. */
describe('npm start demo', function () {
  this.timeout(120_000);
  const chromium = useChromium({ endScreenshots: false });
  let demo: ChildProcess;
  let output = '';

  function waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
      const check = () => {
        const match = pattern.exec(output);
        if (!match) return;
        clearTimeout(timer);
        demo.stdout?.off('data', check);
        resolve(match);
      };
      demo.stdout?.on('data', check);
      check();
    });
  }

  before(() => {
    const demoDir = mkdtempSync(path.join(os.tmpdir(), 'nrt-demo-'));
    demo = spawn(process.execPath, ['examples/demo.js'], {
      cwd: ROOT,
      env: { ...process.env, DEMO_DIR: demoDir, COLLECTOR_PORT: '0', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    demo.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  });
  after(async () => {
    if (demo.exitCode === null) {
      const exited = new Promise((r) => demo.once('exit', r));
      demo.kill('SIGINT');
      await exited;
    }
  });

  it('shows a populated dashboard at once, labelled as demo data', async () => {
    const [, collectorUrl] = await waitFor(/\[demo\] dashboard: (http:\/\/127\.0\.0\.1:\d+)\//);
    const summary = (await (await fetch(`${collectorUrl}/api/v1/summary`)).json()) as {
      demo: string;
      daysAggregated: number;
      lastDayTotals: { instances: number };
      dimensions: Array<{ id: string }>;
    };
    assert.match(summary.demo, /^Demo data/);
    const ids = summary.dimensions.map((d) => d.id);
    for (const id of ['insight.groups', 'flows.nodes', 'features.adminAuth', 'environment.piModel', 'lifecycle.events']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    assert.equal(summary.daysAggregated, 180);
    assert.ok(summary.lastDayTotals.instances > 1000, String(summary.lastDayTotals.instances));

    const page = await chromium.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${collectorUrl}/`);
    await page.locator('#panels section').first().waitFor();
    await page.locator('#status').waitFor({ state: 'hidden' });
    assert.equal(await page.locator('[data-dimension="flows.nodes"] h4').textContent(), 'Nodes', 'the opt-in groups have panels');
    assert.equal(await page.locator('#demo').isVisible(), true);
    assert.match((await page.locator('#demo').textContent()) ?? '', /not real usage/);
    await screenshot(page, 'collector-dashboard-npm-start');
  });

  it(`runs a Node-RED that reports ${NODE_RED_VERSION}, as a real install does, not ${NODE_RED_VERSION}-git`, async () => {
    const [, port] = await waitFor(/Server now running at http:\/\/127\.0\.0\.1:(\d+)\//);
    const settings = (await (await fetch(`http://127.0.0.1:${port}/settings`)).json()) as { version: string };
    assert.equal(settings.version, NODE_RED_VERSION);
    assert.match(output, new RegExp(`Node-RED version: v${NODE_RED_VERSION.replace(/\./g, '\\.')}\\n`));
  });
});
