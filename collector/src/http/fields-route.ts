import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { CachedAnswer, etagOf, sendCached } from './api-v1-cache';
import { fieldsAnswer, FieldsConfig } from './fields-answer';

/** Where the list of what is collected is served, whatever `dashboardPath` says: the plugin links it from the collector's url. */
export const FIELDS_PATH = '/api/v1/fields';

/**
 * `GET /api/v1/fields`: every field this collector accepts, why it is
 * collected, how it is derived and how it is published (fields-answer.ts).
 * Served even with the dashboard off, since reports are still taken; also
 * under `<dashboardPath>api/v1/fields` beside the rest of the public API. The
 * answer depends only on the configuration, so it is made once, on the first
 * request, and answered with an ETag like the other `/api/v1` answers.
 */
export const fieldsRoutes: FastifyPluginCallback<FieldsConfig> = (app, config, done) => {
  let answer: CachedAnswer | undefined;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!answer) {
      const body = JSON.stringify(fieldsAnswer(config));
      answer = { type: 'application/json; charset=utf-8', body, etag: etagOf(body) };
    }
    // Public, read without credentials, as the rest of /api/v1: any site may show it.
    reply.header('access-control-allow-origin', '*');
    return sendCached(request, reply, answer);
  };
  app.get(FIELDS_PATH, handler);
  const besideApi = config.dashboardPath === null ? FIELDS_PATH : `${config.dashboardPath}api/v1/fields`;
  if (besideApi !== FIELDS_PATH) app.get(besideApi, handler);
  done();
};
