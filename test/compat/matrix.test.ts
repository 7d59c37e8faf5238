import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import type { Page } from 'playwright-core';
import { CollectorProcess } from '../../collector/test/helpers/collector-process';
import { rowsOf } from '../../collector/test/helpers/tables';
import { openUsageDataPane, screenshot, useChromium } from '../helpers/browser';
import { NodeRedProcess } from '../helpers/node-red';
import { ensureInstalled, matrix, nodeVersionOf } from './runtimes';

const PROMPT = '#red-ui-telemetry-consent';
const LATEST = '99.1.0';

/**
 * The compatibility matrix (`npm run test:compat`): every Node-RED line the README names, each a
 * real `red.js` on its own Node.js with a fresh user directory and the plugin from this checkout;
 * a person's consent in a real Chromium; the report stored by the real collector; the collector's
 * update answer back in the editor; the settings pane switching it off again.
 */
describe('compatibility matrix: Node-RED 3.1, 4.0, 4.1 and 5.0 (real Node-RED, collector, Chromium)', function () {
  this.timeout(120_000);
  const chromium = useChromium({ endScreenshots: false });
  let collector: CollectorProcess;

  before(async function () {
    // A first run installs Node.js 22 and Node-RED 4.0 and 5.0 from the registry (about 200 MB).
    this.timeout(600_000);
    await ensureInstalled();
    collector = await CollectorProcess.start({ store: 'sqlite', args: ['--latest', LATEST] });
  });
  after(async () => {
    assert.equal(await collector?.stop(), 0);
  });

  it('covers the lines the README names, each on a Node.js that meets its engines field', () => {
    assert.deepEqual(
      matrix().map((r) => r.line),
      ['3.1', '4.0', '4.1', '5.0'],
    );
    for (const runtime of matrix()) {
      const engines = (JSON.parse(readFileSync(path.join(path.dirname(runtime.redJs), 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
      const node = nodeVersionOf(runtime.node) ?? 'none';
      assert.ok(semver.satisfies(node, engines), `Node-RED ${runtime.line} needs Node.js ${engines}, runs on ${node}`);
    }
  });

  for (const runtime of matrix()) {
    describe(`Node-RED ${runtime.line}`, () => {
      let red: NodeRedProcess;
      let page: Page;
      let version: string;
      const nodeVersion = (): string => nodeVersionOf(runtime.node) ?? 'none';

      before(async () => {
        red = await NodeRedProcess.start({
          node: runtime.node,
          redJs: runtime.redJs,
          startTimeoutMs: 30_000,
          // updateNotification given, so that the update notice shows although Node-RED's own question was answered no.
          settings: { telemetry: { url: `${collector.url}/ping`, initialDelay: '300ms', interval: '1h', updateNotification: true } },
          // Node-RED's own telemetry question (4.1 and later) answered, so that ours is the one shown.
          runtimeSettings: { telemetryEnabled: false },
        });
        page = await chromium.newPage({ viewport: { width: 1280, height: 800 } });
      });
      after(async function () {
        const title = `compat-node-red-${runtime.line}-end`;
        if (page) await screenshot(page, title).catch(() => undefined);
        await page?.context().close();
        if (red) {
          const code = await red.stop();
          rmSync(red.userDir, { recursive: true, force: true });
          assert.deepEqual(red.pluginLines('error'), [], 'no plugin errors in the log');
          assert.equal(code, 0, `Node-RED ${runtime.line} exit code\n${red.output}`);
        }
      });

      it(`runs the pinned release on its Node.js and loads the plugin`, async () => {
        version = String((await red.api('GET', '/settings')).body.version);
        // A Node-RED whose package sits inside a git checkout (the devDependency 4.1, in this one)
        // calls itself "<version>-git"; it is still the pinned release.
        const release = version.replace(/-git$/, '');
        assert.ok(semver.satisfies(release, runtime.range), `Node-RED ${version}, expected ${runtime.range}`);
        await red.waitForLog(/\[node-red-telemetry\] Anonymous usage telemetry/);
        const status = await red.api('GET', '/telemetry');
        assert.equal(status.status, 200);
        assert.deepEqual([status.body.enabled, status.body.reason], [null, 'pending']);
        assert.equal(status.body.preview.env['node-red'], version);
        assert.equal(status.body.preview.env.nodejs, nodeVersion());
      });

      it('asks in the editor; "Share usage data" stores a report at the collector and brings its update answer back', async () => {
        await page.goto(red.baseUrl);
        await page.waitForSelector(PROMPT, { timeout: 20_000 });
        assert.equal(await page.evaluate(() => (window as unknown as { RED: { settings: { version: string } } }).RED.settings.version), version);
        await page.click('.red-ui-telemetry-preview summary');
        const shown = JSON.parse(await page.locator('.red-ui-telemetry-preview pre').innerText());
        const { preview } = (await red.api('GET', '/telemetry')).body;
        assert.deepEqual(shown, preview);
        await screenshot(page, `compat-node-red-${runtime.line}-consent`);

        await page.click('#red-ui-telemetry-share');
        await page.waitForSelector(PROMPT, { state: 'detached' });
        const notice = page.locator(`.red-ui-notification:has-text("Node-RED ${LATEST} is available.")`);
        await notice.waitFor({ timeout: 20_000 });
        await screenshot(page, `compat-node-red-${runtime.line}-update`);
        // Closed as a person would: on 5.0 it sits over the top of the User Settings dialog.
        await notice.locator('button:has-text("Close")').click();
        await notice.waitFor({ state: 'detached' });

        const rows = (await rowsOf(collector, 'reports')).filter((row) => row.instance_id === preview.instanceId);
        assert.equal(rows.length, 1, 'one report from this Node-RED');
        assert.deepEqual([rows[0].node_red, rows[0].nodejs], [version, nodeVersion()]);
        const status = (await red.api('GET', '/telemetry')).body;
        assert.deepEqual([status.enabled, status.reason, status.lastReport?.ok, status.update], [true, 'consent', true, { version: LATEST }]);
      });

      it('the settings pane shows it shared, and its switch turns it off', async () => {
        await openUsageDataPane(page);
        const toggle = page.locator('#red-ui-telemetry-switch');
        await toggle.waitFor();
        assert.equal(await toggle.getAttribute('aria-checked'), 'true');
        await screenshot(page, `compat-node-red-${runtime.line}-settings-pane`);
        await toggle.click();
        await page.waitForFunction(() => document.querySelector<HTMLElement>('.red-ui-telemetry-state')?.innerText === 'Usage data is not shared.');
        assert.equal((await red.api('GET', '/telemetry')).body.enabled, false);
      });
    });
  }
});
