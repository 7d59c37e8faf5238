import { Clock, TimerHandle, unrefTimer } from './clock';

/** The outcome of the last transmission, persisted so restarts keep the rhythm. */
export interface LastReport {
  at: number;
  ok: boolean;
}

/** A failed report is tried again sooner than a whole interval later, but not in a tight loop. */
export const RETRY_AFTER_FAILURE_MS = 60 * 60 * 1000;

/** setTimeout fires at once for delays above 2^31-1 ms, so longer waits are split. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface ScheduleInputs {
  startedAt: number;
  now: number;
  initialDelay: number;
  interval: number;
  last: LastReport | null;
}

/**
 * When the next report is due: never before `initialDelay` after start, and
 * never within `interval` of the last success. Both are absolute times, so a
 * restart neither sends again too soon nor pushes the next report further out.
 */
export function nextReportAt(inputs: ScheduleInputs): number {
  const firstAllowed = inputs.startedAt + inputs.initialDelay;
  if (!inputs.last) return firstAllowed;
  // A clock that was set back must not postpone reports by the difference.
  const lastAt = Math.min(inputs.last.at, inputs.now);
  const wait = inputs.last.ok ? inputs.interval : Math.min(inputs.interval, RETRY_AFTER_FAILURE_MS);
  return Math.max(firstAllowed, lastAt + wait);
}

/** A one-shot timer at an absolute time that never keeps the process alive. */
export class Timer {
  /** Null while nothing is armed (a handle is opaque to this class: `unknown`, which includes null). */
  private handle: TimerHandle = null;
  private dueAt: number | null = null;

  constructor(private readonly clock: Clock) {}

  /** The time the timer fires at, or null when it is not armed. */
  get due(): number | null {
    return this.dueAt;
  }

  arm(dueAt: number, fire: () => void): void {
    this.clear();
    this.dueAt = dueAt;
    const wait = (): void => {
      const remaining = Math.max(0, dueAt - this.clock.now());
      this.handle = this.clock.setTimeout(step, Math.min(remaining, MAX_TIMEOUT_MS));
      unrefTimer(this.handle);
    };
    const step = (): void => {
      if (dueAt > this.clock.now()) return wait();
      this.handle = null;
      this.dueAt = null;
      fire();
    };
    wait();
  }

  clear(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
    this.dueAt = null;
  }
}
