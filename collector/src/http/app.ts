import Fastify, { FastifyError, FastifyReply, FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import { INSTANCE_ID_PATTERN, TEXT_PATTERN } from '@node-red-telemetry/protocol';
import type { CollectorConfig } from '../config';
import { secondsUntil } from '../days';
import type { Ingest } from '../ingest/ingest';
import { reportSchema, ValidReport } from '../ingest/report-rules';
import { dropUnknownFields } from '../ingest/unknown-fields';
import type { CollectorMetrics } from '../metrics/collector-metrics';
import { DurabilityLost, type Store } from '../store/store';
import { answerBody, Versions } from '../versions/registry-poll';
import { collectorVersion } from '../version';
import { dashboardRoutes } from './dashboard-routes';
import { ErrorCode, errorBody, ERRORS, Refusal } from './errors';
import { fieldsRoutes } from './fields-route';
import { readJsonBody } from './json-body';
import { answerClientError, answerExpectation } from './raw-answers';
import { logRequests } from './request-log';
import { describeFailure, RuleFailure } from './validation-message';

/** The largest report body accepted; Node-RED's own reports are under 300 bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** What a sender hears once writes can no longer be made durable; the log says which file and why, the answer need not. */
const DURABILITY_LOST = 'the collector cannot write to its database durably until it is restarted; try again later';

export interface AppParts {
  config: CollectorConfig;
  store: Store;
  ingest: Ingest;
  versions: Versions;
  log: Logger;
  now: () => Date;
  /** When given, the collector serves HTTPS with this certificate and key. */
  tls?: { cert: Buffer; key: Buffer };
  /** Given when /metrics is on (metricsPort): requests and reports are counted into it. */
  metrics?: CollectorMetrics;
}

/** Builds the HTTP side: routes, validation and error answers. Listening is the caller's. */
export function buildApp(parts: AppParts) {
  const { config, store, ingest, versions } = parts;
  const app = Fastify({
    loggerInstance: parts.log,
    // Our own request log (request-log.ts) says what was answered, never to whom.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    // A hop count, as proxy-addr means it: believe X-Forwarded-For for that many proxies in front.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxy,
    // Strict: refuse what the schema does not allow instead of coercing or dropping it.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    return503OnClosing: true,
    // Malformed HTTP is answered in our JSON, not in fastify's { error: "Bad Request" }.
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    // Node would answer a Host-less HTTP/1.1 request with an empty 400; the onRequest hook below answers it in JSON.
    http: { requireHostHeader: false },
    // https.Server takes http.Server's options too. Typed as the plain server:
    // this file uses only what both have (address, events, close).
    ...((parts.tls ? { https: { ...parts.tls, requireHostHeader: false } } : {}) as object),
    // The request line is already capped by Node's 16 KiB header limit; a long
    // instance id then gets the same 400 as any malformed one, not a 414.
    routerOptions: { maxParamLength: 16 * 1024 },
  });
  app.server.on('checkExpectation', answerExpectation);
  // Only JSON is read: fastify's text/plain parser would hand the validator a string, answered as "not an object".
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, readJsonBody(app.getDefaultJsonParser('error', 'error')));

  // Hooks in callback style, one per stage: an async hook would cost every report a promise and a
  // turn of the microtask queue for work that never waits.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      void reply.code(400).send(errorBody('bad_request', 'an HTTP/1.1 request must carry a Host header'));
      return;
    }
    done();
  });

  // A connection that was busy when shutdown began is told to close after its
  // answer, so that draining does not wait for keep-alive timeouts.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    // JSON answers are never to be sniffed into something a browser would run.
    reply.header('x-content-type-options', 'nosniff');
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  logRequests(app, parts.log);
  parts.metrics?.requests.observe(app);

  // Once, not for every report that follows: each of them fails the same way until a restart.
  let durabilityLostLogged = false;
  const logDurabilityLost = (err: DurabilityLost): void => {
    if (!durabilityLostLogged) parts.log.error({ err }, 'writes can no longer be made durable: restart the collector');
    durabilityLostLogged = true;
  };

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const [code, message] = classify(err);
    if (request.method === 'POST' && request.routeOptions.url === '/ping') parts.metrics?.reports.reportRefused(code);
    if (err instanceof DurabilityLost) logDurabilityLost(err);
    else if (ERRORS[code].status >= 500) request.log.error({ err }, 'request failed');
    return reply.code(ERRORS[code].status).send(errorBody(code, message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody('not_found', `no endpoint ${request.method} ${request.url.split('?')[0]}`)),
  );

  const schema = reportSchema(config.extraFields);
  // Before validation: a field this collector does not know is dropped, not refused (unknown-fields.ts).
  const dropUnknown = (request: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
    const dropped = dropUnknownFields(request.body, schema);
    if (dropped > 0) ingest.fieldsDropped(dropped);
    done();
  };
  app.post<{ Body: ValidReport }>('/ping', { schema: { body: schema }, preValidation: dropUnknown }, async (request, reply) => {
    const result = await ingest.receive(request.body, request.ip, request.headers['user-agent']);
    if (!result.accepted) {
      const seconds = secondsUntil(parts.now(), result.hit.windowEnd);
      const what = result.hit.key.startsWith('instance:') ? 'this instance' : 'this address';
      parts.metrics?.reports.reportRateLimited(what === 'this instance' ? 'instance' : 'address');
      return reply
        .code(429)
        .header('retry-after', String(seconds))
        .send(errorBody('rate_limited', `too many reports from ${what}; try again in ${seconds} s`));
    }
    parts.metrics?.reports.reportAccepted();
    return reply.code(200).send(answerBody(versions.answerFor(request.body.env.nodejs)));
  });

  app.delete<{ Params: { instanceId: string } }>(
    '/ping/:instanceId',
    { schema: { params: { type: 'object', properties: { instanceId: { type: 'string', pattern: INSTANCE_ID_PATTERN } } } } },
    async (request) => ({ deleted: await store.erase(request.params.instanceId) }),
  );

  app.get('/healthz', async (_request, reply) => {
    try {
      await store.ping();
      return { status: 'ok', store: store.kind, version: collectorVersion() };
    } catch (err) {
      // Answered, and logged once, by the error handler, as for a report.
      if (err instanceof DurabilityLost) throw err;
      parts.log.error({ err }, 'health check: the store does not answer');
      return reply.code(503).send(errorBody('store_unavailable', 'the database does not answer'));
    }
  });

  // What is collected, why and how it is published: public whether or not the dashboard is on.
  app.register(fieldsRoutes, { threshold: config.threshold, extraFields: config.extraFields, country: config.country, dashboardPath: config.dashboardPath });
  if (config.dashboardPath !== null) app.register(dashboardRoutes, { store, threshold: config.threshold, now: parts.now, path: config.dashboardPath ?? '/' });
  return app;
}

/** What fastify's router cannot take (a path that does not decode), answered before any hook runs. */
function answerFrameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message = err.code === 'FST_ERR_BAD_URL' ? 'the path is not valid URL encoding' : 'the request cannot be routed';
  // No hook runs for these, so the header the onSend hook adds is set here.
  void reply.code(400).header('x-content-type-options', 'nosniff').send(errorBody('bad_request', message));
}

/** Maps what fastify or a handler threw to one of our codes and a message naming the cause. */
function classify(err: FastifyError): [ErrorCode, string] {
  if (err instanceof Refusal) return [err.errorCode, err.message];
  if (err instanceof DurabilityLost) return ['store_unavailable', DURABILITY_LOST];
  if (err.validation && err.validation.length > 0) {
    if (err.validationContext === 'params') return ['invalid_instance_id', 'the instance id must be 8 to 64 letters, digits, - or _'];
    const failure = err.validation[0] as RuleFailure;
    // ajv would quote the pattern, which says nothing to a sender.
    if (failure.keyword === 'pattern' && failure.params.pattern === TEXT_PATTERN) {
      return ['invalid_report', describeFailure({ ...failure, message: 'must not contain control characters or lone surrogates' })];
    }
    return ['invalid_report', describeFailure(failure)];
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ['body_too_large', `the body is larger than ${MAX_BODY_BYTES} bytes`];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ['unsupported_media_type', 'send the report as application/json'];
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ['invalid_json', 'the body is empty'];
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return ['invalid_json', 'the body is not valid JSON'];
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ['bad_request', 'the body is not as long as Content-Length says'];
  }
  // Whatever else fastify refuses (a body cut off mid-way, …) is the request's fault, not ours.
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return ['bad_request', 'the request could not be read'];
  }
  return ['internal', 'the collector failed; nothing was stored'];
}
