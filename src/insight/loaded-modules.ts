/**
 * The node modules Node-RED actually loaded, read from its own registry.
 *
 * The plugin API has no list of modules, and `<userDir>/package.json` is not
 * one: it lists what the palette manager once installed, whether or not it is
 * still there or loaded. Node-RED's registry is the only true list, so it is
 * looked up among the modules already loaded into this process (never
 * required afresh: a second copy would be an empty registry).
 */

/** What the registry keeps per node set or plugin set. */
interface SetConfig {
  loaded?: unknown;
}

/** One module in `getModuleList()`: `{ name, nodes: { set: {...} }, plugins: { set: {...} } }`. */
interface ModuleConfig {
  nodes?: Record<string, SetConfig>;
  plugins?: Record<string, SetConfig>;
}

export type ModuleList = Record<string, ModuleConfig>;

const REGISTRY_ENTRY = /[\\/]@node-red[\\/]registry[\\/]lib[\\/]index\.js$/;

/** The registry's getModuleList once found in a module cache: the preview asks for it at every status. */
const found = new WeakMap<object, () => unknown>();

function findGetModuleList(cache: NodeJS.Require['cache']): (() => unknown) | null {
  const known = found.get(cache);
  if (known) return known;
  for (const [file, entry] of Object.entries(cache)) {
    if (!REGISTRY_ENTRY.test(file)) continue;
    const list = (entry?.exports as { getModuleList?: unknown } | undefined)?.getModuleList;
    if (typeof list !== 'function') continue;
    const call = (): unknown => (list as () => unknown)();
    found.set(cache, call);
    return call;
  }
  return null;
}

/** Node-RED's module list in this process, or null (an embedding that bundles Node-RED, a test without it). */
export function readModuleList(cache: NodeJS.Require['cache'] = require.cache): ModuleList | null {
  const list = findGetModuleList(cache);
  if (!list) return null;
  try {
    const modules = list();
    return modules && typeof modules === 'object' ? (modules as ModuleList) : null;
  } catch {
    return null;
  }
}

function anyLoaded(sets: Record<string, SetConfig> | undefined): boolean {
  return !!sets && typeof sets === 'object' && Object.values(sets).some((set) => set?.loaded === true);
}

/**
 * Modules with at least one node set or plugin loaded, beyond Node-RED's own
 * (`node-red`, which also holds the local nodes of the user directory and
 * `nodesDir`, and `@node-red/*`) and beyond `ownName`, this plugin.
 */
export function countLoadedModules(modules: ModuleList | null, ownName: string): number {
  if (!modules) return 0;
  let count = 0;
  for (const [name, config] of Object.entries(modules)) {
    if (name === 'node-red' || name.startsWith('@node-red/') || name === ownName) continue;
    if (anyLoaded(config?.nodes) || anyLoaded(config?.plugins)) count++;
  }
  return count;
}
