// By path: the registry of providers is loaded at start, the protocol's schemas and catalogue are not.
import {
  MAX_PROVIDER_BYTES,
  MAX_PROVIDER_FIELDS,
  MAX_PROVIDER_STRING,
  MAX_PROVIDERS,
  PROVIDER_FIELD_PATTERN,
  PROVIDER_ID_PATTERN,
  ProviderFields,
} from '@node-red-telemetry/protocol/insight';
import { TEXT_PATTERN } from '@node-red-telemetry/protocol/patterns';

/** The plugin type another Node-RED plugin registers to contribute fields under `ext["<id>"]`. */
export const PROVIDER_TYPE = 'node-red-telemetry-metric';
/** The longest a provider may take; after it the report goes without that provider. */
export const PROVIDER_TIMEOUT_MS = 1000;

const ID = new RegExp(PROVIDER_ID_PATTERN);
const FIELD = new RegExp(PROVIDER_FIELD_PATTERN);
const TEXT = new RegExp(TEXT_PATTERN);

/** What a provider plugin registers: `RED.plugins.registerPlugin(id, { type, name?, collect })`. */
export interface ProviderDefinition {
  /** Set by Node-RED's registry to the id given to registerPlugin. */
  id?: unknown;
  name?: unknown;
  collect?: unknown;
}

export interface Provider {
  id: string;
  /** Shown in the editor; the id when the plugin gives no name. */
  name: string;
  collect(): unknown;
}

/** Why a provider's answer was not used, for the one warning it gets. */
export type ProviderProblem = 'threw' | 'timeout' | 'not-object' | 'invalid-field' | 'invalid-value' | 'too-many-fields' | 'too-large';

/** The providers that can be used, at most {@link MAX_PROVIDERS}, with a valid id and a collect function. */
export function usableProviders(definitions: readonly ProviderDefinition[]): Provider[] {
  const seen = new Set<string>();
  const providers: Provider[] = [];
  for (const def of definitions) {
    if (providers.length >= MAX_PROVIDERS) break;
    let id: unknown, name: unknown, collect: unknown;
    try {
      ({ id, name, collect } = def);
    } catch {
      continue;
    }
    if (typeof id !== 'string' || !ID.test(id) || seen.has(id) || typeof collect !== 'function') continue;
    seen.add(id);
    const shown = typeof name === 'string' && name.trim() !== '' && TEXT.test(name) ? name.trim().slice(0, 80) : id;
    providers.push({ id, name: shown, collect: () => (collect as () => unknown).call(def) });
  }
  return providers;
}

/** Checks one provider's answer: a flat object of JSON scalars, within the caps. */
export function validateFields(value: unknown): { ok: true; fields: ProviderFields } | { ok: false; problem: ProviderProblem } {
  if (!value || typeof value !== 'object' || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
    return { ok: false, problem: 'not-object' };
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_PROVIDER_FIELDS) return { ok: false, problem: 'too-many-fields' };
  const fields: ProviderFields = {};
  for (const [key, item] of entries) {
    if (!FIELD.test(key)) return { ok: false, problem: 'invalid-field' };
    const fine =
      item === null ||
      typeof item === 'boolean' ||
      (typeof item === 'number' && Number.isFinite(item) && Math.abs(item) <= 1e15) ||
      (typeof item === 'string' && item.length <= MAX_PROVIDER_STRING && TEXT.test(item));
    if (!fine) return { ok: false, problem: 'invalid-value' };
    fields[key] = item;
  }
  if (Buffer.byteLength(JSON.stringify(fields)) > MAX_PROVIDER_BYTES) return { ok: false, problem: 'too-large' };
  return { ok: true, fields };
}

export type ProviderResult = { id: string; ok: true; fields: ProviderFields } | { id: string; ok: false; problem: ProviderProblem };

/**
 * Asks one provider, bounded by `timeoutMs`; never rejects. A provider that
 * answers late is ignored: its promise is left to settle on its own.
 */
export async function collectOne(provider: Provider, timeoutMs = PROVIDER_TIMEOUT_MS): Promise<ProviderResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    const answer = await Promise.race([Promise.resolve().then(() => provider.collect()), timeout]);
    if (answer === 'timeout') return { id: provider.id, ok: false, problem: 'timeout' };
    const checked = validateFields(answer);
    return checked.ok ? { id: provider.id, ok: true, fields: checked.fields } : { id: provider.id, ok: false, problem: checked.problem };
  } catch {
    return { id: provider.id, ok: false, problem: 'threw' };
  } finally {
    clearTimeout(timer);
  }
}

/** Asks every provider at once: the whole takes at most one timeout. */
export async function collectAll(providers: readonly Provider[], timeoutMs = PROVIDER_TIMEOUT_MS): Promise<ProviderResult[]> {
  return Promise.all(providers.map((p) => collectOne(p, timeoutMs)));
}
