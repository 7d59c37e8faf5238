import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { editorReady, openUsageDataPane, screenshot, useChromium } from '../helpers/browser';
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

  /** Node-RED's welcome tour on, as in a real install (the base settings switch it off). */
  const WITH_TOURS = { editorTheme: { projects: { enabled: false }, tours: true, palette: { catalogues: [] } } };
  /** Notifications and dialogs of ours on screen. */
  const ours = (page: Page): Promise<number> => page.locator('.red-ui-telemetry-notice, .red-ui-telemetry-dialog').count();

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

  /** The pane's switch: Node-RED's toggle button, with the state it shows. */
  const switchOf = (page: Page) => page.locator('#red-ui-telemetry-switch');
  const switchedOn = async (page: Page): Promise<boolean> => (await switchOf(page).getAttribute('aria-checked')) === 'true';

  it('asks on first open; "Don\'t share" means zero connections, and it never asks again', async () => {
    const target = await startRed();
    const page = await openEditor(target);
    await page.waitForSelector(PROMPT);
    const dialog = page.locator('.red-ui-telemetry-dialog');
    assert.match(await dialog.innerText(), /Who receives it: whoever runs 127\.0\.0\.1:\d+ \(this Node-RED's settings name nobody\)\./);
    assert.match(await dialog.innerText(), /It is sent at a random moment between 300 milliseconds and 600 milliseconds after Node-RED starts, then every 1 hour\./);
    await page.click('.red-ui-telemetry-preview summary');
    const shown = JSON.parse(await page.locator('.red-ui-telemetry-preview pre').innerText());
    assert.deepEqual(shown, (await target.api('GET', '/telemetry')).body.preview);
    await screenshot(page, 'consent-prompt');
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
    await openUsageDataPane(page);
    const help = page.locator('.red-ui-telemetry-no-url');
    assert.match(await help.innerText(), /No collector is configured \(telemetry\.url in settings\.js\), so nothing can be sent and nobody is asked\./);
    assert.match(await help.locator(".red-ui-telemetry-url-example").innerText(), /^telemetry: \{\s+url: "https:\/\/telemetry\.example\.com\/ping",\s+operator: "ACME IT"\s+\},$/);
    assert.equal(await page.locator('#red-ui-telemetry-switch').isDisabled(), true, 'nothing to switch on with nowhere to send');
    await screenshot(page, 'settings-pane-no-url');
    const still = await status(target);
    assert.deepEqual([still.enabled, still.reason], [null, 'pending'], 'nothing was decided for the user');
    assert.equal(collector.connections, 0);
  });

  it("speaks the browser's language", async () => {
    const target = await startRed();
    for (const [locale, title, close, when] of [
      ['de-DE', 'Anonyme Nutzungsdaten teilen?', 'Schließen', 'Er wird zu einem zufälligen Zeitpunkt zwischen 300 Millisekunden und 600 Millisekunden nach dem Start von Node-RED gesendet, danach alle 1 Stunde.'],
      ['ja', '匿名の利用状況データを共有しますか?', '閉じる', null],
    ] as const) {
      const page = await chromium.newPage({ locale });
      await page.goto(target.baseUrl);
      await page.waitForSelector(PROMPT);
      assert.equal(await page.locator('.red-ui-telemetry-dialog .ui-dialog-title').innerText(), title);
      assert.equal(await page.locator('.red-ui-telemetry-dialog .ui-dialog-titlebar-close').getAttribute('title'), close, 'the close tooltip too');
      if (when) assert.ok((await page.locator(PROMPT).innerText()).includes(when), await page.locator(PROMPT).innerText());
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
    await openUsageDataPane(page);
    const toggle = switchOf(page);
    assert.equal(await switchedOn(page), false);
    assert.equal(await toggle.evaluate((el) => el.classList.contains('red-ui-toggleButton')), true, "Node-RED's own toggle, not a plain checkbox");
    assert.equal(await toggle.innerText(), 'Off');
    assert.equal(await page.locator('.red-ui-telemetry-destination').innerText(), collector.url);
    assert.deepEqual(JSON.parse(await page.locator('.red-ui-telemetry-payload').innerText()), (await target.api('GET', '/telemetry')).body.preview);
    await toggle.click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.red-ui-telemetry-state')?.innerText === 'Usage data is shared.');
    assert.equal((await status(target)).enabled, true);
    await collector.waitFor(1);
    await page.waitForFunction(() => /delivered/.test(document.querySelector<HTMLElement>('.red-ui-telemetry-lastReport')?.innerText ?? ''));
    await screenshot(page, 'settings-pane');
    assert.equal(await page.locator('#red-ui-telemetry-erase').count(), 0, 'no deleting offered while on');
    await switchOf(page).click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.red-ui-telemetry-state')?.innerText === 'Usage data is not shared.');
    assert.equal((await status(target)).enabled, false);
    assert.equal(await switchedOn(page), false);
    await page.waitForSelector('#red-ui-telemetry-erase');
  });

  it('the toggle is disabled, with the reason, when settings.js decides; and nobody is asked', async () => {
    const target = await startRed({ settings: { telemetry: { url: collector.url, enabled: false } } });
    const page = await openEditor(target);
    await openUsageDataPane(page);
    assert.equal(await switchOf(page).isDisabled(), true);
    assert.equal(await page.locator('.red-ui-telemetry-fixed').innerText(), 'This is decided by telemetry.enabled in settings.js and cannot be changed here.');
    await screenshot(page, 'settings-pane-fixed');
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS / 2);
    assert.equal(await page.locator(PROMPT).count(), 0);
  });

  it('shows an admin API error as a notification, and puts the toggle back', async () => {
    const target = await startRed();
    const page = await openEditor(target);
    await escapePrompt(page);
    await openUsageDataPane(page);
    // Decided behind the editor's back: the next choice is refused with 409.
    writeFileSync(path.join(target.userDir, '.opt-out-from-anonymous-statistics'), '');
    await switchOf(page).click();
    await page.waitForSelector('.red-ui-notification-error:has-text("Telemetry is fixed by the opt-out file in the Node-RED user directory")');
    await page.waitForSelector('#red-ui-telemetry-switch[aria-checked="false"]:not(:disabled)');
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

  /** Node-RED's own update-notification question, answered "no" (its second button). */
  async function declineCoreQuestion(page: Page): Promise<void> {
    await page.waitForSelector('.red-ui-popover.red-ui-dialog');
    await page.click('.red-ui-popover.red-ui-dialog .red-ui-dialog-toolbar button:last-child');
  }

  /**
   * Node-RED's welcome tour, closed once its first step has been up a moment, as a person would
   * close it: Node-RED positions a step's popover 100 ms after showing it, and throws into the page
   * when the tour is gone by then (seen on a loaded machine).
   */
  async function closeTour(page: Page): Promise<void> {
    await page.locator('.red-ui-tourGuide-popover').waitFor();
    await page.waitForTimeout(500);
    await page.locator('.red-ui-tourGuide-popover button:has(i.fa-times)').click();
    await page.waitForSelector('.red-ui-tourGuide-shade', { state: 'detached' });
  }

  /** What this user's editor settings hold of ours (GET /settings/user). */
  async function putOffUntil(target: NodeRedProcess): Promise<number> {
    const { body } = await target.api('GET', '/settings/user');
    return Date.parse(body.nodeRedTelemetry?.askAfter);
  }

  it("not in the visit of Node-RED's own question and tour, nor on a reload: an hour later, naming who receives it and how it differs", async () => {
    const target = await startRed({ settings: { ...WITH_TOURS, telemetry: { url: collector.url, operator: 'ACME IT', initialDelay: '300ms', interval: '1h' } } }, false);
    const page = await openEditor(target);
    const shownAt = Date.now();
    await declineCoreQuestion(page);
    // Then Node-RED's welcome tour; closed as a person would, once its first step is up.
    await closeTour(page);
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS);
    assert.equal(await ours(page), 0, 'no third prompt in this visit: neither a dialog nor a notification');
    await screenshot(page, 'first-contact-1-core-visit-1280x800');
    const until = await putOffUntil(target);
    assert.ok(until >= shownAt + 3600_000 - 60_000 && until <= Date.now() + 3600_000, `put off for an hour: ${new Date(until).toISOString()}`);

    await page.reload();
    await editorReady(page);
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS);
    assert.equal(await ours(page), 0, 'a reload is the same sitting');

    const later = await chromium.newPage({ viewport: { width: 1280, height: 800 } });
    await later.clock.setSystemTime(until + 60_000);
    await later.goto(target.baseUrl);
    await later.waitForSelector(PROMPT);
    const text = await later.locator(PROMPT).innerText();
    assert.ok(text.includes('This Node-RED can send a small anonymous report to ACME IT'), text);
    assert.match(text, /Who receives it: ACME IT, at 127\.0\.0\.1:\d+\./);
    assert.ok(text.includes('This is not Node-RED\'s own question “Enable Update Notifications”'), text);
    assert.ok(text.includes("It brings no update notices: you turned those off in Node-RED's own question."), 'and what the answer brings');
    await screenshot(later, 'first-contact-1-next-visit-1280x800');
    const stored = await status(target);
    assert.deepEqual([stored.enabled, stored.reason], [null, 'pending'], 'nothing was decided meanwhile');
  });

  it("Node-RED's welcome tour alone puts the question off as well", async () => {
    const target = await startRed({ settings: { ...WITH_TOURS, telemetry: { url: collector.url } } });
    const page = await openEditor(target);
    await page.waitForSelector('.red-ui-tourGuide-shade');
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS);
    assert.equal(await ours(page), 0, 'not on top of the tour');
    await closeTour(page);
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS);
    assert.equal(await ours(page), 0, 'nor right after it');
    assert.ok(await putOffUntil(target) > Date.now());
  });

  it("a no to Node-RED's own update notifications keeps ours off while updateNotification is unset", async () => {
    collector.always(answerJson(200, { 'node-red': { latest: '99.0.0' } }));
    const target = await startRed({
      settings: { telemetry: { url: collector.url, initialDelay: '300ms' } },
      runtimeSettings: { 'node-red-telemetry': { instanceId: 'f'.repeat(32), choice: true } },
    });
    await target.waitForLog(/A new version of Node-RED is available: 99\.0\.0/);
    assert.deepEqual((await target.api('GET', '/telemetry')).body.update, { version: '99.0.0' }, 'the runtime has the offer');
    const page = await openEditor(target);
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS);
    assert.equal(await page.locator('.red-ui-telemetry-update-notice').count(), 0);
    await openUsageDataPane(page);
    assert.equal(await page.locator('.red-ui-telemetry-updates').innerText(), "off: you said no to them in Node-RED's own question");
    await screenshot(page, 'update-notices-2-off-after-core-no-1280x800');
  });

  it('without a core question or tour in this visit, asks with the dialog directly (no notification first)', async () => {
    const target = await startRed();
    const page = await openEditor(target);
    await page.waitForSelector(PROMPT);
    assert.equal(await page.locator('.red-ui-telemetry-notice').count(), 0, 'no notification first');
  });

  /** updateNotification given in settings.js: shown even to a user who said no to Node-RED's own question (as every startRed() did). */
  const notifying = (): Record<string, unknown> => ({ telemetry: { url: collector.url, initialDelay: '300ms', interval: '1h', updateNotification: true } });

  it('shows an update once per session, and remembers "don\'t remind me"', async () => {
    collector.always(answerJson(200, { 'node-red': { latest: '99.0.0' } }));
    const target = await startRed({ settings: notifying(), runtimeSettings: { 'node-red-telemetry': { instanceId: 'f'.repeat(32), choice: true } } });
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
    const target = await startRed({ settings: notifying(), runtimeSettings: { 'node-red-telemetry': { instanceId: 'f'.repeat(32), choice: true } } });
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
    const target = await startRed({ settings: notifying(), runtimeSettings: { 'node-red-telemetry': { instanceId: 'f'.repeat(32), choice: true } } });
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
    const target = await startRed({ version: '3', settings: notifying() });
    const page = await openEditor(target);
    assert.match(await page.evaluate(() => (window as unknown as { RED: { settings: { version: string } } }).RED.settings.version), /^3\./);
    await page.waitForSelector(PROMPT);
    await screenshot(page, 'node-red-3-consent-prompt');
    await page.click('#red-ui-telemetry-share');
    await page.waitForSelector(PROMPT, { state: 'detached' });
    await collector.waitFor(1);
    await page.locator('.red-ui-notification:has-text("Node-RED 99.0.0 is available.")').waitFor();
    await openUsageDataPane(page);
    assert.equal(await switchedOn(page), true);
    await screenshot(page, 'node-red-3-settings-pane');
    await switchOf(page).click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.red-ui-telemetry-state')?.innerText === 'Usage data is not shared.');
    assert.equal((await status(target)).enabled, false);
  });

  it('shows no update notification when updateNotification is false', async () => {
    collector.always(answerJson(200, { 'node-red': { latest: '99.0.0' } }));
    const target = await startRed({
      settings: { telemetry: { url: collector.url, initialDelay: '300ms', updateNotification: false } },
      // Node-RED's own question answered yes: only settings.js keeps the notices off here.
      runtimeSettings: { telemetryEnabled: true, 'node-red-telemetry': { instanceId: 'f'.repeat(32), choice: true } },
    });
    await target.waitForLog(/Report sent to/);
    const page = await openEditor(target);
    await page.waitForTimeout(WOULD_HAVE_SHOWN_MS / 2);
    assert.equal(await page.locator('.red-ui-notification:has-text("is available")').count(), 0);
  });
});
