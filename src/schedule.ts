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

/** The longest the first report is spread past `initialDelay`. */
export const MAX_SPREAD_MS = 30 * 60 * 1000;

/**
 * The window the first report after a start is spread over, past
 * `initialDelay`: as long as `initialDelay` itself, at most 30 minutes. With
 * the defaults a fleet that starts together (a power cut, a rollout) reports
 * over 30 to 60 minutes after start instead of in one second; a short
 * `initialDelay` (a test, a demo) keeps its first report close, and `0` sends at once.
 */
export function spreadWindow(initialDelay: number): number {
  return Math.max(0, Math.min(initialDelay, MAX_SPREAD_MS));
}

/** The latest the first report after a start goes: `initialDelay` and the whole spread window after it. */
export function firstReportBy(initialDelay: number): number {
  return initialDelay + spreadWindow(initialDelay);
}

/** Where in the window this start's first report goes, from `random` in [0, 1). */
export function spreadOffset(initialDelay: number, random: () => number): number {
  const r = random();
  // A source outside [0, 1) must not push the report outside the window.
  return Math.floor(spreadWindow(initialDelay) * (r >= 0 && r < 1 ? r : 0));
}

export interface ScheduleInputs {
  startedAt: number;
  now: number;
  initialDelay: number;
  /** This start's offset into the spread window ({@link spreadOffset}); 0 by default. */
  spread?: number;
  interval: number;
  last: LastReport | null;
}

/**
 * When the next report is due: never before `initialDelay` (plus this start's
 * spread) after start, and never within `interval` of the last success. Both
 * are absolute times, so a restart neither sends again too soon nor pushes the
 * next report further out; and since each instance's rhythm runs from its own
 * last report, a fleet spread once stays spread, day after day.
 */
export function nextReportAt(inputs: ScheduleInputs): number {
  const firstAllowed = inputs.startedAt + inputs.initialDelay + (inputs.spread ?? 0);
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
