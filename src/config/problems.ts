import type { DurationProblem } from '@node-red-telemetry/protocol';

export type ProblemCode =
  | 'not-object'
  | 'not-boolean'
  | 'not-url'
  | 'insecure-url'
  | 'unknown-setting'
  | 'unreadable'
  | 'not-list'
  | 'unknown-group'
  | 'not-operator'
  | DurationProblem
  | EnvProblem;

/** An environment switch with a value that does not say clearly what it means. */
export type EnvProblem = 'env-odd-set' | 'env-odd-unset' | 'env-core-set';

/** What happens because of a problem, so that the warning can say it. */
export type Outcome = 'off' | 'no-url' | 'default' | 'ignored' | 'no-groups';

/** One malformed setting: named, with the offending value, and the safe outcome taken. */
export interface Problem {
  setting: string;
  code: ProblemCode;
  /** The value as given, for a warning to show; absent when it could not be read, or is not shown. */
  value?: string;
  /** What reading the setting threw, for `unreadable`. */
  error?: string;
  outcome: Outcome;
  /** The value used instead, for outcome `default`. */
  fallback?: string;
  /** The bound a duration broke ("1s", "5m"), for the duration problems. */
  limit?: string;
}

/** Drops absent optional fields, so a problem reads (and compares) as what it says. */
export function problemOf(fields: Problem): Problem {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as Problem;
}
