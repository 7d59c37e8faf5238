import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshot } from '../../../test/helpers/browser';
import { RunningCollector, startCollector } from '../../src/collector';
import { DEFAULTS } from '../../src/config';
import { createLogger } from '../../src/logger';
import { aggregateDay } from '../../src/maintenance';
import { postReport, report } from '../helpers/collector-process';

/** Values a hostile sender might report, each from enough instances to pass the threshold. */
const CRAFTED = [
  `<img src=x onerror="document.title='pwned'">`,
  `<script>document.title='pwned'</script>`,
  `"><svg onload="document.title='pwned'">`,
];

describe('public dashboard in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let collector: RunningCollector;
  let now = new Date('2026-11-20T10:00:00Z');

  before(async () => {
    browser = await launchChromium();
    const data = mkdtempSync(path.join(os.tmpdir(), 'nrt-dashboard-'));
    collector = await startCollector({ ...DEFAULTS, port: 0, data, latest: '4.2.0', rateLimit: { perInstance: 1, perAddress: 1000 } }, createLogger('silent'), () => now);
    let n = 0;
    for (const osType of ['Linux', ...CRAFTED]) {
      for (let i = 0; i < 5; i++) {
        const body = report({ os: { type: osType, release: '6.1', arch: 'x64' } }, ++n);
        assert.equal(await postReport(collector.url, body), 200);
      }
    }
    const rare = report({ os: { type: 'Plan 9', release: '4', arch: 'mips' } }, ++n);
    assert.equal(await postReport(collector.url, rare), 200);
    now = new Date('2026-11-21T08:00:00Z');
    await aggregateDay(collector.store, '2026-11-20', now, 90);
  });
  after(async () => {
    await browser?.close();
    await collector?.stop();
  });

  it('shows crafted values as text, runs no script, and hides values under the threshold', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const response = await page.goto(collector.url);
    assert.equal(response?.status(), 200);
    assert.match(response?.headers()['content-security-policy'] ?? '', /default-src 'none'/);
    assert.equal(await page.title(), 'Node-RED usage');
    assert.equal(await page.locator('.total').textContent(), '21');

    const osCells = await page.locator('table[data-dimension="os"] tbody td:first-child').allTextContents();
    assert.deepEqual(osCells.sort(), [...CRAFTED, 'Linux', 'other'].sort());
    assert.equal(await page.locator('img, svg, script').count(), 0, 'no element came from a report');
    assert.ok(!(await page.content()).includes('Plan 9'), 'a value seen by one instance is not published');
    assert.deepEqual(dialogs, []);
    assert.equal(await page.title(), 'Node-RED usage');
    await screenshot(page, 'collector-dashboard');
    await page.close();
  });
});
