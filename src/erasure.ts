import type { Clock } from './clock';
import { displayUrl } from './config';
import { ConsentStore, newInstanceId, persist } from './consent/store';
import { errorMessage, Logger } from './log';
import type { Erasure } from './status';
import type { Sender } from './transport';

export interface EraserDeps {
  store: ConsentStore;
  log: Logger;
  clock: Clock;
  sender: Pick<Sender, 'erase'>;
  /** The collector; what it holds for an instance is at `<url>/<instance id>`. */
  url: URL | null;
  /** The limit of one attempt, as for a report. */
  attemptTimeoutMs: number;
  /** Called when an erasure has ended, so that the status showing it is published. */
  ended(): void;
}

/**
 * Asks the collector to delete this instance's reports, and starts a new
 * instance id at once, so that no later report can be linked to the erased
 * ones. The result is logged and published with the status.
 */
export class Eraser {
  private last: Erasure | null = null;
  private running: AbortController | null = null;

  constructor(private readonly deps: EraserDeps) {}

  /** The last erasure asked for in this process, or null. */
  current(): Erasure | null {
    return this.last ? { ...this.last } : null;
  }

  start(): void {
    const { log, clock, store } = this.deps;
    const oldId = store.get().instanceId;
    persist(store, log, (state) => ({ ...state, instanceId: newInstanceId(), lastReport: undefined }));
    this.running?.abort();
    const at = (): string => new Date(clock.now()).toISOString();
    const url = this.deps.url;
    if (!url) {
      this.last = { state: 'failed', at: at(), error: 'no-url' };
      log.warn('erase-failed', { url: '-', error: log.text('erase-no-url') });
      return;
    }
    const target = new URL(url.href);
    target.pathname = `${target.pathname.replace(/\/+$/, '')}/${encodeURIComponent(oldId)}`;
    target.search = '';
    const destination = displayUrl(target);
    const controller = new AbortController();
    this.running = controller;
    this.last = { state: 'running', at: at() };
    log.info('erase-started', { url: destination });
    this.deps.sender
      .erase(target, controller.signal, { attemptTimeoutMs: this.deps.attemptTimeoutMs })
      .then(
        (outcome) => {
          if (outcome.ok) {
            const deleted = (outcome.answer as { deleted?: unknown } | undefined)?.deleted;
            const count = typeof deleted === 'number' && Number.isInteger(deleted) && deleted >= 0 ? deleted : 0;
            this.last = { state: 'done', at: at(), deleted: count };
            log.info('erased', { url: destination, deleted: count, attempts: outcome.attempts });
          } else {
            this.last = { state: 'failed', at: at(), error: outcome.error };
            log.warn('erase-failed', { url: destination, error: outcome.error });
          }
        },
        (err: unknown) => {
          this.last = { state: 'failed', at: at(), error: errorMessage(err) };
          log.warn('erase-failed', { url: destination, error: errorMessage(err) });
        },
      )
      .finally(() => {
        if (this.running === controller) this.running = null;
        this.deps.ended();
      });
  }

  stop(): void {
    this.running?.abort();
  }
}
