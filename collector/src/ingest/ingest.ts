import type { CollectorConfig } from '../config';
import { dayOf, windowOf } from '../days';
import { hashAddress, newSecret } from './address-hash';
import { clientKind } from './client-kind';
import { CountryLookup } from './country';
import { reportRow, ValidReport } from './report-rules';
import { BatchObserver, GroupCommit } from '../store/group-commit';
import type { AcceptResult, Store } from '../store/store';

/** Rate limits count reports per this window. */
export const RATE_WINDOW_MS = 3_600_000;

/**
 * Takes a validated report from one address and stores it under that day's
 * address hash, within the per-instance and per-address limits. The plain
 * address goes no further than this function.
 */
export class Ingest {
  private secret: { day: string; value: string } | undefined;
  /** The rate window reports are arriving in, and its day: worked out once per window, not per report. */
  private window: { index: number; day: string; start: string; end: string } | undefined;
  /** Reports arriving together share a transaction; each is answered after its own commit. */
  private readonly writes: GroupCommit;
  /** Fields dropped from reports because this collector does not know them, since start: counted, never named. */
  droppedFields = 0;

  constructor(
    private readonly store: Store,
    private readonly config: Pick<CollectorConfig, 'extraFields' | 'rateLimit'>,
    private readonly now: () => Date,
    /** Given when the country lookup is on: opened before the collector listens. */
    private readonly countries?: CountryLookup,
  ) {
    this.writes = new GroupCommit(store);
  }

  /** `userAgent` only decides the client kind stored; the header itself is not kept. */
  async receive(report: ValidReport, address: string, userAgent?: string): Promise<AcceptResult> {
    const receivedAt = this.now();
    const window = this.currentWindow(receivedAt);
    const addressHash = hashAddress(await this.secretFor(window.day), address);
    const country = this.countries ? this.countries.lookup(address) : null;
    const row = reportRow(report, { receivedAt, addressHash, client: clientKind(userAgent), country }, this.config.extraFields);
    return this.writes.accept({ report: row, limits: [
      { key: `instance:${report.instanceId}`, instanceId: report.instanceId, limit: this.config.rateLimit.perInstance, windowStart: window.start, windowEnd: window.end },
      { key: `address:${addressHash}`, limit: this.config.rateLimit.perAddress, windowStart: window.start, windowEnd: window.end },
    ] });
  }

  /** A report carried `count` fields this collector does not collect; they were dropped before validation. */
  fieldsDropped(count: number): void {
    this.droppedFields += count;
  }

  /** Tells `observer` of every committed batch (its size and commit time), for /metrics. */
  observeBatches(observer: BatchObserver): void {
    this.writes.observer = observer;
  }

  /** A window lies within one UTC day (RATE_WINDOW_MS divides a day), so its day is the report's. */
  private currentWindow(receivedAt: Date): { day: string; start: string; end: string } {
    const index = Math.floor(receivedAt.getTime() / RATE_WINDOW_MS);
    if (this.window?.index !== index) this.window = { index, day: dayOf(receivedAt), ...windowOf(receivedAt, RATE_WINDOW_MS) };
    return this.window;
  }

  /** The day's secret, read from the store once per day per process. */
  private async secretFor(day: string): Promise<string> {
    if (this.secret?.day !== day) {
      this.secret = { day, value: await this.store.secretFor(day, newSecret) };
    }
    return this.secret.value;
  }
}
