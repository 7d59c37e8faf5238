import assert from 'node:assert/strict';
import { REQUEST_CATALOGUE, schemaFields } from '@node-red-telemetry/protocol';
import type { CollectorConfig } from '../../src/config';
import { fieldsAnswer } from '../../src/http/fields-answer';
import { exampleReport } from '../helpers/fields-report';
import { InProcessCollector, startInProcess } from '../helpers/collector-process';

/**
 * `GET /api/v1/fields` on a real collector (SQLite, real HTTP on 127.0.0.1): every field it
 * accepts, served with the headers of the rest of `/api/v1`, whatever the dashboard setting;
 * and what it says a field allows is what `POST /ping` accepts and refuses.
 */
const LIMITS = { rateLimit: { perInstance: 10_000, perAddress: 100_000 } };

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(new URL(path, base), { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

async function post(base: string, body: object): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/ping`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

function start(config: Partial<CollectorConfig> = {}): Promise<InProcessCollector> {
  return startInProcess({ store: 'sqlite', config: { latest: '4.2.0', ...LIMITS, ...config } });
}

describe('GET /api/v1/fields (sqlite)', function () {
  this.timeout(60_000);

  describe('with the defaults', () => {
    let collector: InProcessCollector;
    before(async () => {
      collector = await start();
    });
    after(() => collector?.stop());

    it('lists every field of the schema, then what the collector takes from the request, as the catalogue says', async () => {
      const answer = await get(collector.url, '/api/v1/fields');
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('content-type'), 'application/json; charset=utf-8');
      const paths = answer.json.fields.map((f: { path: string }) => f.path);
      assert.deepEqual(paths, [...schemaFields().map((f) => f.path), ...Object.keys(REQUEST_CATALOGUE)]);
      assert.deepEqual(answer.json, JSON.parse(JSON.stringify(fieldsAnswer({ threshold: 5, extraFields: {}, country: false, dashboardPath: '/' }))));
      const nodes = answer.json.fields.find((f: { path: string }) => f.path === 'flows.nodes');
      assert.deepEqual(Object.keys(nodes), ['path', 'group', 'type', 'required', 'onlyIn', 'allowed', 'schema', 'example', 'why', 'derived', 'published']);
      assert.deepEqual(nodes.published.values, ['0', '1', '2-5', '6-10', '11-50', '51-100', '101-500', '>500']);
      assert.equal(answer.json.publishedAt, '/api/v1/');
      assert.equal(answer.json.threshold, 5);
    });

    it('answers with the headers of /api/v1: ETag, Cache-Control, CORS, nosniff, compression; 304 on revalidation', async () => {
      const first = await get(collector.url, '/api/v1/fields');
      const etag = first.headers.get('etag');
      assert.match(etag ?? '', /^"[A-Za-z0-9_-]{27}-gzip"$/, 'fetch asks for gzip: the answer is over 1 KiB');
      assert.equal(first.headers.get('content-encoding'), 'gzip');
      assert.equal(first.headers.get('cache-control'), 'public, max-age=300');
      assert.equal(first.headers.get('vary'), 'accept-encoding');
      assert.equal(first.headers.get('access-control-allow-origin'), '*');
      assert.equal(first.headers.get('x-content-type-options'), 'nosniff');
      const again = await get(collector.url, '/api/v1/fields', { 'if-none-match': etag! });
      assert.equal(again.status, 304);
      assert.equal(again.text, '');
      const plain = await get(collector.url, '/api/v1/fields', { 'accept-encoding': 'identity' });
      assert.equal(plain.headers.get('etag'), etag!.replace('-gzip"', '"'));
      assert.equal(plain.text, first.text);
    });

    it('accepts a report made of every example it shows', async () => {
      const accepted = await post(collector.url, exampleReport());
      assert.equal(accepted.status, 200, JSON.stringify(accepted.json));
    });

    it('refuses, for every field with a range, a list of values or a length, a value just outside what it says is allowed', async () => {
      const { json } = await get(collector.url, '/api/v1/fields');
      const outside: Array<[field: any, value: unknown]> = [];
      for (const field of json.fields.filter((f: any) => f.schema && !f.path.includes('[]'))) {
        const { enum: values, minimum, maximum, maxLength } = field.schema;
        if (values) outside.push([field, 'none-of-these']);
        if (maximum !== undefined) outside.push([field, maximum + 1]);
        if (minimum !== undefined) outside.push([field, minimum - 1]);
        if (maxLength !== undefined) outside.push([field, 'x'.repeat(maxLength + 1)]);
      }
      assert.ok(outside.length >= 35, outside.map(([f]) => f.path).join(', '));
      for (const [field, value] of outside) {
        const refused = await post(collector.url, exampleReport({ [field.path]: value }));
        assert.equal(refused.status, 400, `${field.path} = ${String(value)}, allowed: ${field.allowed}`);
        assert.equal(refused.json.error.code, 'invalid_report');
        assert.ok(refused.json.error.message.includes(field.path.split('.').pop()), `${field.path}: ${refused.json.error.message}`);
      }
    });
  });

  describe('with declared fields, the country lookup, and the dashboard under /usage/', () => {
    let collector: InProcessCollector;
    before(async () => {
      collector = await start({ extraFields: { fleet: 'string' }, country: true, dashboardPath: '/usage/' });
    });
    after(() => collector?.stop());

    it('lists the declared field and publishes the country, at /api/v1/fields and beside the rest of the API', async () => {
      const root = await get(collector.url, '/api/v1/fields');
      const beside = await get(collector.url, '/usage/api/v1/fields');
      assert.equal(root.status, 200);
      assert.equal(beside.status, 200);
      assert.equal(beside.text, root.text);
      assert.equal(root.json.publishedAt, '/usage/api/v1/');
      const fleet = root.json.fields.find((f: { path: string }) => f.path === 'fleet');
      assert.deepEqual([fleet.group, fleet.type, fleet.published.dimension], ['extra', 'string', null]);
      const address = root.json.fields.find((f: { path: string }) => f.path === 'address');
      assert.equal(address.published.dimension, 'country');
      assert.equal((await post(collector.url, { ...exampleReport(), fleet: 'north' })).status, 200);
    });
  });

  describe('with the dashboard off', () => {
    let collector: InProcessCollector;
    before(async () => {
      collector = await start({ dashboardPath: null });
    });
    after(() => collector?.stop());

    it('still says what is collected, and that nothing is published', async () => {
      const answer = await get(collector.url, '/api/v1/fields');
      assert.equal(answer.status, 200);
      assert.equal(answer.json.publishedAt, null);
      assert.equal((await get(collector.url, '/api/v1/summary')).status, 404);
    });
  });
});
