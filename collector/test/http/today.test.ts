import assert from 'node:assert/strict';
import { InProcessCollector, report, startInProcess } from '../helpers/collector-process';

const STORES = ['sqlite', 'postgres'] as const;
const THRESHOLD = 5;
const MINUTE = 60_000;

interface Got {
  status: number;
  headers: Headers;
  json: any; // any: the answer is checked field by field
}

async function get(base: string, headers: Record<string, string> = {}): Promise<Got> {
  const res = await fetch(`${base}/api/v1/today`, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

async function send(base: string, instance: number): Promise<void> {
  const res = await fetch(`${base}/ping`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report({}, instance)) });
  await res.arrayBuffer();
  assert.equal(res.status, 200);
}

const counts = (answer: Got) => [answer.json.day, answer.json.instances, answer.json.reports, answer.json.fewerThan];

for (const store of STORES) {
  describe(`today's totals so far, GET /api/v1/today (${store})`, function () {
    this.timeout(120_000);
    const start = new Date('2026-11-21T09:00:00Z');
    const clock = { now: start };
    const at = (minutes: number) => (clock.now = new Date(start.getTime() + minutes * MINUTE));
    let collector: InProcessCollector;

    before(async () => {
      const config = { latest: '4.2.0', threshold: THRESHOLD, rateLimit: { perInstance: 10, perAddress: 100_000 } };
      collector = await startInProcess({ store, config, options: { now: () => clock.now } });
    });
    after(() => collector?.stop());

    it('on a fresh collector: 0 and 0, provisional, only the two totals, cached for 5 minutes', async () => {
      const answer = await get(collector.url);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json, {
        day: '2026-11-21', provisional: true, instances: 0, reports: 0, threshold: THRESHOLD, countedAt: '2026-11-21T09:00:00.000Z', refreshSeconds: 300,
      });
      assert.equal(answer.headers.get('cache-control'), 'public, max-age=300');
      assert.equal(answer.headers.get('access-control-allow-origin'), '*');
      const etag = answer.headers.get('etag');
      assert.ok(etag);
      assert.equal((await get(collector.url, { 'if-none-match': etag })).status, 304);
    });

    it('publishes nothing else of the day before its roll-up: no breakdown, no dimension', async () => {
      await send(collector.url, 99);
      const summary = (await (await fetch(`${collector.url}/api/v1/summary`)).json()) as { lastDay: string | null; dimensions: unknown[] };
      assert.deepEqual([summary.lastDay, summary.dimensions], [null, []]);
      const breakdown = (await (await fetch(`${collector.url}/api/v1/breakdown/os`)).json()) as { day: string | null; values: unknown[] };
      assert.deepEqual([breakdown.day, breakdown.values], [null, []]);
    });

    it('counts reports as they arrive at most every 5 minutes, and under the threshold says "fewer than" it', async () => {
      for (const instance of [1, 2, 3]) await send(collector.url, instance);
      assert.deepEqual(counts(await get(collector.url)), ['2026-11-21', 0, 0, undefined], 'not counted again within 5 minutes');
      at(4);
      const later = await get(collector.url);
      assert.deepEqual(counts(later), ['2026-11-21', 0, 0, undefined]);
      assert.equal(later.headers.get('cache-control'), 'public, max-age=60', 'a browser keeps it only until it is counted again');

      at(5);
      const few = await get(collector.url);
      assert.deepEqual(counts(few), ['2026-11-21', null, null, THRESHOLD], '3 instances: fewer than 5, and no report count either');
      assert.equal(few.json.countedAt, '2026-11-21T09:05:00.000Z');

      for (const instance of [4, 5, 6, 7, 1]) await send(collector.url, instance);
      assert.deepEqual(counts(await get(collector.url)), ['2026-11-21', null, null, THRESHOLD]);
      at(10);
      // Instances 1 to 7 and 99 (the test before), instance 1 twice.
      assert.deepEqual(counts(await get(collector.url)), ['2026-11-21', 8, 9, undefined], 'distinct instances, every report');
    });

    it('starts again at 0 on the next UTC day, at once, while the day before waits for its roll-up', async () => {
      at(15 * 60 + 1); // 00:01 the next day
      assert.deepEqual(counts(await get(collector.url)), ['2026-11-22', 0, 0, undefined]);
      for (const instance of [1, 2, 3, 4, 5]) await send(collector.url, instance);
      at(15 * 60 + 6);
      assert.deepEqual(counts(await get(collector.url)), ['2026-11-22', 5, 5, undefined]);
    });
  });
}
