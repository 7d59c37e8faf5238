/**
 * The clock the schedule runs on. Injected so that the 30-minute/24-hour
 * schedule can be tested with a fake clock while HTTP keeps real timers.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Whatever the clock's setTimeout returns; only `unref` is used when present. */
export interface TimerHandle {
  unref?(): unknown;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
