import { random } from '../../collector/src/demo/random';
import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import type { Clock } from '../../src/clock';
import { ConsentStore } from '../../src/consent/store';
import type { Logger } from '../../src/log';
import { MAX_SPREAD_MS, nextReportAt, spreadOffset, spreadWindow, Timer } from '../../src/schedule';
import { Sender, TelemetryService } from '../../src/service';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-22T08:00:00Z');
const STARTS = 1000;

// The demo's seeded generator (mulberry32), so that every run of this test sees the same 1,000 starts.
const seeded = random;

function fakeClock(): { fake: FakeTimers.Clock; clock: Clock } {
  const fake = FakeTimers.createClock(T0);
  return { fake, clock: { now: () => fake.now, setTimeout: (fn, ms) => fake.setTimeout(fn, ms), clearTimeout: (h) => fake.clearTimeout(h as FakeTimers.TimerId) } };
}

/**
 * `count` instances started at T0 on one fake clock, each arming its first
 * report as the service does (a spread drawn at start), with nothing sent
 * before: when each report fires.
 */
function fleetStartsTogether(count: number, random: () => number, initialDelay = 30 * MIN): number[] {
  const { fake, clock } = fakeClock();
  const fired: number[] = [];
  for (let i = 0; i < count; i++) {
    const spread = spreadOffset(initialDelay, random);
    new Timer(clock).arm(nextReportAt({ startedAt: T0, now: T0, initialDelay, spread, interval: DAY, last: null }), () => fired.push(fake.now));
  }
  fake.tick(2 * HOUR);
  return fired;
}

/** Reports per minute after start, for minutes `from` to `to`. */
function perMinute(times: number[], from: number, to: number): number[] {
  const buckets = new Array<number>(to - from).fill(0);
  for (const t of times) {
    const minute = Math.floor((t - T0) / MIN) - from;
    if (minute >= 0 && minute < buckets.length) buckets[minute]++;
  }
  return buckets;
}

describe('schedule: a fleet that starts together does not report together', () => {
  it('spreads over as long as initialDelay, at most 30 minutes', () => {
    assert.equal(spreadWindow(30 * MIN), 30 * MIN);
    assert.equal(spreadWindow(4 * HOUR), MAX_SPREAD_MS);
    assert.equal(spreadWindow(1000), 1000);
    assert.equal(spreadWindow(0), 0);
  });

  it('keeps every offset inside the window, whatever the random source gives', () => {
    for (const r of [0, 0.5, 0.999999, 1, -0.1, Number.NaN, 7]) {
      const offset = spreadOffset(30 * MIN, () => r);
      assert.ok(offset >= 0 && offset < 30 * MIN, `random ${r} gave ${offset}`);
    }
    assert.equal(spreadOffset(0, () => 0.9), 0, 'initialDelay 0 sends at once');
  });

  it(`${STARTS} starts at the same instant fire over the whole window, none before initialDelay`, () => {
    const fired = fleetStartsTogether(STARTS, seeded(28));
    assert.equal(fired.length, STARTS, 'every instance reported once');
    const first = Math.min(...fired);
    const last = Math.max(...fired);
    assert.ok(first >= T0 + 30 * MIN, 'none before initialDelay');
    assert.ok(last < T0 + 60 * MIN, 'none after initialDelay and the window');
    assert.ok(last - first >= 0.95 * 30 * MIN, `they span ${(last - first) / MIN} minutes of the 30`);
    // 1,000 over 30 minutes is 33 a minute on average: no minute may hold twice that, and none is empty.
    const minutes = perMinute(fired, 30, 60);
    assert.ok(Math.max(...minutes) <= 66, `the busiest minute holds ${Math.max(...minutes)}: ${minutes.join(' ')}`);
    assert.ok(Math.min(...minutes) >= 1, `a minute holds none: ${minutes.join(' ')}`);
    assert.ok(new Set(fired).size >= 0.99 * STARTS, 'hardly two in the same millisecond');
  });

  it('would catch a fleet reporting in step (without the spread, every report in one millisecond)', () => {
    const fired = fleetStartsTogether(STARTS, () => 0);
    assert.equal(new Set(fired).size, 1);
    assert.equal(Math.max(...perMinute(fired, 30, 60)), STARTS);
  });

  it('with Math.random too, spreads over most of the window', () => {
    const fired = fleetStartsTogether(STARTS, Math.random);
    assert.ok(Math.max(...fired) - Math.min(...fired) >= 0.9 * 30 * MIN);
    assert.ok(Math.max(...perMinute(fired, 30, 60)) <= 80);
  });
});

describe('schedule: the spread and restarts', () => {
  const base = { initialDelay: 30 * MIN, interval: DAY };
  const spreads = [0, 1, 7 * MIN, 29 * MIN + 59_999];

  it('a restart neither sends early nor resets the rhythm: due a whole interval after the last report, whatever this start drew', () => {
    const last = { at: T0 - 3 * HOUR, ok: true };
    for (const spread of spreads) {
      assert.equal(nextReportAt({ ...base, startedAt: T0, now: T0, spread, last }), last.at + DAY, `spread ${spread}`);
    }
  });

  it('runs the daily rhythm on the fake clock across restarts: one report a day, at the time the first one went', () => {
    const random = seeded(7);
    const { fake, clock } = fakeClock();
    const fired: number[] = [];
    const persisted = (): { at: number; ok: boolean } | null => (fired.length > 0 ? { at: fired[fired.length - 1], ok: true } : null);
    let timer: Timer | null = null;
    // A new process: a new spread drawn, the last report as persisted.
    const start = (): void => {
      timer?.clear();
      const startedAt = fake.now;
      const spread = spreadOffset(base.initialDelay, random);
      const current = new Timer(clock);
      timer = current;
      const arm = (): void => current.arm(nextReportAt({ ...base, startedAt, now: fake.now, spread, last: persisted() }), () => (fired.push(fake.now), arm()));
      arm();
    };
    start();
    fake.tick(HOUR);
    assert.equal(fired.length, 1, 'the first report within initialDelay and its window');
    const rhythm = fired[0];
    // Restarted 3 hours, 10 minutes, 23 hours and 5 hours after the last report, on four days.
    for (const after of [3 * HOUR, 10 * MIN, 23 * HOUR, 5 * HOUR]) {
      fake.tick(after - (fake.now - fired[fired.length - 1]));
      start();
      fake.tick(DAY - after + 1);
    }
    assert.equal(fired.length, 5);
    fired.forEach((at, i) => assert.equal(at, rhythm + i * DAY, `report ${i} left the rhythm: ${new Date(at).toISOString()}`));
  });

  it('a fleet restarted together keeps the spread it had: each stays on its own last report', () => {
    const random = seeded(99);
    // Reported over the window after an earlier start, then all restarted by one power cut at T0.
    const lasts = Array.from({ length: STARTS }, () => T0 - 10 * HOUR + spreadOffset(30 * MIN, random));
    const due = lasts.map((at) => nextReportAt({ ...base, startedAt: T0, now: T0, spread: spreadOffset(30 * MIN, random), last: { at, ok: true } }));
    due.forEach((d, i) => assert.equal(d, lasts[i] + DAY));
    assert.ok(Math.max(...due) - Math.min(...due) >= 0.95 * 30 * MIN);
  });

  it('after an outage longer than the interval, a fleet is spread again from its start', () => {
    const random = seeded(3);
    const due = Array.from({ length: STARTS }, () =>
      nextReportAt({ ...base, startedAt: T0, now: T0, spread: spreadOffset(30 * MIN, random), last: { at: T0 - 3 * DAY, ok: true } }),
    );
    assert.ok(Math.min(...due) >= T0 + 30 * MIN && Math.max(...due) < T0 + 60 * MIN);
    assert.ok(Math.max(...perMinute(due, 30, 60)) <= 66);
  });
});

describe('service: the spread is drawn once per start, and the rhythm runs from the report', () => {
  const values = new Map<string, unknown>();
  const settings = { get: (k: string) => structuredClone(values.get(k)), set: (k: string, v: unknown) => Promise.resolve(void values.set(k, structuredClone(v))), available: () => true };
  const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, text: (key) => key };
  const sent: number[] = [];
  const services: TelemetryService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.stop()));
    sent.length = 0;
    values.clear();
  });

  /** Lets the report's asynchronous steps (none of them waits on the clock) run. */
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  function start(fake: FakeTimers.Clock, clock: Clock, random: () => number): TelemetryService {
    const sender: Sender = {
      send: () => Promise.resolve((sent.push(fake.now), { ok: true as const, status: 200, attempts: 1, answer: {} })),
      erase: () => Promise.resolve({ ok: true as const, status: 200, attempts: 1, answer: {} }),
      close: () => Promise.resolve(),
    };
    const service = new TelemetryService({
      settingsSection: { enabled: true, url: 'http://127.0.0.1:9/ping' },
      argv: [],
      env: {},
      userDir: undefined,
      nodeRedVersion: '4.1.15',
      store: new ConsentStore(settings),
      log: quiet,
      publish: () => undefined,
      sender,
      clock,
      dryRun: false,
      random,
    });
    services.push(service);
    service.start();
    return service;
  }

  it('sends first at initialDelay plus the drawn offset, then a day after that report, across a restart', async () => {
    const { fake, clock } = fakeClock();
    const first = start(fake, clock, () => 0.5);
    assert.equal(first.status().nextReportAt, new Date(T0 + 45 * MIN).toISOString());
    fake.tick(45 * MIN - 1);
    assert.deepEqual(sent, []);
    fake.tick(1);
    await turn();
    assert.deepEqual(sent, [T0 + 45 * MIN]);
    assert.equal(first.status().nextReportAt, new Date(T0 + 45 * MIN + DAY).toISOString());
    await first.stop();
    fake.tick(3 * HOUR);
    // Restarted with another draw: the rhythm set by the last report holds.
    const second = start(fake, clock, () => 0.99);
    assert.equal(second.status().nextReportAt, new Date(T0 + 45 * MIN + DAY).toISOString());
    fake.tick(DAY - 3 * HOUR - 1);
    await turn();
    assert.equal(sent.length, 1, 'not early');
    fake.tick(1);
    await turn();
    assert.deepEqual(sent, [T0 + 45 * MIN, T0 + 45 * MIN + DAY]);
  });
});
