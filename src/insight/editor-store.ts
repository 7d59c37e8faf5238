import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EditorInsight, MAX_EDITOR_AGE_DAYS } from '@node-red-telemetry/protocol/insight';
import { addEditorCounts, emptyEditorCounts, isEmptyEditorCounts, readEditorCounts, subtractEditorCounts } from './editor-usage';

/** The counts' file in the user directory: one JSON object, the counts per UTC day. */
export const EDITOR_FILE = '.node-red-telemetry-editor.json';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The UTC day of a time, as the lifecycle queue has it too (not imported: that module is loaded only for its group). */
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

type Days = Record<string, EditorInsight>;

/** What a report takes: the group (every kept day summed) and the days it was summed from, to take away once delivered. */
export interface EditorSnapshot {
  group: EditorInsight;
  days: Days;
}

/**
 * The editors' counts on disk, summed per UTC day, so that they survive a
 * restart and a collector that is down. Bounded: the lists are closed, so a
 * day holds a few hundred numbers at most, and days older than
 * {@link MAX_EDITOR_AGE_DAYS} are dropped. Every change is one synchronous
 * read and one write-and-rename: two editors posting at once are added one
 * after the other, and a crash leaves the old file or the new one.
 */
export class EditorUsageStore {
  readonly file: string;

  constructor(
    userDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(userDir, EDITOR_FILE);
  }

  /** Adds an editor's counts to today's; false when they could not be saved (a full disk, say). */
  record(counts: EditorInsight): boolean {
    try {
      const days = this.read();
      const today = dayOf(this.now());
      days[today] = addEditorCounts(days[today] ?? emptyEditorCounts(), counts);
      this.write(days);
      return true;
    } catch {
      return false;
    }
  }

  /** The group the next report carries: every kept day summed (all zero when nothing is kept). */
  snapshot(): EditorSnapshot {
    const days = this.read();
    const group = Object.values(days).reduce(addEditorCounts, emptyEditorCounts());
    return { group, days };
  }

  /** Takes away what a delivered report carried, keeping what editors added since. */
  acknowledge(snapshot: EditorSnapshot): void {
    if (Object.keys(snapshot.days).length === 0) return;
    try {
      const days = this.read();
      for (const [day, sent] of Object.entries(snapshot.days)) {
        if (days[day]) days[day] = subtractEditorCounts(days[day], sent);
      }
      this.write(days);
    } catch {
      /* kept: sent again with the next report, which the collector counts twice at worst */
    }
  }

  /** Forgets every count: consent withdrawn, or the data erased. */
  clear(): void {
    try {
      rmSync(this.file, { force: true });
    } catch {
      /* left as it is: nothing reads it while the group is not covered, and its days age out */
    }
  }

  /** The kept days within the bounds; a file that is missing, torn or edited counts what can be read of it, or nothing. */
  private read(): Days {
    let raw: unknown;
    try {
      raw = (JSON.parse(readFileSync(this.file, 'utf8')) as { days?: unknown }).days;
    } catch {
      return {};
    }
    if (!raw || typeof raw !== 'object') return {};
    const oldest = dayOf(this.now() - (MAX_EDITOR_AGE_DAYS - 1) * DAY_MS);
    const days: Days = {};
    for (const [day, value] of Object.entries(raw as Record<string, unknown>)) {
      const counts = DAY.test(day) && day >= oldest ? readEditorCounts(value) : null;
      if (counts && !isEmptyEditorCounts(counts)) days[day] = counts;
    }
    return days;
  }

  private write(days: Days): void {
    const kept = Object.fromEntries(Object.entries(days).filter(([, counts]) => !isEmptyEditorCounts(counts)));
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ days: kept })}\n`);
    renameSync(tmp, this.file);
  }
}
