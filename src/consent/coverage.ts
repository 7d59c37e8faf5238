import { InsightGroup } from '@node-red-telemetry/protocol/insight';

/**
 * What a consent covers. An item is a group name (`flows`) or a metric
 * provider (`ext:<plugin id>`). The base payload is covered by any "yes";
 * every item beyond it must be covered by name before it is sent.
 */
export type Item = string;

export const providerItem = (id: string): Item => `ext:${id}`;

export interface CoverageInputs {
  /** Groups settings.js lists (`telemetry.include`). */
  include: readonly InsightGroup[];
  /** Provider plugins installed now, by id. */
  providers: readonly string[];
  /** Whether settings.js itself switched telemetry on (`telemetry.enabled: true`). */
  settingsOn: boolean;
  /** Items a user agreed to in the editor (or through PUT /telemetry). */
  covered: readonly Item[];
  /** Items a user declined while keeping the rest on: not asked about again. */
  declined: readonly Item[];
}

export interface Coverage {
  /** Everything this instance would send beyond the base payload. */
  wanted: Item[];
  /** What a report may carry now. */
  groups: InsightGroup[];
  providers: string[];
  /** Wanted, not covered, not declined: what the editor asks about. */
  pending: Item[];
}

/** Pure: which groups and providers may be sent, and which still need a "yes". */
export function coverage(inputs: CoverageInputs): Coverage {
  const wanted = [...inputs.include, ...inputs.providers.map(providerItem)];
  // settings.js covers what settings.js lists; providers are not listed there.
  const covered = new Set<Item>([...inputs.covered, ...(inputs.settingsOn ? inputs.include : [])]);
  const declined = new Set(inputs.declined);
  return {
    wanted,
    groups: inputs.include.filter((g) => covered.has(g)),
    providers: inputs.providers.filter((id) => covered.has(providerItem(id))),
    pending: wanted.filter((item) => !covered.has(item) && !declined.has(item)),
  };
}
