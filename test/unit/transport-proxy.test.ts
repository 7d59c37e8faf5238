import { startConnectProxy } from '../helpers/connect-proxy';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transport } from '../../src/transport';
import { bypassesProxy, proxyFor } from '../../src/transport-proxy';
import { TestCollector } from '../helpers/collector';
import { FaultServer } from '../helpers/fault-server';

const payload = { instanceId: 'abc' };
const never = (): AbortSignal => new AbortController().signal;

describe('transport: which proxy applies (pure)', () => {
  const http1 = new URL('http://collector.example.com/ping');
  const https1 = new URL('https://collector.example.com/ping');

  it('connects directly when no proxy is set', () => {
    assert.equal(proxyFor(https1, {}), null);
    assert.equal(proxyFor(https1, { HTTPS_PROXY: ' ' }), null);
  });

  it('takes HTTPS_PROXY for https, falling back to HTTP_PROXY, and HTTP_PROXY for http; lower case first', () => {
    const env = { HTTP_PROXY: 'http://plain:3128', HTTPS_PROXY: 'http://secure:3129' };
    assert.deepEqual(proxyFor(https1, env), { protocol: 'http:', hostname: 'secure', port: 3129 });
    assert.deepEqual(proxyFor(http1, env), { protocol: 'http:', hostname: 'plain', port: 3128 });
    assert.deepEqual(proxyFor(https1, { HTTP_PROXY: 'http://plain:3128' }), { protocol: 'http:', hostname: 'plain', port: 3128 });
    assert.deepEqual(proxyFor(http1, { http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:2' }), { protocol: 'http:', hostname: 'lower', port: 1 });
  });

  it('reads a proxy without a scheme as http://, an https:// proxy with TLS, and default ports', () => {
    assert.deepEqual(proxyFor(https1, { HTTPS_PROXY: 'proxy.corp:8080' }), { protocol: 'http:', hostname: 'proxy.corp', port: 8080 });
    assert.deepEqual(proxyFor(https1, { HTTPS_PROXY: 'https://proxy.corp' }), { protocol: 'https:', hostname: 'proxy.corp', port: 443 });
    assert.deepEqual(proxyFor(https1, { HTTPS_PROXY: 'http://[fd00::1]:3128' }), { protocol: 'http:', hostname: 'fd00::1', port: 3128 });
  });

  it('turns credentials in the proxy URL into Proxy-Authorization, percent-decoded', () => {
    const proxy = proxyFor(https1, { HTTPS_PROXY: 'http://us%40er:p%3Ass@proxy:3128' });
    assert.deepEqual(proxy, { protocol: 'http:', hostname: 'proxy', port: 3128, authorization: `Basic ${Buffer.from('us@er:p:ss').toString('base64')}` });
  });

  it('names a proxy setting it cannot use', () => {
    assert.deepEqual(proxyFor(https1, { HTTPS_PROXY: 'http://[::1' }), { problem: 'proxy setting is not a URL' });
    assert.deepEqual(proxyFor(https1, { HTTPS_PROXY: 'socks5://proxy:1080' }), { problem: 'proxy scheme socks5: is not supported' });
  });

  const rows: Array<[string, string, boolean]> = [
    ['*', 'https://anything.example/ping', true],
    ['example.com', 'https://example.com/ping', true],
    ['example.com', 'https://collector.example.com/ping', true],
    ['example.com', 'https://notexample.com/ping', false],
    ['.example.com', 'https://collector.example.com/ping', true],
    ['.example.com', 'https://example.com/ping', true],
    ['*.example.com', 'https://a.b.example.com/ping', true],
    ['EXAMPLE.com', 'https://Collector.Example.COM/ping', true],
    ['other.org, example.com', 'https://example.com/ping', true],
    ['other.org example.com', 'https://example.com/ping', true],
    ['other.org', 'https://example.com/ping', false],
    ['example.com:443', 'https://example.com/ping', true],
    ['example.com:8443', 'https://example.com/ping', false],
    ['example.com:8443', 'https://example.com:8443/ping', true],
    ['10.1.2.3', 'http://10.1.2.3/ping', true],
    ['10.1.2.3', 'http://10.1.2.4/ping', false],
    ['10.0.0.0/8', 'http://10.200.3.4/ping', true],
    ['10.0.0.0/8', 'http://11.0.0.1/ping', false],
    ['10.0.0.0/8', 'http://ten.example/ping', false],
    ['::1', 'http://[::1]:1880/ping', true],
    ['[::1]:1880', 'http://[::1]:1880/ping', true],
    ['fd00::/8', 'http://[fd12::5]/ping', true],
    ['fd00::/8', 'http://10.0.0.1/ping', false],
    ['', 'https://example.com/ping', false],
  ];
  for (const [noProxy, url, bypass] of rows) {
    it(`NO_PROXY=${JSON.stringify(noProxy)} ${bypass ? 'exempts' : 'does not exempt'} ${url}`, () => {
      assert.equal(bypassesProxy(noProxy, new URL(url)), bypass);
      assert.equal(proxyFor(new URL(url), { HTTPS_PROXY: 'http://proxy:1', HTTP_PROXY: 'http://proxy:1', NO_PROXY: noProxy }) === null, bypass);
    });
  }
});

describe('transport: through a real proxy', () => {
  let collector: TestCollector;
  let proxy: http.Server;
  let connects: http.IncomingHttpHeaders[];
  const proxyUrl = (credentials = ''): string => `http://${credentials}127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  beforeEach(async () => {
    connects = [];
    collector = await new TestCollector().start();
    proxy = await startConnectProxy((req) => connects.push(req.headers));
  });
  afterEach(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await collector.stop();
  });

  it('sends the proxy URL’s credentials as Proxy-Authorization, and the target as Host', async () => {
    const sender = new Transport({ userAgent: 'test', maxRetries: 0, env: { HTTP_PROXY: proxyUrl('us%40er:s3cret@') } });
    const outcome = await sender.send(new URL(collector.url), payload, never());
    assert.equal(outcome.ok, true);
    assert.equal(connects.length, 1);
    assert.equal(connects[0]['proxy-authorization'], `Basic ${Buffer.from('us@er:s3cret').toString('base64')}`);
    assert.equal(connects[0].host, `127.0.0.1:${collector.port}`);
    assert.equal(collector.received[0].headers.host, `127.0.0.1:${collector.port}`);
    assert.equal(collector.received[0].headers['proxy-authorization'], undefined, 'the credentials are for the proxy only');
  });

  it('reads the environment at each report: a proxy set later is used', async () => {
    const env: Record<string, string> = {};
    const sender = new Transport({ userAgent: 'test', maxRetries: 0, env });
    assert.equal((await sender.send(new URL(collector.url), payload, never())).ok, true);
    env.HTTP_PROXY = proxyUrl();
    assert.equal((await sender.send(new URL(collector.url), payload, never())).ok, true);
    assert.equal(connects.length, 1);
  });

  it('ends a report at once, unretried, when the proxy setting cannot be used', async () => {
    const sender = new Transport({ userAgent: 'test', env: { HTTP_PROXY: 'http://[::1' } });
    assert.deepEqual(await sender.send(new URL(collector.url), payload, never()), { ok: false, attempts: 1, error: 'proxy setting is not a URL' });
    assert.equal(collector.connections, 0);
  });
});

describe('transport: connecting is bounded on its own, and close() ends what is under way', () => {
  let server: FaultServer;
  afterEach(() => server.stop());

  it('a proxy that never answers CONNECT ends the attempt at the connect timeout, not the attempt limit', async () => {
    server = await new FaultServer('proxy-silent').start();
    const sender = new Transport({ userAgent: 'test', maxRetries: 0, attemptTimeoutMs: 60_000, connectTimeoutMs: 300, env: { HTTP_PROXY: `http://127.0.0.1:${server.port}` } });
    assert.deepEqual(await sender.send(new URL('http://127.0.0.1:9/ping'), payload, never()), { ok: false, attempts: 1, error: 'connect timeout' });
    assert.equal(server.requests, 1);
  });

  it('close() ends a report waiting for an answer, without a retry, and refuses the next', async () => {
    server = await new FaultServer('silent').start();
    const sender = new Transport({ userAgent: 'test', attemptTimeoutMs: 60_000, baseDelayMs: 10 });
    const sending = sender.send(new URL(server.url), payload, never());
    while (server.requests === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await sender.close();
    assert.deepEqual(await sending, { ok: false, attempts: 1, error: 'transport closed' });
    assert.deepEqual(await sender.send(new URL(server.url), payload, never()), { ok: false, attempts: 1, error: 'transport closed' });
    assert.equal(server.requests, 1);
  });
});
