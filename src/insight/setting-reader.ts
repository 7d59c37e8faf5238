/** Reads one top-level key of settings.js; must not throw (settings.js is code: a getter may). */
export type SettingReader = (key: string) => unknown;

/**
 * Wraps a reader so that a throwing getter reads as absent. Kept apart from
 * the `features` group that reads through it, so that wiring the plugin up
 * does not load the group's code.
 */
export function guardedReader(read: (key: string) => unknown): SettingReader {
  return (key) => {
    try {
      return read(key);
    } catch {
      return undefined;
    }
  };
}
