import assert from 'node:assert/strict';
import { DailyJob, JOB_FIRST_RUN_DELAY_MS } from '../../src/maintenance';
import { createLogger } from '../../src/logger';

/** The daily job waits before its first run, so that a restarted collector serves before it deletes. */
describe('daily job timing', () => {
  it('first runs after its delay, not at start, and stopping before then runs nothing', async () => {
    assert.equal(JOB_FIRST_RUN_DELAY_MS, 10_000);
    const runs: number[] = [];
    const started = performance.now();
    const job = new DailyJob(async () => void runs.push(performance.now() - started), createLogger('silent'), 3_600_000, 150);
    job.start();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(runs, [], 'nothing runs at start');
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(runs.length, 1);
    assert.ok(runs[0] >= 140, `ran after ${runs[0]} ms`);
    await job.stop();

    let lateRuns = 0;
    const stopped = new DailyJob(async () => void lateRuns++, createLogger('silent'), 3_600_000, 100);
    stopped.start();
    await stopped.stop();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(lateRuns, 0, 'a job stopped before its first run never runs');
  });
});
