import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import sinon from 'sinon';
import { realClock } from '../../src/clock';
import { nextReportAt, RETRY_AFTER_FAILURE_MS, Timer } from '../../src/schedule';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-22T08:00:00Z');

describe('schedule: when the next report is due', () => {
  const base = { startedAt: T0, now: T0, initialDelay: 30 * MIN, interval: DAY, last: null };

  it('is initialDelay after start when nothing was ever sent', () => {
    assert.equal(nextReportAt(base), T0 + 30 * MIN);
  });

  it('waits a whole interval after the last success, across a restart', () => {
    const last = { at: T0 - HOUR, ok: true };
    assert.equal(nextReportAt({ ...base, last }), T0 - HOUR + DAY);
  });

  it('does not re-send sooner than initialDelay after a restart, even when overdue', () => {
    const last = { at: T0 - 3 * DAY, ok: true };
    assert.equal(nextReportAt({ ...base, last }), T0 + 30 * MIN);
  });

  it('is not postponed by restarts: daily restarts still report daily', () => {
    let lastSuccess = T0 - DAY - HOUR;
    for (let day = 0; day < 5; day++) {
      const startedAt = T0 + day * DAY;
      const due = nextReportAt({ ...base, startedAt, now: startedAt, last: { at: lastSuccess, ok: true } });
      assert.equal(due, startedAt + 30 * MIN, `day ${day}`);
      lastSuccess = due;
    }
  });

  it('tries a failed report again after an hour, or the interval when shorter', () => {
    const last = { at: T0 + 2 * HOUR, ok: false };
    assert.equal(nextReportAt({ ...base, now: T0 + 2 * HOUR, last }), T0 + 2 * HOUR + RETRY_AFTER_FAILURE_MS);
    assert.equal(nextReportAt({ ...base, interval: 10 * MIN, now: T0 + 2 * HOUR, last }), T0 + 2 * HOUR + 10 * MIN);
  });

  it('is not pushed out by a last report stamped in the future (clock set back)', () => {
    const last = { at: T0 + 10 * DAY, ok: true };
    assert.equal(nextReportAt({ ...base, last }), T0 + DAY);
  });
});

describe('schedule: the timer (fake clock)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());

  it('fires first at 30 minutes, then every 24 hours', () => {
    const fired: number[] = [];
    const timer = new Timer(realClock);
    const startedAt = Date.now();
    const arm = (last: { at: number; ok: boolean } | null): void =>
      timer.arm(nextReportAt({ startedAt, now: Date.now(), initialDelay: 30 * MIN, interval: DAY, last }), () => {
        fired.push(Date.now());
        arm({ at: Date.now(), ok: true });
      });
    arm(null);
    clock.tick(30 * MIN - 1);
    assert.deepEqual(fired, []);
    clock.tick(1);
    assert.deepEqual(fired, [T0 + 30 * MIN]);
    clock.tick(DAY - 1);
    assert.equal(fired.length, 1);
    clock.tick(1);
    clock.tick(DAY);
    assert.deepEqual(fired, [T0 + 30 * MIN, T0 + 30 * MIN + DAY, T0 + 30 * MIN + 2 * DAY]);
  });

  it('waits past the 24.8-day limit of setTimeout instead of firing at once', () => {
    let fired = 0;
    const timer = new Timer(realClock);
    timer.arm(T0 + 60 * DAY, () => fired++);
    clock.tick(30 * DAY);
    assert.equal(fired, 0);
    assert.equal(timer.due, T0 + 60 * DAY);
    clock.tick(30 * DAY);
    assert.equal(fired, 1);
    assert.equal(timer.due, null);
  });

  it('fires at once for a time already past, and never after clear()', () => {
    let fired = 0;
    const timer = new Timer(realClock);
    timer.arm(T0 - DAY, () => fired++);
    clock.tick(0);
    assert.equal(fired, 1);
    timer.arm(T0 + MIN, () => fired++);
    timer.clear();
    clock.tick(DAY);
    assert.equal(fired, 1);
  });

  it('re-arming replaces the earlier time', () => {
    const fired: string[] = [];
    const timer = new Timer(realClock);
    timer.arm(T0 + MIN, () => fired.push('first'));
    timer.arm(T0 + 2 * MIN, () => fired.push('second'));
    clock.tick(3 * MIN);
    assert.deepEqual(fired, ['second']);
  });
});

describe('schedule: the timer never keeps the process alive', () => {
  it('lets Node.js exit while a report is due in an hour', () => {
    const script = `
      const { Timer } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'schedule.js'))});
      const { realClock } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'clock.js'))});
      new Timer(realClock).arm(Date.now() + 3600000, () => console.log('fired'));
      process.on('exit', () => console.log('exited'));`;
    const started = Date.now();
    const out = execFileSync(process.execPath, ['-e', script], { timeout: 10000 }).toString();
    assert.equal(out.trim(), 'exited');
    assert.ok(Date.now() - started < 10000);
  });
});
