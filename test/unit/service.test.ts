import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { Clock } from '../../src/clock';
import { ConsentStore, SettingsLike, STATE_KEY } from '../../src/consent/store';
import type { Logger } from '../../src/log';
import { ServiceDeps, TelemetryService, TOPIC_STATUS, TOPIC_UPDATE } from '../../src/service';
import { Transport } from '../../src/transport';
import { answerJson, TestCollector } from '../helpers/collector';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-22T08:00:00Z');

/**
 * Node-RED's runtime settings as a plain map. The service's own logic is
 * tested here on a fake clock; persistence through the real RED.settings
 * is covered by the runtime tests, which restart a real Node-RED.
 */
class MapSettings implements SettingsLike {
  readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return structuredClone(this.values.get(key));
  }
  set(key: string, value: unknown): Promise<void> {
    this.values.set(key, structuredClone(value));
    return Promise.resolve();
  }
  available(): boolean {
    return true;
  }
}

interface LogEntry {
  level: string;
  key: string;
  subs?: Record<string, unknown>;
}

function recordingLogger(entries: LogEntry[]): Logger {
  const at = (level: string) => (key: string, subs?: Record<string, unknown>) => void entries.push({ level, key, subs });
  return { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug'), text: (key) => key };
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets real I/O run for a moment, to show that nothing arrives. */
const settle = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('service: schedule, consent and answers (fake clock, real HTTP)', () => {
  let collector: TestCollector;
  let fake: FakeTimers.Clock;
  let clock: Clock;
  let settings: MapSettings;
  let logs: LogEntry[];
  let published: Array<{ topic: string; data: unknown }>;
  let services: TelemetryService[];

  beforeEach(async () => {
    collector = await new TestCollector().start();
    fake = FakeTimers.createClock(T0);
    clock = { now: () => fake.now, setTimeout: (fn, ms) => fake.setTimeout(fn, ms), clearTimeout: (h) => fake.clearTimeout(h as FakeTimers.TimerId) };
    settings = new MapSettings();
    logs = [];
    published = [];
    services = [];
  });
  afterEach(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await collector.stop();
  });

  function service(section: Record<string, unknown> | undefined, overrides: Partial<ServiceDeps> = {}): TelemetryService {
    const svc = new TelemetryService({
      settingsSection: section,
      argv: [],
      env: {},
      userDir: undefined,
      nodeRedVersion: '4.1.0',
      store: new ConsentStore(settings),
      log: recordingLogger(logs),
      publish: (topic, data) => published.push({ topic, data }),
      sender: new Transport({ userAgent: 'test', baseDelayMs: 10, maxDelayMs: 20, maxRetries: 0 }),
      clock,
      dryRun: false,
      // No spread: the first report exactly initialDelay after start (the spread's own tests: schedule-spread.test.ts).
      random: () => 0,
      ...overrides,
    });
    services.push(svc);
    svc.start();
    return svc;
  }

  const enabled = (): Record<string, unknown> => ({ enabled: true, url: collector.url });
  const reported = (svc: TelemetryService, count: number) => () => svc.status().lastReport !== null && collector.received.length >= count && svc.status().nextReportAt !== null;

  it('sends first 30 minutes after start, then every 24 hours', async () => {
    const svc = service(enabled());
    assert.equal(svc.status().nextReportAt, new Date(T0 + 30 * MIN).toISOString());
    fake.tick(30 * MIN - 1);
    await settle();
    assert.equal(collector.connections, 0);
    fake.tick(1);
    await until(reported(svc, 1), 'first report');
    assert.equal(svc.status().lastReport?.at, new Date(T0 + 30 * MIN).toISOString());
    assert.equal(svc.status().nextReportAt, new Date(T0 + 30 * MIN + DAY).toISOString());
    fake.tick(DAY - 1);
    await settle();
    assert.equal(collector.received.length, 1);
    fake.tick(1);
    await until(() => collector.received.length === 2, 'second report');
  });

  it('does not re-send within the interval after a restart', async () => {
    const first = service(enabled());
    fake.tick(30 * MIN);
    await until(reported(first, 1), 'first report');
    await first.stop();
    fake.tick(HOUR);
    const second = service(enabled());
    assert.equal(second.status().nextReportAt, new Date(T0 + 30 * MIN + DAY).toISOString());
    fake.tick(DAY - HOUR - 1);
    await settle();
    assert.equal(collector.received.length, 1);
    fake.tick(1);
    await until(() => collector.received.length === 2, 'report a day after the first');
    assert.equal(JSON.parse(collector.received[1].body).instanceId, JSON.parse(collector.received[0].body).instanceId);
  });

  it('is not postponed by restarts more often than the interval', async () => {
    // Restart every 12 hours: reports still go out once a day.
    let svc = service(enabled());
    for (let restart = 0; restart < 4; restart++) {
      fake.tick(12 * HOUR);
      await until(() => collector.received.length === Math.floor(restart / 2) + 1 && svc.status().nextReportAt !== null, `reports by restart ${restart}`);
      await svc.stop();
      svc = service(enabled());
    }
    assert.equal(collector.received.length, 2);
  });

  it('sends 30 minutes after a restart that follows a long downtime', () => {
    settings.values.set(STATE_KEY, { instanceId: 'a'.repeat(32), lastReport: { at: new Date(T0 - 5 * DAY).toISOString(), ok: true } });
    const svc = service(enabled());
    assert.equal(svc.status().nextReportAt, new Date(T0 + 30 * MIN).toISOString());
  });

  it('tries a failed report again an hour later', async () => {
    collector.always(answerJson(500, {}));
    const svc = service(enabled());
    fake.tick(30 * MIN);
    await until(reported(svc, 1), 'failed report');
    assert.deepEqual(svc.status().lastReport, { at: new Date(T0 + 30 * MIN).toISOString(), ok: false });
    assert.equal(svc.status().nextReportAt, new Date(T0 + 90 * MIN).toISOString());
    assert.ok(logs.some((l) => l.level === 'info' && l.key === 'send-failed' && l.subs?.error === 'HTTP 500'));
  });

  it('logs every transmission at info, and the payload only at debug', async () => {
    const svc = service(enabled());
    fake.tick(30 * MIN);
    await until(reported(svc, 1), 'report');
    const sent = logs.filter((l) => l.key === 'sent');
    assert.deepEqual(sent, [{ level: 'info', key: 'sent', subs: { url: collector.url, status: 200, attempts: 1 } }]);
    const payload = logs.filter((l) => l.key === 'payload');
    assert.equal(payload.length, 1);
    assert.equal(payload[0].level, 'debug');
    assert.equal(payload[0].subs?.payload, collector.received[0].body);
  });

  describe('consent', () => {
    it('arms nothing while pending, and a yes applies at once', async () => {
      const svc = service({ url: collector.url });
      assert.deepEqual([svc.status().enabled, svc.status().reason, svc.status().nextReportAt], [null, 'pending', null]);
      fake.tick(2 * DAY);
      await settle();
      assert.equal(collector.connections, 0);
      const result = await svc.setChoice(true);
      assert.equal(result.ok, true);
      assert.deepEqual([svc.status().enabled, svc.status().reason], [true, 'consent']);
      assert.equal((settings.values.get(STATE_KEY) as { choice: boolean }).choice, true);
      fake.tick(0);
      await until(() => collector.received.length === 1, 'report after consent');
    });

    it('a no cancels the schedule at once', async () => {
      const svc = service({ url: collector.url });
      await svc.setChoice(true);
      await svc.setChoice(false);
      assert.equal(svc.status().nextReportAt, null);
      fake.tick(3 * DAY);
      await settle();
      assert.equal(collector.connections, 0);
    });

    it('a no aborts a report that is under way and records nothing', async () => {
      collector.always(() => undefined);
      const svc = service({ url: collector.url });
      await svc.setChoice(true);
      fake.tick(30 * MIN);
      await collector.waitFor(1);
      await svc.setChoice(false);
      await settle();
      assert.equal(svc.status().lastReport, null);
      assert.equal(svc.status().nextReportAt, null);
      fake.tick(3 * DAY);
      await settle();
      assert.equal(collector.received.length, 1);
    });

    it('a repeated yes while a report is under way does not send it twice', async () => {
      collector.respond((req, res, body) => setTimeout(() => answerJson(200, {})(req, res, body), 300));
      const svc = service({ url: collector.url });
      await svc.setChoice(true);
      fake.tick(30 * MIN);
      await collector.waitFor(1);
      await svc.setChoice(true);
      fake.tick(0);
      await until(reported(svc, 1), 'report finished');
      await settle();
      assert.equal(collector.received.length, 1);
      assert.equal(svc.status().nextReportAt, new Date(T0 + 30 * MIN + DAY).toISOString());
    });

    it('refuses a choice when settings.js decides', async () => {
      const svc = service({ enabled: false, url: collector.url });
      const result = await svc.setChoice(true);
      assert.deepEqual(result, { ok: false, code: 'decision_fixed', decision: { enabled: false, reason: 'settings' } });
      assert.equal(settings.values.get(STATE_KEY) && (settings.values.get(STATE_KEY) as { choice?: boolean }).choice, undefined);
    });

    it('refuses a choice when the environment opts out, and sends nothing', async () => {
      const svc = service(enabled(), { env: { DO_NOT_TRACK: '1' } });
      const result = await svc.setChoice(true);
      assert.equal(result.ok, false);
      fake.tick(3 * DAY);
      await settle();
      assert.equal(collector.connections, 0);
    });
  });

  it('only logs the payload with the debug switch, and never connects', async () => {
    const svc = service(enabled(), { dryRun: true });
    fake.tick(30 * MIN);
    await settle();
    assert.equal(collector.connections, 0);
    const dry = logs.filter((l) => l.key === 'dry-run');
    assert.equal(dry.length, 1);
    assert.deepEqual(JSON.parse(String(dry[0].subs?.payload)), svc.preview());
    assert.equal(svc.status().nextReportAt, new Date(T0 + 30 * MIN + DAY).toISOString());
  });

  it('holds the schedule while paused and after stop', async () => {
    const svc = service(enabled());
    svc.pause();
    fake.tick(DAY);
    await settle();
    assert.equal(collector.connections, 0);
    svc.resume();
    fake.tick(0);
    await until(() => collector.received.length === 1, 'report after resume');
    await until(() => svc.status().nextReportAt !== null, 're-armed');
    await svc.stop();
    fake.tick(3 * DAY);
    await settle();
    assert.equal(collector.received.length, 1);
  });

  describe('update offers', () => {
    const send = async (svc: TelemetryService): Promise<void> => {
      fake.tick(30 * MIN);
      await until(reported(svc, 1), 'report');
    };
    const updates = (): unknown[] => published.filter((p) => p.topic === TOPIC_UPDATE).map((p) => p.data);

    it('offers a newer version: logged, kept, and published retained', async () => {
      collector.respond(answerJson(200, { 'node-red': { latest: '4.1.15', next: '5.0.0-beta.3' } }));
      const svc = service(enabled());
      await send(svc);
      assert.deepEqual(svc.status().update, { version: '4.1.15' });
      assert.deepEqual((settings.values.get(STATE_KEY) as { update: unknown }).update, { version: '4.1.15' });
      assert.deepEqual(updates().at(-1), { version: '4.1.15' });
      assert.equal(logs.filter((l) => l.key === 'update-available' && l.level === 'info').length, 1);
      assert.ok(published.some((p) => p.topic === TOPIC_STATUS));
    });

    it('shows a kept offer again after a restart, and drops it once upgraded', async () => {
      collector.respond(answerJson(200, { 'node-red': { latest: '4.1.15' } }));
      const first = service(enabled());
      await send(first);
      await first.stop();
      published.length = 0;
      const second = service(enabled());
      assert.deepEqual(second.status().update, { version: '4.1.15' });
      assert.deepEqual(updates(), [{ version: '4.1.15' }]);
      await second.stop();
      const upgraded = service(enabled(), { nodeRedVersion: '4.1.15' });
      assert.equal(upgraded.status().update, null);
      await until(() => (settings.values.get(STATE_KEY) as { update?: unknown }).update === undefined, 'stale offer dropped');
    });

    it('offers nothing for the same version, and says nothing twice', async () => {
      collector.always(answerJson(200, { 'node-red': { latest: '4.1.0' } }));
      const svc = service(enabled());
      await send(svc);
      assert.equal(svc.status().update, null);
      assert.equal(logs.filter((l) => l.key === 'update-available').length, 0);
    });

    it('offers nothing when updateNotification is false', async () => {
      collector.respond(answerJson(200, { 'node-red': { latest: '9.0.0' } }));
      const svc = service({ ...enabled(), updateNotification: false });
      await send(svc);
      assert.equal(svc.status().update, null);
      assert.deepEqual(updates(), [{ version: null }]);
      assert.equal(logs.filter((l) => l.key === 'update-available').length, 0);
    });

    const garbage: Array<[string, (collector: TestCollector) => void]> = [
      ['not JSON', (c) => c.respond((_q, s) => s.writeHead(200).end('<html>oops</html>'))],
      ['a JSON array', (c) => c.respond(answerJson(200, [1, 2, 3]))],
      ['the wrong shape', (c) => c.respond(answerJson(200, { 'node-red': '9.9.9' }))],
      ['versions that are not semver', (c) => c.respond(answerJson(200, { 'node-red': { latest: 'banana' } }))],
      ['an empty body', (c) => c.respond((_q, s) => s.writeHead(200).end())],
      ['a huge body', (c) => c.respond((_q, s) => s.writeHead(200).end(JSON.stringify({ 'node-red': { latest: '9.9.9' }, pad: 'x'.repeat(1 << 20) })))],
    ];
    for (const [name, arrange] of garbage) {
      it(`ignores an answer that is ${name}, with a debug line`, async () => {
        arrange(collector);
        const svc = service(enabled());
        await send(svc);
        assert.equal(svc.status().update, null);
        assert.deepEqual(svc.status().lastReport?.ok, true);
        assert.equal(logs.filter((l) => l.key === 'answer-ignored' && l.level === 'debug').length, 1);
        assert.equal(logs.filter((l) => l.level === 'error').length, 0);
      });
    }
  });

  it('warns once for each malformed setting at start', () => {
    service({ enabled: 'yes', url: 'ftp://x', interval: 5, initialDelay: 'soon', colour: 'red' });
    const warnings = logs.filter((l) => l.level === 'warn').map((l) => `${l.key} ${(l.subs?.setting as string | undefined) ?? ''}`);
    // The url's own warning already says nothing can be sent: no second 'no-url' line.
    assert.deepEqual(warnings.sort(), [
      'problem.duration-too-short telemetry.interval',
      'problem.not-boolean telemetry.enabled',
      'problem.not-duration telemetry.initialDelay',
      'problem.not-url telemetry.url',
      'problem.unknown-setting telemetry.colour',
    ]);
  });
});
