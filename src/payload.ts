import type { FullReport, InsightGroup } from '@node-red-telemetry/protocol';
import { Coverage, providerItem } from './consent/coverage';
import type { ConsentStore } from './consent/store';
import type { QueueSnapshot } from './insight/event-queue';
import type { InsightSources } from './insight/sources';
import { buildReport } from './report';

export interface PayloadDeps {
  store: ConsentStore;
  nodeRedVersion: string;
  /** Where the opt-in groups are read from; without it only the base payload exists. */
  insight: InsightSources | undefined;
  /** Groups settings.js lists. */
  include: readonly InsightGroup[];
}

/** The payloads made through buildReport: the one a report sends, and the preview a "yes" agrees to. */
export class Payloads {
  constructor(private readonly deps: PayloadDeps) {}

  /** The exact payload with every enabled group: what the preview shows and a "yes" agrees to. */
  preview(cov: Coverage, providers: readonly string[]): FullReport {
    const { declined = [] } = this.deps.store.get();
    const shown = cov.wanted.filter((item) => !declined.includes(item));
    return this.build(
      this.deps.include.filter((g) => shown.includes(g)),
      providers.filter((id) => shown.includes(providerItem(id))),
      this.deps.insight?.queue?.snapshot() ?? null,
    );
  }

  /** A report with the given groups and providers, and the queued lifecycle events. */
  build(groups: readonly InsightGroup[], providers: readonly string[], queued: QueueSnapshot | null): FullReport {
    const { instanceId } = this.deps.store.get();
    const insight = this.deps.insight;
    if (!insight) return buildReport(instanceId, this.deps.nodeRedVersion);
    return buildReport(instanceId, this.deps.nodeRedVersion, { groups, sources: insight, events: queued?.events ?? [], ext: insight.ext(providers) });
  }
}
