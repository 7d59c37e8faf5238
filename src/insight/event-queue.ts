import { appendFileSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEPLOY_TYPES, ERROR_NAME_PATTERN, GRAPH_COUNT_FIELDS, LifecycleEvent, MAX_COUNT, MAX_LIFECYCLE_AGE_DAYS, LOCAL_MODULE, MAX_LIFECYCLE_EVENTS, NPM_NAME_PATTERN, reportableErrorName } from '@node-red-telemetry/protocol/insight';

/** The queue's file in the user directory: one JSON event per line, so an append is one write. */
export const QUEUE_FILE = '.node-red-telemetry-events.jsonl';

const DAY_MS = 24 * 60 * 60 * 1000;
const ERROR_NAME = new RegExp(ERROR_NAME_PATTERN);
const NPM_NAME = new RegExp(NPM_NAME_PATTERN);
/** Lines kept on disk before an append compacts the file to the newest events. */
const COMPACT_AT = 2 * MAX_LIFECYCLE_EVENTS;

/** The UTC day of a time, as events carry it. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_COUNT;
}

/** One line back into an event, or null: a torn or edited line is dropped, never sent. */
export function parseEvent(line: string): LifecycleEvent | null {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object' || typeof raw.day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw.day)) return null;
  const day = raw.day;
  switch (raw.type) {
    case 'start':
    case 'stop':
      return { type: raw.type, day };
    case 'crash':
      if (typeof raw.error !== 'string' || !ERROR_NAME.test(raw.error) || typeof raw.module !== 'string' || !NPM_NAME.test(raw.module)) return null;
      // Queued by an older version, which kept any class name: a name of the user's never leaves.
      return { type: 'crash', day, error: reportableErrorName(raw.error), module: raw.module };
    case 'deploy': {
      const graph = raw.graph as Record<string, unknown> | undefined;
      if (!(DEPLOY_TYPES as readonly unknown[]).includes(raw.deploy) || !graph || typeof graph !== 'object') return null;
      if (!GRAPH_COUNT_FIELDS.every((f) => isCount(graph[f]))) return null;
      const counts = Object.fromEntries(GRAPH_COUNT_FIELDS.map((f) => [f, graph[f] as number])) as Extract<LifecycleEvent, { type: 'deploy' }>['graph'];
      return { type: 'deploy', day, deploy: raw.deploy as (typeof DEPLOY_TYPES)[number], graph: counts };
    }
    default:
      return null;
  }
}

function packageName(dir: string): string | null {
  try {
    const name = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

/** What a report takes from the queue; `lines` is how many lines to drop once it is delivered. */
export interface QueueSnapshot {
  events: LifecycleEvent[];
  lines: number;
}

/**
 * Lifecycle events on disk, so that they survive a crash, a restart and a
 * collector that is down. Bounded: at most {@link MAX_LIFECYCLE_EVENTS} are
 * sent, none older than {@link MAX_LIFECYCLE_AGE_DAYS} days; the oldest go first.
 * All I/O is synchronous and small: a crash handler has no event loop left.
 */
export class EventQueue {
  readonly file: string;

  /** The user directory's own package name: older versions queued it as a crash's module. */
  private readonly projectName: string | null;
  /**
   * The last snapshot read, the state of the file it was read from, and whether that file ended
   * with a whole line (a line torn by a crash swallows the next append, as reading it would show).
   */
  private parsed: { key: string; snapshot: QueueSnapshot; whole: boolean } | null = null;

  constructor(
    userDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(userDir, QUEUE_FILE);
    this.projectName = packageName(userDir);
  }

  private lines(): string[] {
    return this.read().lines;
  }

  private read(): { lines: string[]; whole: boolean } {
    try {
      const text = readFileSync(this.file, 'utf8');
      return { lines: text.split('\n').filter((l) => l !== ''), whole: text === '' || text.endsWith('\n') };
    } catch {
      return { lines: [], whole: true };
    }
  }

  /** Appends one event; never throws (a full disk must not become a second crash). */
  append(event: LifecycleEvent): boolean {
    // The snapshot read last, if the file is still as it was read: then it is carried on past this
    // event instead of being read again (each deploy appends one, and the preview follows at once).
    const known = this.parsed?.whole && this.parsed.key === this.stateKey() ? this.parsed : null;
    this.parsed = null;
    try {
      const line = JSON.stringify(event);
      appendFileSync(this.file, `${line}\n`);
      const count = known ? known.snapshot.lines + 1 : this.lines().length;
      if (count > COMPACT_AT) this.rewrite(this.bounded(this.lines()).events.map((e) => JSON.stringify(e)));
      else if (known) this.remember({ events: this.kept([...known.snapshot.events, parseEvent(line)]), lines: count });
      return true;
    } catch {
      return false;
    }
  }

  private bounded(lines: string[]): { events: LifecycleEvent[] } {
    return { events: this.kept(lines.map(parseEvent)) };
  }

  /** Read events within the bounds: parsed, not too old, at most the newest {@link MAX_LIFECYCLE_EVENTS}. */
  private kept(events: Array<LifecycleEvent | null>): LifecycleEvent[] {
    const oldest = dayOf(this.now() - MAX_LIFECYCLE_AGE_DAYS * DAY_MS);
    return events
      .filter((e): e is LifecycleEvent => e !== null && e.day >= oldest)
      .map((e) => (e.type === 'crash' && e.module === this.projectName ? { ...e, module: LOCAL_MODULE } : e))
      .slice(-MAX_LIFECYCLE_EVENTS);
  }

  /** The file's state (which file, its size and time) and the day the age bound counts from; null without a file. */
  private stateKey(): string | null {
    const stats = statSync(this.file, { throwIfNoEntry: false });
    return stats ? `${stats.ino}:${stats.size}:${stats.mtimeMs}:${dayOf(this.now() - MAX_LIFECYCLE_AGE_DAYS * DAY_MS)}` : null;
  }

  private remember(snapshot: QueueSnapshot): void {
    const key = this.stateKey();
    this.parsed = key === null ? null : { key, snapshot, whole: true };
  }

  /** The events the next report carries, within the bounds. */
  snapshot(): QueueSnapshot {
    // Every status the editor is sent previews the queue: it is read again only when the file
    // changed (or was removed) or the age bound moved on a day.
    const key = this.stateKey();
    if (key === null) return { events: [], lines: 0 };
    if (this.parsed?.key !== key) {
      // Stated before it is read: a change meanwhile is read the next time.
      const { lines, whole } = this.read();
      this.parsed = { key, snapshot: { events: this.bounded(lines).events, lines: lines.length }, whole };
    }
    return { events: [...this.parsed.snapshot.events], lines: this.parsed.snapshot.lines };
  }

  /** Drops what a delivered report carried (and anything out of bounds), keeping what came after. */
  acknowledge(snapshot: QueueSnapshot): void {
    try {
      const later = this.lines().slice(snapshot.lines);
      this.rewrite(this.bounded(later).events.map((e) => JSON.stringify(e)));
    } catch {
      /* kept: sent again with the next report, which the collector counts twice at worst */
    }
  }

  /** Forgets everything queued: consent withdrawn, or the data erased. */
  clear(): void {
    try {
      this.rewrite([]);
    } catch {
      /* nothing to clear */
    }
  }

  /** Write-and-rename, so that a crash mid-write leaves the old file or the new one, never half of one. */
  private rewrite(lines: string[]): void {
    this.parsed = null;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, lines.map((l) => `${l}\n`).join(''));
    renameSync(tmp, this.file);
  }
}
