import assert from 'node:assert/strict';
import { answerJson, TestCollector } from '../helpers/collector';
import { Transport } from '../../src/transport';

describe('transport: erasure (DELETE), bounded and retried like a report', () => {
  let collector: TestCollector;
  let transport: Transport;

  beforeEach(async () => {
    collector = await new TestCollector().start();
    transport = new Transport({ userAgent: 'test', baseDelayMs: 10, maxDelayMs: 20, maxRetries: 2 });
  });
  afterEach(async () => {
    await transport.close();
    await collector.stop();
  });

  it('sends DELETE without a body, retries a 503, and reads the answer', async () => {
    collector.respond(answerJson(503, { error: { code: 'unavailable', message: 'later' } }), answerJson(200, { deleted: 4 }));
    const url = new URL(`http://127.0.0.1:${collector.port}/ping/${'a'.repeat(32)}`);
    const outcome = await transport.erase(url, new AbortController().signal, { attemptTimeoutMs: 2000 });
    assert.deepEqual(outcome, { ok: true, status: 200, attempts: 2, answer: { deleted: 4 } });
    assert.deepEqual(collector.received.map((r) => [r.method, r.url, r.body, r.headers['content-type']]), [
      ['DELETE', `/ping/${'a'.repeat(32)}`, '', undefined],
      ['DELETE', `/ping/${'a'.repeat(32)}`, '', undefined],
    ]);
  });

  it('gives up after the retries, with the status', async () => {
    collector.always(answerJson(500, {}));
    const outcome = await transport.erase(new URL(`http://127.0.0.1:${collector.port}/ping/x`), new AbortController().signal);
    assert.deepEqual(outcome, { ok: false, attempts: 3, status: 500, error: 'HTTP 500' });
  });

  it('a 404 is not retried', async () => {
    collector.always(answerJson(404, {}));
    const outcome = await transport.erase(new URL(`http://127.0.0.1:${collector.port}/ping/x`), new AbortController().signal);
    assert.deepEqual([outcome.ok, outcome.attempts], [false, 1]);
  });
});
