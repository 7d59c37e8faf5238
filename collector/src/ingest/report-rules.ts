import semver from 'semver';
import { INSIGHT_GROUPS, InsightReport, REPORT_JSON_SCHEMA, Report, TEXT_PATTERN } from '@node-red-telemetry/protocol';
import type { ExtraFieldType } from '../config';
import type { ReportRecord } from '../store/report-encoding';

/** Longest accepted string in an operator-declared extra field. */
export const EXTRA_STRING_LIMIT = 256;

/** What is stored for a version that is not semver: the value itself could be anything. */
export const INVALID_VERSION = 'invalid';

/**
 * The JSON Schema a report must pass: the plugin's own, plus the top-level
 * fields this operator declared. Anything else is dropped before validation
 * (unknown-fields.ts), so that a newer client's reports are not lost.
 */
export function reportSchema(extraFields: Record<string, ExtraFieldType>): object {
  const extras = Object.fromEntries(
    Object.entries(extraFields).map(([name, type]) => [
      name,
      type === 'string' ? { type, maxLength: EXTRA_STRING_LIMIT, pattern: TEXT_PATTERN } : { type },
    ]),
  );
  return { ...REPORT_JSON_SCHEMA, properties: { ...REPORT_JSON_SCHEMA.properties, ...extras } };
}

/** A report that passed `reportSchema`: the plugin's fields plus declared extras. */
export type ValidReport = Report & Record<string, unknown>;

/** A semver version in its clean form, or "invalid". */
export function storedVersion(value: string): string {
  return semver.valid(value) ?? INVALID_VERSION;
}

/** Pure: what is stored of a validated report. */
export function reportRow(
  report: ValidReport,
  meta: { receivedAt: Date; addressHash: string; client: string; country?: string | null },
  extraFields: Record<string, ExtraFieldType>,
): ReportRecord {
  const extra = Object.fromEntries(Object.keys(extraFields).filter((k) => k in report).map((k) => [k, report[k]]));
  return {
    instanceId: report.instanceId,
    receivedAt: meta.receivedAt,
    addressHash: meta.addressHash,
    environment: {
      nodeRed: storedVersion(report.env['node-red']),
      nodejs: storedVersion(report.env.nodejs),
      osType: report.os.type,
      osRelease: report.os.release,
      arch: report.os.arch,
      client: meta.client,
      country: meta.country ?? null,
    },
    extra: Object.keys(extra).length > 0 ? JSON.stringify(extra) : null,
    insights: insightsOf(report),
  };
}

/** Pure: the opt-in groups a report carried, as stored (JSON), or null when it carried none. */
export function insightsOf(report: ValidReport): string | null {
  const groups: Record<string, unknown> = {};
  for (const key of [...INSIGHT_GROUPS, 'ext'] as const) if (report[key] !== undefined) groups[key] = report[key];
  return Object.keys(groups).length > 0 ? JSON.stringify(groups) : null;
}

/** Pure: stored groups back as the roll-up reads them; what cannot be read counts as none. */
export function parseInsights(stored: string | null | undefined): InsightReport | null {
  if (!stored) return null;
  try {
    return JSON.parse(stored) as InsightReport;
  } catch {
    return null;
  }
}
