import { startConnectProxy } from '../helpers/connect-proxy';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { backoffDelay, parseRetryAfter, reportTimeLimit, Transport, TransportOptions } from '../../src/transport';
import { answerJson, TestCollector } from '../helpers/collector';
import { closedPort, Fault, FaultServer } from '../helpers/fault-server';

const payload = { instanceId: 'abc', os: { type: 'Linux', release: '6', arch: 'x64' }, env: { nodejs: '20.0.0', 'node-red': '4.1.15' } };
const fast: Partial<TransportOptions> = { baseDelayMs: 20, maxDelayMs: 200, random: () => 0.5, attemptTimeoutMs: 2000, connectTimeoutMs: 1000 };

function transport(options: Partial<TransportOptions> = {}): Transport {
  return new Transport({ userAgent: 'Node-RED/4.1.15 node-red-telemetry/0.1.0', ...fast, ...options });
}

const never = (): AbortSignal => new AbortController().signal;

describe('transport: sending a report', () => {
  let collector: TestCollector;
  let sender: Transport;
  beforeEach(async () => {
    collector = await new TestCollector().start();
    sender = transport();
  });
  afterEach(async () => {
    await sender.close();
    await collector.stop();
  });

  it('POSTs the JSON payload with its User-Agent and returns the parsed answer', async () => {
    collector.respond(answerJson(200, { 'node-red': { latest: '4.1.15' } }));
    const outcome = await sender.send(new URL(collector.url), payload, never());
    assert.deepEqual(outcome, { ok: true, status: 200, attempts: 1, answer: { 'node-red': { latest: '4.1.15' } } });
    const [request] = collector.received;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/ping');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['user-agent'], 'Node-RED/4.1.15 node-red-telemetry/0.1.0');
    assert.deepEqual(JSON.parse(request.body), payload);
  });

  it('retries 5xx with growing, jittered delays, then succeeds', async () => {
    collector.respond(answerJson(503, {}), answerJson(502, {}), answerJson(200, {}));
    const outcome = await sender.send(new URL(collector.url), payload, never());
    assert.equal(outcome.ok, true);
    assert.equal(outcome.attempts, 3);
    const [a, b, c] = collector.received.map((r) => r.at);
    // random() = 0.5 gives 75% of the ceiling: 15ms, then 30ms.
    assert.ok(b - a >= 14, `first retry after ${b - a}ms`);
    assert.ok(c - b >= 29, `second retry after ${c - b}ms`);
  });

  it('gives up after 3 retries (4 attempts) on a persistent 500', async () => {
    collector.always(answerJson(500, { error: 'down' }));
    const outcome = await sender.send(new URL(collector.url), payload, never());
    assert.deepEqual(outcome, { ok: false, attempts: 4, status: 500, error: 'HTTP 500' });
    assert.equal(collector.received.length, 4);
  });

  it('honours Retry-After (seconds) on 429', async () => {
    collector.respond(answerJson(429, {}, { 'retry-after': '1' }), answerJson(200, {}));
    const outcome = await sender.send(new URL(collector.url), payload, never());
    assert.equal(outcome.ok, true);
    const [a, b] = collector.received.map((r) => r.at);
    assert.ok(b - a >= 950, `retried after ${b - a}ms, Retry-After asked for 1s`);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const when = new Date(Date.now() + 2000).toUTCString();
    collector.respond(answerJson(503, {}, { 'retry-after': when }), answerJson(200, {}));
    const outcome = await sender.send(new URL(collector.url), payload, never());
    assert.equal(outcome.ok, true);
    const [a, b] = collector.received.map((r) => r.at);
    assert.ok(b - a >= 900, `retried after ${b - a}ms`);
  });

  it('leaves it to the schedule when Retry-After is longer than it will wait', async () => {
    collector.always(answerJson(429, {}, { 'retry-after': '3600' }));
    const outcome = await sender.send(new URL(collector.url), payload, never());
    assert.deepEqual(outcome, { ok: false, attempts: 1, status: 429, error: 'HTTP 429' });
  });

  for (const status of [400, 401, 404, 413, 422]) {
    it(`does not retry HTTP ${status}`, async () => {
      collector.always(answerJson(status, { error: { code: 'bad', message: 'no' } }));
      const outcome = await sender.send(new URL(collector.url), payload, never());
      assert.deepEqual(outcome, { ok: false, attempts: 1, status, error: `HTTP ${status}` });
    });
  }

  it('does not follow a redirect elsewhere', async () => {
    collector.always((_req, res) => {
      res.writeHead(307, { location: 'http://127.0.0.2:9/ping' });
      res.end();
    });
    const outcome = await sender.send(new URL(collector.url), payload, never());
    assert.deepEqual(outcome, { ok: false, attempts: 1, status: 307, error: 'HTTP 307' });
  });

  it('retries a connection that is dropped mid-answer', async () => {
    collector.respond((_req, res) => res.socket?.destroy(), answerJson(200, {}));
    const outcome = await sender.send(new URL(collector.url), payload, never());
    assert.equal(outcome.ok, true);
    assert.equal(outcome.attempts, 2);
  });

  it('times out an attempt that never answers, and retries it', async () => {
    const slow = transport({ attemptTimeoutMs: 300, maxRetries: 1 });
    collector.always(() => undefined);
    const started = Date.now();
    const outcome = await slow.send(new URL(collector.url), payload, never());
    await slow.close();
    assert.equal(outcome.ok, false);
    assert.equal(outcome.attempts, 2);
    assert.equal((outcome as { error: string }).error, 'timeout');
    assert.ok(Date.now() - started < 3000);
  });

  it('stops at once when aborted during a backoff', async () => {
    const patient = transport({ baseDelayMs: 10_000, maxDelayMs: 10_000 });
    collector.always(answerJson(503, {}));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const outcome = await patient.send(new URL(collector.url), payload, controller.signal);
    await patient.close();
    assert.deepEqual(outcome, { ok: false, attempts: 1, status: 503, error: 'aborted' });
    assert.ok(Date.now() - started < 2000);
  });

  describe('answers it cannot use still count the report as sent, and are never re-sent', () => {
    const cases: Array<[string, http.RequestListener, string]> = [
      ['an empty body', (_q, s) => s.writeHead(200).end(), 'empty'],
      ['HTML', (_q, s) => s.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hello</h1>'), 'not-json'],
      ['a body over the size cap', (_q, s) => s.writeHead(200).end(JSON.stringify({ pad: 'x'.repeat(200 * 1024) })), 'too-large'],
    ];
    for (const [name, handler, problem] of cases) {
      it(name, async () => {
        collector.respond(handler);
        const outcome = await sender.send(new URL(collector.url), payload, never());
        assert.deepEqual(outcome, { ok: true, status: 200, attempts: 1, answer: undefined, answerProblem: problem });
        assert.equal(collector.received.length, 1);
      });
    }
  });
});

describe('transport: network failures', () => {
  it('retries a refused connection and reports it', async () => {
    const port = await closedPort();
    const sender = transport();
    const outcome = await sender.send(new URL(`http://127.0.0.1:${port}/ping`), payload, never());
    await sender.close();
    assert.deepEqual(outcome, { ok: false, attempts: 4, error: 'ECONNREFUSED' });
  });
});

describe('transport: every attempt ends within its limit, whatever the peer does', () => {
  const limit = 400;
  // Two attempts at most, 20 ms apart: the bound is 2 x 400 + 1 x 200 = 1000 ms.
  const bounded: Partial<TransportOptions> = { attemptTimeoutMs: limit, maxRetries: 1, maxDelayMs: 20, maxRetryAfterMs: 200 };
  const bound = reportTimeLimit({ ...bounded, attemptTimeoutMs: limit } as Parameters<typeof reportTimeLimit>[0]);
  const saved = { ...process.env };
  let server: FaultServer | undefined;
  afterEach(async () => {
    process.env = { ...saved };
    await server?.stop();
    server = undefined;
  });

  async function sendTo(fault: Fault, viaProxy = false): Promise<{ outcome: Awaited<ReturnType<Transport['send']>>; ms: number; requests: number }> {
    server = await new FaultServer(fault).start();
    let url = server.url;
    if (viaProxy) {
      process.env.HTTP_PROXY = `http://127.0.0.1:${server.port}`;
      delete process.env.NO_PROXY;
      delete process.env.no_proxy;
      // The collector is never reached: the proxy is where it hangs.
      url = `http://127.0.0.1:${await closedPort()}/ping`;
    }
    const sender = transport(bounded);
    const started = Date.now();
    const outcome = await sender.send(new URL(url), payload, never());
    const ms = Date.now() - started;
    await sender.close();
    return { outcome, ms, requests: server.requests };
  }

  const cases: Array<[Fault, string, Record<string, unknown>]> = [
    ['silent', 'a collector that never answers', { ok: false, attempts: 2, error: 'timeout' }],
    ['trickle-headers', 'headers trickled a byte at a time', { ok: false, attempts: 2, error: 'timeout' }],
    ['trickle-body', 'an answer trickled a byte at a time (the report was accepted)', { ok: true, status: 200, attempts: 1, answerProblem: 'timeout' }],
    ['proxy-silent', 'a proxy that never answers CONNECT', { ok: false, attempts: 2, error: 'timeout' }],
  ];
  for (const [fault, name, expected] of cases) {
    it(name, async () => {
      const { outcome, ms, requests } = await sendTo(fault, fault.startsWith('proxy'));
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual((outcome as Record<string, unknown>)[key], value, `${key} of ${JSON.stringify(outcome)}`);
      }
      assert.equal(requests, expected.attempts, `attempts counted at the server`);
      assert.ok(ms >= limit * Number(expected.attempts) - 50, `ended after ${ms} ms, before its limit`);
      assert.ok(ms <= bound + 500, `took ${ms} ms, the bound is ${bound} ms`);
    });
  }

  it('fires its limit after garbage collection has run (no AbortSignal.any/timeout pair to lose)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    server = await new FaultServer('silent').start();
    const sender = transport({ ...bounded, maxRetries: 0 });
    const started = Date.now();
    const sending = sender.send(new URL(server.url), payload, never());
    const collecting = setInterval(gc, 50);
    const outcome = await sending;
    clearInterval(collecting);
    await sender.close();
    assert.deepEqual(outcome, { ok: false, attempts: 1, error: 'timeout' });
    assert.ok(Date.now() - started < limit + 1000, `took ${Date.now() - started} ms`);
  });

  it('never lets one report outlast its bound, even when the collector keeps asking to wait', async () => {
    // Retry-After 1 s is within maxRetryAfterMs, but each wait would push the report past its bound.
    const tight: Partial<TransportOptions> = { attemptTimeoutMs: 300, maxRetries: 3, maxDelayMs: 100, maxRetryAfterMs: 1000 };
    const collector = await new TestCollector().start();
    collector.always(answerJson(503, {}, { 'retry-after': '1' }));
    const sender = transport(tight);
    const started = Date.now();
    const outcome = await sender.send(new URL(collector.url), payload, never(), { attemptTimeoutMs: 300 });
    const ms = Date.now() - started;
    await sender.close();
    await collector.stop();
    const limitMs = reportTimeLimit({ attemptTimeoutMs: 300, maxRetries: 3, maxDelayMs: 100, maxRetryAfterMs: 1000 });
    assert.equal(limitMs, 4 * 300 + 3 * 1000);
    assert.equal(outcome.ok, false);
    assert.ok(ms <= limitMs, `took ${ms} ms, the bound is ${limitMs} ms`);
  });

  it('takes the per-report timeout (the timeout setting) over its own default', async () => {
    server = await new FaultServer('silent').start();
    const sender = transport({ attemptTimeoutMs: 60_000, maxRetries: 0 });
    const started = Date.now();
    const outcome = await sender.send(new URL(server.url), payload, never(), { attemptTimeoutMs: 300 });
    await sender.close();
    assert.deepEqual(outcome, { ok: false, attempts: 1, error: 'timeout' });
    assert.ok(Date.now() - started < 1500);
  });
});

describe('transport: proxies from the environment', () => {
  const saved = { ...process.env };
  let proxy: net.Server;
  let tunnels: string[];
  let collector: TestCollector;

  beforeEach(async () => {
    tunnels = [];
    collector = await new TestCollector().start();
    // A real CONNECT proxy on loopback, as undici tunnels through one.
    proxy = await startConnectProxy((req) => tunnels.push(req.url ?? ''));
  });
  afterEach(async () => {
    process.env = { ...saved };
    await collector.stop();
    await new Promise((r) => proxy.close(r));
  });

  it('goes through HTTP_PROXY', async () => {
    process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;
    const sender = transport();
    const outcome = await sender.send(new URL(collector.url), payload, never());
    await sender.close();
    assert.equal(outcome.ok, true);
    assert.deepEqual(tunnels, [`127.0.0.1:${collector.port}`]);
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    process.env.NO_PROXY = '127.0.0.1';
    const sender = transport();
    const outcome = await sender.send(new URL(collector.url), payload, never());
    await sender.close();
    assert.equal(outcome.ok, true);
    assert.deepEqual(tunnels, []);
    assert.equal(collector.received.length, 1);
  });
});

describe('transport: pure parts', () => {
  it('reads Retry-After as seconds or a date', () => {
    const now = Date.parse('2026-11-22T08:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(['5'], now), 5000);
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 08:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 07:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('states the longest a report can take with the default limits: 5 minutes', () => {
    assert.equal(reportTimeLimit({ attemptTimeoutMs: 30_000, maxRetries: 3, maxDelayMs: 60_000, maxRetryAfterMs: 60_000 }), 5 * 60_000);
  });

  it('backs off exponentially with jitter, up to the cap', () => {
    const options = { baseDelayMs: 1000, maxDelayMs: 5000 };
    assert.equal(backoffDelay(1, { ...options, random: () => 0 }), 500);
    assert.equal(backoffDelay(1, { ...options, random: () => 0.999999 }), 1000);
    assert.equal(backoffDelay(3, { ...options, random: () => 0.999999 }), 4000);
    assert.equal(backoffDelay(6, { ...options, random: () => 0.999999 }), 5000);
  });
});
