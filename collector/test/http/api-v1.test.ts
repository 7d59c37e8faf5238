import assert from 'node:assert/strict';
import { CollectorConfig } from '../../src/config';
import { generateDemo } from '../../src/demo/history';
import { rollUpFinishedDay } from '../../src/rollup/daily-job';
import { replaceWithDemo } from '../../src/store/demo-writes';
import { InProcessCollector, report, startInProcess } from '../helpers/collector-process';
import { parseCsv } from '../helpers/csv';
import { everythingStored, rowsOf } from '../helpers/tables';

const STORES = ['sqlite', 'postgres'] as const;
/** Values a spreadsheet would run as formulas, each sent by enough instances to be published. */
const FORMULAS = ['=1+2', '+1', '-2+3', '@SUM(A1)'];
const THRESHOLD = 5;

interface Got {
  status: number;
  headers: Headers;
  text: string;
  json: any; // any: answers are checked field by field below
}

async function get(base: string, urlPath: string, headers: Record<string, string> = {}): Promise<Got> {
  const res = await fetch(new URL(urlPath, base), { headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function send(base: string, body: object, forwardedFor?: string): Promise<number> {
  const res = await fetch(`${base}/ping`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** A collector in this process with a clock the test moves; SQLite in a temp dir or a fresh PostgreSQL database. */
function start(store: (typeof STORES)[number], clock: { now: Date }, extra: Partial<CollectorConfig> = {}): Promise<InProcessCollector> {
  const config = { latest: '4.2.0', threshold: THRESHOLD, rateLimit: { perInstance: 1, perAddress: 100_000 }, ...extra };
  return startInProcess({ store, config, options: { now: () => clock.now } });
}

for (const store of STORES) {
  describe(`API v1 (${store})`, function () {
    this.timeout(120_000);

    describe('on an empty store', () => {
      const clock = { now: new Date('2026-11-20T10:00:00Z') };
      let collector: Awaited<ReturnType<typeof start>>;
      before(async () => {
        collector = await start(store, clock);
      });
      after(() => collector?.stop());

      it('answers every endpoint with empty data, not an error', async () => {
        const summary = await get(collector.url, '/api/v1/summary');
        assert.equal(summary.status, 200);
        assert.equal(summary.json.lastDay, null);
        assert.equal(summary.json.lastDayTotals, null);
        assert.deepEqual(summary.json.dimensions, []);
        assert.equal(summary.json.threshold, THRESHOLD);
        assert.equal(summary.json.demo, null);
        assert.deepEqual((await get(collector.url, '/api/v1/instances?range=all')).json.days, []);
        assert.deepEqual((await get(collector.url, '/api/v1/series/node-red')).json.series, []);
        const breakdown = await get(collector.url, '/api/v1/breakdown/os');
        assert.deepEqual([breakdown.json.day, breakdown.json.total, breakdown.json.values], [null, 0, []]);
        assert.equal((await get(collector.url, '/api/v1/instances?format=csv')).text, 'day,instances,reports\r\n');
        assert.equal((await get(collector.url, '/')).status, 200);
      });
    });

    describe('on a store with 400 days of roll-ups', () => {
      const clock = { now: new Date('2026-11-20T10:00:00Z') };
      let collector: Awaited<ReturnType<typeof start>>;
      before(async () => {
        collector = await start(store, clock);
        const days = generateDemo({ days: 400, instances: 300, seed: 3, end: '2026-11-19', country: false });
        await replaceWithDemo(collector.store, days, 'Demo data for a test', '2026-11-20T00:00:00.000Z');
        let n = 0;
        for (const osType of [...FORMULAS, 'Linux']) {
          for (let i = 0; i < THRESHOLD; i++) assert.equal(await send(collector.url, report({ os: { type: osType, release: '6.1.0-18-amd64', arch: 'x64' } }, ++n)), 200);
        }
        assert.equal(await send(collector.url, report({ os: { type: 'Plan 9', release: '4', arch: 'mips' } }, ++n)), 200);
        clock.now = new Date('2026-11-21T08:00:00Z');
        await rollUpFinishedDay(collector.store, '2026-11-20', clock.now, 90);
      });
      after(() => collector?.stop());

      it('each range ends on the last aggregated day and holds as many days as it says', async () => {
        for (const [range, days, from] of [
          ['30', 30, '2026-10-22'],
          ['90', 90, '2026-08-23'],
          ['365', 365, '2025-11-21'],
          ['all', 401, '2025-10-16'],
        ] as const) {
          const answer = (await get(collector.url, `/api/v1/instances?range=${range}`)).json;
          assert.equal(answer.days.length, days, range);
          assert.deepEqual([answer.from, answer.to], [from, '2026-11-20'], range);
          const series = (await get(collector.url, `/api/v1/series/nodejs?range=${range}`)).json;
          assert.equal(series.days.length, days);
          assert.ok(series.series.every((s: { instances: unknown[] }) => s.instances.length === days));
        }
        const summary = (await get(collector.url, '/api/v1/summary')).json;
        assert.deepEqual([summary.firstDay, summary.lastDay, summary.daysAggregated], ['2025-10-16', '2026-11-20', 401]);
        assert.equal(summary.demo, 'Demo data for a test');
        const ids = summary.dimensions.map((d: { id: string }) => d.id);
        assert.deepEqual(ids.slice(0, 6), ['node-red', 'nodejs', 'os', 'arch', 'client', 'insight.groups'], 'the base report first, then the opt-in groups of the demo');
        assert.ok(ids.includes('flows.nodes') && ids.includes('lifecycle.events'), ids.join(', '));
        assert.deepEqual(summary.dimensions[0], { id: 'node-red', title: 'Node-RED version', section: 'Every report', grouping: 'minor' });
        assert.deepEqual(summary.lastDayTotals, { instances: 26, reports: 26 });
      });

      it('publishes no value seen by fewer instances than the threshold, in any view', async () => {
        const texts: string[] = [];
        for (const dimension of ['node-red', 'nodejs', 'os', 'arch', 'client']) {
          for (const group of ['exact', 'minor', 'major']) {
            const series = await get(collector.url, `/api/v1/series/${dimension}?range=all&group=${group}&top=20`);
            texts.push(series.text);
            for (const s of series.json.series as Array<{ value: string; instances: Array<number | null> }>) {
              if (s.value === 'other') continue;
              assert.ok(s.instances.every((n) => n === null || n === 0 || n >= THRESHOLD), `${dimension} ${group} ${s.value}`);
            }
            for (const day of ['2026-11-20', '2026-06-01']) {
              const breakdown = await get(collector.url, `/api/v1/breakdown/${dimension}?group=${group}&day=${day}`);
              texts.push(breakdown.text);
              // "other" too: under the threshold it is "fewer than" it, never a number.
              for (const v of breakdown.json.values) assert.ok(v.instances >= THRESHOLD || (v.value === 'other' && v.instances === null && v.fewerThan === THRESHOLD), `${dimension} ${v.value}`);
            }
          }
        }
        const all = texts.join('\n');
        for (const rare of ['Plan 9', 'mips', 'FreeBSD', 's390x', 'ia32']) assert.ok(!all.includes(rare), rare);
        const os = (await get(collector.url, '/api/v1/breakdown/os?day=2026-11-20')).json;
        // Plan 9 alone would make "other" 1: the smallest value (Linux, 5, last by name of the fives) joins it.
        assert.deepEqual(os.values.map((v: { value: string; instances: number }) => [v.value, v.instances]), [...FORMULAS.map((f) => [f, 5]).sort(), ['other', 6]]);
      });

      it('never answers a raw report, an instance id, an address hash or an OS release', async () => {
        const answers = await Promise.all(
          ['/api/v1/summary', '/api/v1/instances?range=all', '/api/v1/series/os?range=30&group=exact', '/api/v1/breakdown/os', '/api/usage?days=3'].map((p) =>
            get(collector.url, p),
          ),
        );
        const all = answers.map((a) => a.text).join('\n');
        assert.ok(!all.includes('instance0'), 'no instance id');
        assert.ok(!all.includes('6.1.0-18-amd64'), 'no OS release');
        assert.ok(!/[0-9a-f]{64}/.test(all), 'no address hash');
      });

      it('answers an ETag and Cache-Control, 304 on revalidation, and a new ETag after the next roll-up', async () => {
        const target = '/api/v1/series/node-red?range=90';
        const first = await get(collector.url, target);
        const etag = first.headers.get('etag');
        // fetch asks for gzip: the answer is compressed once per roll-up, and its validator says which bytes these are.
        assert.match(etag ?? '', /^"[A-Za-z0-9_-]{27}-gzip"$/);
        assert.equal(first.headers.get('content-encoding'), 'gzip');
        assert.equal(first.headers.get('vary'), 'accept-encoding');
        const plain = await get(collector.url, target, { 'accept-encoding': 'identity' });
        assert.equal(plain.headers.get('content-encoding'), null);
        assert.equal(plain.text, first.text);
        assert.equal(plain.headers.get('etag'), etag!.replace('-gzip"', '"'));
        const brotli = await get(collector.url, target, { 'accept-encoding': 'gzip;q=0.5, br' });
        assert.equal(brotli.headers.get('content-encoding'), 'br');
        assert.equal(brotli.text, first.text);
        assert.equal(first.headers.get('cache-control'), 'public, max-age=300');
        assert.equal(first.headers.get('access-control-allow-origin'), '*');
        const again = await get(collector.url, target, { 'if-none-match': etag! });
        assert.equal(again.status, 304);
        assert.equal(again.text, '');
        assert.equal(again.headers.get('etag'), etag);
        assert.equal((await get(collector.url, target, { 'if-none-match': `"other", W/${etag}` })).status, 304);
        assert.equal((await get(collector.url, target, { 'if-none-match': '"stale"' })).status, 200);
        const page = await get(collector.url, '/');
        assert.equal((await get(collector.url, '/', { 'if-none-match': page.headers.get('etag')! })).status, 304);

        assert.equal(await send(collector.url, report({}, 900)), 200);
        clock.now = new Date('2026-11-22T08:00:00Z');
        await rollUpFinishedDay(collector.store, '2026-11-21', clock.now, 90);
        const after = await get(collector.url, target, { 'if-none-match': etag! });
        assert.equal(after.status, 200);
        assert.notEqual(after.headers.get('etag'), etag);
        assert.equal(after.json.to, '2026-11-21');
      });

      it('CSV: the same numbers as the JSON, formulas defused, offered as a download', async () => {
        const json = (await get(collector.url, '/api/v1/breakdown/os?day=2026-11-20')).json;
        const csv = await get(collector.url, '/api/v1/breakdown/os?day=2026-11-20&format=csv');
        assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
        assert.equal(csv.headers.get('content-disposition'), 'attachment; filename="node-red-telemetry-os-2026-11-20.csv"');
        assert.ok(csv.headers.get('etag'));
        const rows = parseCsv(csv.text);
        assert.deepEqual(rows[0], ['value', 'instances', 'share']);
        const defused = (v: string) => (/^[=+\-@]/.test(v) ? `'${v}` : v);
        assert.deepEqual(
          rows.slice(1),
          json.values.map((v: { value: string; instances: number; share: number }) => [defused(v.value), String(v.instances), String(v.share)]),
        );
        for (const formula of FORMULAS) assert.ok(rows.some((r) => r[0] === `'${formula}`), formula);
        assert.ok(rows.slice(1).every((r) => !/^[=+\-@]/.test(r[0])));

        const seriesJson = (await get(collector.url, '/api/v1/series/os?range=30&group=exact&top=10')).json;
        const seriesCsv = parseCsv((await get(collector.url, '/api/v1/series/os?range=30&group=exact&top=10&format=csv')).text);
        // A day with one instance (2026-11-21, the ETag test's): its "other" is "fewer than 5", in both forms.
        const cell = (n: number | null, fewerThan: number | null | undefined) =>
          fewerThan ? (n === null ? `fewer than ${fewerThan}` : `${n} + fewer than ${fewerThan}`) : n === null ? '' : String(n);
        const fromJson = seriesJson.series.flatMap((s: { value: string; instances: Array<number | null>; fewerThan?: Array<number | null> }) =>
          s.instances.map((n, i) => [seriesJson.days[i], defused(s.value), cell(n, s.fewerThan?.[i])]),
        );
        assert.deepEqual(seriesCsv.slice(1).sort(), fromJson.sort());
      });

      it('refuses bad parameters with invalid_query naming them, and unknown dimensions with not_found', async () => {
        for (const [query, name] of [
          ['/api/v1/instances?range=7', 'range'],
          ['/api/v1/series/os?group=patch', 'group'],
          ['/api/v1/series/os?top=0', 'top'],
          ['/api/v1/series/os?format=xml', 'format'],
          ['/api/v1/breakdown/os?day=yesterday', 'day'],
        ]) {
          const answer = await get(collector.url, query);
          assert.equal(answer.status, 400, query);
          assert.equal(answer.json.error.code, 'invalid_query');
          assert.match(answer.json.error.message, new RegExp(`"${name}"`));
        }
        const unknown = await get(collector.url, '/api/v1/series/shoe-size');
        assert.equal(unknown.status, 404);
        assert.equal(unknown.json.error.code, 'not_found');
      });

      it('keeps /api/usage working, marked deprecated with a pointer to /api/v1', async () => {
        const usage = await get(collector.url, '/api/usage?days=2');
        assert.equal(usage.status, 200);
        assert.deepEqual(usage.json.days.map((d: { day: string }) => d.day), ['2026-11-20', '2026-11-21']);
        // RFC 9745: the day it was deprecated, 2026-11-26, as a structured-field date.
        assert.equal(usage.headers.get('deprecation'), '@1795651200');
        assert.equal(usage.headers.get('link'), '</api/v1/summary>; rel="successor-version"');
      });
    });

    describe('country', () => {
      it('off by default: nothing looked up, no country column value, no country panel', async () => {
        const clock = { now: new Date('2026-11-20T10:00:00Z') };
        const collector = await start(store, clock, { trustProxy: 1 });
        try {
          for (let i = 1; i <= THRESHOLD; i++) assert.equal(await send(collector.url, report({}, i), '8.8.8.8'), 200);
          clock.now = new Date('2026-11-21T08:00:00Z');
          await rollUpFinishedDay(collector.store, '2026-11-20', clock.now, 90);
          assert.ok((await rowsOf(collector.files, 'reports')).every((r) => r.country === null));
          const summary = (await get(collector.url, '/api/v1/summary')).json;
          assert.ok(!summary.dimensions.some((d: { id: string }) => d.id === 'country'));
        } finally {
          await collector.stop();
        }
      });

      it('on: keeps only the country code of the sender address, counted with the threshold', async () => {
        const clock = { now: new Date('2026-11-20T10:00:00Z') };
        const collector = await start(store, clock, { trustProxy: 1, country: true });
        try {
          let n = 0;
          // 8.8.8.8 (US) and 81.2.69.160 (GB) are in DB-IP's database; 10.0.0.1 is private.
          for (let i = 0; i < THRESHOLD; i++) assert.equal(await send(collector.url, report({}, ++n), '8.8.8.8'), 200);
          assert.equal(await send(collector.url, report({}, ++n), '81.2.69.160'), 200);
          for (let i = 0; i < THRESHOLD; i++) assert.equal(await send(collector.url, report({}, ++n), '10.0.0.1'), 200);
          clock.now = new Date('2026-11-21T08:00:00Z');
          await rollUpFinishedDay(collector.store, '2026-11-20', clock.now, 90);
          assert.deepEqual((await rowsOf(collector.files, 'reports')).map((r) => r.country).sort(), ['GB', ...Array(5).fill('US'), ...Array(5).fill('unknown')].sort());
          const stored = await everythingStored(collector.files);
          for (const address of ['8.8.8.8', '81.2.69.160', '10.0.0.1']) assert.ok(!stored.includes(address), address);
          const breakdown = (await get(collector.url, '/api/v1/breakdown/country')).json;
          assert.equal(breakdown.title, 'Country');
          // GB alone would make "other" 1: the smallest value ("unknown", 5, last by name) joins it.
          assert.deepEqual(breakdown.values.map((v: { value: string; instances: number }) => [v.value, v.instances]), [['US', 5], ['other', 6]]);
        } finally {
          await collector.stop();
        }
      });
    });
  });
}

describe('dashboard path setting', function () {
  this.timeout(60_000);
  const clock = { now: new Date('2026-11-20T10:00:00Z') };

  it('serves the page, its assets and the API under a chosen path', async () => {
    const collector = await start('sqlite', clock, { dashboardPath: '/usage/' });
    try {
      const page = await get(collector.url, '/usage/');
      assert.equal(page.status, 200);
      assert.match(page.text, /src="assets\/dashboard\.js"/);
      assert.equal((await get(collector.url, '/usage/assets/dashboard.js')).status, 200);
      assert.equal((await get(collector.url, '/usage/assets/uPlot.iife.min.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal((await get(collector.url, '/usage/api/v1/summary')).status, 200);
      const bare = await fetch(`${collector.url}/usage`, { redirect: 'manual' });
      assert.equal(bare.status, 308);
      assert.equal(bare.headers.get('location'), '/usage/');
      assert.equal((await get(collector.url, '/')).status, 404);
      assert.equal((await get(collector.url, '/usage/assets/collector.sqlite')).status, 404, 'only the named assets, never a file by its name');
    } finally {
      await collector.stop();
    }
  });

  it('"off": no page, no asset, no public API; reports are still taken', async () => {
    const collector = await start('sqlite', clock, { dashboardPath: null });
    try {
      for (const p of ['/', '/assets/dashboard.js', '/api/v1/summary', '/api/usage']) {
        const answer = await get(collector.url, p);
        assert.equal(answer.status, 404, p);
        assert.equal(answer.json.error.code, 'not_found');
      }
      assert.equal(await send(collector.url, report({}, 1)), 200);
    } finally {
      await collector.stop();
    }
  });
});
