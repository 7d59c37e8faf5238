import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { publish, publishSums } from '../rollup/rules';
import { DASHBOARD_MODULES, PAGE_HEADERS, renderPage } from '../dashboard/page';
import { addDays, dayOf } from '../days';
import { recentDataVersion } from '../store/published';
import type { DayUsage, Store } from '../store/store';
import { apiV1Routes } from './api-v1';
import { AnswerCache, CachedAnswer, etagOf, sendCached } from './api-v1-cache';
import { errorBody } from './errors';

/**
 * When `/api/usage` gave way to `/api/v1` (2026-11-26), as RFC 9745 writes it:
 * a structured-field date, seconds since 1970 after an `@`.
 */
const USAGE_DEPRECATED = `@${Date.UTC(2026, 10, 26) / 1000}`;

const MAX_DAYS = 366;

/** The page's files: ours from web/, uPlot's from its npm package. Read once, served from memory. */
function loadAssets(): Map<string, CachedAnswer> {
  const web = webDirectory();
  const uplot = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  const files: Array<[string, string, string]> = [
    ...DASHBOARD_MODULES.map((name): [string, string, string] => [name, path.join(web, name), 'text/javascript; charset=utf-8']),
    ['dashboard.css', path.join(web, 'dashboard.css'), 'text/css; charset=utf-8'],
    ['uPlot.iife.min.js', path.join(uplot, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
    ['uPlot.min.css', path.join(uplot, 'uPlot.min.css'), 'text/css; charset=utf-8'],
  ];
  return new Map(
    files.map(([name, file, type]) => {
      const body = readFileSync(file, 'utf8');
      return [name, { type, body, etag: etagOf(body) }];
    }),
  );
}

/** collector/web, found upwards from this file: the same from src/ (tests) and from dist/ (the package). */
function webDirectory(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'web', 'dashboard.js'))) return path.join(dir, 'web');
    if (path.dirname(dir) === dir) throw new Error(`the dashboard's web/ directory was not found above ${__dirname}`);
  }
}

/**
 * The public side, under `path` (ending in "/"): the dashboard page, its
 * assets, /api/v1 and the older /api/usage. Registered only when the
 * dashboard is on.
 */
export const dashboardRoutes: FastifyPluginAsync<{ store: Store; threshold: number; now: () => Date; path?: string }> = async (
  app,
  { store, threshold, now, path: base = '/' },
) => {
  const assets = loadAssets();
  const page = renderPage({ api: 'api/v1/', assets: 'assets/' });
  const pageAnswer: CachedAnswer = { type: PAGE_HEADERS['content-type'], body: page, etag: etagOf(page) };

  app.get(base, async (request, reply) => sendCached(request, reply.headers(PAGE_HEADERS), pageAnswer));
  if (base !== '/') app.get(base.slice(0, -1), async (_request, reply) => reply.redirect(base, 308));

  app.get<{ Params: { name: string } }>(`${base}assets/:name`, async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.code(404).send(errorBody('not_found', `no asset ${request.params.name.slice(0, 64)}`));
    // Assets change only with the collector's version; an hour keeps a page load to one round trip.
    return sendCached(request, reply, asset, 'public, max-age=3600');
  });

  // One view of the data version for every public answer: it is asked of the database at most once a second.
  const currentVersion = recentDataVersion(store);
  await app.register(apiV1Routes, { prefix: `${base}api/v1`, store, threshold, currentVersion, now });

  /** Deprecated: the last `days` finished days with small counts merged into "other". Use /api/v1. */
  const usageCache = new AnswerCache(64);
  app.get<{ Querystring: { days?: string } }>(`${base}api/usage`, async (request, reply) => {
    const count = Number(request.query.days ?? 30);
    if (!Number.isInteger(count) || count < 1 || count > MAX_DAYS) {
      return reply.code(400).send(errorBody('invalid_query', `query parameter "days" must be an integer from 1 to ${MAX_DAYS}`));
    }
    const to = addDays(dayOf(now()), -1);
    const from = addDays(to, -(count - 1));
    // Computed once per roll-up, like /api/v1: the answer changes only when a day is rolled up.
    const version = await currentVersion();
    const answer = await usageCache.get(version.stamp, `${from} ${to}`, async () => {
      const usage: DayUsage[] = await store.usage(from, to);
      // Fleet totals of the opt-in groups: sums over every instance that sent them, none singled out.
      const sums = await store.sums(from, to);
      const body = {
        threshold,
        days: usage.map((d) => ({
          day: d.day,
          instances: d.instances,
          counts: publish(d.counts, threshold),
          sums: Object.fromEntries(publishSums(sums.get(d.day) ?? [], d.counts, threshold).map((s) => [s.metric, s.total])),
        })),
      };
      return { type: 'application/json; charset=utf-8', body: JSON.stringify(body) };
    });
    reply.header('deprecation', USAGE_DEPRECATED).header('link', `<${base}api/v1/summary>; rel="successor-version"`);
    return sendCached(request, reply, answer);
  });
};
