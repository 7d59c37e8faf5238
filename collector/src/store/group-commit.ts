import type { AcceptResult, PendingReport, Store } from './store';

/**
 * How many reports one transaction holds at most, and how long the first of
 * them waits for company: 0 waits only for the rest of this turn of the event
 * loop, that is for the requests that arrived together with it.
 */
export interface GroupCommitOptions {
  maxBatch: number;
  maxDelayMs: number;
}

export const GROUP_COMMIT_DEFAULTS: GroupCommitOptions = { maxBatch: 256, maxDelayMs: 0 };

/**
 * Told of every batch that committed: its size and the seconds from its start to its durable
 * commit. Per batch, never per report, so that watching it costs ingest nothing it would notice.
 */
export type BatchObserver = (size: number, seconds: number) => void;

interface Waiting {
  item: PendingReport;
  resolve: (result: AcceptResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: reports that arrive together share one transaction, so a
 * commit and the sync that makes a 2xx durable are paid per batch, not per
 * report. A batch is flushed when it is full or `maxDelayMs` after its first
 * report, whichever comes first; while one batch commits and syncs, the next
 * gathers. Each caller's promise settles only after its batch is durable, and
 * a failed batch rejects every caller in it, with none of its reports stored
 * (unless the sync after its commit failed: see Store.acceptBatch).
 */
export class GroupCommit {
  private queue: Waiting[] = [];
  private timer: { timeout: NodeJS.Timeout } | { immediate: NodeJS.Immediate } | undefined;
  private flushing: Promise<void> | undefined;
  /** Set when /metrics is on (see metrics/); unset, a batch is not even timed. */
  observer: BatchObserver | undefined;

  constructor(
    private readonly store: Pick<Store, 'acceptBatch'>,
    private readonly options: GroupCommitOptions = GROUP_COMMIT_DEFAULTS,
  ) {}

  accept(item: PendingReport): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flushSoon('now');
      else this.flushSoon(this.options.maxDelayMs);
    });
  }

  private flushSoon(delayMs: number | 'now'): void {
    if (this.flushing) return; // the batch in flight flushes the queue when it ends
    if (delayMs === 'now') {
      this.cancelTimer();
      void this.flush();
    } else if (!this.timer) {
      const flush = () => {
        this.timer = undefined;
        void this.flush();
      };
      // Under load, the requests a turn of the event loop reads arrive together: they wait for
      // each other, and for no clock. (While a batch commits, the next gathers anyway.)
      this.timer = delayMs > 0 ? { timeout: setTimeout(flush, delayMs) } : { immediate: setImmediate(flush) };
    }
  }

  private cancelTimer(): void {
    if (this.timer && 'timeout' in this.timer) clearTimeout(this.timer.timeout);
    if (this.timer && 'immediate' in this.timer) clearImmediate(this.timer.immediate);
    this.timer = undefined;
  }

  private flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return this.flushing ?? Promise.resolve();
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.flushing = (async () => {
      try {
        const started = this.observer ? performance.now() : 0;
        const results = await this.store.acceptBatch(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]));
        // After the answers: an observer that threw could then not turn a committed batch into failures.
        this.observer?.(batch.length, (performance.now() - started) / 1000);
      } catch (err) {
        for (const w of batch) w.reject(err);
      } finally {
        this.flushing = undefined;
        // What gathered meanwhile goes next, at once: it has already waited a whole commit.
        if (this.queue.length > 0) this.flushSoon('now');
      }
    })();
    return this.flushing;
  }
}
