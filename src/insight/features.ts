import { FeaturesInsight } from '@node-red-telemetry/protocol/insight';
import type { SettingReader } from './setting-reader';

export { guardedReader } from './setting-reader';
export type { SettingReader } from './setting-reader';

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

function objectOf(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function field(value: unknown, key: string): unknown {
  try {
    return objectOf(value)?.[key];
  } catch {
    return undefined;
  }
}

/**
 * Context stores per kind, from `contextStorage`: each entry's `module`
 * ("memory", "localfilesystem", or anything else: a required module or a
 * custom one). No `contextStorage` is Node-RED's default, one memory store.
 */
function contextStores(setting: unknown): FeaturesInsight['contextStores'] {
  const kinds = { memory: 0, localfilesystem: 0, other: 0 };
  const stores = objectOf(setting);
  if (!stores) return { ...kinds, memory: 1 };
  let names: string[];
  try {
    names = Object.keys(stores);
  } catch {
    return kinds;
  }
  for (const name of names.slice(0, 100)) {
    if (name === 'default' && typeof field(stores, name) === 'string') continue; // an alias of another store, not a store
    const module = field(field(stores, name), 'module');
    if (module === 'memory' || module === undefined) kinds.memory++;
    else if (module === 'localfilesystem') kinds.localfilesystem++;
    else kinds.other++;
  }
  return kinds;
}

/**
 * The `features` group: booleans and enumerations of Node-RED's settings, as
 * FlowFuse reports its platform's. Never a value: whether `adminAuth` is set,
 * not who its users are.
 */
export function featuresInsight(read: SettingReader): FeaturesInsight {
  const editorTheme = read('editorTheme');
  return {
    adminAuth: isSet(read('adminAuth')),
    httpNodeAuth: isSet(read('httpNodeAuth')),
    https: isSet(read('https')),
    projects: field(field(editorTheme, 'projects'), 'enabled') === true,
    contextStores: contextStores(read('contextStorage')),
    // Node-RED reads an unset functionExternalModules as on (3.0 and later).
    functionExternalModules: read('functionExternalModules') !== false,
    editorTheme: typeof field(editorTheme, 'theme') === 'string' && (field(editorTheme, 'theme') as string) !== '',
    disableEditor: read('disableEditor') === true,
    storage: isSet(read('storageModule')) ? 'other' : 'default',
  };
}
