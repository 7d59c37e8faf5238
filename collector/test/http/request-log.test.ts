import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { logRequests } from '../../src/http/request-log';
import { createLogger } from '../../src/logger';
import { postReport, report, startInProcess } from '../helpers/collector-process';

/**
 * The request log: errors one line each at info, everything else at debug,
 * and a count per status once a minute and at shutdown. In process, with
 * the log captured as the lines pino writes.
 */
type Line = Record<string, unknown>;

function capture(level: string): { lines: Line[]; log: ReturnType<typeof createLogger> } {
  const lines: Line[] = [];
  return { lines, log: createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line) as Line) }) };
}

async function answersOfACollector(level: string): Promise<Line[]> {
  const { lines, log } = capture(level);
  const collector = await startInProcess({ config: { latest: '4.2.0', rateLimit: { perInstance: 1, perAddress: 100 } }, log });
  try {
    assert.equal(await postReport(collector.url, report({}, 1)), 200);
    assert.equal(await postReport(collector.url, report({}, 1)), 429);
    assert.equal(await postReport(collector.url, { ...report({}, 2), instanceId: 'no' }), 400);
  } finally {
    await collector.stop();
  }
  return lines;
}

describe('request log', function () {
  this.timeout(30_000);

  it('at info: a line for each error answer, none for a stored report, and the counts per status at shutdown', async () => {
    const lines = await answersOfACollector('info');
    const requests = lines.filter((l) => l.msg === 'request');
    assert.deepEqual(
      requests.map((l) => [l.level, l.method, l.route, l.status]),
      [
        [30, 'POST', '/ping', 429],
        [30, 'POST', '/ping', 400],
      ],
    );
    assert.ok(requests.every((l) => typeof l.ms === 'number'));
    const summaries = lines.filter((l) => l.msg === 'requests answered');
    assert.equal(summaries.length, 1, 'one count, written at shutdown');
    assert.deepEqual(summaries[0].answered, { 200: 1, 400: 1, 429: 1 });
    assert.equal(summaries[0].level, 30);
  });

  it('at debug: every request on a line of its own, a stored report too', async () => {
    const lines = await answersOfACollector('debug');
    assert.deepEqual(
      lines.filter((l) => l.msg === 'request').map((l) => [l.level, l.status]),
      [
        [20, 200],
        [30, 429],
        [30, 400],
      ],
    );
  });

  it('counts once per interval, only what was answered in it, and says nothing for an interval without requests', async () => {
    const { lines, log } = capture('info');
    const app = Fastify({ loggerInstance: log });
    logRequests(app, log, 200);
    app.get('/', () => Promise.resolve({ ok: true }));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const summaries = () => lines.filter((l) => l.msg === 'requests answered').map((l) => l.answered as Record<string, number>);
      const total = () => {
        const sum: Record<string, number> = {};
        for (const counts of summaries()) for (const [status, n] of Object.entries(counts)) sum[status] = (sum[status] ?? 0) + n;
        return sum;
      };
      const until = async (done: () => boolean) => {
        for (const deadline = Date.now() + 5_000; !done() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
      };
      for (let i = 0; i < 3; i++) assert.equal((await fetch(url)).status, 200);
      assert.equal((await fetch(`${url}/nothing`)).status, 404);
      await until(() => Object.values(total()).reduce((a, b) => a + b, 0) >= 4);
      // Usually one line; two if the requests straddled the end of an interval.
      assert.deepEqual(total(), { 200: 3, 404: 1 });
      const written = summaries().length;
      // Three intervals and more without a request: no more lines.
      await new Promise((r) => setTimeout(r, 700));
      assert.equal(summaries().length, written);
      assert.equal((await fetch(url)).status, 200);
      await until(() => summaries().length > written);
      assert.deepEqual(summaries().slice(written), [{ 200: 1 }]);
    } finally {
      await app.close();
    }
  });
});
