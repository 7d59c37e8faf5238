import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Ingest } from '../ingest/ingest';
import type { DailyJob } from '../rollup/daily-job';
import type { Store } from '../store/store';
import type { Versions } from '../versions/registry-poll';
import { batchObserver } from './batches';
import { HttpRequestCounts } from './http-requests';
import { ReportCounts } from './reports';
import { listenMetrics, type MetricsListener } from './server';
import { registryGauges, rollUpGauges, storeGauges } from './state';

/** The parts of a running collector that /metrics reads. */
export interface MeasuredParts {
  store: Store;
  ingest: Ingest;
  versions: Versions;
  job: DailyJob;
}

/**
 * Everything /metrics shows, in a registry of this collector's own rather
 * than prom-client's global one: two collectors in one process (tests, a
 * library user) must not count into each other, and nothing another library
 * registers globally ends up on our page. Made only when `metricsPort` is
 * set: with /metrics off, nothing is counted or timed at all.
 */
export class CollectorMetrics {
  readonly registry = new Registry();
  /** What became of reports; app.ts counts into it. */
  readonly reports: ReportCounts;
  /** Requests by route and status; app.ts hands it the app to observe. */
  readonly requests: HttpRequestCounts;

  constructor(parts: MeasuredParts) {
    // The process: CPU, memory, event loop lag, handles, GC; names prefixed process_ and nodejs_, as every Node exporter has them.
    collectDefaultMetrics({ register: this.registry });
    this.reports = new ReportCounts(this.registry, () => parts.ingest.droppedFields);
    this.requests = new HttpRequestCounts(this.registry);
    parts.ingest.observeBatches(batchObserver(this.registry));
    storeGauges(this.registry, parts.store);
    rollUpGauges(this.registry, parts.job);
    registryGauges(this.registry, parts.versions);
  }

  /** Serves this registry on its own listener (see server.ts). */
  listen(port: number, host: string, log: Logger): Promise<MetricsListener> {
    return listenMetrics(this.registry, port, host, log);
  }
}
