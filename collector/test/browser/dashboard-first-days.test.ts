import assert from 'node:assert/strict';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { recordPage, screenshot, useChromium } from '../../../test/helpers/browser';
import { addDays } from '../../src/days';
import { rollUpFinishedDay } from '../../src/rollup/daily-job';
import { InProcessCollector, report, startInProcess } from '../helpers/collector-process';
import { measureLayout, VIEWPORTS } from './dashboard-layout';

const MINUTE = 60_000;
/** Records every text drawn on a canvas (uPlot draws its axes' labels there), for the test to read. */
const RECORD_CANVAS_TEXT = `
  window.drawnTexts = [];
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, x, y, maxWidth) {
    window.drawnTexts.push(String(text));
    return maxWidth === undefined ? fillText.call(this, text, x, y) : fillText.call(this, text, x, y, maxWidth);
  };
`;
const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';

/** A collector from its first report on: the page on day one, then once a few days are rolled up. */
describe('public dashboard in Chromium, on a new collector', function () {
  this.timeout(120_000);
  const chromium = useChromium({ endScreenshots: false });
  const clock = { now: new Date('2026-11-21T09:00:00Z') };
  let collector: InProcessCollector;

  before(async () => {
    const config = { latest: '4.2.0', threshold: 5, rateLimit: { perInstance: 10, perAddress: 100_000 } };
    collector = await startInProcess({ config, options: { now: () => clock.now } });
  });
  after(() => collector?.stop());

  async function send(...instances: number[]): Promise<void> {
    for (const instance of instances) {
      const res = await fetch(`${collector.url}/ping`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report({}, instance)) });
      await res.arrayBuffer();
      assert.equal(res.status, 200);
    }
  }

  /** The page once its totals are shown; every request it made, and any console error. */
  async function open(options: BrowserContextOptions = {}): Promise<{ page: Page; requests: string[]; problems: string[] }> {
    const page = await chromium.newPage({ viewport: { width: 1280, height: 800 }, ...options });
    const { requests, problems } = recordPage(page);
    await page.addInitScript({ content: RECORD_CANVAS_TEXT });
    await page.goto(`${collector.url}/`);
    await page.locator('#totals').waitFor();
    return { page, requests, problems };
  }

  const figure = (page: Page, key: string) => page.locator(`[data-total="${key}"] .value`).textContent();

  it("day one: today's totals so far, provisional, \"fewer than\" the threshold for a handful, no breakdown", async () => {
    await send(1, 2, 3);
    const { page, requests, problems } = await open();
    assert.match((await page.locator('#status').textContent()) ?? '', /^No day has been aggregated yet/);
    assert.deepEqual([await figure(page, 'today-instances'), await figure(page, 'today-reports')], ['fewer than 5', 'fewer than 5']);
    const tile = page.locator('[data-total="today-instances"]');
    assert.match((await tile.getAttribute('class')) ?? '', /\bprovisional\b/);
    assert.match((await tile.textContent()) ?? '', /today so far \(2026-11-21\)provisional, counted 09:00 UTC/);
    assert.deepEqual(await page.locator('.chart:visible, #shares:visible, #ranges:visible').evaluateAll((n) => n.map((e) => e.id)), []);
    assert.ok(!requests.some((url) => /\/(breakdown|series)\//.test(url)), 'nothing but the two totals is asked for');
    assert.deepEqual(problems, []);
    await screenshot(page, 'collector-dashboard-day-one-fewer-than');
    await page.context().close();

    // Five minutes and five more installations later, the count itself; once per size, light and dark.
    await send(4, 5, 6, 7, 8, 1);
    clock.now = new Date(clock.now.getTime() + 5 * MINUTE);
    for (const viewport of VIEWPORTS) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const again = await open({ viewport, colorScheme, locale: viewport.width < 500 ? 'de-DE' : 'en-US' });
        assert.deepEqual([await figure(again.page, 'today-instances'), await figure(again.page, 'today-reports')], ['8', '9']);
        assert.match((await again.page.locator('[data-total="today-instances"]').textContent()) ?? '', /counted 09:05 UTC/);
        const layout = await measureLayout(again.page);
        assert.ok(layout.pageWidth <= layout.viewWidth, `no sideways scrolling at ${viewport.width}`);
        for (const d of layout.dates) assert.equal(d.lines, 1, `${d.text} on ${d.lines} lines`);
        assert.deepEqual(again.problems, []);
        await screenshot(again.page, `collector-dashboard-day-one-${viewport.width}x${viewport.height}-${colorScheme}`);
        await again.page.context().close();
      }
    }
  });

  it('after three days the time axis shows those days, never hours, and whole counts; today still shows beside them', async () => {
    // Day one is rolled up after midnight; two more days of reports, each rolled up the next morning.
    for (const day of ['2026-11-22', '2026-11-23', '2026-11-24']) {
      clock.now = new Date(`${day}T09:00:00Z`);
      const outcome = await rollUpFinishedDay(collector.store, addDays(day, -1), clock.now, 90);
      assert.equal(outcome.status, 'aggregated', JSON.stringify(outcome));
      await send(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    }
    for (const viewport of VIEWPORTS) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { page, problems } = await open({ viewport, colorScheme });
        await page.locator('#status').waitFor({ state: 'hidden' });
        assert.deepEqual([await figure(page, 'instances'), await figure(page, 'days')], ['10', '3']);
        assert.equal(await figure(page, 'today-instances'), '10', 'today so far, beside the last aggregated day');
        const drawn = await page.evaluate(() => (window as unknown as { drawnTexts: string[] }).drawnTexts);
        const words = drawn.filter((text) => /[A-Za-z]/.test(text));
        assert.ok(words.length > 0, drawn.join(' | '));
        for (const text of words) assert.match(text, new RegExp(`^(${MONTHS})( \\d{1,2})?$`), `only days and months on the time axis: ${drawn.join(' | ')}`);
        assert.ok(!drawn.some((text) => /\d:\d\d|\d\s?[ap]m/i.test(text)), `no hour: ${drawn.join(' | ')}`);
        for (const day of ['Nov 21', 'Nov 22', 'Nov 23']) assert.ok(drawn.includes(day), `${day} is a tick: ${drawn.join(' | ')}`);
        assert.ok(!drawn.some((text) => /^[\d,]*\.\d+$/.test(text)), `whole instances only: ${drawn.join(' | ')}`);
        assert.deepEqual(problems, []);
        await screenshot(page, `collector-dashboard-first-days-${viewport.width}x${viewport.height}-${colorScheme}`);
        await page.context().close();
      }
    }
  });
});
