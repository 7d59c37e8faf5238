import { randomBytes } from 'node:crypto';
import { LastReport } from '../schedule';
import type { Offer } from '../updates';
import { errorMessage, Logger } from '../log';
import type { SettingsLike } from '../red';

export type { SettingsLike } from '../red';

/**
 * The plugin's own key in Node-RED's runtime settings (`.config.runtime.json`).
 * Not `telemetryEnabled` (Node-RED's own), and not an identifier anyone would
 * write in settings.js, where it would make the key read-only.
 */
export const STATE_KEY = 'node-red-telemetry';

export interface PersistedState {
  instanceId: string;
  /** The choice made in the editor; absent until someone chooses. */
  choice?: boolean;
  lastReport?: LastReport;
  /** The update the collector offered, with the Node.js it needs when that is newer than the running one. */
  update?: Offer;
  /**
   * What the "yes" covered beyond the base payload: insight groups (`flows`)
   * and metric providers (`ext:<id>`). A state saved before this existed
   * covers the base payload only, so nothing new is sent without a new "yes".
   */
  covered?: string[];
  /** Items a user said no to while keeping the rest on; not asked about again. */
  declined?: string[];
}

/** The on-disk form: times as ISO strings so the file stays readable. */
interface StoredState {
  instanceId?: unknown;
  choice?: unknown;
  lastReport?: { at?: unknown; ok?: unknown };
  update?: { version?: unknown; node?: unknown; newer?: { version?: unknown; node?: unknown } };
  covered?: unknown;
  declined?: unknown;
}

const ITEM = /^(?:[a-z]{1,32}|ext:[A-Za-z0-9@][A-Za-z0-9@/._-]{0,63})$/;

/** A stored list of consent items, whole or not at all: a list we cannot read covers nothing. */
function parseItems(raw: unknown): string[] | null {
  if (!Array.isArray(raw) || raw.length > 64 || !raw.every((item) => typeof item === 'string' && ITEM.test(item))) return null;
  return [...new Set(raw as string[])];
}

export function newInstanceId(): string {
  return randomBytes(16).toString('hex');
}

/** Reads whatever is stored, dropping what is malformed instead of failing on it. */
export function parseState(stored: unknown): { state: PersistedState; repaired: boolean } {
  const raw: StoredState = stored && typeof stored === 'object' ? stored : {};
  let repaired = stored !== undefined && (typeof stored !== 'object' || stored === null);
  const validId = typeof raw.instanceId === 'string' && /^[0-9a-f]{32}$/.test(raw.instanceId);
  const state: PersistedState = { instanceId: validId ? (raw.instanceId as string) : newInstanceId() };
  if (!validId) repaired = true;
  if (typeof raw.choice === 'boolean') state.choice = raw.choice;
  else if (raw.choice !== undefined) repaired = true;
  if (raw.lastReport !== undefined) {
    const at = typeof raw.lastReport?.at === 'string' ? Date.parse(raw.lastReport.at) : NaN;
    if (!Number.isNaN(at) && typeof raw.lastReport?.ok === 'boolean') state.lastReport = { at, ok: raw.lastReport.ok };
    else repaired = true;
  }
  for (const key of ['covered', 'declined'] as const) {
    if (raw[key] === undefined) continue;
    const items = parseItems(raw[key]);
    if (items) state[key] = items;
    else repaired = true;
  }
  if (raw.update !== undefined) {
    const update = parseOffer(raw.update);
    if (update) state.update = update;
    else repaired = true;
  }
  return { state, repaired };
}

// Only a stored offer is checked with these: semver is not loaded for an instance that has none.
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */
const versionOf = (value: unknown): string | null => (typeof value === 'string' ? (require('semver') as typeof import('semver')).valid(value) : null);
const nodeOf = (value: unknown): string | null =>
  typeof value === 'string' && (require('../updates') as typeof import('../updates')).NODE_MINIMUM_PATTERN.test(value) ? value : null;
/* eslint-enable @typescript-eslint/no-require-imports */

/** A kept offer, whole or not at all: a requirement that cannot be read must not turn into an offer without it. */
function parseOffer(raw: StoredState['update']): Offer | null {
  if (!raw || typeof raw !== 'object') return null;
  const version = versionOf(raw.version);
  if (!version) return null;
  const offer: Offer = { version };
  if (raw.node !== undefined) {
    const node = nodeOf(raw.node);
    if (!node) return null;
    offer.node = node;
  }
  if (raw.newer !== undefined) {
    const newer = raw.newer && typeof raw.newer === 'object' ? { version: versionOf(raw.newer.version), node: nodeOf(raw.newer.node) } : null;
    if (!newer?.version || !newer.node) return null;
    offer.newer = { version: newer.version, node: newer.node };
  }
  return offer;
}

function toStored(state: PersistedState): StoredState {
  return {
    instanceId: state.instanceId,
    ...(state.choice !== undefined ? { choice: state.choice } : {}),
    ...(state.lastReport ? { lastReport: { at: new Date(state.lastReport.at).toISOString(), ok: state.lastReport.ok } } : {}),
    ...(state.update ? { update: state.update } : {}),
    ...(state.covered?.length ? { covered: state.covered } : {}),
    ...(state.declined?.length ? { declined: state.declined } : {}),
  };
}

/**
 * The plugin's persisted state: the user's choice, the instance id, the last
 * report and the kept update offer. Writes are queued so they land in order.
 */
export class ConsentStore {
  private state: PersistedState;
  private queue: Promise<void> = Promise.resolve();
  /** False when Node-RED offers no runtime settings storage: choices then last until restart. */
  readonly persistent: boolean;
  /** Whether the loaded state was missing or repaired and should be written once. */
  readonly needsWrite: boolean;

  constructor(private readonly settings: SettingsLike) {
    this.persistent = safeAvailable(settings);
    let stored: unknown;
    if (this.persistent) {
      try {
        stored = settings.get(STATE_KEY);
      } catch {
        stored = undefined;
      }
    }
    const { state, repaired } = parseState(stored);
    this.state = state;
    this.needsWrite = repaired || stored === undefined;
  }

  get(): Readonly<PersistedState> {
    return this.state;
  }

  /** Applies a change in memory at once and persists it; rejects when storage refuses. */
  update(change: (state: PersistedState) => PersistedState): Promise<void> {
    this.state = change({ ...this.state });
    const snapshot = toStored(this.state);
    const write = this.queue.then(async () => {
      if (this.persistent) await this.settings.set(STATE_KEY, snapshot);
    });
    this.queue = write.catch(() => undefined);
    return write;
  }
}

function safeAvailable(settings: SettingsLike): boolean {
  try {
    return settings.available();
  } catch {
    return false;
  }
}

/**
 * Saves a change whose failure is worth a warning, not a failure of the caller:
 * the change holds in memory until Node-RED restarts.
 */
export function persist(store: ConsentStore, log: Logger, change: (state: PersistedState) => PersistedState): void {
  store.update(change).catch((err: unknown) => log.warn('save-failed', { error: errorMessage(err) }));
}
