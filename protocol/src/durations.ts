import ms from 'ms';

export type DurationProblem = 'not-duration' | 'duration-too-short' | 'duration-too-long';

export type DurationResult = { ok: true; ms: number } | { ok: false; problem: DurationProblem };

/**
 * Node's timers overflow past 2^31-1 ms (and then fire at once); the scheduler
 * splits long waits, but a year is already past any sensible reporting period.
 */
export const MAX_DURATION_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * Parses a duration setting: a number of milliseconds, or a string such as
 * "30m", "24h", "1500ms" (the `ms` package's syntax).
 */
export function parseDuration(value: unknown, minimumMs: number, maximumMs = MAX_DURATION_MS): DurationResult {
  let parsed: number | undefined;
  if (typeof value === 'number') {
    parsed = value;
  } else if (typeof value === 'string' && value.trim() !== '') {
    // ms's type admits only well-formed strings; checking that is what this function is for.
    parsed = ms(value.trim() as ms.StringValue);
  }
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
    return { ok: false, problem: 'not-duration' };
  }
  if (parsed < minimumMs) return { ok: false, problem: 'duration-too-short' };
  if (parsed > maximumMs) return { ok: false, problem: 'duration-too-long' };
  return { ok: true, ms: Math.round(parsed) };
}

const UNITS: ReadonlyArray<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * Formats milliseconds exactly, in the syntax the settings accept ("30m", "1d",
 * "1500ms"): `ms` itself rounds (1500 becomes "2s"), which would misstate a setting.
 */
export function formatDuration(milliseconds: number): string {
  for (const [unit, size] of UNITS) {
    // "24h" reads better than "1d", and is what the settings example says.
    if (unit === 'd' && milliseconds < 2 * size) continue;
    if (milliseconds >= size && milliseconds % size === 0) return `${milliseconds / size}${unit}`;
  }
  return `${milliseconds}ms`;
}
