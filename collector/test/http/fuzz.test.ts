import assert from 'node:assert/strict';
import fc from 'fast-check';
import semver from 'semver';
import { Pool } from 'undici';
import { assertErrorAnswer, PlainAnswer } from '../helpers/answers';
import { CollectorProcess, StoreKind } from '../helpers/collector-process';
import { describeRequest, FUZZ_EXTRA_FIELDS, fuzzRequest, FuzzRequest } from '../helpers/fuzz-requests';
import { rawExchange } from '../helpers/raw-http';
import { rowsOf } from '../helpers/tables';

const STORES: StoreKind[] = ['sqlite', 'postgres'];

/** Fixed, so that a failure is reproduced by running again; FUZZ_SEED / FUZZ_RUNS explore further. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_124);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const CONNECTIONS = 8;
const LATEST = '4.2.0';
/** Shrinking replays one request at a time against the collector; it stops here with the smallest found so far. */
const SHRINK_MS = 30_000;

const again = `reproduce with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`;

async function send(pool: Pool, request: FuzzRequest): Promise<PlainAnswer> {
  const answer = await pool.request({
    path: request.path,
    method: request.method,
    headers: request.headers,
    body: request.body,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  return { status: answer.statusCode, headers: answer.headers, body: await answer.body.text() };
}

/** Throws, naming the request, when one answer is not what that request must get. */
function checkAnswer(request: FuzzRequest, answer: PlainAnswer): void {
  const what = `${describeRequest(request)}\n  → ${answer.status} ${answer.body.slice(0, 300)}`;
  assert.ok(answer.status < 500, `answered ${answer.status}: ${what}`);
  assert.equal(answer.headers['x-content-type-options'], 'nosniff', `no nosniff: ${what}`);
  if (request.report) {
    assert.equal(answer.status, 200, `a valid report was not taken: ${what}`);
    assert.match(String(answer.headers['content-type']), /^application\/json/, `not JSON: ${what}`);
    assert.doesNotThrow(() => JSON.parse(answer.body), `not JSON: ${what}`);
    return;
  }
  if (request.method !== 'POST' && answer.status < 300) return;
  assert.ok(answer.status >= 400, `a defective request was not refused: ${what}`);
  const { code } = assertErrorAnswer(answer, what);
  if (request.refusedWith) assert.ok((request.refusedWith as string[]).includes(code), `code ${code}, expected one of ${request.refusedWith.join(', ')}: ${what}`);
}

/** The row a valid report must become, in the columns that come from the body. */
function expectedRow(report: Record<string, unknown>): string {
  const os = report.os as Record<string, string>;
  const env = report.env as Record<string, string>;
  const extra = Object.fromEntries(Object.keys(FUZZ_EXTRA_FIELDS).filter((k) => k in report).map((k) => [k, report[k]]));
  return JSON.stringify([
    report.instanceId,
    os.type,
    os.release,
    os.arch,
    semver.valid(env.nodejs) ?? 'invalid',
    semver.valid(env['node-red']) ?? 'invalid',
    Object.keys(extra).length > 0 ? extra : null,
  ]);
}

function storedRow(row: Record<string, unknown>): string {
  return JSON.stringify([row.instance_id, row.os_type, row.os_release, row.os_arch, row.nodejs, row.node_red, row.extra === null ? null : JSON.parse(row.extra as string)]);
}

/** How many of each, for comparing what was stored with what was acknowledged. */
function tally(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

for (const store of STORES) {
  describe(`fuzzed ingest (${store})`, function () {
    this.timeout(300_000);
    let collector: CollectorProcess;
    let pool: Pool;

    before(async () => {
      collector = await CollectorProcess.start({
        store,
        args: ['--latest', LATEST],
        config: { rateLimit: { perInstance: 1_000_000, perAddress: 1_000_000 }, extraFields: FUZZ_EXTRA_FIELDS },
      });
      pool = new Pool(collector.url, { connections: CONNECTIONS, pipelining: 1 });
    });
    after(async () => {
      await pool?.close();
      if (collector) assert.equal(await collector.stop(), 0);
    });

    it(`answers ${RUNS} generated requests without a 5xx, in documented errors, storing exactly the valid reports`, async () => {
      const requests = fc.sample(fuzzRequest, { seed: SEED, numRuns: RUNS });
      const answers: Array<PlainAnswer | Error> = new Array(requests.length);
      let next = 0;
      const started = Date.now();
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          for (let i = next++; i < requests.length; i = next++) {
            answers[i] = await send(pool, requests[i]).catch((err: Error) => err);
          }
        }),
      );
      const sendMs = Date.now() - started;

      // Per request: find every failure, worst first (a 5xx, then anything stored or not), then shrink the first with fast-check.
      const failures: Array<{ index: number; error: Error; rank: number }> = [];
      requests.forEach((request, index) => {
        const answer = answers[index];
        try {
          if (answer instanceof Error) throw new Error(`no answer (${answer.message}): ${describeRequest(request)}`);
          checkAnswer(request, answer);
        } catch (err) {
          const status = answer instanceof Error ? 0 : answer.status;
          failures.push({ index, error: err as Error, rank: status >= 500 ? 0 : status < 300 || request.report ? 1 : 2 });
        }
      });
      failures.sort((a, b) => a.rank - b.rank || a.index - b.index);

      // As a whole: the reports table holds exactly the valid reports that got a 200, field by field.
      const acknowledged = requests.filter((r, i) => r.report && !(answers[i] instanceof Error) && answers[i].status === 200);
      const rows = await rowsOf(collector, 'reports');
      const want = tally(acknowledged.map((r) => expectedRow(r.report!)));
      const have = tally(rows.map(storedRow));
      const storeProblems: string[] = [];
      for (const [row, n] of have) {
        if ((want.get(row) ?? 0) < n) {
          const id = JSON.parse(row)[0] as string;
          const senders = requests.filter((r) => r.body?.includes(id)).slice(0, 3).map(describeRequest);
          storeProblems.push(`stored ${n - (want.get(row) ?? 0)}× but not acknowledged as such: ${row}\n    requests with that id: ${senders.join('\n      ') || 'none'}`);
        }
      }
      for (const [row, n] of want) {
        if ((have.get(row) ?? 0) < n) {
          const sender = acknowledged.find((r) => expectedRow(r.report!) === row);
          storeProblems.push(`acknowledged but not stored exactly: ${row}\n    from ${sender ? describeRequest(sender) : 'undefined'}`);
        }
      }
      for (const row of rows) {
        assert.match(String(row.ip_hash), /^[0-9a-f]{64}$/);
        assert.equal(row.day, String(row.received_at).slice(0, 10));
      }

      const validCount = requests.filter((r) => r.report).length;
      const summary = `${RUNS} requests on ${store} in ${sendMs} ms (${validCount} valid, ${RUNS - validCount} defective); ${again}`;
      if (failures.length === 0 && storeProblems.length === 0) {
        assert.ok(acknowledged.length >= RUNS * 0.15, `only ${acknowledged.length} valid reports: ${summary}`);
        return;
      }

      let shrunk = '';
      const first = failures[0];
      if (first) {
        const replay = await fc.check(
          fc.asyncProperty(fuzzRequest, async (request) => checkAnswer(request, await send(pool, request))),
          { seed: SEED, path: String(first.index), interruptAfterTimeLimit: SHRINK_MS },
        );
        shrunk = replay.failed ? `\nshrunk by fast-check:\n${fc.defaultReportMessage(replay)}` : '\n(the replay passed: the failure depends on what ran alongside it)';
      }
      const errors = collector.logs().filter((e) => Number(e.level) >= 50).slice(0, 3);
      assert.fail(
        [
          `${failures.length} of ${RUNS} answers and ${storeProblems.length} stored rows were wrong — ${summary}`,
          ...failures.slice(0, 5).map((f) => `#${f.index}: ${f.error.message}`),
          ...storeProblems.slice(0, 5),
          ...errors.map((e) => `collector log: ${JSON.stringify(e).slice(0, 600)}`),
        ].join('\n') + shrunk,
      );
    });

    it('answers malformed HTTP sent over a raw socket with a 4xx in our JSON', async () => {
      // Built from parts that each break HTTP/1.1 framing in a way clients do not; a second request on the
      // same connection must never be read as the body of the first.
      const head = fc.constantFrom('POST /ping HTTP/1.1', 'GET /healthz HTTP/1.1', 'GET /%ff HTTP/1.1', 'POST /%c0%80 HTTP/1.1', 'G\u0000T / HTTP/1.1', 'GET / HTTP/9.9', 'GET  HTTP/1.1');
      const framing = fc.constantFrom(
        'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n',
        'Content-Length: 2\r\nContent-Length: 3\r\n',
        'Content-Length: -1\r\n',
        'Content-Length: 1x\r\n',
        'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n',
        'Transfer-Encoding: chunked, gzip\r\n',
        'Transfer-Encoding: chunked\r\n',
        `X-Big: ${'a'.repeat(17 * 1024)}\r\n`,
        'Bad Header: x\r\n',
        'X-Null: a\u0000b\r\n',
        ' Folded: x\r\n',
        '',
      );
      const body = fc.constantFrom('zz\r\n{}\r\n0\r\n\r\n', '2\r\n{}\r\n0\r\n\r\n', '-1\r\n', '{}', '2;ext="\u0000"\r\n{}\r\n0\r\n\r\n');
      const raw = fc.tuple(head, framing, body).map(([h, f, b]) => `${h}\r\nHost: collector\r\nContent-Type: application/json\r\n${f}\r\n${b}`);
      await fc.assert(
        fc.asyncProperty(raw, async (text) => {
          const answer = await rawExchange(collector.url, text, 3_000).catch((err: Error) => err);
          // Well-formed but incomplete (a body still to come) is not malformed: the collector waits, and so may we.
          if (answer instanceof Error) {
            assert.match(answer.message, /timed out/, `${JSON.stringify(text.slice(0, 300))}: ${answer.message}`);
            return;
          }
          assert.ok(answer.status < 500, `${JSON.stringify(text.slice(0, 300))} answered ${answer.raw.slice(0, 300)}`);
          if (answer.status >= 400) assertErrorAnswer(answer, JSON.stringify(text.slice(0, 300)));
        }),
        { seed: SEED, numRuns: 150, interruptAfterTimeLimit: 60_000 },
      );
    });
  });
}
