import type { EnvironmentInsight, FeaturesInsight } from '@node-red-telemetry/protocol';

/** A valid features group (admin auth on, the rest Node-RED's defaults but for Function node modules), with fields overridden. */
export function featuresOf(overrides: Partial<FeaturesInsight> = {}): FeaturesInsight {
  return {
    adminAuth: true,
    httpNodeAuth: false,
    https: false,
    projects: false,
    contextStores: { memory: 1, localfilesystem: 0, other: 0 },
    functionExternalModules: false,
    editorTheme: false,
    disableEditor: false,
    storage: 'default',
    ...overrides,
  };
}

/** A valid environment group (a 4-core machine in the official Docker image, up a day or more), with fields overridden. */
export function environmentOf(overrides: Partial<EnvironmentInsight> = {}): EnvironmentInsight {
  return {
    cpus: 4,
    memoryGiB: 4,
    diskFreeGiB: 20,
    container: 'docker',
    kubernetes: false,
    ci: false,
    officialDockerImage: true,
    piModel: 'none',
    uptime: '1d-7d',
    ...overrides,
  };
}
