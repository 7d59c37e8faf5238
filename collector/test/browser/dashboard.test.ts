import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { ARTIFACTS, recordPage, screenshot, useChromium } from '../../../test/helpers/browser';
import { COLLECTOR_BIN, freshStore, InProcessCollector, startInProcess } from '../helpers/collector-process';
import { measureLayout, VIEWPORTS } from './dashboard-layout';

/** Values a hostile sender or a tampered database might hold; each must show as text and run nothing. */
const CRAFTED_VERSION = `<img src=x onerror="document.title='pwned';window.pwned=1">`;
const CRAFTED_OS = [`<script>document.title='pwned'</script>`, `"><svg onload="document.title='pwned'">`];
const LAST_DAY = '2026-11-20';
const BASE = ['node-red', 'nodejs', 'os', 'arch', 'client'];

interface Loaded {
  page: Page;
  requests: string[];
  problems: string[];
}

describe('public dashboard in Chromium', function () {
  this.timeout(180_000);
  const chromium = useChromium({ endScreenshots: false });
  let collector: InProcessCollector;
  const now = new Date('2026-11-21T09:00:00Z');

  before(async () => {
    const files = await freshStore('sqlite');
    // Seeded the way an operator would: the published command, 180 days, thousands of instances.
    await promisify(execFile)(process.execPath, [COLLECTOR_BIN, 'demo-data', '--data', files.dataDir, '--days', '180', '--instances', '5000', '--end', LAST_DAY, '--log-level', 'warn']);
    collector = await startInProcess({ store: files, config: { latest: '4.2.0' }, options: { now: () => now } });
  });
  after(async () => {
    await collector?.stop();
  });

  /** Opens the page and waits until every panel is drawn, recording each request and any console error. */
  async function open(options: BrowserContextOptions = {}, query = ''): Promise<Loaded> {
    const page = await chromium.newPage({ viewport: { width: 1280, height: 800 }, ...options });
    const { requests, problems } = recordPage(page);
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    const response = await page.goto(`${collector.url}/${query}`);
    assert.equal(response?.status(), 200);
    await page.locator('#panels section').first().waitFor();
    await page.locator('#status').waitFor({ state: 'hidden' });
    return { page, requests, problems };
  }

  async function api(p: string): Promise<any> { // any: API answers, checked field by field
    return (await fetch(`${collector.url}/api/v1/${p}`)).json();
  }

  async function legend(page: Page, chart: string): Promise<string[]> {
    return page.locator(`#${chart} .u-legend .u-series .u-label`).allTextContents();
  }

  it('draws each chart with the series the API names, a data table under each, a panel per dimension, and the demo label', async () => {
    const { page, problems } = await open();
    const summary = await api('summary');
    assert.equal(await page.locator('#demo').textContent(), summary.demo);
    assert.match(summary.demo, /^Demo data/);
    assert.equal(await page.locator('[data-total="instances"] .value').textContent(), summary.lastDayTotals.instances.toLocaleString('en'));

    assert.deepEqual(await legend(page, 'chart-instances'), ['Day', 'Active instances']);
    for (const [chart, dimension, group] of [
      ['chart-node-red', 'node-red', 'minor'],
      ['chart-nodejs', 'nodejs', 'major'],
    ]) {
      const answer = await api(`series/${dimension}?range=90&group=${group}`);
      const names = answer.series.map((s: { value: string }) => s.value);
      assert.ok(names.length >= 4, `${dimension}: several versions (${names.join(', ')})`);
      assert.deepEqual(await legend(page, chart), ['Day', ...names]);
      assert.equal(await page.locator(`#${chart} canvas`).count(), 1);
      assert.deepEqual(await page.locator(`#${chart} .table-wrap thead th`).allTextContents(), ['Day', ...names]);
      assert.equal(await page.locator(`#${chart} .table-wrap tbody tr`).count(), 90);
    }
    assert.ok((await legend(page, 'chart-node-red')).includes('5.0'));
    assert.ok((await legend(page, 'chart-nodejs')).includes('22'));

    const panels = await page.locator('#panels section').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-dimension')));
    assert.deepEqual(panels, summary.dimensions.map((d: { id: string }) => d.id));
    assert.deepEqual(panels.slice(0, 5), BASE);
    const os = await api('breakdown/os');
    assert.deepEqual(await page.locator('[data-dimension="os"] tbody th').allTextContents(), os.values.map((v: { value: string }) => v.value));
    assert.ok(os.values.some((v: { value: string }) => v.value === 'other'), 'rare demo values are merged into "other"');
    assert.equal(await page.locator('#threshold').textContent(), '5');
    assert.deepEqual(problems, []);
  });

  it('shows the opt-in groups of the demo, each dimension under its title, its values in their natural order', async () => {
    const { page, problems } = await open();
    const summary = await api('summary');
    const headings = await page.locator('#panels .panel-section > h3').allTextContents();
    assert.deepEqual(headings, ['Every report', 'Opt-in groups', 'Flows (opt-in)', 'Features (opt-in)', 'Environment (opt-in)', 'Lifecycle (opt-in)', 'Editor features used (opt-in)']);
    assert.equal(summary.dimensions.length, 5 + 1 + 11 + 9 + 9 + 4 + 5, "the base report and every field of the five groups");
    for (const d of summary.dimensions as Array<{ id: string; title: string }>) {
      assert.notEqual(d.title, d.id, `${d.id} has a title`);
      assert.equal(await page.locator(`[data-dimension="${d.id}"] h4`).textContent(), d.title);
    }
    const order = async (dimension: string) => page.locator(`[data-dimension="${dimension}"] tbody th`).allTextContents();
    const buckets = ['0', '1', '2-5', '6-10', '11-50', '51-100', '101-500', '>500', 'other'];
    const nodes = await order('flows.nodes');
    assert.ok(nodes.length >= 3, nodes.join(', '));
    assert.deepEqual(nodes, buckets.filter((b) => nodes.includes(b)), 'buckets smallest first');
    assert.deepEqual(await order('environment.uptime'), ['<1h', '1h-1d', '1d-7d', '7d-30d', '>30d']);
    assert.deepEqual(await order('features.https'), ['true', 'false']);
    assert.equal(await page.locator('[data-dimension="editor.actions"] h4').textContent(), 'Editor features used');
    assert.ok((await order('editor.actions')).includes('core:deploy-flows'), 'the editor group has its panel, by action');
    assert.deepEqual(await order('editor.viewports'), ['phone', 'tablet', 'desktop']);
    assert.deepEqual(await order('node-red'), ['5.0', '4.1', '4.0', '3.1', '3.0'], 'versions newest first');
    assert.equal(await page.locator('#opt-in-note').isVisible(), true);
    assert.deepEqual(problems, []);
  });

  it('switching the range changes the charts and their tables', async () => {
    const { page, problems } = await open();
    const rows = page.locator('#chart-instances .table-wrap tbody tr');
    assert.equal(await rows.count(), 90);
    const before = await page.locator('#chart-node-red .table-wrap tbody').textContent();
    await page.locator('label', { hasText: '30 days' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#chart-instances .table-wrap tbody tr').length === 30);
    assert.match(page.url(), /\?range=30$/);
    assert.notEqual(await page.locator('#chart-node-red .table-wrap tbody').textContent(), before);
    assert.equal(await rows.first().locator('th').textContent(), LAST_DAY, 'newest day first');
    assert.match((await page.locator('#chart-node-red a[data-format="csv"]').getAttribute('href')) ?? '', /range=30/);
    // By keyboard: the range is a radio group.
    await page.locator('input[name="range"][value="30"]').focus();
    for (const range of ['90', '365', 'all']) {
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction((r) => location.search === `?range=${r}`, range);
    }
    await page.locator('#status').waitFor({ state: 'hidden' });
    assert.equal(await rows.count(), 180, 'every generated day');
    assert.deepEqual(problems, []);
    await page.context().close();

    // A shared link opens on its range.
    const shared = await open({}, '?range=365');
    assert.equal(await shared.page.locator('input[name="range"]:checked').getAttribute('value'), '365');
  });

  it('CSV downloads are exactly what the API answers, under names that say what they hold', async () => {
    const { page } = await open({}, '?range=30');
    for (const [link, name] of [
      ['#chart-instances a[data-format="csv"]', 'node-red-telemetry-instances-2026-10-22-to-2026-11-20.csv'],
      ['#chart-node-red a[data-format="csv"]', 'node-red-telemetry-node-red-by-minor-2026-10-22-to-2026-11-20.csv'],
      ['[data-dimension="arch"] a[data-format="csv"]', 'node-red-telemetry-arch-2026-11-20.csv'],
      ['[data-dimension="flows.nodes"] a[data-format="csv"]', 'node-red-telemetry-flows.nodes-2026-11-20.csv'],
    ]) {
      const href = await page.locator(link).getAttribute('href');
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator(link).click()]);
      assert.equal(download.suggestedFilename(), name, link);
      const file = await download.path();
      assert.ok(file, link);
      const fromApi = await (await fetch(new URL(href!, `${collector.url}/`))).text();
      assert.equal(readFileSync(file, 'utf8'), fromApi, link);
      assert.ok(fromApi.split('\r\n').length > 3, link);
    }
    const arch = await api('breakdown/arch');
    const csv = await (await fetch(`${collector.url}/api/v1/breakdown/arch?format=csv`)).text();
    assert.deepEqual(
      csv.trim().split('\r\n').slice(1),
      arch.values.map((v: { value: string; instances: number; share: number }) => `${v.value},${v.instances},${v.share}`),
    );
  });

  it('sends no request anywhere but this collector on 127.0.0.1, with a strict CSP, and links the list of fields', async () => {
    const { page, requests } = await open();
    await page.locator('label', { hasText: '365 days' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#chart-instances .table-wrap tbody tr').length === 180);
    assert.ok(requests.length >= 9, requests.join('\n'));
    for (const url of requests) assert.equal(new URL(url).hostname, '127.0.0.1', url);
    const response = await fetch(`${collector.url}/`);
    assert.equal(
      response.headers.get('content-security-policy'),
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    assert.ok(!(await response.text()).includes('<script>'), 'no inline script');
    const fields = page.locator('#about a', { hasText: 'the list of fields' });
    assert.equal(await fields.getAttribute('href'), 'api/v1/fields');
  });

  for (const viewport of VIEWPORTS) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`at ${viewport.width}×${viewport.height}, ${colorScheme}, English and German browsers: bars to scale, no word or date broken (screenshots)`, async () => {
        const texts: string[] = [];
        for (const locale of ['en-US', 'de-DE']) {
          const name = `collector-dashboard-${viewport.width}x${viewport.height}-${colorScheme}-${locale.slice(0, 2)}`;
          const { page, problems } = await open({ viewport, colorScheme, locale, ...(viewport.width < 500 ? { isMobile: true, hasTouch: true } : {}) });
          const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          assert.equal(background, colorScheme === 'dark' ? 'rgb(21, 24, 28)' : 'rgb(246, 247, 249)', name);
          const layout = await measureLayout(page);
          assert.ok(layout.pageWidth <= layout.viewWidth, `${name}: no sideways scrolling (${layout.pageWidth} > ${layout.viewWidth})`);
          assert.ok(layout.plotWidth > 0 && layout.plotWidth <= layout.viewWidth, `${name}: the chart fits (${layout.plotWidth})`);

          // Every bar is its share of its track (to a pixel), and a large and a small share are both plain to see.
          assert.ok(layout.bars.length > 100, `${name}: ${layout.bars.length} bars`);
          for (const b of layout.bars) assert.ok(Math.abs(b.bar - Math.max(0.005, b.share) * b.track) <= 1, `${name}: ${b.dimension} ${b.value} ${b.share} → ${b.bar} of ${b.track}`);
          const bar = (value: string) => layout.bars.find((b) => b.dimension === 'os' && b.value === value)!;
          assert.ok(bar('Linux').share > 0.7 && bar('Windows_NT').share > 0.15, JSON.stringify([bar('Linux'), bar('Windows_NT')]));
          assert.ok(bar('Linux').bar >= 120, `${name}: a 72 % share is ${bar('Linux').bar} px`);
          assert.ok(bar('Windows_NT').bar >= 25, `${name}: a 15 % share is ${bar('Windows_NT').bar} px`);

          // Labels stay on one line; the usual ones whole, never cut.
          for (const l of layout.labels) assert.equal(l.lines, 1, `${name}: ${l.value} on ${l.lines} lines`);
          for (const value of ['Windows_NT', 'node-red-core', 'node-red-telemetry', 'compute-module', 'http response', '101-500']) {
            const label = layout.labels.find((l) => l.value === value);
            assert.ok(label && !label.cut, `${name}: ${value} is shown whole (${JSON.stringify(label)})`);
          }
          assert.deepEqual(layout.overflowing, [], `${name}: every heading and number fits its column`);
          // Days are never broken, in the totals, the panels' captions or the (opened) data tables.
          assert.ok(layout.dates.length >= 3 * 90, `${name}: ${layout.dates.length} days`);
          for (const d of layout.dates) assert.equal(d.lines, 1, `${name}: ${d.text} on ${d.lines} lines`);

          assert.deepEqual(problems, []);
          texts.push((await page.locator('main').innerText()).replace(/counted \d\d:\d\d UTC/g, ''));
          await screenshot(page, name);
          if (locale === 'en-US') await page.locator('.panel-section').first().screenshot({ path: path.join(ARTIFACTS, `${name}-shares.png`) });
          if (locale === 'en-US' && viewport.width === 1280) await page.screenshot({ path: path.join(ARTIFACTS, `${name}-full.png`), fullPage: true });
          await page.context().close();
        }
        // Not localised: a German browser gets the same English page, numbers written the same way.
        assert.equal(texts[1], texts[0]);
      });
    }
  }

  describe('with crafted values in the roll-ups', () => {
    before(async () => {
      // Ingest stores only semver versions, so a crafted version can reach the roll-ups only through the
      // database itself (an older collector, a restored dump); the page must still show it as text.
      const rows = [
        { day: LAST_DAY, dimension: 'node-red', value: CRAFTED_VERSION, instances: 60 },
        ...CRAFTED_OS.map((value) => ({ day: LAST_DAY, dimension: 'os', value, instances: 20 })),
        // Rare values that make "other" at least the threshold alone: else the smallest value (a crafted one) would join it.
        { day: LAST_DAY, dimension: 'os', value: 'Plan 9', instances: 4 },
        { day: LAST_DAY, dimension: 'os', value: 'Haiku', instances: 4 },
        // A dimension where an instance counts under several values (not in the demo), with a rare one: its "other" is hidden.
        { day: LAST_DAY, dimension: 'ext.providers', value: 'node-red-contrib-a', instances: 8 },
        { day: LAST_DAY, dimension: 'ext.providers', value: 'node-red-contrib-rare', instances: 2 },
      ];
      await collector.store.db.insertInto('daily_usage').values(rows).execute();
      // A new roll-up time, as a real roll-up would write: cached answers are dropped.
      await collector.store.db.updateTable('aggregated_days').set({ aggregated_at: new Date().toISOString() }).where('day', '=', LAST_DAY).execute();
      // Counted as a roll-up written by this process, so the page does not wait for the stamp's re-read.
      collector.store.rollUpWrites++;
    });

    it('shows a crafted version string as text and runs nothing', async () => {
      const { page, problems } = await open();
      assert.ok((await legend(page, 'chart-node-red')).includes(CRAFTED_VERSION), 'the crafted value is a series of its own');
      assert.ok((await page.locator('#chart-node-red .table-wrap thead th').allTextContents()).includes(CRAFTED_VERSION));
      assert.ok((await page.locator('[data-dimension="node-red"] tbody th').allTextContents()).includes(CRAFTED_VERSION));
      assert.equal(await page.locator('[data-dimension="node-red"] .label', { hasText: 'onerror' }).getAttribute('title'), CRAFTED_VERSION, 'whole in the tooltip');
      const osCells = await page.locator('[data-dimension="os"] tbody th').allTextContents();
      for (const value of CRAFTED_OS) assert.ok(osCells.includes(value), value);
      assert.equal(await page.locator('img, svg, iframe, object, embed').count(), 0, 'no element came from a value');
      assert.equal(await page.locator('script').count(), 2, 'only the two scripts of the page');
      assert.equal(await page.title(), 'Node-RED usage');
      assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
      const layout = await measureLayout(page);
      assert.ok(layout.pageWidth <= layout.viewWidth, 'a long value does not widen the page');
      assert.deepEqual(problems, []);
      await screenshot(page, 'collector-dashboard-crafted');
    });

    it('shows an "other" under the threshold as "fewer than" it, with no share and no bar', async () => {
      const { page, problems } = await open();
      const rows = page.locator('[data-dimension="ext.providers"] tbody tr');
      assert.deepEqual(await rows.locator('th').allTextContents(), ['node-red-contrib-a', 'other']);
      assert.deepEqual(await rows.last().locator('td').allTextContents(), ['–', 'fewer than 5']);
      assert.equal(await rows.last().locator('.bar').count(), 0);
      assert.deepEqual(await rows.first().locator('td.share, td.count').allTextContents(), ['100.0 %', '8']);
      assert.ok(!(await page.content()).includes('node-red-contrib-rare'));
      assert.deepEqual(problems, []);
    });
  });
});
