import { Env, isEnvSet } from './env';

/** Why telemetry is on, off or undecided; strongest source first. */
export type Reason = 'flag' | 'env' | 'do-not-track' | 'opt-out-file' | 'settings' | 'consent' | 'pending';

/** The one resolved state: `null` means nobody has chosen yet, and nothing is sent. */
export interface Decision {
  enabled: boolean | null;
  reason: Reason;
}

/** Decisions made outside the editor; a user's choice cannot override them. */
const FIXED_REASONS: ReadonlySet<Reason> = new Set<Reason>(['flag', 'env', 'do-not-track', 'opt-out-file', 'settings']);

export function isFixed(decision: Decision): boolean {
  return FIXED_REASONS.has(decision.reason);
}

export interface DecisionInputs {
  argv: readonly string[];
  env: Env;
  /** Whether `<userDir>/.opt-out-from-anonymous-statistics` exists. */
  optOutFile: boolean;
  /** `telemetry.enabled` as resolved by {@link resolveSettings}. */
  settingsEnabled: boolean | undefined;
  /** The choice a user made in the editor, if any. */
  storedChoice: boolean | undefined;
}

/**
 * Resolves whether telemetry may run. Any opt-out beats any opt-in, and unlike
 * Node-RED 4.1's own telemetry a stored editor opt-in never overrides the flag.
 */
export function resolveDecision(inputs: DecisionInputs): Decision {
  if (inputs.argv.includes('--no-telemetry') || inputs.argv.includes('--telemetry=false')) {
    return { enabled: false, reason: 'flag' };
  }
  const disable = inputs.env.NODE_RED_DISABLE_TELEMETRY;
  // Node-RED >= 4.1's red.js sets telemetry.enabled = false for any non-empty
  // value, even "false"; name that cause rather than blame settings.js.
  const coreDisabled = disable !== undefined && disable !== '' && inputs.settingsEnabled === false;
  if (isEnvSet(disable) || coreDisabled) return { enabled: false, reason: 'env' };
  if (isEnvSet(inputs.env.DO_NOT_TRACK)) return { enabled: false, reason: 'do-not-track' };
  if (inputs.optOutFile) return { enabled: false, reason: 'opt-out-file' };
  if (inputs.settingsEnabled !== undefined) return { enabled: inputs.settingsEnabled, reason: 'settings' };
  if (inputs.storedChoice !== undefined) return { enabled: inputs.storedChoice, reason: 'consent' };
  return { enabled: null, reason: 'pending' };
}
