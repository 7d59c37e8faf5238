/**
 * Pure: the settings section + argv + env + opt-out file + stored choice -> one
 * Decision, and the options the plugin runs with. Each concern has its file:
 * reading the section (section.ts), checking its values (settings.ts), the
 * environment switches (env.ts), the precedence (decision.ts).
 */
export { DEFAULT_INITIAL_DELAY_MS, DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, MIN_INTERVAL_MS, MIN_TIMEOUT_MS } from './options';
export type { Options } from './options';
export type { EnvProblem, Outcome, Problem, ProblemCode } from './problems';
export { readSection } from './section';
export { resolveInclude, resolveSettings } from './settings';
export type { SettingsResolution } from './settings';
export { displayUrl } from './url';
export { envProblems, isEnvSet } from './env';
export { isFixed, resolveDecision } from './decision';
export type { DecisionInputs, Decision, Reason } from './decision';

/** Callers and tests know describeValue as part of reading settings; it lives with the log that shows it. */
export { describeValue } from '../log';
