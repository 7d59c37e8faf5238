import assert from 'node:assert/strict';
import { CollectorProcess, report, StoreKind, TEST_CLIENT_ADDRESS } from '../helpers/collector-process';
import { everythingStored, rowsOf } from '../helpers/tables';
import { collectorVersion } from '../../src/version';

const STORES: StoreKind[] = ['sqlite', 'postgres'];

for (const store of STORES) {
  describe(`collector over HTTP (${store})`, function () {
    this.timeout(60_000);
    let collector: CollectorProcess;

    before(async () => {
      collector = await CollectorProcess.start({
        store,
        // At debug every request is logged, a stored report too: the privacy check below reads them all.
        args: ['--latest', '4.2.0', '--next', '5.0.0-beta.1', '--log-level', 'debug'],
        config: { rateLimit: { perInstance: 1, perAddress: 1000 }, extraFields: { tabs: 'number' } },
      });
    });
    after(async () => {
      assert.equal(await collector.stop(), 0);
    });

    it('stores a valid report and answers in Node-RED format', async () => {
      const answer = await collector.request('POST', '/ping', report({}, 1));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body, { 'node-red': { latest: '4.2.0', next: '5.0.0-beta.1' } });
      const rows = await rowsOf(collector, 'reports');
      const row = rows.find((r) => r.instance_id === 'instance00000001');
      assert.ok(row, 'the report is stored');
      assert.equal(row.node_red, '4.1.0');
      assert.equal(row.os_type, 'Linux');
      assert.match(String(row.ip_hash), /^[0-9a-f]{64}$/);
    });

    it('stores versions that are not semver as "invalid" and accepts declared extra fields', async () => {
      const answer = await collector.request('POST', '/ping', report({ env: { nodejs: 'v20.x', 'node-red': 'latest' }, tabs: 3 }, 2));
      assert.equal(answer.status, 200, answer.text);
      const row = (await rowsOf(collector, 'reports')).find((r) => r.instance_id === 'instance00000002');
      assert.equal(row?.nodejs, 'invalid');
      assert.equal(row?.node_red, 'invalid');
      assert.deepEqual(JSON.parse(String(row?.extra)), { tabs: 3 });
    });

    const BAD: Array<[string, string | object, Record<string, string>, number, string, RegExp]> = [
      ['not JSON', '{"instanceId":', { 'content-type': 'application/json' }, 400, 'invalid_json', /not valid JSON/],
      ['empty', '', { 'content-type': 'application/json' }, 400, 'invalid_json', /empty/],
      ['form-encoded', 'instanceId=x', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type', /application\/json/],
      ['an array', [], {}, 400, 'invalid_report', /the body must be object/],
      ['no instanceId', { os: report().os, env: report().env }, {}, 400, 'invalid_report', /field "instanceId" is required/],
      ['no os', { instanceId: 'abcdefgh12', env: report().env }, {}, 400, 'invalid_report', /field "os" is required/],
      ['no env', { instanceId: 'abcdefgh12', os: report().os }, {}, 400, 'invalid_report', /field "env" is required/],
      ['no os.arch', report({ os: { type: 'Linux', release: '6' } }), {}, 400, 'invalid_report', /field "os.arch" is required/],
      ['no env.node-red', report({ env: { nodejs: '20.0.0' } }), {}, 400, 'invalid_report', /field "env.node-red" is required/],
      ['a declared field of the wrong type', report({ tabs: 'many' }), {}, 400, 'invalid_report', /field "tabs" must be number/],
      ['a number for a string', report({ os: { type: 1, release: '6', arch: 'x64' } }), {}, 400, 'invalid_report', /field "os.type" must be string/],
      ['an over-long string', report({ os: { type: 'L'.repeat(65), release: '6', arch: 'x64' } }), {}, 400, 'invalid_report', /field "os.type" must NOT have more than 64 characters/],
      ['an empty string', report({ os: { type: '', release: '6', arch: 'x64' } }), {}, 400, 'invalid_report', /field "os.type" must NOT have fewer than 1 characters/],
      ['a malformed instanceId', report({ instanceId: '../../etc/passwd' }), {}, 400, 'invalid_report', /field "instanceId" must match pattern/],
      ['a prototype-polluting key', '{"__proto__":{"x":1},"instanceId":"abcdefgh12"}', { 'content-type': 'application/json' }, 400, 'invalid_json', /./],
      ['a body over 16 KiB', report({ os: { type: 'x'.repeat(17 * 1024), release: '6', arch: 'x64' } }), {}, 413, 'body_too_large', /16384 bytes/],
    ];

    it('takes a report with fields it does not know (a newer client), dropping them: never stored', async () => {
      const before = (await rowsOf(collector, 'reports')).length;
      const newer = report({ hostname: 'kitchen-pi', os: { ...report().os, hostname: 'pi-in-the-shed' }, env: { ...report().env, npm: '10.9.9' } }, 77);
      const answer = await collector.request('POST', '/ping', newer);
      assert.equal(answer.status, 200, answer.text);
      const rows = await rowsOf(collector, 'reports');
      assert.equal(rows.length, before + 1);
      const stored = JSON.stringify(rows.at(-1));
      for (const dropped of ['kitchen-pi', 'pi-in-the-shed', 'hostname', '10.9.9']) assert.ok(!stored.includes(dropped), `${dropped} stored: ${stored}`);
      // A known field of the wrong type is still refused, unknown fields or not.
      const wrong = await collector.request('POST', '/ping', report({ hostname: 'x', os: { type: 1, release: '6', arch: 'x64' } }, 78));
      assert.equal(wrong.status, 400, wrong.text);
      assert.match((wrong.body as { error: { message: string } }).error.message, /field "os.type" must be string/);
    });

    for (const [what, body, headers, status, code, message] of BAD) {
      it(`refuses ${what} with ${status} ${code} and stores nothing`, async () => {
        const before = (await rowsOf(collector, 'reports')).length;
        const answer = await collector.request('POST', '/ping', body, headers);
        assert.equal(answer.status, status, answer.text);
        const error = (answer.body as { error: { code: string; message: string } }).error;
        assert.equal(error.code, code);
        assert.match(error.message, message);
        assert.equal((await rowsOf(collector, 'reports')).length, before);
      });
    }

    it('answers 404 in JSON for an unknown endpoint', async () => {
      const answer = await collector.request('GET', '/nope');
      assert.equal(answer.status, 404);
      assert.deepEqual(answer.body, { error: { code: 'not_found', message: 'no endpoint GET /nope' } });
    });

    it('limits each instance to one report per hour, with Retry-After, without storing the extra one', async () => {
      assert.equal((await collector.request('POST', '/ping', report({}, 3))).status, 200);
      const again = await collector.request('POST', '/ping', report({}, 3));
      assert.equal(again.status, 429, again.text);
      const retryAfter = Number(again.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 3600, `Retry-After ${again.headers['retry-after']}`);
      assert.equal((again.body as { error: { code: string } }).error.code, 'rate_limited');
      assert.equal((await rowsOf(collector, 'reports')).filter((r) => r.instance_id === 'instance00000003').length, 1);
    });

    it('lets only one of many simultaneous reports from one instance through', async () => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => collector.request('POST', '/ping', report({}, 4))));
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 429, 429, 429, 429, 429, 429, 429]);
      assert.equal((await rowsOf(collector, 'reports')).filter((r) => r.instance_id === 'instance00000004').length, 1);
    });

    it('erases one instance\'s raw reports with DELETE /ping/:instanceId', async () => {
      assert.equal((await collector.request('POST', '/ping', report({}, 5))).status, 200);
      const erased = await collector.request('DELETE', '/ping/instance00000005');
      assert.equal(erased.status, 200, erased.text);
      assert.deepEqual(erased.body, { deleted: 1 });
      const rows = await rowsOf(collector, 'reports');
      assert.equal(rows.filter((r) => r.instance_id === 'instance00000005').length, 0);
      assert.ok(rows.some((r) => r.instance_id === 'instance00000001'), 'other instances stay');
      const counters = (await rowsOf(collector, 'rate_windows')).map((w) => String(w.key));
      assert.deepEqual(counters.filter((k) => !k.startsWith('address:')), [], 'no counter holds an instance id that would outlive its erasure');
      assert.deepEqual((await collector.request('DELETE', '/ping/instance00000005')).body, { deleted: 0 });
      const bad = await collector.request('DELETE', '/ping/no');
      assert.equal(bad.status, 400);
      assert.equal((bad.body as { error: { code: string } }).error.code, 'invalid_instance_id');
    });

    it('answers /healthz with the store in use', async () => {
      const answer = await collector.request('GET', '/healthz');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { status: 'ok', store, version: collectorVersion() });
    });

    it('never stores or logs the sender\'s address', async () => {
      assert.equal((await collector.request('POST', '/ping', report({}, 6))).status, 200);
      assert.equal((await collector.request('POST', '/ping', report({}, 6))).status, 429);
      assert.equal((await collector.request('POST', '/ping', 'junk', { 'content-type': 'application/json' })).status, 400);
      const stored = await everythingStored(collector);
      assert.ok(stored.includes('instance00000006'), 'the search does see stored reports');
      assert.ok(!stored.includes(TEST_CLIENT_ADDRESS), `${TEST_CLIENT_ADDRESS} found in the database`);
      const log = collector.lines.join('\n');
      assert.ok(log.includes('"route":"/ping","status":200'), 'the search does see request log lines');
      assert.ok(!log.includes(TEST_CLIENT_ADDRESS), `${TEST_CLIENT_ADDRESS} found in the log`);
    });
  });
}
