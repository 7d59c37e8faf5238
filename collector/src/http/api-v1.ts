import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { countCell, csvFileName, toCsv } from '../dashboard/csv';
import { breakdownOf, PublishedDay, publishDays, RangeName, rangeBounds, RANGES, seriesOf } from '../dashboard/data';
import { defaultGrouping, GROUPINGS, Grouping, KNOWN_DIMENSIONS, orderDimensions, sectionOf, titleOf } from '../dashboard/dimensions';
import { Periodic, publishToday, TODAY_REFRESH_MS } from '../dashboard/today';
import { dayOf, isDay } from '../days';
import { DataVersion, dimensionNames } from '../store/published';
import type { Store } from '../store/store';
import { totalsSoFar } from '../store/today';
import { AnswerCache, CachedAnswer, etagOf, sendCached } from './api-v1-cache';
import { errorBody } from './errors';

/** What the published data never contains; the summary says so, and the page shows it. */
export const NEVER_PUBLISHED = [
  'raw reports',
  'instance ids',
  'sender addresses or their hashes',
  'operating system releases',
  'operator-declared extra fields',
  'any value seen by fewer instances on a day than the threshold (counted as "other")',
  'an "other" of fewer instances than the threshold (shown as "fewer than" the threshold)',
  'an instance counted twice in a dimension on one day (it counts under its last value of the day)',
];

const DEFAULT_TOP = 6;
const MAX_TOP = 20;
const DIMENSION_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

type Query = Record<string, string | undefined>;
type Format = 'json' | 'csv';

/** A query parameter outside what is allowed: answered 400 invalid_query, naming the parameter. */
class BadQuery extends Error {}

function pick<T extends string>(query: Query, name: string, allowed: readonly T[], fallback: T): T {
  const raw = query[name];
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new BadQuery(`query parameter "${name}" must be one of ${allowed.join(', ')}`);
  return raw as T;
}

function topOf(query: Query): number {
  const raw = query.top;
  if (raw === undefined) return DEFAULT_TOP;
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_TOP)) throw new BadQuery(`query parameter "top" must be an integer from 1 to ${MAX_TOP}`);
  return n;
}

/**
 * `/api/v1`: published aggregates as JSON or CSV, computed from the daily
 * roll-ups with the threshold applied, cached until the next roll-up and
 * answered with an ETag (304 on revalidation).
 */
export const apiV1Routes: FastifyPluginAsync<{ store: Store; threshold: number; currentVersion: () => Promise<DataVersion>; now: () => Date }> = async (
  app,
  { store, threshold, currentVersion, now },
  // eslint-disable-next-line @typescript-eslint/require-await -- fastify's async plugin form: it registers its routes and resolves.
) => {
  const cache = new AnswerCache();
  /** Every dimension in the roll-ups, read once per data version: a path naming no dimension must not cost a scan. */
  let dimensions: { stamp: string; names: Promise<string[]> } | undefined;
  async function dimensionsInData(): Promise<string[]> {
    const { stamp } = await currentVersion();
    if (dimensions?.stamp !== stamp) {
      const entry = { stamp, names: dimensionNames(store) };
      dimensions = entry;
      entry.names.catch(() => {
        if (dimensions === entry) dimensions = undefined;
      });
    }
    return dimensions.names;
  }
  // Public aggregates, read without credentials: any site may chart them.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('access-control-allow-origin', '*');
    done(null, payload);
  });

  /** Published days of a range, oldest first. */
  async function daysOf(version: DataVersion, range: RangeName): Promise<{ from: string | null; to: string | null; days: PublishedDay[] }> {
    if (!version.first || !version.last) return { from: null, to: null, days: [] };
    const { from, to } = rangeBounds(range, version.first, version.last);
    return { from, to, days: publishDays(await store.usage(from, to), threshold) };
  }

  /** Validates, then serves from the cache or computes; bad parameters get one 400 naming the parameter. */
  function answer(
    name: string,
    compute: (query: Query, version: DataVersion, params: Record<string, string>) => { key: string; run: () => Promise<Omit<CachedAnswer, 'etag'>> },
  ) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const query = request.query as Query;
      const params = request.params as Record<string, string>;
      let job;
      const version = await currentVersion();
      try {
        job = compute(query, version, params);
      } catch (err) {
        if (err instanceof BadQuery) return reply.code(400).send(errorBody('invalid_query', err.message));
        throw err;
      }
      const result = await cache.get(version.stamp, `${name} ${job.key}`, job.run);
      return sendCached(request, reply, result);
    };
  }

  function json(value: unknown): Omit<CachedAnswer, 'etag'> {
    return { type: 'application/json; charset=utf-8', body: JSON.stringify(value) };
  }
  function csv(filename: string, header: string[], rows: Array<Array<string | number | null>>): Omit<CachedAnswer, 'etag'> {
    return { type: 'text/csv; charset=utf-8', body: toCsv(header, rows), filename };
  }

  /** The dimension in the path, if it is known or found in the data; otherwise a 404 answer. */
  async function knownDimension(dimension: string, reply: FastifyReply): Promise<boolean> {
    if (DIMENSION_PATTERN.test(dimension) && (KNOWN_DIMENSIONS.includes(dimension) || (await dimensionsInData()).includes(dimension))) {
      return true;
    }
    await reply.code(404).send(errorBody('not_found', `no dimension "${dimension.slice(0, 64)}"; GET /api/v1/summary lists them`));
    return false;
  }

  app.get(
    '/summary',
    answer('summary', (_query, version) => ({
      key: '',
      run: async () => {
        const last = version.last ? (await store.usage(version.last, version.last))[0] : undefined;
        return json({
          threshold,
          demo: version.demo,
          firstDay: version.first,
          lastDay: version.last,
          daysAggregated: version.days,
          aggregatedAt: version.aggregatedAt,
          lastDayTotals: last ? { instances: last.instances, reports: last.reports } : null,
          dimensions: orderDimensions(await dimensionsInData()).map((id) => ({ id, title: titleOf(id), section: sectionOf(id), grouping: defaultGrouping(id) })),
          ranges: RANGES,
          neverPublished: NEVER_PUBLISHED,
        });
      },
    })),
  );

  app.get(
    '/instances',
    answer('instances', (query, version) => {
      const range = pick(query, 'range', RANGES, '90');
      const format = pick<Format>(query, 'format', ['json', 'csv'], 'json');
      return {
        key: `${range} ${format}`,
        run: async () => {
          const { from, to, days } = await daysOf(version, range);
          if (format === 'csv') {
            return csv(csvFileName('instances', 'exact', from, to), ['day', 'instances', 'reports'], days.map((d) => [d.day, d.instances, d.reports]));
          }
          return json({ range, from, to, threshold, days: days.map((d) => ({ day: d.day, instances: d.instances, reports: d.reports })) });
        },
      };
    }),
  );

  const seriesHandler = answer('series', (query, version, params) => {
    const dimension = params.dimension;
    const range = pick(query, 'range', RANGES, '90');
    const grouping = pick<Grouping>(query, 'group', GROUPINGS, defaultGrouping(dimension));
    const top = topOf(query);
    const format = pick<Format>(query, 'format', ['json', 'csv'], 'json');
    return {
      key: `${dimension} ${range} ${grouping} ${top} ${format}`,
      run: async () => {
        const { from, to, days } = await daysOf(version, range);
        const answer = seriesOf(days, dimension, grouping, top);
        if (format === 'csv') {
          const rows = answer.series.flatMap((s) => s.instances.map((n, i) => [answer.days[i], s.value, countCell(n, s.fewerThan?.[i])]));
          rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
          return csv(csvFileName(dimension, grouping, from, to), ['day', 'value', 'instances'], rows);
        }
        return json({ dimension, title: titleOf(dimension), grouping, top, range, from, to, threshold, ...answer });
      },
    };
  });
  app.get<{ Params: { dimension: string } }>('/series/:dimension', async (request, reply) => {
    if (!(await knownDimension(request.params.dimension, reply))) return reply;
    return seriesHandler(request, reply);
  });

  const breakdownHandler = answer('breakdown', (query, version, params) => {
    const dimension = params.dimension;
    const grouping = pick<Grouping>(query, 'group', GROUPINGS, defaultGrouping(dimension));
    const format = pick<Format>(query, 'format', ['json', 'csv'], 'json');
    if (query.day !== undefined && !isDay(query.day)) throw new BadQuery('query parameter "day" must be a day written YYYY-MM-DD');
    const day = query.day ?? version.last;
    return {
      key: `${dimension} ${day} ${grouping} ${format}`,
      run: async () => {
        const usage = day ? publishDays(await store.usage(day, day), threshold)[0] : undefined;
        const { total, values } = usage ? breakdownOf(usage, dimension, grouping) : { total: 0, values: [] };
        if (format === 'csv') {
          return csv(
            csvFileName(dimension, grouping, usage?.day ?? null, usage?.day ?? null),
            ['value', 'instances', 'share'],
            values.map((v) => [v.value, countCell(v.instances, v.fewerThan), v.share]),
          );
        }
        return json({ dimension, title: titleOf(dimension), grouping, day: usage ? usage.day : null, threshold, total, values });
      },
    };
  });
  app.get<{ Params: { dimension: string } }>('/breakdown/:dimension', async (request, reply) => {
    if (!(await knownDimension(request.params.dimension, reply))) return reply;
    return breakdownHandler(request, reply);
  });

  // Today so far, before its roll-up: counted at most every TODAY_REFRESH_MS, whatever the traffic.
  const today = new Periodic<CachedAnswer>(TODAY_REFRESH_MS, now);
  app.get('/today', async (request, reply) => {
    const moment = now();
    const day = dayOf(moment);
    const { value, remainingMs } = today.get(day, async () => {
      const body = JSON.stringify(publishToday(day, await totalsSoFar(store, day), threshold, moment));
      return { type: 'application/json; charset=utf-8', body, etag: etagOf(body) };
    });
    return sendCached(request, reply, await value, `public, max-age=${Math.max(1, Math.ceil(remainingMs / 1000))}`);
  });
};
