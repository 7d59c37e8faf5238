import { Counter, type Registry } from 'prom-client';
import { ERRORS, type ErrorCode } from '../http/errors';

/**
 * The codes a report can be refused with (the others are for other routes, or answered before any
 * route): each is exported from the start, at 0, so that a rate() over one that has not happened
 * yet is 0, not "no data".
 */
const REPORT_ERROR_CODES: readonly ErrorCode[] = [
  'invalid_report',
  'invalid_json',
  'bad_request',
  'body_too_large',
  'unsupported_media_type',
  'unsupported_charset',
  'unsupported_encoding',
  'rate_limited',
  'internal',
  'store_unavailable',
];

/** Which of the two limits refused a report (see Ingest.receive). */
export type RateLimit = 'instance' | 'address';

/**
 * What became of the reports POSTed to /ping. The report path only adds 1 to
 * a plain number here, never touching prom-client: ingest was benchmarked per
 * report, and a labelled counter hashes its labels on every increment. The
 * counters are filled from these numbers when /metrics is scraped (collect()).
 */
export class ReportCounts {
  accepted = 0;
  readonly refused = Object.fromEntries(Object.keys(ERRORS).map((code) => [code, 0])) as Record<ErrorCode, number>;
  readonly rateLimited: Record<RateLimit, number> = { instance: 0, address: 0 };

  constructor(registry: Registry, droppedFields: () => number) {
    // In collect(), `this` is the counter being filled: these read the counts.
    const accepted = (): number => this.accepted;
    const { refused, rateLimited } = this;
    new Counter({
      name: 'collector_reports_accepted_total',
      help: 'Reports stored and answered 200',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(accepted());
      },
    });
    new Counter({
      name: 'collector_reports_refused_total',
      help: 'Reports answered with an error, by error code (rate_limited included)',
      labelNames: ['code'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [code, n] of Object.entries(refused)) {
          if (n > 0 || REPORT_ERROR_CODES.includes(code as ErrorCode)) this.inc({ code }, n);
        }
      },
    });
    new Counter({
      name: 'collector_reports_rate_limited_total',
      help: 'Reports refused 429 rate_limited, by the limit they were over (instance or address)',
      labelNames: ['limit'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [limit, n] of Object.entries(rateLimited)) this.inc({ limit }, n);
      },
    });
    new Counter({
      name: 'collector_report_fields_dropped_total',
      help: 'Fields dropped from reports because the collector does not know them (the report itself is still taken)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(droppedFields());
      },
    });
  }

  /** A report was stored and is answered 200. */
  reportAccepted(): void {
    this.accepted++;
  }

  /** A report is answered with the error `code`. */
  reportRefused(code: ErrorCode): void {
    this.refused[code]++;
  }

  /** A report is answered 429: counted as refused with rate_limited, and by the limit it was over. */
  reportRateLimited(limit: RateLimit): void {
    this.refused.rate_limited++;
    this.rateLimited[limit]++;
  }
}
