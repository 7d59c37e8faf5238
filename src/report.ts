import os from 'node:os';
import type { InsightSources } from './insight/sources';
import type { EditorInsight, FullReport, InsightGroup, LifecycleEvent, ProviderFields, Report } from '@node-red-telemetry/protocol';

/** The opt-in parts a report may carry: only groups and providers the consent covers. */
export interface InsightSelection {
  groups: readonly InsightGroup[];
  sources: Pick<InsightSources, 'flows' | 'features' | 'environment'>;
  /** Queued lifecycle events, for the `lifecycle` group. */
  events: readonly LifecycleEvent[];
  /** The editors' counts not yet delivered, for the `editor` group; null without a user directory to keep them in. */
  editor?: EditorInsight | null;
  /** Provider fields by plugin id; only covered providers. */
  ext: Record<string, ProviderFields>;
}

/**
 * Builds the report. The only place that knows what is collected: the preview
 * in the editor and the payload sent are both made here, and no group reaches
 * a payload any other way.
 */
export function buildReport(instanceId: string, nodeRedVersion: string, insight?: InsightSelection): FullReport {
  const base: Report = {
    instanceId,
    os: { type: os.type(), release: os.release(), arch: os.arch() },
    env: { nodejs: process.version.replace(/^v/, ''), 'node-red': nodeRedVersion },
  };
  if (!insight) return base;
  const report: FullReport = base;
  const has = (group: InsightGroup): boolean => insight.groups.includes(group);
  const flows = has('flows') ? insight.sources.flows() : null;
  if (flows) report.flows = flows;
  if (has('features')) report.features = insight.sources.features();
  if (has('environment')) report.environment = insight.sources.environment();
  if (has('lifecycle')) report.lifecycle = { events: [...insight.events] };
  if (has('editor') && insight.editor) report.editor = insight.editor;
  if (Object.keys(insight.ext).length > 0) report.ext = { ...insight.ext };
  return report;
}
