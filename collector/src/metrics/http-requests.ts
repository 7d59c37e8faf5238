import type { FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

/** The collector's app, whose loggers are pino's own (as in http/request-log.ts). */
type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

/** The route label of a request no route matched (a 404): a pattern always starts with "/", so this cannot be one. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Requests answered by the public listener, by route and status. The route is
 * fastify's pattern (`/ping/:instanceId`), never the URL asked for, so that
 * the series stay as few as the routes: a sender cannot create new ones. As
 * with the report counts, a request adds 1 to a plain number, and the counter
 * is filled from those when /metrics is scraped. Requests answered before they
 * reach a route (malformed HTTP, a path that does not decode) run no hook, and
 * are not counted here, as they are not logged (see http/request-log.ts).
 */
export class HttpRequestCounts {
  /** Route pattern → status → requests. */
  private readonly counts = new Map<string, Map<number, number>>();

  constructor(registry: Registry) {
    const counts = this.counts;
    new Counter({
      name: 'collector_http_requests_total',
      help: 'HTTP requests answered by the public listener, by route pattern and status',
      labelNames: ['route', 'status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [route, statuses] of counts) {
          for (const [status, n] of statuses) this.inc({ route, status }, n);
        }
      },
    });
  }

  /** Counts every request `app` answers. */
  observe(app: App): void {
    // In callback style, as app.ts's hooks: an async hook would cost every report a promise.
    app.addHook('onResponse', (request, reply, done) => {
      this.count(request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode);
      done();
    });
  }

  private count(route: string, status: number): void {
    let statuses = this.counts.get(route);
    if (!statuses) this.counts.set(route, (statuses = new Map<number, number>()));
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
}
