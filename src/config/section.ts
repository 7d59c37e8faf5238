import { errorMessage } from '../log';

export const KNOWN_SETTINGS = ['enabled', 'updateNotification', 'url', 'allowInsecure', 'initialDelay', 'interval', 'timeout', 'include', 'operator'] as const;
export type Known = (typeof KNOWN_SETTINGS)[number];

/**
 * Sections that could not be read at all: settings.js is code, and
 * `RED.settings.telemetry` may be a getter that throws. A WeakSet rather
 * than a class and `instanceof`, which would run a Proxy's traps.
 */
const unreadableSections = new WeakSet<object>();

/** Reads the `telemetry` section once; a throw becomes a marker {@link resolveSettings} reports. */
export function readSection(read: () => unknown): unknown {
  try {
    return read();
  } catch (err) {
    const marker = Object.freeze({ error: errorMessage(err) });
    unreadableSections.add(marker);
    return marker;
  }
}

type Read = { ok: true; value: unknown } | { ok: false; error: string };

function guarded(read: () => unknown): Read {
  try {
    return { ok: true, value: read() };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

/**
 * Each known setting read exactly once, in a try: a getter may throw, and a
 * Proxy may answer differently on every read, so what is checked, used and
 * shown in a warning must be one and the same value.
 */
export interface Snapshot {
  values: Partial<Record<Known, unknown>>;
  unreadable: Array<{ key: Known; error: string }>;
  unknownKeys: string[];
}

export type SectionRead = { kind: 'absent' } | { kind: 'unreadable'; error: string } | { kind: 'not-object' } | { kind: 'object'; snapshot: Snapshot };

export function readKeys(section: unknown): SectionRead {
  if (section === undefined || section === null) return { kind: 'absent' };
  if (typeof section === 'object' && unreadableSections.has(section)) {
    return { kind: 'unreadable', error: (section as { error: string }).error };
  }
  if (typeof section !== 'object') return { kind: 'not-object' };
  // Array.isArray throws for a revoked Proxy; Object.keys runs an ownKeys trap.
  const isArray = guarded(() => Array.isArray(section));
  if (!isArray.ok) return { kind: 'unreadable', error: isArray.error };
  if (isArray.value) return { kind: 'not-object' };
  const keys = guarded(() => Object.keys(section));
  if (!keys.ok) return { kind: 'unreadable', error: keys.error };
  const snapshot: Snapshot = {
    values: {},
    unreadable: [],
    unknownKeys: (keys.value as string[]).filter((key) => !(KNOWN_SETTINGS as readonly string[]).includes(key)),
  };
  for (const key of KNOWN_SETTINGS) {
    const read = guarded(() => (section as Record<string, unknown>)[key]);
    if (read.ok) snapshot.values[key] = read.value;
    else {
      snapshot.unreadable.push({ key, error: read.error });
      // Telemetry is off without `enabled`: the rest would only add warnings about settings that no longer matter.
      if (key === 'enabled') break;
    }
  }
  return { kind: 'object', snapshot };
}
