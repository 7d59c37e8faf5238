import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import jqueryFactory from 'jquery';

// The editor's view module is plain browser JavaScript (UMD), shipped as is.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped .js file (test/tsconfig.json has no allowJs), so `import` cannot load it; typed by the cast below
const View = require('../../resources/telemetry-view.js') as {
  shouldPrompt(status: unknown, canWrite: boolean): boolean;
  isFixed(reason: string): boolean;
  hostOf(url: string | null): string | null;
  releaseNotesUrl(version: string): string;
  updateNotices(status: unknown, coreAnswer: boolean | undefined): 'on' | 'off-core' | 'off-settings';
  consentContent($: JQueryStatic, t: Translate, fmt: Formatter, status: unknown, coreAnswer?: boolean): JQuery;
  updateContent($: JQueryStatic, t: Translate, update: string | { version: string; node?: string; newer?: { version: string; node: string } }): JQuery;
  errorMessage(t: Translate, xhr: unknown): string;
  promptKind(status: unknown, canWrite: boolean): 'first' | 'more' | null;
  moreContent($: JQueryStatic, t: Translate, status: unknown): JQuery;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const PaneView = require('../../resources/telemetry-pane-view.js') as {
  paneContent($: JQueryStatic, t: Translate, fmt: Formatter, status: unknown, context: PaneContext): { element: JQuery; toggle: JQuery; erase: JQuery | null };
  erasureText(t: Translate, fmt: Formatter, erasure: unknown): string | null;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const Format = require('../../resources/telemetry-format.js') as { formatter(locale: string): Formatter };
type Translate = (key: string, substitutions?: Record<string, unknown>) => string;
interface Formatter {
  duration(text: string): string;
  dateTime(iso: string | null | undefined): string | null;
  relative(iso: string | null | undefined, now: number): string | null;
}
interface PaneContext {
  canWrite: boolean;
  coreAnswer: boolean | undefined;
  offerErase: boolean;
  now: number;
}
const fmt = Format.formatter('en-US');
const context = (extra: Partial<PaneContext> = {}): PaneContext => ({ canWrite: true, coreAnswer: undefined, offerErase: false, now: Date.parse('2026-11-22T08:00:00Z'), ...extra });
const paneOf = ($: JQueryStatic, s: unknown, extra: Partial<PaneContext> = {}) => PaneView.paneContent($, t, fmt, s, context(extra));

/** Shows keys and substitutions, so a test sees which text was asked for. */
const t: Translate = (key, substitutions) => (substitutions ? `${key} ${JSON.stringify(substitutions)}` : key);

function dom(html = ''): { $: JQueryStatic; document: Document } {
  const window = new JSDOM(`<!DOCTYPE html><body>${html}</body>`).window;
  // jquery's CommonJS entry, given a window, returns the jQuery bound to it; its types do not say so.
  const bind = jqueryFactory as unknown as (w: unknown) => JQueryStatic;
  return { $: bind(window), document: window.document };
}

const preview = { instanceId: 'a'.repeat(32), os: { type: 'Linux', release: '6.1', arch: 'arm64' }, env: { nodejs: '20.0.0', 'node-red': '4.1.15' } };
const status = (extra: Record<string, unknown> = {}) => ({
  enabled: null,
  reason: 'pending',
  url: 'https://telemetry.example.com/ping',
  operator: null,
  updateNotification: null,
  update: null,
  lastReport: null,
  nextReportAt: null,
  schedule: { initialDelay: '30m', firstBy: '1h', interval: '24h' },
  preview,
  ...extra,
});

describe('editor view (jsdom)', () => {
  it('prompts only a user who may write, while nobody has chosen', () => {
    assert.equal(View.shouldPrompt(status(), true), true);
    assert.equal(View.shouldPrompt(status(), false), false);
    assert.equal(View.shouldPrompt(status({ enabled: false, reason: 'consent' }), true), false);
    assert.equal(View.shouldPrompt(status({ enabled: false, reason: 'flag' }), true), false);
    assert.equal(View.shouldPrompt(status({ enabled: true, reason: 'settings' }), true), false);
    assert.equal(View.shouldPrompt(null, true), false);
  });

  it('asks nothing while no collector is configured: there is nowhere to send to', () => {
    assert.equal(View.promptKind(status({ url: null }), true), null);
    assert.equal(View.promptKind(status({ url: null, enabled: true, reason: 'consent', pending: ['flows'] }), true), null);
  });

  it('the pane says how to configure a destination, only when there is none', () => {
    const { $ } = dom();
    const none = paneOf($, status({ url: null })).element;
    assert.equal(none.find('.red-ui-telemetry-no-url p').first().text(), 'pane.noUrl');
    const example = none.find('.red-ui-telemetry-url-example').text();
    // Pasted inside settings.js's module.exports, it must be a valid property with an https url.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluating the example is the test: it must run as JavaScript
    const parsed = new Function(`return { ${example} };`)() as { telemetry: { url: string; operator: string } };
    assert.equal(new URL(parsed.telemetry.url).protocol, 'https:');
    assert.equal(parsed.telemetry.operator, 'ACME IT', 'and who runs it');
    assert.equal(paneOf($, status()).element.find('.red-ui-telemetry-no-url').length, 0);
    assert.equal(paneOf($, status({ url: null })).toggle.prop('disabled'), true, 'no switch to flip with nowhere to send');
  });

  it('knows which reasons the editor cannot change', () => {
    for (const reason of ['flag', 'env', 'do-not-track', 'opt-out-file', 'settings']) assert.equal(View.isFixed(reason), true, reason);
    for (const reason of ['consent', 'pending']) assert.equal(View.isFixed(reason), false, reason);
  });

  it('names the host and the release notes', () => {
    assert.equal(View.hostOf('https://telemetry.example.com:8443/ping'), 'telemetry.example.com:8443');
    assert.equal(View.hostOf(null), null);
    assert.equal(View.hostOf('not a url'), null);
    assert.equal(View.releaseNotesUrl('4.1.15'), 'https://github.com/node-red/node-red/releases/tag/4.1.15');
  });

  it('builds the consent text: the list, the exact data, who receives it, how often, how to opt out', () => {
    const { $ } = dom();
    const body = View.consentContent($, t, fmt, status());
    assert.deepEqual(body.find('li').map((_i, li) => $(li).text()).get(), ['collected.instanceId', 'collected.nodeRed', 'collected.nodejs', 'collected.os']);
    assert.deepEqual(JSON.parse(body.find('details pre').text()), preview);
    assert.equal(body.find('details summary').text(), 'consent.showData');
    const text = body.text();
    assert.ok(text.includes('consent.intro'));
    assert.equal(body.find('.red-ui-telemetry-receiver').text(), 'consent.where {"host":"telemetry.example.com"}');
    assert.ok(text.includes('consent.when-spread {"initialDelay":"30 minutes","firstBy":"1 hour","interval":"24 hours"}'));
    // No spread window (initialDelay 0): the plain sentence.
    const atOnce = View.consentContent($, t, fmt, status({ schedule: { initialDelay: '0ms', firstBy: '0ms', interval: '24h' } })).text();
    assert.ok(atOnce.includes('consent.when {"initialDelay":"0 milliseconds","firstBy":"0 milliseconds","interval":"24 hours"}'), atOnce);
    assert.ok(text.includes('consent.optOutLater'));
    assert.ok(View.consentContent($, t, fmt, status({ url: null })).text().includes('consent.nowhere'));
  });

  it("points the exact data, in the dialog and the pane, at the collector's list of fields", () => {
    const { $ } = dom();
    const fieldsUrl = 'https://telemetry.example.com/api/v1/fields';
    for (const element of [View.consentContent($, t, fmt, status({ fieldsUrl })), paneOf($, status({ fieldsUrl })).element]) {
      const link = element.find('.red-ui-telemetry-fields a');
      assert.equal(link.length, 1);
      assert.equal(link.attr('href'), fieldsUrl);
      assert.equal(link.attr('rel'), 'noopener noreferrer');
      assert.equal(link.text(), 'consent.fieldsLink');
    }
    for (const element of [View.consentContent($, t, fmt, status({ fieldsUrl: null })), paneOf($, status({ fieldsUrl: null })).element]) {
      assert.equal(element.find('.red-ui-telemetry-fields').length, 0, 'no link without a collector');
    }
  });

  it('names the operator settings.js gives, in the intro and with the destination', () => {
    const { $ } = dom();
    const body = View.consentContent($, t, fmt, status({ operator: 'ACME IT' }));
    assert.equal(body.find('p').first().text(), 'consent.introOperator {"operator":"ACME IT"}');
    assert.equal(body.find('.red-ui-telemetry-receiver').text(), 'consent.whereOperator {"operator":"ACME IT","host":"telemetry.example.com"}');
    assert.equal(View.moreContent($, t, status({ operator: 'ACME IT', enabled: true, pending: ['flows'] })).find('.red-ui-telemetry-receiver').text(), body.find('.red-ui-telemetry-receiver').text());
    assert.equal(paneOf($, status({ operator: 'ACME IT' })).element.find('.red-ui-telemetry-operator').text(), 'ACME IT');
    assert.equal(paneOf($, status()).element.find('.red-ui-telemetry-operator').text(), 'pane.noOperator');
  });

  it("says how it differs from Node-RED's own question, and what the answer brings, only where Node-RED asked one", () => {
    const { $ } = dom();
    const notCore = (answer: boolean | undefined, extra = {}) => View.consentContent($, t, fmt, status(extra), answer);
    assert.equal(notCore(undefined).find('.red-ui-telemetry-not-core').length, 0, 'Node-RED 3.x and 4.0 have no such question');
    assert.equal(notCore(false).find('.red-ui-telemetry-not-core').text(), 'consent.notCore');
    assert.equal(notCore(true).find('.red-ui-telemetry-updates').text(), 'consent.updatesOn');
    assert.equal(notCore(undefined).find('.red-ui-telemetry-updates').text(), 'consent.updatesOn');
    assert.equal(notCore(false).find('.red-ui-telemetry-updates').text(), 'consent.updatesOffCore', 'a no to Node-RED holds for ours');
    assert.equal(notCore(false, { updateNotification: true }).find('.red-ui-telemetry-updates').text(), 'consent.updatesOn', 'unless settings.js says so');
    assert.equal(notCore(true, { updateNotification: false }).find('.red-ui-telemetry-updates').length, 0, 'none to mention');
  });

  it("update notices: settings.js decides when it says; unset, a no to Node-RED's own question holds", () => {
    assert.equal(View.updateNotices(status(), undefined), 'on');
    assert.equal(View.updateNotices(status(), true), 'on');
    assert.equal(View.updateNotices(status(), false), 'off-core');
    assert.equal(View.updateNotices(status({ updateNotification: true }), false), 'on');
    assert.equal(View.updateNotices(status({ updateNotification: false }), true), 'off-settings');
    const { $ } = dom();
    assert.equal(paneOf($, status(), { coreAnswer: false }).element.find('.red-ui-telemetry-updates').text(), 'pane.updatesOffCore');
  });

  it('never lets a setting or an answer script the page', () => {
    const { $ } = dom();
    const hostile = '<img src=x onerror="window.pwned=1">';
    const body = View.consentContent($, t, fmt, status({ url: `https://evil.example/${hostile}`, operator: hostile, preview: { ...preview, instanceId: hostile } }));
    const pane = paneOf($, status({ url: hostile, operator: hostile, lastReport: { at: hostile, ok: true } })).element;
    const update = View.updateContent($, t, hostile);
    for (const element of [body, pane, update]) assert.equal(element.find('img').length, 0);
  });

  it('builds the pane: toggle state, and a disabled toggle with the reason when fixed', () => {
    const { $ } = dom();
    const on = paneOf($, status({ enabled: true, reason: 'consent', lastReport: { at: '2026-11-22T08:30:00Z', ok: true }, nextReportAt: '2026-11-23T08:30:00Z' }));
    assert.equal(on.toggle.prop('checked'), true);
    assert.equal(on.toggle.prop('disabled'), false);
    assert.equal(on.element.find('.red-ui-telemetry-toggle').hasClass('red-ui-settings-row'), true, "in the layout of Node-RED's own panes");
    assert.equal(on.element.find('.red-ui-telemetry-state').text(), 'pane.state.on');
    assert.equal(on.element.find('.red-ui-telemetry-destination').text(), 'https://telemetry.example.com/ping');
    assert.match(on.element.find('.red-ui-telemetry-lastReport').text(), /^pane\.lastOk /);
    assert.equal(on.element.find('.red-ui-telemetry-nextReport').text(), `pane.nextAt ${JSON.stringify({ time: fmt.dateTime('2026-11-23T08:30:00Z'), relative: 'in 25 hours' })}`);
    assert.equal(paneOf($, status({ enabled: true, reason: 'consent' }), { canWrite: false }).toggle.prop('disabled'), true, 'not for a reader');
    assert.deepEqual(JSON.parse(on.element.find('.red-ui-telemetry-payload').text()), preview);
    assert.equal(on.element.find('.red-ui-telemetry-fixed').length, 0);

    const fixed = paneOf($, status({ enabled: false, reason: 'flag' }));
    assert.equal(fixed.toggle.prop('checked'), false);
    assert.equal(fixed.toggle.prop('disabled'), true);
    assert.equal(fixed.element.find('.red-ui-telemetry-fixed').text(), 'pane.fixed {"reason":"reason.flag"}');
    assert.equal(paneOf($, status()).element.find('.red-ui-telemetry-state').text(), 'pane.state.pending');
  });

  it('builds the update notice with a link to the release notes', () => {
    const { $ } = dom();
    const body = View.updateContent($, t, '4.1.15');
    assert.equal(body.find('p').first().text(), 'update.available {"version":"4.1.15"}');
    assert.equal(body.find('a').attr('href'), 'https://github.com/node-red/node-red/releases/tag/4.1.15');
    assert.equal(body.find('a').attr('rel'), 'noopener noreferrer');
  });

  it('says what an offered version needs when this Node.js is too old for it', () => {
    const { $ } = dom();
    const body = View.updateContent($, t, { version: '5.0.7', node: '22.9' });
    assert.equal(body.find('p').first().text(), 'update.needsNode {"version":"5.0.7","node":"22.9"}');
    assert.equal(body.find('.red-ui-telemetry-update-newer').length, 0);
    assert.equal(body.find('a').attr('href'), 'https://github.com/node-red/node-red/releases/tag/5.0.7');
  });

  it('mentions a newer version this Node.js cannot run beside the compatible offer', () => {
    const { $ } = dom();
    const body = View.updateContent($, t, { version: '4.1.16', newer: { version: '5.0.7', node: '22.9' } });
    assert.equal(body.find('p').first().text(), 'update.available {"version":"4.1.16"}');
    assert.equal(body.find('.red-ui-telemetry-update-newer').text(), 'update.newer {"version":"5.0.7","node":"22.9"}');
    assert.equal(body.find('a').attr('href'), 'https://github.com/node-red/node-red/releases/tag/4.1.16');
    const hostile = '<img src=x onerror="window.pwned=1">';
    assert.equal(View.updateContent($, t, { version: '1.0.0', node: hostile, newer: { version: hostile, node: hostile } }).find('img').length, 0);
  });

  it("shows the admin API's own error message, or the status", () => {
    assert.equal(View.errorMessage(t, { status: 409, responseJSON: { error: { code: 'decision_fixed', message: 'Fixed by the flag.' } } }), 'Fixed by the flag.');
    assert.equal(View.errorMessage(t, { status: 502, responseText: '<html>' }), 'error.request {"status":502}');
  });
});

describe('editor view: consent covers a list (issue 10)', () => {
  const providers = [{ id: 'acme', name: 'Acme metrics' }];

  it('asks first while nobody chose; asks for more only while on with something pending', () => {
    assert.equal(View.promptKind(status({ pending: ['flows'] }), true), 'first');
    assert.equal(View.promptKind(status({ enabled: true, reason: 'consent', pending: ['flows'] }), true), 'more');
    assert.equal(View.promptKind(status({ enabled: true, reason: 'settings', pending: ['ext:acme'] }), true), 'more');
    assert.equal(View.promptKind(status({ enabled: true, reason: 'consent', pending: [] }), true), null);
    assert.equal(View.promptKind(status({ enabled: false, reason: 'consent', pending: ['flows'] }), true), null);
    assert.equal(View.promptKind(status({ enabled: true, reason: 'consent', pending: ['flows'] }), false), null, 'not for a reader');
    assert.equal(View.promptKind(status({ enabled: true, reason: 'consent' }), true), null, 'an older runtime without pending');
  });

  it('the first question lists the groups beyond the base payload', () => {
    const { $ } = dom();
    const body = View.consentContent($, t, fmt, status({ pending: ['flows', 'ext:acme'], providers }));
    assert.deepEqual(body.find('.red-ui-telemetry-items li').toArray().map((li) => li.textContent), ['item.flows', 'item.provider {"id":"acme","name":"Acme metrics"}']);
  });

  it('asking again names only what is new, and shows the full payload', () => {
    const { $ } = dom();
    const body = View.moreContent($, t, status({ enabled: true, reason: 'consent', pending: ['environment'], preview: { ...preview, environment: { cpus: 2 } } }));
    assert.deepEqual(body.find('.red-ui-telemetry-items li').toArray().map((li) => li.getAttribute('data-item')), ['environment']);
    assert.equal(body.find('.red-ui-telemetry-collected').length, 0);
    assert.deepEqual(JSON.parse(body.find('.red-ui-telemetry-preview pre').text()).environment, { cpus: 2 });
  });

  it('the pane lists what is sent and what waits, and offers erasure only right after switching off', () => {
    const { $ } = dom();
    const on = paneOf($, status({ enabled: true, reason: 'consent', covered: ['flows'], pending: ['ext:acme'], providers }));
    assert.deepEqual(on.element.find('.red-ui-telemetry-covered li').toArray().map((li) => li.getAttribute('data-item')), ['flows']);
    assert.deepEqual(on.element.find('.red-ui-telemetry-pending li').toArray().map((li) => li.getAttribute('data-item')), ['ext:acme']);
    assert.equal(on.erase, null, 'never beside a switch that is on');
    assert.equal(paneOf($, status({ enabled: true, reason: 'consent' }), { offerErase: true }).erase, null);
    assert.equal(paneOf($, status({ enabled: false, reason: 'consent' })).erase, null, 'not for an old "off"');
    const offered = paneOf($, status({ enabled: false, reason: 'consent' }), { offerErase: true });
    assert.equal(offered.erase?.text(), 'pane.erase');
    assert.equal(offered.element.find('.red-ui-telemetry-erase-hint').text(), 'pane.eraseHint');
    assert.equal(paneOf($, status({ enabled: false, reason: 'settings' }), { offerErase: true }).erase, null, 'not where settings.js decides');
    assert.equal(paneOf($, status({ enabled: false, reason: 'consent' }), { offerErase: true, canWrite: false }).erase, null, 'not for a reader');
  });

  it('states the erasure result', () => {
    assert.equal(PaneView.erasureText(t, fmt, null), null);
    assert.equal(PaneView.erasureText(t, fmt, { state: 'running', at: '2026-11-26T00:00:00Z' }), 'pane.erasureRunning');
    assert.equal(PaneView.erasureText(t, fmt, { state: 'done', at: '2026-11-26T00:00:00Z', deleted: 4 }), `pane.erasureDone ${JSON.stringify({ count: 4, time: fmt.dateTime('2026-11-26T00:00:00Z') })}`);
    assert.equal(PaneView.erasureText(t, fmt, { state: 'failed', at: '2026-11-26T00:00:00Z', error: 'HTTP 503' }), 'pane.erasureFailed {"error":"HTTP 503"}');
  });
});
