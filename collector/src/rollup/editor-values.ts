import type { EditorInsight } from '@node-red-telemetry/protocol';
import type { DimensionValue, InstanceInsight } from './insight-values';

/**
 * Pure: what one instance's `editor` groups of a day add to the roll-up.
 * Unlike the snapshot groups, each report carries counts not sent before
 * (what the instance's editors did since its last delivered report), so the
 * day's reports are summed: sessions into one bucket per instance, each
 * action, language, look and window size the instance's editors used as a
 * value it counts under, and fleet totals of sessions and of each action.
 */

/** The per-value objects of the group, each published as the values with a count above 0. */
const PER_VALUE = ['actions', 'languages', 'themes', 'viewports'] as const;

/** The sums of the day's groups, oldest first. */
export function sumEditor(groups: readonly EditorInsight[]): EditorInsight {
  const total: EditorInsight = { sessions: 0, actions: {}, languages: {}, themes: {}, viewports: {} };
  for (const group of groups) {
    total.sessions += group.sessions;
    for (const field of PER_VALUE) {
      const into = total[field] as Record<string, number>;
      for (const [key, n] of Object.entries(group[field] as Record<string, number | undefined>)) into[key] = (into[key] ?? 0) + (n ?? 0);
    }
  }
  return total;
}

/** What an instance that sent the group adds: its summed sessions in `bucket`, and each value it used. */
export function editorValues(groups: readonly EditorInsight[], bucket: (n: number) => string): InstanceInsight {
  const sum = sumEditor(groups);
  const values: DimensionValue[] = [['editor.sessions', bucket(sum.sessions)]];
  const sums: Array<readonly [string, number]> = [['editor.sessions', sum.sessions]];
  for (const field of PER_VALUE) {
    for (const [key, n] of Object.entries(sum[field] as Record<string, number>)) {
      if (n <= 0) continue;
      values.push([`editor.${field}`, key]);
      if (field === 'actions') sums.push([`editor.actions.${key}`, n]);
    }
  }
  return { values, sums };
}
