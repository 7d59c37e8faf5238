import type { Logger } from 'pino';
import { addDays, dayOf } from '../days';
import { DurabilityLost, type DaySummary, type Store } from '../store/store';
import { countDay } from './count-day';

/**
 * Rolls one day's raw reports up into `daily_usage` and `daily_sums`,
 * replacing that day's earlier roll-up, so running it again gives the same
 * rows. The database counts instances per environment itself, from the
 * index alone; only instances that reported from several environments that
 * day, and reports with opt-in groups, are read, in pages, one instance at a
 * time. Memory holds a page and the distinct values, however many instances
 * reported. Only the short write at the end is a transaction (a finished day
 * gets no new reports, so reading it outside one is safe, and ingest is never
 * held up by a roll-up).
 */
export async function rollUpDay(store: Store, day: string, now: string): Promise<DaySummary> {
  // Refused before the reading, not after it (see Store.refuseIfNotDurable).
  store.refuseIfNotDurable();
  const summary = await countDay(store.dayRows(day));
  return store.writeRollUp(day, summary, now);
}

/** The outcome of asking for one day's roll-up. */
export type RollUpOutcome =
  | ({ status: 'aggregated' } & DaySummary)
  | { status: 'kept'; day: string; reason: string }
  | { status: 'skipped'; day: string; reason: string };

/**
 * Rolls up `day`. A day whose raw reports retention already deleted keeps its
 * earlier roll-up untouched, so re-running an old day never wipes history;
 * today is refused because it is not over.
 */
export async function rollUpFinishedDay(store: Store, day: string, now: Date, retentionDays: number): Promise<RollUpOutcome> {
  const today = dayOf(now);
  if (day >= today) return { status: 'skipped', day, reason: 'the day is not over yet' };
  if (day < retentionCut(today, retentionDays) && !(await store.hasReports(day))) {
    return { status: 'kept', day, reason: 'its raw reports are past retention; the existing roll-up is kept' };
  }
  return { status: 'aggregated', ...(await rollUpDay(store, day, now.toISOString())) };
}

/** The first day whose raw reports are kept. */
export function retentionCut(today: string, retentionDays: number): string {
  return addDays(today, -retentionDays);
}

/** What one run of the daily job rolled up, oldest day first: /metrics shows the last. */
export interface DailyJobResult {
  rolledUp: string[];
}

/**
 * The daily job: roll up every finished day not rolled up yet (and yesterday
 * again, for reports committed around midnight), then apply retention. Rolling
 * up first means retention never deletes a report that was not counted.
 */
export async function runDailyJob(store: Store, now: Date, retentionDays: number, log: Logger): Promise<DailyJobResult> {
  const today = dayOf(now);
  const days = new Set(await store.daysToAggregate(today));
  const yesterday = addDays(today, -1);
  if (await store.hasReports(yesterday)) days.add(yesterday);
  const rolledUp: string[] = [];
  for (const day of [...days].sort()) {
    const outcome = await rollUpFinishedDay(store, day, now, retentionDays);
    if (outcome.status === 'aggregated') rolledUp.push(day);
    if (outcome.status === 'aggregated' && outcome.reports > 0) log.info(outcome, 'day aggregated');
  }
  const pruned = await store.prune({
    reportsBefore: retentionCut(today, retentionDays),
    windowsBefore: addDays(today, -1),
    today,
  });
  if (pruned.reports > 0) log.info({ deleted: pruned.reports, retentionDays }, 'raw reports past retention deleted');
  return { rolledUp };
}

/** How the last run of the daily job ended, in this process: /metrics shows it. */
export interface DailyJobRun {
  /** Milliseconds since 1970, when it ended. */
  endedAt: number;
  seconds: number;
  ok: boolean;
}

/**
 * How long after start the job first runs. A collector that was down finds
 * expired days and reports queued by its clients at once; it serves those
 * first, and deletes (which on SQLite shares the event loop) once warm.
 */
export const JOB_FIRST_RUN_DELAY_MS = 10_000;

/** Runs the daily job shortly after start and then every hour, without keeping the process alive. */
export class DailyJob {
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Said once: the store refuses every write until a restart. */
  private durabilityLost = false;
  /** The last run that ended, and the newest day any run rolled up; read by /metrics, never by the job. */
  lastRun: DailyJobRun | undefined;
  lastDayRolledUp: string | undefined;

  constructor(
    private readonly run: () => Promise<DailyJobResult | void>,
    private readonly log: Logger,
    private readonly everyMs = 3_600_000,
    private readonly firstAfterMs = JOB_FIRST_RUN_DELAY_MS,
  ) {}

  start(): void {
    this.first = setTimeout(() => void this.tick(), this.firstAfterMs);
    this.first.unref();
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
  }

  /** Stops the timers and waits for a run in progress, so the store can close after it. */
  async stop(): Promise<void> {
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
    this.first = undefined;
    this.timer = undefined;
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    const started = performance.now();
    const ended = (ok: boolean): void => {
      this.lastRun = { endedAt: Date.now(), seconds: (performance.now() - started) / 1000, ok };
    };
    this.running = this.run()
      .then((result) => {
        ended(true);
        const day = result?.rolledUp.at(-1);
        if (day && (!this.lastDayRolledUp || day > this.lastDayRolledUp)) this.lastDayRolledUp = day;
      })
      .catch((err: unknown) => {
        ended(false);
        // It would fail the same way every hour: the operator hears of it once, and restarts.
        if (err instanceof DurabilityLost) {
          if (!this.durabilityLost) this.log.error({ err }, 'daily job stopped: writes can no longer be made durable; restart the collector');
          this.durabilityLost = true;
        } else this.log.error({ err }, 'daily job failed; it runs again within the hour');
      })
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
  }
}
