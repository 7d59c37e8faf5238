import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { LifecycleEvent } from '@node-red-telemetry/protocol';
import { EventQueue } from '../../../src/insight/event-queue';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-11-26T12:00:00Z');
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'nrt-queue-cache-'));
}

/**
 * The queue keeps the snapshot it read last, and carries it past its own
 * appends (each deploy appends one, and every status previews the queue):
 * what it answers must always be what reading the file afresh answers.
 */
describe('insight: the lifecycle queue read once, answered as if read every time', () => {
  it('follows its own appends, the file edited or removed behind its back, and the age bound moving on', () => {
    const dir = tmp();
    let now = NOW;
    const queue = new EventQueue(dir, () => now);
    queue.append({ type: 'start', day: '2026-11-26' });
    assert.deepEqual(queue.snapshot().events, [{ type: 'start', day: '2026-11-26' }]);
    queue.append({ type: 'stop', day: '2026-11-26' });
    assert.deepEqual(queue.snapshot(), { events: [{ type: 'start', day: '2026-11-26' }, { type: 'stop', day: '2026-11-26' }], lines: 2 });
    // Written by someone else (another copy of the plugin, a user's editor).
    writeFileSync(queue.file, '{"type":"crash","day":"2026-11-26","error":"TypeError","module":"left-pad"}\n');
    assert.deepEqual(queue.snapshot().events, [{ type: 'crash', day: '2026-11-26', error: 'TypeError', module: 'left-pad' }]);
    // Removed by a user: what was in it is not sent.
    unlinkSync(queue.file);
    assert.deepEqual(queue.snapshot(), { events: [], lines: 0 });
    queue.append({ type: 'start', day: '2026-11-26' });
    assert.equal(queue.snapshot().events.length, 1);
    now = NOW + 8 * DAY;
    assert.deepEqual(queue.snapshot().events, [], 'older than 7 days once the clock moved on');
  });

  it('a snapshot handed out cannot change what the queue answers next', () => {
    const queue = new EventQueue(tmp(), () => NOW);
    queue.append({ type: 'start', day: '2026-11-26' });
    queue.snapshot().events.push({ type: 'stop', day: '2026-11-26' });
    assert.equal(queue.snapshot().events.length, 1);
  });

  const event: fc.Arbitrary<LifecycleEvent> = fc.oneof(
    fc.record({ type: fc.constantFrom('start' as const, 'stop' as const), day: fc.integer({ min: -10, max: 0 }).map((d) => dayOf(NOW + d * DAY)) }),
    fc.record({
      type: fc.constant('crash' as const),
      day: fc.constant(dayOf(NOW)),
      error: fc.constantFrom('TypeError', 'RangeError', 'AcmeError'),
      module: fc.constantFrom('left-pad', 'acme-project', 'local'),
    }),
  );
  // An action: append an event, take a snapshot, acknowledge the last snapshot, or tear a line onto the file.
  const action = fc.oneof(
    event.map((e) => ({ kind: 'append' as const, e })),
    fc.constant({ kind: 'snapshot' as const }),
    fc.constant({ kind: 'acknowledge' as const }),
    fc.constant({ kind: 'tear' as const }),
  );

  it('answers, after any sequence of appends, snapshots, acknowledgements and torn lines, what a fresh read answers', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 450, size: 'max' }), (actions) => {
        const dir = tmp();
        writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'acme-project' }));
        const queue = new EventQueue(dir, () => NOW);
        let last = queue.snapshot();
        for (const a of actions) {
          if (a.kind === 'append') queue.append(a.e);
          else if (a.kind === 'snapshot') last = queue.snapshot();
          else if (a.kind === 'acknowledge') queue.acknowledge(last);
          else appendFileSync(queue.file, '{"type":"sto');
          assert.deepEqual(queue.snapshot(), new EventQueue(dir, () => NOW).snapshot());
        }
      }),
      { numRuns: 30 },
    );
  });
});
