import assert from 'node:assert/strict';
import { parseDuration } from '@node-red-telemetry/protocol/durations';
import { resolveSettings } from '../../src/config';
import { disclosure } from '../../src/disclosure';
import { nextReportAt, spreadOffset } from '../../src/schedule';
import { pendingStatus, runtimeText as t } from '../helpers/runtime-text';

/**
 * The first report after a start goes at a random moment in a window past `initialDelay`
 * (schedule-spread.test.ts); what a person reads says that window, as the schedule applies it:
 * the start-up log's "When:" line and the status the editor's dialog words it from.
 */
describe('the first report window, as the log and the status say it', () => {
  const url = 'https://telemetry.example.com/ping';
  const facts = { optOutFile: '/data/.opt-out-from-anonymous-statistics', nextAt: null, destination: url };
  const when = (initialDelay?: unknown): string => {
    const { options } = resolveSettings({ url, initialDelay });
    const line = disclosure({ enabled: null, reason: 'pending' }, options, facts, t).split('\n').find((l) => l.includes('When:'));
    return (line ?? '').trim();
  };

  it('names the window in the start-up log; no window for an initialDelay of 0', () => {
    assert.equal(when(), 'When: at a random moment between 30m and 1h after start, then every 24h.');
    assert.equal(when('2h'), 'When: at a random moment between 2h and 150m after start, then every 24h.');
    assert.equal(when('10s'), 'When: at a random moment between 10s and 20s after start, then every 24h.');
    assert.equal(when(0), 'When: 0ms after start, then every 24h.');
  });

  it("puts the window's end in the status (schedule.firstBy): where the schedule's latest first report falls", () => {
    const first = (initialDelay: number, r: number): number =>
      nextReportAt({ startedAt: 0, now: 0, initialDelay, spread: spreadOffset(initialDelay, () => r), interval: 86_400_000, last: null });
    for (const initialDelay of [0, 1, 10_000, 30 * 60_000, 45 * 60_000, 2 * 3600_000]) {
      const { schedule } = pendingStatus(resolveSettings({ url, initialDelay }).options);
      const parsed = (text: string): number => {
        const result = parseDuration(text, 0);
        assert.ok(result.ok, text);
        return result.ms;
      };
      assert.equal(parsed(schedule.initialDelay), first(initialDelay, 0), `initialDelay ${initialDelay}: the earliest`);
      const latest = first(initialDelay, 1 - 1e-9);
      assert.ok(parsed(schedule.firstBy) >= latest && parsed(schedule.firstBy) - latest <= 1, `initialDelay ${initialDelay}: firstBy ${schedule.firstBy}, latest ${latest}`);
    }
  });
});
