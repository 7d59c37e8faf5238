import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openUsageDataPane, screenshot, useChromium } from '../helpers/browser';
import { answerJson, Received } from '../helpers/collector';
import { fixture, NodeRedProcess, useNodeRed } from '../helpers/node-red';

const PROMPT = '#red-ui-telemetry-consent';

/**
 * Consent covers a list (issue 10): a "yes" for the base payload does not
 * cover a group enabled later; the editor asks again naming only what is new.
 * Real Node-RED restarted between steps, real Chromium, a real collector on 127.0.0.1.
 */
describe('editor: consent covers a list, asked again when it grows (Chromium)', function () {
  this.timeout(120000);
  const chromium = useChromium();
  const nodeRed = useNodeRed();
  const { collector } = nodeRed;
  let red: NodeRedProcess;

  const openEditor = (target: NodeRedProcess): Promise<Page> => chromium.openEditor(target);

  function start(userDir: string | undefined, telemetry: Record<string, unknown>, modules?: string[]): Promise<NodeRedProcess> {
    return nodeRed.start({
      userDir,
      settings: { telemetry: { url: collector.url, initialDelay: '300ms', interval: '2s', ...telemetry } },
      runtimeSettings: userDir ? undefined : { telemetryEnabled: false },
      modules,
    });
  }

  const reports = (since: number): Received[] => collector.received.filter((r) => r.method === 'POST' && r.at > since);

  async function nextReport(since: number, timeoutMs = 15000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (reports(since).length === 0) {
      if (Date.now() > deadline) throw new Error('no report arrived');
      await new Promise((r) => setTimeout(r, 100));
    }
    return JSON.parse(reports(since)[0].body) as Record<string, unknown>;
  }

  it('yes for the base payload; flows enabled and Node-RED restarted: nothing with flows is sent until a yes naming only flows', async () => {
    red = await start(undefined, {});
    const userDir = red.userDir;
    let page = await openEditor(red);
    await page.waitForSelector(PROMPT);
    assert.equal(await page.locator(`${PROMPT} .red-ui-telemetry-items`).count(), 0, 'the first question names no group');
    await page.click('#red-ui-telemetry-share');
    await page.waitForSelector(PROMPT, { state: 'detached' });
    const base = await nextReport(0);
    assert.deepEqual(Object.keys(base), ['instanceId', 'os', 'env']);
    await red.stop();

    // The operator enables the flows group in settings.js and restarts.
    red = await start(userDir, { include: ['flows'] });
    const restartedAt = Date.now();
    // The flows group describes the flows Node-RED has loaded: they start after its server does.
    await red.waitForLog(/Started flows/, 15000);
    const status = (await red.api('GET', '/telemetry')).body;
    assert.deepEqual([status.enabled, status.reason, status.pending, status.covered], [true, 'consent', ['flows'], []]);
    assert.ok(status.preview.flows, 'the preview shows the group that would be added');

    page = await openEditor(red);
    await page.waitForSelector(`${PROMPT}.red-ui-telemetry-ask-more`);
    // Reports keep going meanwhile, without the new group.
    await new Promise((r) => setTimeout(r, 2500));
    const before = reports(restartedAt);
    assert.ok(before.length >= 1, 'reports were sent while the question was open');
    for (const report of before) assert.deepEqual(Object.keys(JSON.parse(report.body)), ['instanceId', 'os', 'env']);

    const dialog = page.locator('.red-ui-telemetry-dialog');
    assert.equal(await dialog.locator('.ui-dialog-title').innerText(), 'Share more usage data?');
    assert.deepEqual(await dialog.locator('.red-ui-telemetry-items li').evaluateAll((items) => items.map((li) => li.getAttribute('data-item'))), ['flows']);
    assert.equal(await dialog.locator('.red-ui-telemetry-collected').count(), 0, 'the base payload, already agreed to, is not asked about again');
    await page.click('.red-ui-telemetry-preview summary');
    const shown = JSON.parse(await page.locator('.red-ui-telemetry-preview pre').innerText());
    assert.ok(shown.flows && typeof shown.flows.nodes === 'number', 'the preview in the dialog has the flows group');
    await screenshot(page, 'consent-ask-more');
    await page.click('#red-ui-telemetry-share');
    await page.waitForSelector(PROMPT, { state: 'detached' });
    const answeredAt = Date.now();
    const after = await nextReport(answeredAt);
    assert.deepEqual(Object.keys(after), ['instanceId', 'os', 'env', 'flows']);
    assert.equal(after.instanceId, base.instanceId);
    const stored = (red.runtimeSettings()['node-red-telemetry'] as { covered: string[] }).covered;
    assert.deepEqual(stored, ['flows']);
  });

  it('"Not these" keeps the rest on, is not asked again, and a provider is named by its own name', async () => {
    red = await start(undefined, { include: ['environment'] }, [fixture('node-red-contrib-nrt-providers')]);
    const userDir = red.userDir;
    const answer = await red.api('PUT', '/telemetry', { enabled: true, covers: [] });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.pending, ['environment', 'ext:nrt-normal', 'ext:nrt-throwing', 'ext:nrt-slow', 'ext:nrt-oversized']);
    const page = await openEditor(red);
    await page.waitForSelector(`${PROMPT}.red-ui-telemetry-ask-more`);
    const items = page.locator('.red-ui-telemetry-dialog .red-ui-telemetry-items li');
    assert.equal(await items.count(), 5);
    assert.equal(await items.nth(1).innerText(), 'NRT normal metrics (plugin nrt-normal): the fields it adds under ext');
    await page.click('#red-ui-telemetry-decline');
    await page.waitForSelector(PROMPT, { state: 'detached' });
    await page.waitForSelector('.red-ui-notification:has-text("These will not be shared")');
    const status = (await red.api('GET', '/telemetry')).body;
    assert.deepEqual([status.enabled, status.pending, status.covered], [true, [], []]);
    await red.stop();
    red = await start(userDir, { include: ['environment'] }, [fixture('node-red-contrib-nrt-providers')]);
    const again = await openEditor(red);
    await again.waitForTimeout(4000);
    assert.equal(await again.locator(PROMPT).count(), 0, 'not asked again after a restart');
  });

  it('the pane offers erasure only once switched off, and shows its result', async () => {
    collector.always((req, res, body) => {
      if (req.method === 'DELETE') return answerJson(200, { deleted: 3 })(req, res, body);
      return answerJson(200, { 'node-red': { latest: '0.0.1' } })(req, res, body);
    });
    red = await start(undefined, {});
    const oldId = (await red.api('PUT', '/telemetry', { enabled: true })).body.preview.instanceId;
    const page = await openEditor(red);
    await openUsageDataPane(page);
    const toggle = page.locator('#red-ui-telemetry-switch');
    await page.waitForSelector('#red-ui-telemetry-switch[aria-checked="true"]');
    assert.equal(await page.locator('#red-ui-telemetry-erase').count(), 0, 'not beside a switch that is on');
    // Off at once, as easy as on: the choice does not wait for an answer about deleting.
    await toggle.click();
    await page.waitForSelector('#red-ui-telemetry-erase');
    assert.equal((await red.api('GET', '/telemetry')).body.enabled, false);
    assert.equal(await page.locator('#red-ui-telemetry-erase').innerText(), 'Also delete what this Node-RED has sent');
    assert.equal(collector.received.filter((r) => r.method === 'DELETE').length, 0, 'nothing deleted without asking');
    await page.click('#red-ui-telemetry-erase');
    await page.waitForSelector('.red-ui-telemetry-erasure:has-text("3 report(s) deleted at the collector")');
    await screenshot(page, 'pane-erased');
    const deletes = collector.received.filter((r) => r.method === 'DELETE');
    assert.deepEqual(deletes.map((r) => r.url), [`/ping/${oldId}`]);
    const status = (await red.api('GET', '/telemetry')).body;
    assert.equal(status.enabled, false);
    assert.notEqual(status.preview.instanceId, oldId, 'a new instance id');
    assert.equal(await page.locator('#red-ui-telemetry-erase').count(), 0, 'asked once');
  });
});
