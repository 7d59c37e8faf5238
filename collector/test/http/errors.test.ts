import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { answerClientError } from '../../src/http/raw-answers';
import { assertErrorAnswer, sendBytes } from '../helpers/answers';
import { CollectorProcess, report } from '../helpers/collector-process';
import { rawExchange } from '../helpers/raw-http';
import { rowsOf } from '../helpers/tables';

/**
 * What the collector answers to requests it cannot take, down to malformed
 * HTTP. None of this reaches the store, so one store (SQLite) is enough here;
 * both stores are fuzzed in fuzz.test.ts.
 */
describe('collector error answers', function () {
  this.timeout(60_000);
  let collector: CollectorProcess;
  let next = 100;
  /** A report of its own for each request, so that one refused here can never be confused with one stored. */
  const fresh = (overrides: Record<string, unknown> = {}) => report(overrides, next++);
  const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
  const stored = async (instanceId: string) =>
    (await rowsOf(collector, 'reports')).filter((r) => r.instance_id === instanceId).length;

  before(async () => {
    collector = await CollectorProcess.start({
      store: 'sqlite',
      args: ['--latest', '4.2.0'],
      config: { rateLimit: { perInstance: 1000, perAddress: 100_000 }, extraFields: { tabs: 'number', label: 'string' } },
    });
  });
  after(async () => {
    assert.equal(await collector.stop(), 0);
  });

  describe('bodies', () => {
    it('refuses a text/plain body with 415, even when it holds a valid report', async () => {
      const body = fresh();
      const answer = await sendBytes(collector.url, 'POST', '/ping', json(body), { 'content-type': 'text/plain' });
      assertErrorAnswer(answer, 'text/plain', { status: 415, code: 'unsupported_media_type' });
      assert.equal(await stored(body.instanceId), 0);
    });

    for (const charset of ['utf-16', 'UTF-16LE', 'latin1', 'iso-8859-1', '"utf-16"', 'us-ascii']) {
      it(`refuses charset=${charset} with 415 unsupported_charset and stores nothing`, async () => {
        const body = fresh();
        const bytes = charset.toLowerCase().includes('16') ? Buffer.from(JSON.stringify(body), 'utf16le') : json(body);
        const answer = await sendBytes(collector.url, 'POST', '/ping', bytes, { 'content-type': `application/json; charset=${charset}` });
        const error = assertErrorAnswer(answer, `charset=${charset}`, { status: 415, code: 'unsupported_charset' });
        assert.match(error.message, /UTF-8/);
        assert.equal(await stored(body.instanceId), 0);
      });
    }

    for (const contentType of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON; Charset="utf-8"', 'application/json; charset=utf8']) {
      it(`takes UTF-8 spelled "${contentType}"`, async () => {
        const body = fresh();
        const answer = await sendBytes(collector.url, 'POST', '/ping', json(body), { 'content-type': contentType });
        assert.equal(answer.status, 200, answer.body);
        assert.equal(answer.headers['x-content-type-options'], 'nosniff');
        assert.equal(await stored(body.instanceId), 1);
      });
    }

    for (const [encoding, encode] of [
      ['gzip', gzipSync],
      ['deflate', (b: Buffer) => b],
      ['br', (b: Buffer) => b],
      ['gzip, identity', gzipSync],
      ['x-unknown', (b: Buffer) => b],
    ] as Array<[string, (b: Buffer) => Buffer]>) {
      it(`refuses Content-Encoding: ${encoding} with 415 unsupported_encoding and stores nothing`, async () => {
        const body = fresh();
        const answer = await sendBytes(collector.url, 'POST', '/ping', encode(json(body)), {
          'content-type': 'application/json',
          'content-encoding': encoding,
        });
        const error = assertErrorAnswer(answer, `content-encoding ${encoding}`, { status: 415, code: 'unsupported_encoding' });
        assert.match(error.message, /not compressed|uncompressed/);
        assert.equal(await stored(body.instanceId), 0);
      });
    }

    it('refuses a transfer coding other than chunked with 415 unsupported_encoding', async () => {
      const body = JSON.stringify(fresh());
      const answer = await rawExchange(
        collector.url,
        'POST /ping HTTP/1.1\r\nHost: collector\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n' +
          `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      );
      assertErrorAnswer(answer, 'transfer-encoding gzip', { status: 415, code: 'unsupported_encoding' });
    });

    it('takes Content-Encoding: identity', async () => {
      const body = fresh();
      const answer = await sendBytes(collector.url, 'POST', '/ping', json(body), { 'content-type': 'application/json', 'content-encoding': 'identity' });
      assert.equal(answer.status, 200, answer.body);
      assert.equal(await stored(body.instanceId), 1);
    });

    for (const [what, invalid] of [
      ['a 0xFF byte', [0xff]],
      ['an overlong NUL (C0 80)', [0xc0, 0x80]],
      ['a UTF-8-encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
      ['a truncated sequence (E2 82)', [0xe2, 0x82]],
    ] as Array<[string, number[]]>) {
      it(`refuses a body that is not UTF-8 (${what} in a string) with 400 invalid_json`, async () => {
        const body = fresh();
        const text = JSON.stringify(body);
        const at = text.indexOf('Linux') + 2;
        const bytes = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(invalid), Buffer.from(text.slice(at))]);
        const answer = await sendBytes(collector.url, 'POST', '/ping', bytes, { 'content-type': 'application/json' });
        const error = assertErrorAnswer(answer, what, { status: 400, code: 'invalid_json' });
        assert.match(error.message, /UTF-8/);
        assert.equal(await stored(body.instanceId), 0);
      });
    }

    it('refuses a number too large to represent (1e400) instead of storing null', async () => {
      const body = fresh();
      const text = JSON.stringify({ ...body, tabs: 0 }).replace('"tabs":0', '"tabs":1e400');
      const answer = await sendBytes(collector.url, 'POST', '/ping', text, { 'content-type': 'application/json' });
      const error = assertErrorAnswer(answer, 'tabs 1e400', { status: 400, code: 'invalid_report' });
      assert.match(error.message, /field "tabs"/);
      assert.equal(await stored(body.instanceId), 0);
    });
  });

  describe('HTTP framing, over a raw socket', () => {
    const post = (headers: string, body: string) => `POST /ping HTTP/1.1\r\nHost: collector\r\nContent-Type: application/json\r\n${headers}\r\n${body}`;
    const CASES: Array<[string, () => string, number, string]> = [
      ['Content-Length together with Transfer-Encoding', () => post('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'), 400, 'bad_request'],
      ['two Content-Length headers', () => post('Content-Length: 2\r\nContent-Length: 3\r\n', '{}'), 400, 'bad_request'],
      ['a chunk size that is not hex', () => post('Transfer-Encoding: chunked\r\n', 'zz\r\n{}\r\n0\r\n\r\n'), 400, 'bad_request'],
      ['a header over the size limit', () => `GET /healthz HTTP/1.1\r\nHost: collector\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large'],
      ['a path that is not URL encoding (GET /%ff)', () => 'GET /%ff HTTP/1.1\r\nHost: collector\r\n\r\n', 400, 'bad_request'],
      ['a header name with a space', () => 'GET /healthz HTTP/1.1\r\nHost: collector\r\nBad Header: x\r\n\r\n', 400, 'bad_request'],
      ['an unknown method token', () => 'FOO\x01 / HTTP/1.1\r\nHost: collector\r\n\r\n', 400, 'bad_request'],
      ['an HTTP/1.1 request without Host', () => 'GET /healthz HTTP/1.1\r\n\r\n', 400, 'bad_request'],
      ['an expectation other than 100-continue', () => 'GET /healthz HTTP/1.1\r\nHost: collector\r\nExpect: teapot\r\n\r\n', 417, 'expectation_failed'],
      ['an instance id over fastify\'s parameter limit', () => `DELETE /ping/${'a'.repeat(300)} HTTP/1.1\r\nHost: collector\r\n\r\n`, 400, 'invalid_instance_id'],
    ];
    for (const [what, request, status, code] of CASES) {
      it(`answers ${what} with ${status} ${code} in our JSON`, async () => {
        const answer = await rawExchange(collector.url, request());
        assertErrorAnswer(answer, what, { status, code });
      });
    }

    it('closes the connection after a framing error, and keeps serving others', async () => {
      const answer = await rawExchange(collector.url, post('Content-Length: 2\r\nContent-Length: 3\r\n', '{}'));
      assert.equal(answer.headers.connection, 'close', answer.raw);
      assert.equal((await collector.request('GET', '/healthz')).status, 200);
    });
  });

  describe('X-Content-Type-Options: nosniff', () => {
    const CASES: Array<[string, 'GET' | 'POST' | 'DELETE', string, () => string | undefined]> = [
      ['POST /ping 200', 'POST', '/ping', () => JSON.stringify(fresh())],
      ['POST /ping 400', 'POST', '/ping', () => '{}'],
      ['POST /ping 413', 'POST', '/ping', () => JSON.stringify(fresh({ label: 'x'.repeat(20_000) }))],
      ['DELETE /ping/:id', 'DELETE', '/ping/instance00000001', () => undefined],
      ['GET /healthz', 'GET', '/healthz', () => undefined],
      ['GET /api/usage', 'GET', '/api/usage', () => undefined],
      ['GET /api/usage 400', 'GET', '/api/usage?days=0', () => undefined],
      ['GET 404', 'GET', '/nope', () => undefined],
      ['GET /%ff', 'GET', '/%ff', () => undefined],
    ];
    for (const [what, method, urlPath, body] of CASES) {
      it(`is on ${what}`, async () => {
        const payload = body();
        const answer = await sendBytes(collector.url, method, urlPath, payload, payload === undefined ? {} : { 'content-type': 'application/json' });
        assert.equal(answer.headers['x-content-type-options'], 'nosniff', `${what}: ${answer.status} ${JSON.stringify(answer.headers)}`);
        assert.match(String(answer.headers['content-type']), /^application\/json/);
      });
    }
  });
});

describe('a request that does not arrive in time', function () {
  this.timeout(20_000);

  // The collector keeps Node's 5-minute request timeout, too long to wait for here; the same
  // handler it installs answers on a real server whose timeout is half a second.
  it('is answered 408 request_timeout in our JSON', async () => {
    const server = http.createServer({ requestTimeout: 500, connectionsCheckingInterval: 100 }, (req, res) => {
      req.resume();
      req.on('end', () => res.end());
    });
    server.on('clientError', answerClientError);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await rawExchange(`http://127.0.0.1:${port}`, 'POST /ping HTTP/1.1\r\nHost: collector\r\nContent-Length: 10\r\n\r\n{', 5_000);
      assertErrorAnswer(answer, 'a body that stops arriving', { status: 408, code: 'request_timeout' });
      assert.equal(answer.headers.connection, 'close');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
