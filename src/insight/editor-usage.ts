import { EDITOR_CORE_ACTIONS } from '@node-red-telemetry/protocol/editor-actions';
import { EDITOR_LANGUAGES, EDITOR_THEMES, EDITOR_VIEWPORTS, EditorInsight, MAX_COUNT } from '@node-red-telemetry/protocol/insight';

/**
 * Pure: the `editor` group's counts as the runtime takes them from an editor
 * (POST /telemetry/editor-usage) and keeps them. The editor already folds
 * every name outside the closed lists into `other`; they are folded again
 * here, so that no name the lists do not hold is ever stored or sent,
 * whatever a client posts. Every count is capped at MAX_COUNT.
 */

/** The per-value fields of the group, and the closed list each is counted by. */
export const EDITOR_LISTS = {
  actions: [...EDITOR_CORE_ACTIONS, 'other'],
  languages: EDITOR_LANGUAGES,
  themes: EDITOR_THEMES,
  viewports: EDITOR_VIEWPORTS,
} as const satisfies Record<Exclude<keyof EditorInsight, 'sessions'>, readonly string[]>;
type ListField = keyof typeof EDITOR_LISTS;
const LIST_FIELDS = Object.keys(EDITOR_LISTS) as ListField[];

/** The most names one body may count: the longest list, with room for names folded into `other`. */
const MAX_NAMES = 512;
const MAX_NAME_LENGTH = 128;

export function emptyEditorCounts(): EditorInsight {
  return { sessions: 0, actions: {}, languages: {}, themes: {}, viewports: {} };
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

const capped = (n: number): number => Math.min(n, MAX_COUNT);

/** `name` if `list` holds it, else `other` (themes and viewports hold none: null, not counted). */
function listed(field: ListField, name: string): string | null {
  if ((EDITOR_LISTS[field] as readonly string[]).includes(name)) return name;
  return (EDITOR_LISTS[field] as readonly string[]).includes('other') ? 'other' : null;
}

/**
 * What an editor posted, as counts, or null when it is not counts at all: an
 * object with any of `sessions` and the four lists, each count a whole number
 * (capped), each list at most {@link MAX_NAMES} names. Names outside a list
 * are folded into its `other`; nothing else of the body is kept.
 */
export function readEditorCounts(body: unknown): EditorInsight | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const raw = body as Record<string, unknown>;
  if (Object.keys(raw).some((key) => key !== 'sessions' && !LIST_FIELDS.includes(key as ListField))) return null;
  const counts = emptyEditorCounts();
  if (raw.sessions !== undefined) {
    if (!isCount(raw.sessions)) return null;
    counts.sessions = capped(raw.sessions);
  }
  for (const field of LIST_FIELDS) {
    const list = raw[field];
    if (list === undefined) continue;
    if (!list || typeof list !== 'object' || Array.isArray(list)) return null;
    const entries = Object.entries(list as Record<string, unknown>);
    if (entries.length > MAX_NAMES) return null;
    const into = counts[field] as Record<string, number>;
    for (const [name, n] of entries) {
      if (!isCount(n) || name.length > MAX_NAME_LENGTH) return null;
      const key = listed(field, name);
      if (key !== null && n > 0) into[key] = capped((into[key] ?? 0) + n);
    }
  }
  return counts;
}

/** `a` and `b` added, each count capped. */
export function addEditorCounts(a: EditorInsight, b: EditorInsight): EditorInsight {
  const sum = emptyEditorCounts();
  sum.sessions = capped(a.sessions + b.sessions);
  for (const field of LIST_FIELDS) {
    const into = sum[field] as Record<string, number>;
    for (const part of [a[field], b[field]] as Array<Record<string, number | undefined>>) {
      for (const [name, n] of Object.entries(part)) if (n) into[name] = capped((into[name] ?? 0) + n);
    }
  }
  return sum;
}

/** What is left of `a` once `sent` is taken away (never below 0); names with nothing left are dropped. */
export function subtractEditorCounts(a: EditorInsight, sent: EditorInsight): EditorInsight {
  const rest = emptyEditorCounts();
  rest.sessions = Math.max(0, a.sessions - sent.sessions);
  for (const field of LIST_FIELDS) {
    const into = rest[field] as Record<string, number>;
    const taken = sent[field] as Record<string, number | undefined>;
    for (const [name, n] of Object.entries(a[field] as Record<string, number | undefined>)) {
      const left = (n ?? 0) - (taken[name] ?? 0);
      if (left > 0) into[name] = left;
    }
  }
  return rest;
}

/** Whether nothing was counted. */
export function isEmptyEditorCounts(counts: EditorInsight): boolean {
  return counts.sessions === 0 && LIST_FIELDS.every((field) => Object.keys(counts[field]).length === 0);
}
