/**
 * The clock the schedule runs on. Injected so that the 30-minute/24-hour
 * schedule can be tested with a fake clock while HTTP keeps real timers.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Whatever the clock's setTimeout returns: Node's Timeout, or a fake clock's id. */
export type TimerHandle = unknown;

/** Lets the process exit while the timer waits, where the handle supports it. */
export function unrefTimer(handle: TimerHandle): void {
  const unref = (handle as { unref?: unknown } | null)?.unref;
  if (typeof unref === 'function') unref.call(handle);
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
