import assert from 'node:assert/strict';
import { DailyJob, JOB_FIRST_RUN_DELAY_MS } from '../../src/rollup/daily-job';
import { createLogger } from '../../src/logger';
import { DurabilityLost } from '../../src/store/store';

/** The daily job waits before its first run, so that a restarted collector serves before it deletes. */
describe('daily job timing', () => {
  it('first runs after its delay, not at start, and stopping before then runs nothing', async () => {
    assert.equal(JOB_FIRST_RUN_DELAY_MS, 10_000);
    const runs: number[] = [];
    const started = performance.now();
    const job = new DailyJob(() => Promise.resolve(void runs.push(performance.now() - started)), createLogger('silent'), 3_600_000, 150);
    job.start();
    await new Promise((r) => setTimeout(r, 50));
    // A copy: asserting on `runs` itself would narrow it to never[] for the lines below.
    assert.deepEqual([...runs], [], 'nothing runs at start');
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(runs.length, 1);
    assert.ok(runs[0] >= 140, `ran after ${runs[0]} ms`);
    await job.stop();

    let lateRuns = 0;
    const stopped = new DailyJob(() => Promise.resolve(void lateRuns++), createLogger('silent'), 3_600_000, 100);
    stopped.start();
    await stopped.stop();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(lateRuns, 0, 'a job stopped before its first run never runs');
  });

  it('a store that can no longer write durably is said once, not every hour; any other failure each time', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    let runs = 0;
    const failing = (err: Error) => () => {
      runs++;
      return Promise.reject(err);
    };
    for (const [err, expected] of [
      [new DurabilityLost('syncing the log failed (EIO)'), 'daily job stopped: writes can no longer be made durable; restart the collector'],
      [new Error('database is locked'), 'daily job failed; it runs again within the hour'],
    ] as const) {
      lines.length = 0;
      runs = 0;
      const job = new DailyJob(failing(err), log, 40, 10);
      job.start();
      while (runs < 4) await new Promise((r) => setTimeout(r, 10));
      await job.stop();
      const said = lines.filter((l) => l.msg === expected);
      assert.equal(said.length, err instanceof DurabilityLost ? 1 : runs, `${runs} runs: ${JSON.stringify(lines.map((l) => l.msg))}`);
    }
  });
});
