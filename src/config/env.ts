import { describeValue } from '../log';
import { EnvProblem, Problem } from './problems';

/** The process environment, or the part of it a test gives. */
export type Env = Readonly<Record<string, string | undefined>>;

/** An environment switch counts as set for anything but "", "0" or "false" (any case). */
export function isEnvSet(value: string | undefined): boolean {
  if (value === undefined) return false;
  return !['', '0', 'false'].includes(value.trim().toLowerCase());
}

/** Values whose meaning nobody has to guess: no warning for these. */
const CLEARLY_SET = ['1', 'true', 'yes', 'on'];
const CLEARLY_UNSET = ['', '0', 'false'];

/**
 * One problem for each opt-out variable whose value does not say clearly what
 * it means ("no", "off", " 0 "), naming how it was read; and for
 * NODE_RED_DISABLE_TELEMETRY="false" or "0", which Node-RED >= 4.1's red.js
 * reads as set although this plugin would not.
 */
export function envProblems(env: Env, settingsEnabled: boolean | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const name of ['NODE_RED_DISABLE_TELEMETRY', 'DO_NOT_TRACK'] as const) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const set = isEnvSet(value);
    let code: EnvProblem;
    if (name === 'NODE_RED_DISABLE_TELEMETRY' && !set && settingsEnabled === false) code = 'env-core-set';
    else if ([...CLEARLY_SET, ...CLEARLY_UNSET].includes(value.toLowerCase())) continue;
    else code = set ? 'env-odd-set' : 'env-odd-unset';
    problems.push({ setting: name, code, value: describeValue(value), outcome: code === 'env-odd-unset' ? 'ignored' : 'off' });
  }
  return problems;
}
