import type { EditorInsight, FullReport, InsightGroup } from '@node-red-telemetry/protocol';
import { Coverage, providerItem } from './consent/coverage';
import type { ConsentStore } from './consent/store';
import type { EditorSnapshot } from './insight/editor-store';
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

/** What waits on disk for a report: lifecycle events, editor counts; each read only for a payload with its group. */
interface Held {
  queued: QueueSnapshot | null;
  editor: EditorSnapshot | null;
}

/** A report to send, and what it carried of what waits on disk. */
export interface PendingReport {
  payload: FullReport;
  /** Forgets what the report carried (lifecycle events, editor counts): once it is delivered, never before. */
  delivered: () => void;
}

/** What became of an editor's counts: kept for the next report, refused (the consent does not cover the group), or not saved. */
export type EditorRecord = 'recorded' | 'not-covered' | 'not-saved';

/** The payloads made through buildReport: the one a report sends, and the preview a "yes" agrees to. */
export class Payloads {
  constructor(private readonly deps: PayloadDeps) {}

  /** The exact payload with every enabled group: what the preview shows and a "yes" agrees to. */
  preview(cov: Coverage, providers: readonly string[]): FullReport {
    const { declined = [] } = this.deps.store.get();
    const shown = cov.wanted.filter((item) => !declined.includes(item));
    const groups = this.deps.include.filter((g) => shown.includes(g));
    return this.build(groups, providers.filter((id) => shown.includes(providerItem(id))), this.held(groups));
  }

  /** The report with the given groups and providers, and what waits on disk for it. */
  forReport(groups: readonly InsightGroup[], providers: readonly string[]): PendingReport {
    const held = this.held(groups);
    const insight = this.deps.insight;
    return {
      payload: this.build(groups, providers, held),
      delivered: () => {
        if (held.queued) insight?.queue?.acknowledge(held.queued);
        if (held.editor) insight?.editorUsage?.acknowledge(held.editor);
      },
    };
  }

  /** Adds an editor's counts to those the next report carries, if the consent `covers` the group. */
  recordEditor(counts: EditorInsight, covers: boolean): EditorRecord {
    if (!covers) return 'not-covered';
    return this.deps.insight?.editorUsage?.record(counts) ? 'recorded' : 'not-saved';
  }

  /** Forgets what waits for a report: the consent was withdrawn, and what waits was agreed to be sent, not kept. */
  forget(): void {
    this.deps.insight?.queue?.clear();
    this.deps.insight?.editorUsage?.clear();
  }

  /** The queue and the editor counts are read (and their code loaded) only for a payload with their group. */
  private held(groups: readonly InsightGroup[]): Held {
    const insight = this.deps.insight;
    return {
      queued: groups.includes('lifecycle') ? (insight?.queue?.snapshot() ?? null) : null,
      editor: groups.includes('editor') ? (insight?.editorUsage?.snapshot() ?? null) : null,
    };
  }

  private build(groups: readonly InsightGroup[], providers: readonly string[], held: Held): FullReport {
    const { instanceId } = this.deps.store.get();
    const insight = this.deps.insight;
    if (!insight) return buildReport(instanceId, this.deps.nodeRedVersion);
    const events = held.queued?.events ?? [];
    return buildReport(instanceId, this.deps.nodeRedVersion, { groups, sources: insight, events, editor: held.editor?.group ?? null, ext: insight.ext(providers) });
  }
}
