import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page, Request } from 'playwright-core';
import type { EditorInsight } from '@node-red-telemetry/protocol';
import { EDITOR_FILE } from '../../src/insight/editor-store';
import { editorReady, useChromium } from '../helpers/browser';
import { answerJson } from '../helpers/collector';
import { adminAuth, fixture, PASSWORD, REPO_ROOT, useNodeRed } from '../helpers/node-red';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the editor's own script (UMD), for its flush period
const { FLUSH_MS } = require('../../resources/telemetry-editor-usage.js') as { FLUSH_MS: number };

const ID = '8'.repeat(32);
/** Node-RED's dark look, as users get it on 3.x and 4.x: the theme collection's "dark". */
const THEME_COLLECTION = path.dirname(require.resolve('@node-red-contrib-themes/theme-collection/package.json', { paths: [REPO_ROOT] }));
const SECRET = /acme|secret-action/i;

/** A request as the browser's network log shows it. */
interface Logged {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The `editor` group in real Chromium against a real Node-RED (issue 29): what people do in two
 * editors at once (an administrator on a desktop, a read-only user on a phone, in German) reaches
 * the runtime through the admin API and the next delivered report carries exactly that; a
 * plugin's own action is counted, never named; with the group not covered the editor sends
 * nothing at all. The pages run on Playwright's clock, so that the 5-minute hand-in happens now,
 * while the network log can see it; closing a page hands in the rest (the page being hidden).
 */
describe('editor: the editor group counts what people do, and sends nothing while not covered (Chromium)', function () {
  this.timeout(180000);
  const chromium = useChromium();
  const { collector, red } = useNodeRed({
    collector: 'suite',
    red: (c) => ({
      modules: [THEME_COLLECTION, fixture('node-red-contrib-nrt-editor-action')],
      settings: {
        adminAuth: adminAuth({ admin: '*', reader: 'read' }),
        editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] }, theme: 'dark' },
        telemetry: { url: c.url, initialDelay: '300ms', interval: '2s', include: ['editor'] },
      },
      runtimeSettings: { telemetryEnabled: false, 'node-red-telemetry': { instanceId: ID, choice: true, covered: ['editor'] } },
    }),
  });
  const logged: Logged[] = [];
  let token = '';

  before(async () => {
    // Every report fails until the editors are done: what they counted must wait for a delivered one.
    collector.always(answerJson(400, { error: { code: 'invalid_report', message: 'down for the test' } }));
    token = await red.login('admin');
  });

  /** An editor page on Playwright's clock, logged in as `user`, its every request logged. */
  async function openEditor(user: string, options: { viewport: { width: number; height: number }; locale: string }): Promise<Page> {
    const page = await chromium.newPage(options);
    page.context().on('request', (r: Request) => void logged.push({ method: r.method(), url: r.url(), headers: r.headers(), body: r.postData() ?? '' }));
    await page.clock.install();
    await page.goto(red.baseUrl);
    await page.fill('#node-dialog-login-username', user);
    await page.fill('#node-dialog-login-password', PASSWORD);
    await page.click('#node-dialog-login-submit');
    await editorReady(page);
    return page;
  }

  const usageRequests = (): Logged[] => logged.filter((r) => r.url.includes('/telemetry/editor-usage'));
  const editorGroup = async (): Promise<EditorInsight | undefined> => (await red.api('GET', '/telemetry', undefined, token)).body.preview.editor;

  async function chord(page: Page, ...keys: string[]): Promise<void> {
    for (const key of keys) await page.keyboard.press(key);
    // The editor acts on the key at once; a moment for what it opens to be there.
    await page.waitForTimeout(150);
  }

  /** Deploy, search, import, export, a subflow, the debug and info tabs, the next tab by keyboard, and a plugin's action. */
  async function doEverything(page: Page): Promise<void> {
    await chord(page, 'Control+i');
    await page.fill('#red-ui-clipboard-dialog-import-text', JSON.stringify([{ id: 'c1', type: 'comment', name: 'a note', info: '', x: 200, y: 100, wires: [] }]));
    await page.press('#red-ui-clipboard-dialog-import-text', 'End');
    await page.click('#red-ui-clipboard-dialog-ok:not([disabled])');
    await page.mouse.click(450, 300);
    await page.click('#red-ui-header-button-deploy');
    await page.waitForSelector('#red-ui-header-button-deploy.disabled');
    await chord(page, 'Control+f');
    await chord(page, 'Escape');
    await chord(page, 'Control+e');
    await page.click('#red-ui-clipboard-dialog-cancel');
    await page.click('#red-ui-header-button-sidemenu');
    await page.hover('#menu-item-subflow');
    await page.click('#menu-item-subflow-create');
    await chord(page, 'Control+g', 'd');
    await chord(page, 'Control+g', 'i');
    await chord(page, 'Control+]');
    await chord(page, 'Alt+Shift+K');
    assert.equal(await page.evaluate(() => document.body.getAttribute('data-acme-secret-ran')), '1', "the plugin's action ran");
  }

  it('two editors at once: the next delivered report carries exactly what they did; a plugin\'s action is other, named in no request', async () => {
    const [admin, reader] = await Promise.all([
      openEditor('admin', { viewport: { width: 1280, height: 800 }, locale: 'en-US' }),
      openEditor('reader', { viewport: { width: 390, height: 844 }, locale: 'de-DE' }),
    ]);
    // Counting starts once the status says the group is covered: the editor then asks for the lists.
    const asked = () => usageRequests().filter((r) => r.method === 'GET').length;
    for (const deadline = Date.now() + 15000; asked() < 2; ) {
      assert.ok(Date.now() < deadline, `${asked()} editor(s) asked for the lists`);
      await admin.waitForTimeout(100);
    }

    await doEverything(admin);
    await chord(reader, 'Control+f');
    await chord(reader, 'Escape');
    // Five minutes pass: each editor hands in what it counted, with its bearer token.
    for (const page of [admin, reader]) await page.clock.fastForward(FLUSH_MS);
    await admin.waitForTimeout(500);
    const posts = usageRequests().filter((r) => r.method === 'POST');
    assert.equal(posts.length, 2, JSON.stringify(posts.map((p) => p.body)));
    assert.ok(posts.every((p) => /^Bearer \S+/.test(p.headers.authorization ?? '')), 'the editor\'s own token');
    assert.ok(posts.some((p) => JSON.parse(p.body).actions?.other === 1), 'the plugin\'s action went as other');

    // More after the hand-in, then the read-only user closes the page: hidden, it hands in the rest.
    await chord(reader, 'Control+g', 'i');
    await reader.close();

    const expected: EditorInsight = {
      sessions: 2,
      actions: {
        'core:show-import-dialog': 1,
        'core:deploy-flows': 1,
        'core:search': 2,
        'core:show-export-dialog': 1,
        'core:create-subflow': 1,
        'core:show-debug-tab': 1,
        'core:show-info-tab': 2,
        'core:show-next-tab': 1,
        other: 1,
      },
      languages: { 'en-US': 1, de: 1 },
      themes: { dark: 2 },
      viewports: { desktop: 1, phone: 1 },
    };
    const sorted = (g: EditorInsight | undefined) => JSON.parse(JSON.stringify(g, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v))) as unknown;
    const deadline = Date.now() + 15000;
    while (JSON.stringify(sorted(await editorGroup())) !== JSON.stringify(sorted(expected)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(sorted(await editorGroup()), sorted(expected), 'the runtime holds what both editors did');
    const deployed = (await red.api('GET', '/flows', undefined, token, { 'Node-RED-API-Version': 'v2' })).body.flows as Array<{ type: string }>;
    assert.ok(deployed.some((n) => n.type === 'comment'), 'the deploy really deployed');
    assert.ok(red.output.includes('Report to') && /Report to .* failed/.test(red.output), 'reports failed meanwhile, and kept the counts');

    // The collector is back: the next report carries exactly those counts, and the one after none.
    const backAt = Date.now();
    collector.always(answerJson(200, { 'node-red': { latest: '0.0.1' } }));
    const next = await collector.reportAfter(backAt);
    assert.deepEqual(sorted(JSON.parse(next.body).editor), sorted(expected));
    const after = await collector.reportAfter(next.at);
    assert.deepEqual(JSON.parse(after.body).editor, { sessions: 0, actions: {}, languages: {}, themes: {}, viewports: {} });

    for (const r of logged) assert.doesNotMatch(`${r.url} ${JSON.stringify(r.headers)} ${r.body}`, SECRET, `${r.method} ${r.url}`);
    for (const r of collector.received) assert.doesNotMatch(r.body, SECRET);
    assert.ok(existsSync(path.join(red.userDir, EDITOR_FILE)));
  });

  it('asked about the group and declined: the network log shows no request carrying editor counts, nor any to its route', async () => {
    // On again, with a "yes" that covers nothing beyond the base payload: the editor asks about the group.
    assert.equal((await red.api('PUT', '/telemetry', { enabled: false }, token)).status, 200);
    assert.equal((await red.api('PUT', '/telemetry', { enabled: true, covers: [] }, token)).status, 200);
    assert.deepEqual((await red.api('GET', '/telemetry', undefined, token)).body.pending, ['editor']);
    logged.length = 0;

    const page = await openEditor('admin', { viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    await page.waitForSelector('#red-ui-telemetry-consent.red-ui-telemetry-ask-more');
    const item = page.locator('.red-ui-telemetry-dialog .red-ui-telemetry-items li[data-item="editor"]');
    assert.match(await item.innerText(), /^editor: how often the editor is opened and which of its own features/);
    await page.click('#red-ui-telemetry-decline');
    await page.waitForSelector('#red-ui-telemetry-consent', { state: 'detached' });
    const status = (await red.api('GET', '/telemetry', undefined, token)).body;
    assert.deepEqual([status.enabled, status.covered, status.pending], [true, [], []]);
    await chord(page, 'Control+f');
    await chord(page, 'Escape');
    await chord(page, 'Control+g', 'i');
    await chord(page, 'Alt+Shift+K');
    await page.clock.fastForward(FLUSH_MS);
    await page.clock.fastForward(FLUSH_MS);
    await page.waitForTimeout(1000);
    assert.ok(logged.some((r) => r.url.endsWith('/telemetry') || r.url.includes('/comms')), 'the log does see the page\'s requests');
    assert.deepEqual(usageRequests(), []);
    assert.equal(logged.filter((r) => /"(sessions|actions)"/.test(r.body)).length, 0);
    await page.close();
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(existsSync(path.join(red.userDir, EDITOR_FILE)), false, 'and the runtime received nothing');
    assert.equal((await editorGroup()) ?? null, null);
  });

});
