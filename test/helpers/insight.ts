import type { FeaturesInsight } from '@node-red-telemetry/protocol';

/** The features group of a Node-RED whose settings.js sets none of the settings it reads: Node-RED's defaults. */
export const DEFAULT_FEATURES: FeaturesInsight = {
  adminAuth: false,
  httpNodeAuth: false,
  https: false,
  projects: false,
  contextStores: { memory: 1, localfilesystem: 0, other: 0 },
  functionExternalModules: true,
  editorTheme: false,
  disableEditor: false,
  storage: 'default',
};
