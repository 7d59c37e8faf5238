import type { FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** The collector's app, whose loggers are pino's own. */
type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

/** How often the count of answered requests is logged. */
export const REQUEST_SUMMARY_MS = 60_000;

/**
 * The request log, sized for a fleet: a million instances send a million
 * reports a day, and a line for each cost the collector about a tenth of its
 * CPU per report (BENCHMARKS.md), and the operator a log to rotate. So a request
 * answered with an error (4xx, 5xx) is logged at `info` on a line of its own,
 * any other at `debug`, and once a minute (and at shutdown) one `info` line
 * counts what was answered, per status. Each line carries method, route,
 * status and time only, never the sender's address.
 */
export function logRequests(app: App, log: Logger, everyMs = REQUEST_SUMMARY_MS): void {
  let answered = new Map<number, number>();
  let since = Date.now();
  const summarise = (): void => {
    if (answered.size === 0) return;
    const counts = Object.fromEntries([...answered].sort(([a], [b]) => a - b).map(([status, n]) => [String(status), n]));
    log.info({ answered: counts, seconds: Math.round((Date.now() - since) / 1000) }, 'requests answered');
    answered = new Map();
    since = Date.now();
  };
  const timer = setInterval(summarise, everyMs);
  timer.unref();
  app.addHook('onClose', (_instance, done) => {
    clearInterval(timer);
    summarise();
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    answered.set(status, (answered.get(status) ?? 0) + 1);
    const level = status >= 400 ? 'info' : 'debug';
    // Asked of the root logger: no route sets a level of its own, so a request's is the same.
    if (log.isLevelEnabled(level)) {
      request.log[level]({ method: request.method, route: request.routeOptions.url ?? 'unknown', status, ms: Math.round(reply.elapsedTime) }, 'request');
    }
    done();
  });
}
