import type { FastifyPluginAsync } from 'fastify';
import { publish } from '../aggregate';
import { DASHBOARD_HEADERS, renderDashboard } from '../dashboard';
import { addDays, dayOf } from '../days';
import type { DayUsage, Store } from '../store/store';
import { errorBody } from './errors';

const MAX_DAYS = 366;

/** The public side: published daily usage as a page and as JSON. */
export const dashboardRoutes: FastifyPluginAsync<{ store: Store; threshold: number; now: () => Date }> = async (
  app,
  { store, threshold, now },
) => {
  /** The last `days` finished days, with small counts merged into "other". */
  async function published(days: number): Promise<DayUsage[]> {
    const to = addDays(dayOf(now()), -1);
    const usage = await store.usage(addDays(to, -(days - 1)), to);
    return usage.map((d) => ({ ...d, counts: publish(d.counts, threshold) }));
  }

  app.get<{ Querystring: { days?: string } }>('/api/usage', async (request, reply) => {
    const count = Number(request.query.days ?? 30);
    if (!Number.isInteger(count) || count < 1 || count > MAX_DAYS) {
      return reply.code(400).send(errorBody('invalid_query', `query parameter "days" must be an integer from 1 to ${MAX_DAYS}`));
    }
    const days = await published(count);
    return {
      threshold,
      days: days.map((d) => ({ day: d.day, instances: d.instances, counts: d.counts })),
    };
  });

  app.get('/', async (_request, reply) => reply.headers(DASHBOARD_HEADERS).send(renderDashboard(await published(30), threshold)));
};
