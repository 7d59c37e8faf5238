import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createLogger } from '../../src/logger';
import { WalSync } from '../../src/store/wal-sync';
import { report, startInProcess } from '../helpers/collector-process';

/**
 * A SQLite collector whose disk fails to sync the write-ahead log, as a
 * sender and an operator meet it. The sync is pointed at /dev/null, which
 * Linux refuses to sync (EINVAL) through the same call a failing disk fails.
 */
describe('a disk that fails a sync (SQLite)', function () {
  this.timeout(30_000);

  it('every report, erasure and health check gets 503 store_unavailable in JSON, the log says why once, and the collector keeps answering', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const collector = await startInProcess({ config: { latest: '4.2.0' }, log, options: { store: { walSync: () => new WalSync('/dev/null') } } });
    try {
      const post = (instance: number): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report({}, instance)) });
      const requests: Array<[string, RequestInit]> = [
        ['/ping', post(60)],
        ['/ping', post(61)],
        [`/ping/${report({}, 60).instanceId}`, { method: 'DELETE' }],
        ['/healthz', {}],
      ];
      const answers = [];
      for (const [url, init] of requests) {
        const res = await fetch(`${collector.url}${url}`, init);
        answers.push({ status: res.status, body: (await res.json()) as { error: { code: string; message: string } } });
      }
      for (const answer of answers) {
        assert.equal(answer.status, 503);
        assert.equal(answer.body.error.code, 'store_unavailable');
        // The sender learns what to do, not where the collector keeps its files.
        assert.match(answer.body.error.message, /until it is restarted/);
        assert.doesNotMatch(answer.body.error.message, /dev\/null|EINVAL/);
      }
      const errors = lines.filter((l) => l.level === 50);
      assert.equal(errors.length, 1, `one error line, not one per request: ${JSON.stringify(errors)}`);
      assert.equal(errors[0].msg, 'writes can no longer be made durable: restart the collector');
      assert.match(JSON.stringify(errors[0].err), /\/dev\/null.*EINVAL/);
      // Not a crash: the public page still answers.
      assert.equal((await fetch(`${collector.url}/`)).status, 200);
    } finally {
      await collector.stop();
      rmSync(collector.files.dataDir, { recursive: true, force: true });
    }
  });
});
