import type { AcceptResult, PendingReport, Store } from './store';

/** How many reports one transaction holds at most, and how long the first of them waits for company. */
export interface GroupCommitOptions {
  maxBatch: number;
  maxDelayMs: number;
}

export const GROUP_COMMIT_DEFAULTS: GroupCommitOptions = { maxBatch: 256, maxDelayMs: 2 };

interface Waiting {
  item: PendingReport;
  resolve: (result: AcceptResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: reports that arrive together share one transaction, so a
 * commit (the fsync that makes a 2xx durable) is paid per batch, not per
 * report. A batch is flushed when it is full or `maxDelayMs` after its first
 * report, whichever comes first; while one batch commits, the next gathers.
 * Each caller's promise settles only after its batch committed, and a failed
 * batch rejects every caller in it, with none of its reports stored.
 */
export class GroupCommit {
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<Store, 'acceptBatch'>,
    private readonly options: GroupCommitOptions = GROUP_COMMIT_DEFAULTS,
  ) {}

  accept(item: PendingReport): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flushSoon(0);
      else this.flushSoon(this.options.maxDelayMs);
    });
  }

  private flushSoon(delayMs: number): void {
    if (this.flushing) return; // the batch in flight flushes the queue when it ends
    if (delayMs === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, delayMs);
    }
  }

  private flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return this.flushing ?? Promise.resolve();
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.flushing = (async () => {
      try {
        const results = await this.store.acceptBatch(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]));
      } catch (err) {
        for (const w of batch) w.reject(err);
      } finally {
        this.flushing = undefined;
        // What gathered meanwhile goes next, at once: it has already waited a whole commit.
        if (this.queue.length > 0) this.flushSoon(0);
      }
    })();
    return this.flushing;
  }
}
