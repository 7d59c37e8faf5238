import { EnvironmentInsight, FeaturesInsight, FlowsInsight, ProviderFields } from '@node-red-telemetry/protocol';
import { detectEnvironment, EnvironmentProbe, environmentInsight, REAL_PROBE, StaticEnvironment } from './environment';
import { EventQueue } from './event-queue';
import { featuresInsight, SettingReader } from './features';
import { flowsInsight } from './flows';
import { countLoadedModules, ModuleList, readModuleList } from './loaded-modules';
import { collectAll, Provider, ProviderDefinition, ProviderResult, usableProviders } from './providers';

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
  /** Null without a user directory: lifecycle events then have nowhere to survive a restart. */
  readonly queue: EventQueue | null;

  constructor(private readonly deps: InsightDeps) {
    this.queue = deps.userDir ? new EventQueue(deps.userDir, () => deps.now()) : null;
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
      modules = countLoadedModules((this.deps.moduleList ?? readModuleList)(), this.deps.ownName);
    } catch {
      /* a registry we cannot read counts none */
    }
    return flowsInsight(this.startedFlows, modules);
  }

  features(): FeaturesInsight {
    return featuresInsight(this.deps.readSetting);
  }

  environment(): EnvironmentInsight {
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
