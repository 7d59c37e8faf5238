import assert from 'node:assert/strict';
import { addDays, dayOf } from '../../src/days';
import { CollectorProcess, postReport, report, startInProcess, type StoreKind } from '../helpers/collector-process';
import { FakeRegistry, NODE_RED_RELEASES, packument } from '../helpers/packument';

const STORES: StoreKind[] = ['sqlite', 'postgres'];

/** One sample of a metric family, as parse-prometheus-text-format reads it: a value, or a histogram's buckets. */
interface Sample {
  labels?: Record<string, string>;
  value?: string;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

/** One metric family: its name, type (upper case) and samples. */
interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Sample[];
}

/**
 * Parses /metrics with a real parser of Prometheus' text format, not a regular expression of ours:
 * what it cannot read, Prometheus could not either.
 */
async function parsePrometheus(text: string): Promise<Map<string, Family>> {
  // The package ships no types: loaded by a name TypeScript does not resolve, and typed by its
  // README, as the one function it exports.
  const name: string = 'parse-prometheus-text-format';
  const loaded: unknown = await import(name);
  const { default: parse } = loaded as { default: (text: string) => Family[] };
  return new Map(parse(text).map((family) => [family.name, family]));
}

/** The metrics at `url`, parsed, after checking the answer is Prometheus' text format. */
async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

/** The value of the sample of `name` whose labels include `labels`; undefined when there is none. */
function value(metrics: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = metrics.get(name);
  const sample = family?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return sample?.value === undefined ? undefined : Number(sample.value);
}

/** A histogram's count and sum (of its unlabelled series). */
function histogram(metrics: Map<string, Family>, name: string): { count: number; sum: number; buckets: Record<string, string> } {
  const family = metrics.get(name);
  assert.equal(family?.type, 'HISTOGRAM', name);
  const [sample] = family.metrics;
  return { count: Number(sample.count), sum: Number(sample.sum), buckets: sample.buckets ?? {} };
}

/** Scrapes until `done` holds, for what the collector does on its own clock (a poll, the daily job). */
async function scrapeUntil(url: string, done: (metrics: Map<string, Family>) => boolean, timeoutMs: number): Promise<Map<string, Family>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metrics = await scrape(url);
    if (done(metrics)) return metrics;
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('/metrics is off by default', function () {
  this.timeout(60_000);

  it('listens for /metrics only when metricsPort is set, and then says where', async () => {
    const plain = await startInProcess({ config: { latest: '4.2.0' } });
    try {
      assert.equal(plain.metricsUrl, undefined);
      assert.equal((await fetch(`${plain.url}/metrics`)).status, 404);
    } finally {
      await plain.stop();
    }
    const measured = await startInProcess({ config: { latest: '4.2.0', metricsPort: 0 } });
    try {
      assert.match(measured.metricsUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const metrics = await scrape(measured.metricsUrl ?? '');
      assert.equal(value(metrics, 'collector_registry_poll_state', { state: 'fixed' }), 1);
      assert.equal(value(metrics, 'collector_registry_poll_age_seconds'), 0);
      // Its own listener serves /metrics and nothing else.
      const other = await fetch(new URL('/healthz', measured.metricsUrl));
      assert.equal(other.status, 404);
      await other.arrayBuffer();
      const post = await fetch(measured.metricsUrl ?? '', { method: 'POST' });
      assert.equal(post.status, 405);
      await post.arrayBuffer();
    } finally {
      await measured.stop();
    }
  });
});

for (const store of STORES) {
  describe(`/metrics on its own listener (${store})`, function () {
    this.timeout(90_000);
    let collector: CollectorProcess;
    let metricsUrl: string;
    let registry: FakeRegistry;
    const yesterday = addDays(dayOf(new Date()), -1);

    before(async () => {
      // A report of yesterday's, stored by a collector whose clock is there, for the daily job to roll up.
      const seeding = await startInProcess({ store, config: { latest: '4.2.0' }, options: { now: () => new Date(`${yesterday}T12:00:00Z`) } });
      assert.equal(await postReport(seeding.url, report({}, 99)), 200);
      await seeding.stop();

      registry = await new FakeRegistry(packument(NODE_RED_RELEASES, { latest: '4.1.2', next: '5.1.0-beta.2' })).start();
      collector = await CollectorProcess.start({
        store: seeding.files,
        args: ['--metrics-port', '0', '--registry', registry.url],
        env: { COLLECTOR_VERSIONS_INTERVAL: '1s' },
        config: { rateLimit: { perInstance: 1, perAddress: 1000 } },
      });
      const line = await collector.waitForLog((e) => typeof e.url === 'string' && e.msg === `metrics listening on ${e.url}`);
      metricsUrl = String(line.url);
    });
    after(async () => {
      assert.equal(await collector.stop(), 0);
      await registry.stop();
    });

    it('listens on 127.0.0.1, apart from the public port, which does not serve /metrics', async () => {
      assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      assert.notEqual(new URL(metricsUrl).port, new URL(collector.url).port);
      const answer = await collector.request('GET', '/metrics');
      assert.equal(answer.status, 404, answer.text);
      assert.equal((answer.body as { error: { code: string } }).error.code, 'not_found');
    });

    it('counts reports accepted, refused by code, rate-limited, and the fields dropped', async () => {
      const sent: Array<[string | object, number]> = [
        [report({}, 1), 200],
        // Two fields it does not know, at two depths: dropped, and the report taken.
        [report({ hostname: 'kitchen-pi', os: { ...report().os, hostname: 'pi-in-the-shed' } }, 2), 200],
        [report({ instanceId: 'no' }, 3), 400],
        ['{"instanceId":', 400],
        // The same instance again within the hour: over its limit of one report.
        [report({}, 1), 429],
      ];
      for (const [body, status] of sent) {
        const headers = typeof body === 'string' ? { 'content-type': 'application/json' } : {};
        const answer = await collector.request('POST', '/ping', body, headers);
        assert.equal(answer.status, status, answer.text);
      }
      assert.equal((await collector.request('DELETE', '/ping/instance00000002')).status, 200);
      assert.equal((await collector.request('GET', '/no/such/page?secret=1')).status, 404);

      const metrics = await scrape(metricsUrl);
      assert.equal(metrics.get('collector_reports_accepted_total')?.type, 'COUNTER');
      assert.equal(value(metrics, 'collector_reports_accepted_total'), 2);
      assert.equal(value(metrics, 'collector_reports_refused_total', { code: 'invalid_report' }), 1);
      assert.equal(value(metrics, 'collector_reports_refused_total', { code: 'invalid_json' }), 1);
      assert.equal(value(metrics, 'collector_reports_refused_total', { code: 'rate_limited' }), 1);
      assert.equal(value(metrics, 'collector_reports_refused_total', { code: 'body_too_large' }), 0, 'a code not seen yet is there, at 0');
      assert.equal(value(metrics, 'collector_reports_rate_limited_total', { limit: 'instance' }), 1);
      assert.equal(value(metrics, 'collector_reports_rate_limited_total', { limit: 'address' }), 0);
      assert.equal(value(metrics, 'collector_report_fields_dropped_total'), 2);

      // The three valid reports went through the group commit (the rate-limited one is refused inside its batch).
      const sizes = histogram(metrics, 'collector_group_commit_batch_size');
      assert.equal(sizes.sum, 3);
      assert.ok(sizes.count >= 1 && sizes.count <= 3, String(sizes.count));
      assert.equal(sizes.buckets['256'], String(sizes.count));
      const commits = histogram(metrics, 'collector_group_commit_duration_seconds');
      assert.equal(commits.count, sizes.count);
      assert.ok(commits.sum > 0 && commits.sum < 10, String(commits.sum));
    });

    it('counts HTTP requests by route pattern and status, never by the URL asked for', async () => {
      const metrics = await scrape(metricsUrl);
      const requests = metrics.get('collector_http_requests_total');
      assert.equal(requests?.type, 'COUNTER');
      assert.equal(value(metrics, 'collector_http_requests_total', { route: '/ping', status: '200' }), 2);
      assert.equal(value(metrics, 'collector_http_requests_total', { route: '/ping', status: '400' }), 2);
      assert.equal(value(metrics, 'collector_http_requests_total', { route: '/ping', status: '429' }), 1);
      assert.equal(value(metrics, 'collector_http_requests_total', { route: '/ping/:instanceId', status: '200' }), 1);
      // GET /metrics and GET /no/such/page on the public port.
      assert.equal(value(metrics, 'collector_http_requests_total', { route: 'unmatched', status: '404' }), 2);
      const routes = requests.metrics.map((s) => s.labels?.route ?? '');
      assert.deepEqual(routes.filter((route) => /instance0|secret|\/no\//.test(route)), []);
    });

    it('tells the store kind and state, the registry poll, and the process', async () => {
      const metrics = await scrapeUntil(metricsUrl, (m) => value(m, 'collector_registry_poll_state', { state: 'ok' }) === 1, 20_000);
      assert.equal(value(metrics, 'collector_store_up', { kind: store }), 1);
      assert.equal(value(metrics, 'collector_store_durability_lost', { kind: store }), 0);
      for (const state of ['fixed', 'pending', 'failed']) assert.equal(value(metrics, 'collector_registry_poll_state', { state }), 0, state);
      const age = value(metrics, 'collector_registry_poll_age_seconds') ?? -1;
      assert.ok(age >= 0 && age < 5, String(age));
      // prom-client's default metrics, on the collector's own registry.
      assert.ok((value(metrics, 'process_cpu_user_seconds_total') ?? 0) > 0);
      assert.ok(metrics.has('nodejs_eventloop_lag_seconds'));
      assert.ok(metrics.has('nodejs_heap_size_used_bytes'));

      // The registry stops answering: the poll fails, the last versions are kept, and the age grows.
      registry.body = null;
      const failed = await scrapeUntil(metricsUrl, (m) => value(m, 'collector_registry_poll_state', { state: 'failed' }) === 1, 20_000);
      assert.equal(value(failed, 'collector_registry_poll_state', { state: 'ok' }), 0);
      const later = await scrapeUntil(metricsUrl, (m) => (value(m, 'collector_registry_poll_age_seconds') ?? 0) > 1.5, 20_000);
      assert.equal(value(later, 'collector_registry_poll_state', { state: 'failed' }), 1);
    });

    it("tells the daily job's last run, and the day it rolled up", async () => {
      // The job first runs 10 s after start (JOB_FIRST_RUN_DELAY_MS).
      const metrics = await scrapeUntil(metricsUrl, (m) => (value(m, 'collector_rollup_last_run_timestamp_seconds') ?? 0) > 0, 40_000);
      assert.equal(value(metrics, 'collector_rollup_last_run_success'), 1);
      assert.equal(value(metrics, 'collector_rollup_last_day_timestamp_seconds'), Date.parse(`${yesterday}T00:00:00Z`) / 1000);
      const ran = value(metrics, 'collector_rollup_last_run_timestamp_seconds') ?? 0;
      assert.ok(Math.abs(ran - Date.now() / 1000) < 60, String(ran));
      const seconds = value(metrics, 'collector_rollup_last_run_duration_seconds') ?? -1;
      assert.ok(seconds > 0 && seconds < 30, String(seconds));
    });
  });
}
