import { Decision, isFixed } from '../config';
import type { Status } from '../status';
import type { Item } from './coverage';
import type { PersistedState } from './store';

/** What a user agreed to in one PUT /telemetry. */
export interface ChoiceOptions {
  /** Items the "yes" covers; all wanted items when absent. */
  covers?: readonly string[];
  /** Items declined while the rest stays on. */
  declines?: readonly string[];
  /** With `enabled: false`: also ask the collector to delete what this instance sent. */
  erase?: boolean;
}

/** What recording a choice answers; the codes are admin API error codes (src/admin-errors.ts). */
export type ChoiceResult =
  | { ok: true; status: Status }
  | { ok: false; code: 'decision_fixed'; decision: Decision }
  | { ok: false; code: 'not_saved'; error: string; status: Status };

/** A choice that may be recorded, with the wanted items it covers and declines. */
export interface AcceptedChoice {
  enabled: boolean;
  /** A "yes" under settings.js's own "on": it adds items without becoming the stored choice. */
  widening: boolean;
  covers: Item[];
  declines: Item[];
}

/**
 * Pure: whether a choice may be recorded under the decision standing now, and
 * which items it covers and declines. Null when the decision is fixed.
 * `wanted` is asked only for a choice that may be recorded.
 */
export function planChoice(decision: Decision, enabled: boolean, options: ChoiceOptions, wanted: () => readonly Item[]): AcceptedChoice | null {
  // settings.js switched it on and covers what it lists; a provider still needs its own "yes".
  const widening = enabled && decision.reason === 'settings' && decision.enabled === true;
  if (isFixed(decision) && !widening) return null;
  const items = wanted();
  // A PUT that only declines covers nothing new; one that names nothing covers all it would show.
  const covers = (options.covers ?? (options.declines ? [] : items)).filter((item) => items.includes(item));
  const declines = (options.declines ?? []).filter((item) => items.includes(item) && !covers.includes(item));
  return { enabled, widening, covers, declines };
}

/** Pure: the stored state after a choice. A "no" forgets what was covered; a "yes" adds to it. */
export function mergeChoice(state: PersistedState, choice: AcceptedChoice): PersistedState {
  if (!choice.enabled) return { ...state, choice: false, covered: undefined, declined: undefined };
  const covered = [...new Set([...(state.covered ?? []), ...choice.covers])].filter((item) => !choice.declines.includes(item));
  const declined = [...new Set([...(state.declined ?? []), ...choice.declines])].filter((item) => !covered.includes(item));
  return { ...state, ...(choice.widening ? {} : { choice: true }), covered, declined };
}
