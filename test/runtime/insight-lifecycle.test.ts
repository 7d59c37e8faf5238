import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { QUEUE_FILE } from '../../src/insight/event-queue';
import { LifecycleEvent, MAX_LIFECYCLE_EVENTS } from '@node-red-telemetry/protocol';
import { closedPort } from '../helpers/fault-server';
import { fixture, useNodeRed } from '../helpers/node-red';

const ID = '6'.repeat(32);
const today = (): string => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number): string => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);

/** Asserts each event's day is a day the step ran on (it may cross midnight), and returns the events without it. */
function onDaysSince(since: string, events: readonly LifecycleEvent[]): Array<Omit<LifecycleEvent, 'day'>> {
  const days = [since, today()];
  for (const e of events) assert.ok(days.includes(e.day), `${JSON.stringify(e)}: dated ${days.join(' or ')}`);
  return events.map(({ day: _day, ...rest }) => rest);
}

function settings(url: string): Record<string, unknown> {
  return { telemetry: { url, initialDelay: '1s', interval: '2s', include: ['lifecycle'] } };
}


/**
 * Lifecycle events across a crash, a collector outage and restarts, with a
 * real Node-RED whose contributed node throws from a timer.
 */
describe('runtime: lifecycle events survive a crash and an outage', function () {
  this.timeout(120000);
  let userDir = '';
  /** The day the crash was queued on, and the day the clean stop began on: later steps expect those. */
  let crashDay = '';
  let stopSince = '';
  let downUrl = '';
  const { collector, start } = useNodeRed({ collector: 'suite' });

  before(async () => {
    downUrl = `http://127.0.0.1:${await closedPort()}/ping`;
  });

  it('queues start, deploy and crash while the collector is down; the crash names the module only', async () => {
    const since = today();
    // A queue left over from earlier: 130 events too old to send, 150 recent ones, more than one report may carry.
    const old = Array.from({ length: 130 }, () => JSON.stringify({ type: 'start', day: daysAgo(9) }));
    const recent = Array.from({ length: 150 }, () => JSON.stringify({ type: 'stop', day: today() }));
    const red = await start({
      settings: settings(downUrl),
      runtimeSettings: { 'node-red-telemetry': { instanceId: ID, choice: true, covered: ['lifecycle'] } },
      modules: [fixture('node-red-contrib-nrt-fixture')],
      files: { [QUEUE_FILE]: [...old, ...recent].join('\n') + '\n' },
    });
    userDir = red.userDir;
    await red.waitForLog(/Started flows/);
    // The first report fails: nothing listens at the collector's address.
    await red.waitForLog(/\[node-red-telemetry\] Report to .* failed/, 20000);
    const flows = [
      { id: 't1', type: 'tab', label: 'crash tab' },
      { id: 'n1', type: 'nrt-secret-type', z: 't1', name: 'x', crashAfter: '1500', x: 100, y: 100, wires: [] },
    ];
    const deployed = await red.api('POST', '/flows', flows, undefined, { 'Node-RED-Deployment-Type': 'full' });
    assert.equal(deployed.status, 204);
    const code = await red.waitForExit(15000);
    assert.equal(code, 1, 'Node-RED ended on the uncaught exception');
    assert.match(red.output, /secret crash message/, 'the crash really happened in the test node');

    const queued = readFileSync(path.join(userDir, QUEUE_FILE), 'utf8');
    assert.ok(!queued.includes('secret crash message') && !queued.includes('/home/someone'), 'never the message or a path');
    const lines = queued.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LifecycleEvent);
    assert.ok(lines.length <= 2 * MAX_LIFECYCLE_EVENTS, `${lines.length} lines: the file is compacted`);
    assert.deepEqual(onDaysSince(since, lines.slice(-3)), [
      { type: 'start' },
      { type: 'deploy', deploy: 'full', graph: { tabs: 1, disabledTabs: 0, subflows: 0, subflowInstances: 0, nodes: 1, configNodes: 0, groups: 0, junctions: 0, wires: 0 } },
      { type: 'crash', error: 'RangeError', module: 'node-red-contrib-nrt-fixture' },
    ]);
    crashDay = lines.at(-1)!.day;
  });

  it('after the restart, with the collector back, the next report carries them within the bounds', async () => {
    // The crashing flow is removed, as a user would after the crash.
    writeFileSync(path.join(userDir, 'flows.json'), '[]');
    const startedAt = Date.now();
    const red = await start({ userDir, settings: settings(collector.url), modules: [fixture('node-red-contrib-nrt-fixture')] });
    const first = JSON.parse((await collector.reportAfter(startedAt)).body) as { lifecycle: { events: LifecycleEvent[] } };
    const events = first.lifecycle.events;
    assert.equal(events.length, MAX_LIFECYCLE_EVENTS, 'at most 100 events, the oldest dropped');
    assert.ok(events.every((e) => e.day >= daysAgo(7)), 'nothing older than 7 days');
    assert.deepEqual(events.slice(-4).map((e) => e.type), ['start', 'deploy', 'crash', 'start']);
    assert.deepEqual(events.at(-2), { type: 'crash', day: crashDay, error: 'RangeError', module: 'node-red-contrib-nrt-fixture' });

    // Delivered events are dropped from the queue: the next report carries only what happened since.
    const deliveredAt = Date.now();
    const second = JSON.parse((await collector.reportAfter(deliveredAt)).body) as { lifecycle: { events: LifecycleEvent[] } };
    assert.deepEqual(second.lifecycle.events, []);
    stopSince = today();
    assert.equal(await red.stop(), 0);
  });

  it('a clean stop is queued as stop and arrives with the next start', async () => {
    const startedAt = Date.now();
    const red = await start({ userDir, settings: settings(collector.url) });
    const report = JSON.parse((await collector.reportAfter(startedAt)).body) as { lifecycle: { events: LifecycleEvent[] } };
    assert.deepEqual(onDaysSince(stopSince, report.lifecycle.events), [{ type: 'stop' }, { type: 'start' }]);
    await red.stop();
  });
});
