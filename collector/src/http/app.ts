import Fastify, { FastifyError, LogController } from 'fastify';
import type { Logger } from 'pino';
import { INSTANCE_ID_PATTERN } from '../../../src/schema';
import type { CollectorConfig } from '../config';
import { secondsUntil } from '../days';
import type { Ingest } from '../ingest';
import { reportSchema, ValidReport } from '../report-rules';
import type { Store } from '../store/store';
import { answerBody, Versions } from '../versions';
import { dashboardRoutes } from './dashboard-routes';
import { ErrorCode, errorBody, ERRORS } from './errors';
import { describeFailure, RuleFailure } from './validation-message';

/** The largest report body accepted; Node-RED's own reports are under 300 bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

export interface AppParts {
  config: CollectorConfig;
  store: Store;
  ingest: Ingest;
  versions: Versions;
  log: Logger;
  now: () => Date;
}

/** Builds the HTTP side: routes, validation and error answers. Listening is the caller's. */
export function buildApp(parts: AppParts) {
  const { config, store, ingest, versions } = parts;
  const app = Fastify({
    loggerInstance: parts.log,
    // Our onResponse hook logs each request once, without the sender's address.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    // A hop count, as proxy-addr means it: believe X-Forwarded-For for that many proxies in front.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxy,
    // Strict: refuse what the schema does not allow instead of coercing or dropping it.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    return503OnClosing: true,
  });

  // A connection that was busy when shutdown began is told to close after its
  // answer, so that draining does not wait for keep-alive timeouts.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, route: request.routeOptions.url ?? 'unknown', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const [code, message] = classify(err);
    if (ERRORS[code].status >= 500) request.log.error({ err }, 'request failed');
    return reply.code(ERRORS[code].status).send(errorBody(code, message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody('not_found', `no endpoint ${request.method} ${request.url.split('?')[0]}`)),
  );

  app.post<{ Body: ValidReport }>('/ping', { schema: { body: reportSchema(config.extraFields) } }, async (request, reply) => {
    const result = await ingest.receive(request.body, request.ip);
    if (!result.accepted) {
      const seconds = secondsUntil(parts.now(), result.hit.windowEnd);
      const what = result.hit.key.startsWith('instance:') ? 'this instance' : 'this address';
      return reply
        .code(429)
        .header('retry-after', String(seconds))
        .send(errorBody('rate_limited', `too many reports from ${what}; try again in ${seconds} s`));
    }
    return reply.code(200).send(answerBody(versions.current()));
  });

  app.delete<{ Params: { instanceId: string } }>(
    '/ping/:instanceId',
    { schema: { params: { type: 'object', properties: { instanceId: { type: 'string', pattern: INSTANCE_ID_PATTERN } } } } },
    async (request) => ({ deleted: await store.erase(request.params.instanceId) }),
  );

  app.get('/healthz', async (_request, reply) => {
    try {
      await store.ping();
      return { status: 'ok', store: store.kind };
    } catch (err) {
      parts.log.error({ err }, 'health check: the store does not answer');
      return reply.code(503).send(errorBody('store_unavailable', 'the database does not answer'));
    }
  });

  app.register(dashboardRoutes, { store, threshold: config.threshold, now: parts.now });
  return app;
}

/** Maps what fastify or a handler threw to one of our codes and a message naming the cause. */
function classify(err: FastifyError): [ErrorCode, string] {
  if (err.validation && err.validation.length > 0) {
    if (err.validationContext === 'params') return ['invalid_instance_id', 'the instance id must be 8 to 64 letters, digits, - or _'];
    return ['invalid_report', describeFailure(err.validation[0] as RuleFailure)];
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
  }
  if (err.statusCode === 400) return ['invalid_json', err.message];
  return ['internal', 'the collector failed; nothing was stored'];
}
