import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, editorReady, screenshot, useChromium } from '../helpers/browser';
import { answerJson } from '../helpers/collector';
import { adminAuth, NodeRedOptions, NodeRedProcess, PASSWORD, useNodeRed } from '../helpers/node-red';

const PROMPT = '#red-ui-telemetry-consent';
/** Longer than the editor script waits for a quiet editor (1.5 s) plus loading. */
const WOULD_HAVE_SHOWN_MS = 4000;

/**
 * What a Node-RED user sees, in a real headless Chromium against a real
 * Node-RED with the plugin. Each test leaves a screenshot in test/artifacts/.
 */
describe('editor: consent prompt, settings pane, update notifications (Chromium)', function () {
  this.timeout(90000);
  const chromium = useChromium();
  const { collector, start } = useNodeRed();

  /** Node-RED's own first-run telemetry question answered, unless a test wants it shown. */
  async function startRed(options: NodeRedOptions = {}, coreAnswered = true): Promise<NodeRedProcess> {
    return start({
      ...options,
      settings: { telemetry: { url: collector.url, initialDelay: '300ms', interval: '1h' }, ...options.settings },
      runtimeSettings: { ...(coreAnswered ? { telemetryEnabled: false } : {}), ...options.runtimeSettings },
    });
  }

  const openEditor = (target: NodeRedProcess): Promise<Page> => chromium.openEditor(target);

  /** Waits for the consent dialog, and closes it with the Escape key ("decide later"). */
  async function escapePrompt(page: Page): Promise<void> {
    await page.waitForSelector(PROMPT);
    await page.keyboard.press('Escape');
    await page.waitForSelector(PROMPT, { state: 'detached' });
  }

  async function login(page: Page, username: string): Promise<void> {
    await page.fill('#node-dialog-login-username', username);
    await page.fill('#node-dialog-login-password', PASSWORD);
    await page.click('#node-dialog-login-submit');
  }

  async function status(target: NodeRedProcess): Promise<{ enabled: boolean | null; reason: string }> {
    const { body } = await target.api('GET', '/telemetry');
    return body;
  }

  async function openPane(page: Page): Promise<void> {
    await page.click('#red-ui-header-button-sidemenu');
    await page.click('#menu-item-user-settings');
    await page.click('#red-ui-tab-red-ui-settings-tab-node-red-telemetry a');
    await page.waitForSelector('#red-ui-telemetry-enabled');
  }

  it('asks on first open; "Don\'t share" means zero connections, and it never asks again', async () => {
    const target = await startRed();
    const page = await openEditor(target);
    await page.waitForSelector(PROMPT);
    const dialog = page.locator('.red-ui-telemetry-dialog');
    assert.match(await dialog.innerText(), /It goes to 127\.0\.0\.1:\d+\./);
    assert.match(await dialog.innerText(), /It is sent 300ms after Node-RED starts, then every 1h\./);
    await page.click('.red-ui-telemetry-preview summary');
    const shown = JSON.parse(await page.locator('.red-ui-telemetry-preview pre').innerText());
    assert.deepEqual(shown, (await target.api('GET', '/telemetry')).body.preview);
    await screenshot(page, 'consent-prompt');
    await dialog.screenshot({ path: path.join(ARTIFACTS, 'readme-consent-prompt.png') });
    await page.click('#red-ui-telemetry-decline');
    await page.waitForSelector(PROMPT, { state: 'detached' });
    const declined = await status(target);
    assert.deepEqual([declined.enabled, declined.reason], [false, 'consent']);

    await page.reload();
    await editorReady(page);
    const other = await openEditor(target);
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS);
    assert.equal(await page.locator(PROMPT).count(), 0, 'not after a reload');
    assert.equal(await other.locator(PROMPT).count(), 0, 'not in another browser');
    assert.equal(collector.connections, 0);
  });

  it('asks nothing while no collector is configured; the pane says how to add one (with a url it asks, as above)', async () => {
    const target = await startRed({ settings: { telemetry: { initialDelay: '300ms', interval: '1h' } } });
    assert.equal((await target.api('GET', '/telemetry')).body.url, null);
    const page = await openEditor(target);
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS);
    assert.equal(await page.locator(PROMPT).count(), 0, 'no consent dialog with nowhere to send');
    await openPane(page);
    const help = page.locator('.red-ui-telemetry-no-url');
    assert.match(await help.innerText(), /No collector is configured \(telemetry\.url in settings\.js\), so nothing can be sent and nobody is asked\./);
    assert.match(await help.locator('.red-ui-telemetry-url-example').innerText(), /^telemetry: \{\s+url: "https:\/\/telemetry\.example\.com\/ping"\s+\},$/);
    await screenshot(page, 'settings-pane-no-url');
    const still = await status(target);
    assert.deepEqual([still.enabled, still.reason], [null, 'pending'], 'nothing was decided for the user');
    assert.equal(collector.connections, 0);
  });

  it("speaks the browser's language", async () => {
    const target = await startRed();
    for (const [locale, title] of [
      ['de-DE', 'Anonyme Nutzungsdaten teilen?'],
      ['ja', '匿名の利用状況データを共有しますか?'],
    ]) {
      const page = await chromium.newPage({ locale });
      await page.goto(target.baseUrl);
      await page.waitForSelector(PROMPT);
      assert.equal(await page.locator('.red-ui-telemetry-dialog .ui-dialog-title').innerText(), title);
      await screenshot(page, `consent-prompt-${locale}`);
    }
  });

  it('"Share usage data" stores consent and a report arrives', async () => {
    const target = await startRed();
    const page = await openEditor(target);
    await page.click('#red-ui-telemetry-share');
    await page.waitForSelector('.red-ui-notification:has-text("anonymous usage data will be shared")');
    const [report] = await collector.waitFor(1);
    assert.deepEqual(JSON.parse(report.body), (await target.api('GET', '/telemetry')).body.preview);
    assert.equal((await status(target)).reason, 'consent');
  });

  it('works with the keyboard alone: Escape decides later, Tab and Enter choose', async () => {
    const target = await startRed();
    const page = await openEditor(target);
    await escapePrompt(page);
    const later = await status(target);
    assert.deepEqual([later.enabled, later.reason], [null, 'pending'], 'Escape is not yes');

    await page.reload();
    await page.waitForSelector(PROMPT);
    // The dialog takes the focus when it has opened: a Tab before that moves through the page behind it.
    await page.waitForFunction(() => document.activeElement?.closest('.ui-dialog') != null);
    const focused = async (): Promise<string> => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim() || '');
    for (let i = 0; i < 10 && (await focused()) !== 'red-ui-telemetry-share'; i++) await page.keyboard.press('Tab');
    assert.equal(await focused(), 'red-ui-telemetry-share');
    await screenshot(page, 'consent-prompt-keyboard');
    await page.keyboard.press('Enter');
    await page.waitForSelector(PROMPT, { state: 'detached' });
    await collector.waitFor(1);
    assert.equal((await status(target)).enabled, true);
  });

  it('the settings pane shows the state and its toggle flips it both ways', async () => {
    const target = await startRed({ runtimeSettings: { 'node-red-telemetry': { instanceId: 'd'.repeat(32), choice: false } } });
    const page = await openEditor(target);
    await openPane(page);
    const toggle = page.locator('#red-ui-telemetry-enabled');
    assert.equal(await toggle.isChecked(), false);
    assert.equal(await page.locator('.red-ui-telemetry-destination').innerText(), collector.url);
    assert.deepEqual(JSON.parse(await page.locator('.red-ui-telemetry-payload').innerText()), (await target.api('GET', '/telemetry')).body.preview);
    await toggle.click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.red-ui-telemetry-state')?.innerText === 'Usage data is shared.');
    assert.equal((await status(target)).enabled, true);
    await collector.waitFor(1);
    await page.waitForFunction(() => /delivered/.test(document.querySelector<HTMLElement>('.red-ui-telemetry-lastReport')?.innerText ?? ''));
    await screenshot(page, 'settings-pane');
    await page.locator('.red-ui-tray').screenshot({ path: path.join(ARTIFACTS, 'readme-settings-pane.png') });
    await page.locator('#red-ui-telemetry-enabled').click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.red-ui-telemetry-state')?.innerText === 'Usage data is not shared.');
    assert.equal((await status(target)).enabled, false);
  });

  it('the toggle is disabled, with the reason, when settings.js decides; and nobody is asked', async () => {
    const target = await startRed({ settings: { telemetry: { url: collector.url, enabled: false } } });
    const page = await openEditor(target);
    await openPane(page);
    assert.equal(await page.locator('#red-ui-telemetry-enabled').isDisabled(), true);
    assert.equal(await page.locator('.red-ui-telemetry-fixed').innerText(), 'This is decided by telemetry.enabled in settings.js and cannot be changed here.');
    await screenshot(page, 'settings-pane-fixed');
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS / 2);
    assert.equal(await page.locator(PROMPT).count(), 0);
  });

  it('shows an admin API error as a notification, and puts the toggle back', async () => {
    const target = await startRed();
    const page = await openEditor(target);
    await escapePrompt(page);
    await openPane(page);
    // Decided behind the editor's back: the next choice is refused with 409.
    writeFileSync(path.join(target.userDir, '.opt-out-from-anonymous-statistics'), '');
    await page.locator('#red-ui-telemetry-enabled').click();
    await page.waitForSelector('.red-ui-notification-error:has-text("Telemetry is fixed by the opt-out file in the Node-RED user directory")');
    await page.waitForFunction(() => !(document.querySelector('#red-ui-telemetry-enabled') as HTMLInputElement).checked);
    await screenshot(page, 'admin-api-error');
    assert.equal(collector.connections, 0);
  });

  describe('with adminAuth', () => {
    const auth = adminAuth({ admin: '*', reader: 'read' });
    const openEditorAs = (target: NodeRedProcess, username: string): Promise<Page> => chromium.openEditor(target, { first: (page) => login(page, username) });

    it('does not ask a read-only user; asks an admin', async () => {
      const target = await startRed({ settings: { adminAuth: auth, telemetry: { url: collector.url } } });
      const readerPage = await openEditorAs(target, 'reader');
      await readerPage.waitForTimeout(WOULD_HAVE_SHOWN_MS);
      assert.equal(await readerPage.locator(PROMPT).count(), 0);
      await screenshot(readerPage, 'read-only-user');
      const adminPage = await openEditorAs(target, 'admin');
      await adminPage.waitForSelector(PROMPT);
    });
  });

  const REVIEW_NOTICE = '.red-ui-notification:has-text("This Node-RED can share anonymous usage data with its maintainers.")';

  it('after Node-RED\'s own telemetry question, first contact is a notification, not a third dialog; "Review" opens ours', async () => {
    const target = await startRed({}, false);
    const page = await openEditor(target);
    await page.waitForSelector('.red-ui-popover.red-ui-dialog');
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS);
    assert.equal(await page.locator(PROMPT).count(), 0, 'not on top of the core dialog');
    await screenshot(page, 'core-dialog-first');
    await page.click('.red-ui-popover.red-ui-dialog .red-ui-dialog-toolbar button:last-child');
    const notice = page.locator(REVIEW_NOTICE);
    await notice.waitFor();
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS);
    assert.equal(await page.locator(PROMPT).count(), 0, 'no modal right after the core one');
    assert.equal(await page.locator('.ui-widget-overlay:visible').count(), 0, 'the editor stays usable');
    await screenshot(page, 'core-dialog-then-review-notice');
    await notice.locator('button.red-ui-telemetry-review').click();
    await page.waitForSelector(PROMPT);
    await notice.waitFor({ state: 'detached' });
    await screenshot(page, 'review-opens-consent-dialog');
    await page.click('#red-ui-telemetry-decline');
    await page.waitForSelector(PROMPT, { state: 'detached' });
    const stored = await status(target);
    assert.deepEqual([stored.enabled, stored.reason], [false, 'consent']);
  });

  it('"Not now" on that notification stores nothing; the next visit asks with the dialog as usual', async () => {
    const target = await startRed({}, false);
    const page = await openEditor(target);
    await page.waitForSelector('.red-ui-popover.red-ui-dialog');
    await page.click('.red-ui-popover.red-ui-dialog .red-ui-dialog-toolbar button:last-child');
    const notice = page.locator(REVIEW_NOTICE);
    await notice.locator('button.red-ui-telemetry-not-now').click();
    await notice.waitFor({ state: 'detached' });
    const later = await status(target);
    assert.deepEqual([later.enabled, later.reason], [null, 'pending']);
    // Node-RED's own question is answered now, so nothing came before ours: the dialog itself.
    await page.reload();
    await page.waitForSelector(PROMPT);
    assert.equal(await page.locator(REVIEW_NOTICE).count(), 0);
  });

  it('without a core question or tour in this visit, asks with the dialog directly (no notification first)', async () => {
    const target = await startRed();
    const page = await openEditor(target);
    await page.waitForSelector(PROMPT);
    assert.equal(await page.locator(REVIEW_NOTICE).count(), 0);
  });

  it('shows an update once per session, and remembers "don\'t remind me"', async () => {
    collector.always(answerJson(200, { 'node-red': { latest: '99.0.0' } }));
    const target = await startRed({ runtimeSettings: { 'node-red-telemetry': { instanceId: 'f'.repeat(32), choice: true } } });
    await target.waitForLog(/A new version of Node-RED is available: 99\.0\.0/);
    const page = await openEditor(target);
    const notice = page.locator('.red-ui-notification:has-text("Node-RED 99.0.0 is available.")');
    await notice.waitFor();
    assert.equal(await notice.locator('a').getAttribute('href'), 'https://github.com/node-red/node-red/releases/tag/99.0.0');
    await screenshot(page, 'update-notification');
    // Another status message must not bring a second notice.
    await target.api('PUT', '/telemetry', { enabled: true });
    await page.waitForTimeout(1000);
    assert.equal(await notice.count(), 1);
    await page.click('.red-ui-notification button:has-text("Don\'t remind me about this version")');
    await notice.waitFor({ state: 'detached' });
    await page.reload();
    await editorReady(page);
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS / 2);
    assert.equal(await page.locator('.red-ui-notification:has-text("Node-RED 99.0.0 is available.")').count(), 0);
  });

  it('mentions a newer Node-RED this Node.js cannot run, with what it needs, beside the runnable update', async () => {
    collector.always(answerJson(200, { 'node-red': { latest: '98.0.0', next: '98.0.0', requires: { '99.0.7': { node: '>=99.9' } } } }));
    const target = await startRed({ runtimeSettings: { 'node-red-telemetry': { instanceId: 'f'.repeat(32), choice: true } } });
    await target.waitForLog(/Node-RED 99\.0\.7 is available; it needs Node\.js 99\.9 or later/);
    const page = await openEditor(target);
    const notice = page.locator('.red-ui-notification:has-text("Node-RED 98.0.0 is available.")');
    await notice.waitFor();
    assert.equal(await notice.locator('.red-ui-telemetry-update-newer').innerText(), 'Node-RED 99.0.7 is also available; it needs Node.js 99.9 or later.');
    assert.equal(await notice.locator('a').getAttribute('href'), 'https://github.com/node-red/node-red/releases/tag/98.0.0');
    await screenshot(page, 'update-notification-newer-needs-node');
  });

  it('with nothing runnable, offers the newer Node-RED with its Node.js requirement, in the browser\'s language', async () => {
    collector.always(answerJson(200, { 'node-red': { latest: '1.0.0', next: '1.0.0', requires: { '99.0.7': { node: '>=99.9' } } } }));
    const target = await startRed({ runtimeSettings: { 'node-red-telemetry': { instanceId: 'f'.repeat(32), choice: true } } });
    await target.waitForLog(/Node-RED 99\.0\.7 is available; it needs Node\.js 99\.9 or later/);
    for (const [locale, text] of [
      ['en-US', 'Node-RED 99.0.7 is available; it needs Node.js 99.9 or later.'],
      ['de-DE', 'Node-RED 99.0.7 ist verfügbar; es braucht Node.js 99.9 oder neuer.'],
    ]) {
      const page = await chromium.openEditor(target, { locale });
      const notice = page.locator(`.red-ui-notification:has-text("${text}")`);
      await notice.waitFor();
      assert.equal(await notice.locator('.red-ui-telemetry-update-newer').count(), 0);
      assert.equal(await notice.locator('a').getAttribute('href'), 'https://github.com/node-red/node-red/releases/tag/99.0.7');
      await screenshot(page, `update-notification-needs-node-${locale}`);
    }
  });

  it('works on Node-RED 3.1: prompt, pane and update notification', async () => {
    collector.always(answerJson(200, { 'node-red': { latest: '99.0.0' } }));
    const target = await startRed({ version: '3' });
    const page = await openEditor(target);
    assert.match(await page.evaluate(() => (window as unknown as { RED: { settings: { version: string } } }).RED.settings.version), /^3\./);
    await page.waitForSelector(PROMPT);
    await screenshot(page, 'node-red-3-consent-prompt');
    await page.click('#red-ui-telemetry-share');
    await page.waitForSelector(PROMPT, { state: 'detached' });
    await collector.waitFor(1);
    await page.locator('.red-ui-notification:has-text("Node-RED 99.0.0 is available.")').waitFor();
    await openPane(page);
    assert.equal(await page.locator('#red-ui-telemetry-enabled').isChecked(), true);
    await screenshot(page, 'node-red-3-settings-pane');
    await page.locator('#red-ui-telemetry-enabled').click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.red-ui-telemetry-state')?.innerText === 'Usage data is not shared.');
    assert.equal((await status(target)).enabled, false);
  });

  it('shows no update notification when updateNotification is false', async () => {
    collector.always(answerJson(200, { 'node-red': { latest: '99.0.0' } }));
    const target = await startRed({
      settings: { telemetry: { url: collector.url, initialDelay: '300ms', updateNotification: false } },
      runtimeSettings: { 'node-red-telemetry': { instanceId: 'f'.repeat(32), choice: true } },
    });
    await target.waitForLog(/Report sent to/);
    const page = await openEditor(target);
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS / 2);
    assert.equal(await page.locator('.red-ui-notification:has-text("is available")').count(), 0);
  });
});
