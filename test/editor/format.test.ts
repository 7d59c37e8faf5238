import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';

// Plain browser JavaScript (UMD), shipped as is; typed by the casts below.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped .js file (test/tsconfig.json has no allowJs), so `import` cannot load it
const Format = require('../../resources/telemetry-format.js') as {
  localeFor(editorLanguage: string, browserLanguage: string | undefined): string;
  formatter(locale: string): {
    duration(text: string): string;
    dateTime(iso: string | null | undefined): string | null;
    relative(iso: string | null | undefined, now: number): string | null;
  };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const Watch = require('../../resources/telemetry-watch.js') as {
  PAUSE_MS: number;
  editorIsBusy(doc: Document): boolean;
  coreStepShown(doc: Document): boolean;
  putOffUntil(now: number): string;
  mayAsk(until: unknown, now: number): boolean;
};

const doc = (html = ''): Document => new JSDOM(`<!DOCTYPE html><body>${html}</body>`).window.document;

describe('editor format: durations and dates in the editor language', () => {
  it('says the settings\' durations in words of each language', () => {
    const cases: Array<[string, string, string]> = [
      ['en-US', '15s', '15 seconds'],
      ['en-US', '24h', '24 hours'],
      ['de', '15s', '15 Sekunden'],
      ['de', '24h', '24 Stunden'],
      ['de', '30m', '30 Minuten'],
      ['fr', '7d', '7 jours'],
      ['es', '1h', '1 hora'],
      ['ja', '24h', '24 時間'],
      ['zh-CN', '30m', '30分钟'],
    ];
    for (const [locale, text, words] of cases) assert.equal(Format.formatter(locale).duration(text).replace(/\s/g, ' '), words, `${locale} ${text}`);
    assert.equal(Format.formatter('de').duration('1500ms'), '1.500 Millisekunden');
    assert.equal(Format.formatter('de').duration('soon'), 'soon', 'anything else as it is');
  });

  it('writes dates as each locale does, and how far off they are', () => {
    const at = '2026-11-23T08:30:00Z';
    const now = Date.parse('2026-11-22T08:00:00Z');
    assert.equal(Format.formatter('de').dateTime(at), new Intl.DateTimeFormat('de', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at)));
    assert.match(Format.formatter('de').dateTime(at) ?? '', /^2[34]\.11\.2026, \d\d:\d\d$/);
    assert.equal(Format.formatter('en-US').dateTime('not a date'), null);
    assert.equal(Format.formatter('en-US').relative(at, now), 'in 25 hours');
    assert.equal(Format.formatter('de').relative(at, now), 'in 25 Stunden');
    assert.equal(Format.formatter('de').relative('2026-11-22T07:00:00Z', now), 'vor 1 Stunde');
    assert.equal(Format.formatter('en-US').relative('2026-11-29T08:00:00Z', now), 'in 7 days');
    assert.equal(Format.formatter('en-US').relative('2026-11-22T08:00:20Z', now), 'in 20 seconds');
  });

  it("formats in the browser's variant of the editor's language, never in another language", () => {
    assert.equal(Format.localeFor('de', 'de-AT'), 'de-AT');
    assert.equal(Format.localeFor('en-US', 'en-GB'), 'en-GB');
    assert.equal(Format.localeFor('en-US', 'fr-FR'), 'en-US', 'a French browser on an English-only editor: English dates');
    assert.equal(Format.localeFor('ja', undefined), 'ja');
    assert.equal(Format.localeFor('de', 'not a locale!'), 'de');
  });
});

describe('editor watch: when the editor may ask', () => {
  it("sees Node-RED's own dialogs, tours and loading bar as busy", () => {
    assert.equal(Watch.editorIsBusy(doc()), false);
    assert.equal(Watch.editorIsBusy(doc('<div id="red-ui-loading-progress"></div>')), true);
    assert.equal(Watch.editorIsBusy(doc('<div id="red-ui-loading-progress" style="display:none"></div>')), false);
    assert.equal(Watch.editorIsBusy(doc('<div class="red-ui-popover red-ui-dialog"></div>')), true);
    assert.equal(Watch.editorIsBusy(doc('<div class="red-ui-tourGuide-shade"></div>')), true);
    assert.equal(Watch.editorIsBusy(doc('<div style="display:none"><div class="ui-dialog"></div></div>')), false);
  });

  it("tells Node-RED's own question and tour apart from other busy states", () => {
    assert.equal(Watch.coreStepShown(doc('<div class="red-ui-popover red-ui-dialog"></div>')), true);
    assert.equal(Watch.coreStepShown(doc('<div class="red-ui-tourGuide-shade"></div>')), true);
    assert.equal(Watch.coreStepShown(doc('<div class="red-ui-popover red-ui-dialog" style="display:none"></div>')), false);
    assert.equal(Watch.coreStepShown(doc('<div id="red-ui-loading-progress"></div><div class="ui-dialog"></div>')), false);
  });

  it('after a visit with Node-RED\'s own question, asks again only an hour later', () => {
    const now = Date.parse('2026-11-22T08:00:00Z');
    const until = Watch.putOffUntil(now);
    assert.equal(until, '2026-11-22T09:00:00.000Z');
    assert.equal(Watch.mayAsk(until, now + 60_000), false, 'a reload a minute later is the same sitting');
    assert.equal(Watch.mayAsk(until, now + Watch.PAUSE_MS - 1), false);
    assert.equal(Watch.mayAsk(until, now + Watch.PAUSE_MS), true);
    assert.equal(Watch.mayAsk(undefined, now), true, 'nothing put off');
    assert.equal(Watch.mayAsk('garbage', now), true);
    assert.equal(Watch.mayAsk('2099-01-01T00:00:00Z', now), true, 'a time from another clock counts as passed, not as never');
  });
});
