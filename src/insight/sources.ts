import type { EnvironmentInsight, FeaturesInsight, FlowsInsight, ProviderFields } from '@node-red-telemetry/protocol';
import type { EditorUsageStore } from './editor-store';
import type { EnvironmentProbe, StaticEnvironment } from './environment';
import type { EventQueue } from './event-queue';
import type { ModuleList } from './loaded-modules';
import { collectAll, Provider, ProviderDefinition, ProviderResult, usableProviders } from './providers';
import type { SettingReader } from './setting-reader';

// Each group's code is loaded the first time that group is read: most instances send none of them,
// and an instance that has not chosen yet must cost Node-RED next to nothing (BENCHMARKS.md).
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */
const environmentGroup = (): typeof import('./environment') => require('./environment') as typeof import('./environment');
const featuresGroup = (): typeof import('./features') => require('./features') as typeof import('./features');
const flowsGroup = (): typeof import('./flows') => require('./flows') as typeof import('./flows');
const loadedModules = (): typeof import('./loaded-modules') => require('./loaded-modules') as typeof import('./loaded-modules');
const eventQueue = (): typeof import('./event-queue') => require('./event-queue') as typeof import('./event-queue');
const editorStore = (): typeof import('./editor-store') => require('./editor-store') as typeof import('./editor-store');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface InsightDeps {
  userDir: string | undefined;
  /** Top-level settings.js keys, guarded (see {@link guardedReader}). */
  readSetting: SettingReader;
  /** The plugins registered with the metric provider type. */
  providerDefinitions(): readonly ProviderDefinition[];
  probe?: EnvironmentProbe;
  now(): number;
  /** Seconds the process has been running. */
  uptime(): number;
  /** Node-RED's module list (Node-RED's registry by default). */
  moduleList?(): ModuleList | null;
  /** This plugin's package name, left out of the modules counted. */
  ownName: string;
}

/**
 * The state each group is read from: the flows Node-RED last started, the
 * environment detected once, the lifecycle queue, the providers' last
 * answers. Each group module knows what it collects; report.ts alone puts
 * their output into a payload.
 */
export class InsightSources {
  /** Null until Node-RED has started flows once: counts of nothing would read as an empty instance. */
  private startedFlows: readonly unknown[] | null = null;
  private detected: StaticEnvironment | null = null;
  private lastExt: Record<string, ProviderFields> = {};
  private eventQueue: EventQueue | null | undefined;
  private editorCounts: EditorUsageStore | null | undefined;

  constructor(private readonly deps: InsightDeps) {}

  /** The lifecycle queue, opened on first use; null without a user directory: events then have nowhere to survive a restart. */
  get queue(): EventQueue | null {
    if (this.eventQueue === undefined) {
      const { userDir } = this.deps;
      this.eventQueue = userDir ? new (eventQueue().EventQueue)(userDir, () => this.deps.now()) : null;
    }
    return this.eventQueue;
  }

  /** The editor group's counts, opened on first use; null without a user directory, as the queue. */
  get editorUsage(): EditorUsageStore | null {
    if (this.editorCounts === undefined) {
      const { userDir } = this.deps;
      this.editorCounts = userDir ? new (editorStore().EditorUsageStore)(userDir, () => this.deps.now()) : null;
    }
    return this.editorCounts;
  }

  /**
   * Node-RED's `flows:started` and `flows:stopped` events carry the whole
   * configuration as `config.flows`: the one last deployed or loaded, whether
   * its flows now run or not (stopped by a user, or waiting for missing types).
   */
  flowsChanged(event: unknown): readonly unknown[] {
    const flows = (event as { config?: { flows?: unknown } } | undefined)?.config?.flows;
    if (Array.isArray(flows)) this.startedFlows = flows;
    return this.startedFlows ?? [];
  }

  /** The `flows` group, or null before Node-RED has loaded flows once (the group is then left out). */
  flows(): FlowsInsight | null {
    if (!this.startedFlows) return null;
    let modules = 0;
    try {
      const { countLoadedModules, readModuleList } = loadedModules();
      modules = countLoadedModules((this.deps.moduleList ?? readModuleList)(), this.deps.ownName);
    } catch {
      /* a registry we cannot read counts none */
    }
    return flowsGroup().flowsInsight(this.startedFlows, modules);
  }

  features(): FeaturesInsight {
    return featuresGroup().featuresInsight(this.deps.readSetting);
  }

  environment(): EnvironmentInsight {
    const { detectEnvironment, environmentInsight, REAL_PROBE } = environmentGroup();
    this.detected ??= detectEnvironment(this.deps.probe ?? REAL_PROBE);
    return environmentInsight(this.detected, this.deps.userDir, this.deps.uptime());
  }

  providers(): Provider[] {
    try {
      return usableProviders(this.deps.providerDefinitions());
    } catch {
      return [];
    }
  }

  /** Asks the given providers afresh; what they answered is what the preview shows until the next time. */
  async refreshProviders(ids: readonly string[]): Promise<ProviderResult[]> {
    const wanted = this.providers().filter((p) => ids.includes(p.id));
    const results = await collectAll(wanted);
    // Only the providers asked are replaced: the preview keeps showing the others' last answers.
    const ext = { ...this.lastExt };
    for (const result of results) {
      if (result.ok) ext[result.id] = result.fields;
      else delete ext[result.id];
    }
    this.lastExt = ext;
    return results;
  }

  /** The providers' last valid answers, for the given ids. */
  ext(ids: readonly string[]): Record<string, ProviderFields> {
    return Object.fromEntries(ids.filter((id) => this.lastExt[id]).map((id) => [id, this.lastExt[id]]));
  }
}
