import type { Kysely } from 'kysely';
import type { InsightReport } from '@node-red-telemetry/protocol';
import { DayCounter, RollUp } from '../rollup/rules';
import { parseInsights } from '../ingest/report-rules';
import { dayText, Environment, environmentOf } from './report-encoding';
import type { Database } from './tables';

/** Rows read per query when the roll-up counts instances one at a time: a few MiB at a time. */
export const ROLLUP_PAGE = 10_000;

/** The reports of one instance on one day, with what the roll-up needs of them. */
interface InstanceRows<R> {
  instance: Uint8Array;
  rows: R[];
}

/** Rows in instance order, one instance's rows at a time. */
function* byInstance<R extends { instance: Uint8Array }>(rows: R[]): Generator<InstanceRows<R>> {
  let start = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i === rows.length || Buffer.compare(rows[i].instance, rows[start].instance) !== 0) {
      yield { instance: rows[start].instance, rows: rows.slice(start, i) };
      start = i;
    }
  }
}

/** Which instances a page starts after (or, `exact`, the one instance to read whole). */
type PageStart = { instance: Uint8Array; exact: boolean } | undefined;

/**
 * Rows in instance order, one instance's rows at a time, read in pages of
 * ROLLUP_PAGE. A page that ends inside an instance hands that instance to
 * the next page whole; an instance larger than a page is read on its own.
 */
async function* pagedByInstance<R extends { instance: Uint8Array }>(
  read: (after: PageStart, limit?: number) => Promise<R[]>,
): AsyncGenerator<InstanceRows<R>> {
  let after: PageStart;
  for (;;) {
    const page = await read(after, ROLLUP_PAGE);
    if (page.length === 0) return;
    let rows = page;
    if (page.length === ROLLUP_PAGE) {
      const last = page[page.length - 1].instance;
      const whole = page.filter((r) => Buffer.compare(r.instance, last) !== 0);
      rows = whole.length > 0 ? whole : await read({ instance: last, exact: true });
    }
    yield* byInstance(rows);
    if (page.length < ROLLUP_PAGE) return;
    after = { instance: rows[rows.length - 1].instance, exact: false };
  }
}

/**
 * One day counted: the database groups it per instance, then per
 * environment, from the (day, instance, environment) index alone; instances
 * with several environments that day, and reports with opt-in groups, are
 * read in pages, one instance at a time.
 */
export async function countDay(db: Kysely<Database>, day: number): Promise<RollUp> {
  let environments = new Map<number, Environment>();
  const environment = async (id: number | string): Promise<Environment> => {
    // Read again once when an id is new: a report committed around midnight may bring one.
    if (!environments.has(Number(id))) environments = await environmentsById(db);
    const found = environments.get(Number(id));
    // Written in the report's own transaction and deleted only after its reports: never missing.
    if (!found) throw new Error(`a report of ${dayText(day)} names environment ${id}, which is not stored`);
    return found;
  };
  const counter = new DayCounter();
  // Per instance, its first and last environment (by id) and its reports; then per pair.
  const perInstance = db
    .selectFrom('reports')
    .select((eb) => [eb.fn.min('environment').as('first'), eb.fn.max('environment').as('last'), eb.fn.countAll().as('reports')])
    .where('day', '=', day)
    .groupBy('instance')
    .as('per_instance');
  const pairs = await db
    .selectFrom(perInstance)
    .select((eb) => ['first', 'last', eb.fn.countAll().as('instances'), eb.fn.sum('reports').as('reports')])
    .groupBy(['first', 'last'])
    .execute();
  let mixed = false;
  for (const p of pairs) {
    if (Number(p.first) === Number(p.last)) counter.addEnvironment(await environment(p.first), Number(p.instances), Number(p.reports));
    else mixed = true;
  }
  if (mixed) {
    for await (const { rows } of mixedInstancesOf(db, day)) {
      const envs: Environment[] = [];
      for (const r of rows) envs.push(await environment(r.environment));
      counter.addMixedInstance(envs, rows.reduce((n, r) => n + Number(r.reports), 0));
    }
  }
  for await (const { rows } of insightsOf(db, day)) {
    counter.addInsights(rows.flatMap((r) => (r.insights ? [r.insights] : [])));
  }
  return counter.result();
}

async function environmentsById(db: Kysely<Database>): Promise<Map<number, Environment>> {
  const rows = await db.selectFrom('environments').selectAll().execute();
  return new Map(rows.map((row) => [Number(row.id), environmentOf(row)]));
}

/** Instances looked up per query among those that changed environment during a day. */
export const MIXED_PAGE = 5000;

/**
 * Instances of `day` that reported from more than one environment: each
 * environment once, with its reports. Found a page at a time, each query
 * going on along the index from where the last stopped, so that a day when
 * the whole fleet upgraded is read once, not once per page.
 */
async function* mixedInstancesOf(
  db: Kysely<Database>,
  day: number,
): AsyncGenerator<InstanceRows<{ environment: number; reports: number | string | bigint }>> {
  let after: Uint8Array | undefined;
  for (;;) {
    let query = db
      .selectFrom('reports')
      .select('instance')
      .where('day', '=', day)
      .groupBy('instance')
      .having((h) => h(h.fn.min('environment'), '<>', h.fn.max('environment')))
      .orderBy('instance')
      .limit(MIXED_PAGE);
    if (after) query = query.where('instance', '>', after);
    const instances = (await query.execute()).map((r) => r.instance);
    if (instances.length === 0) return;
    const rows = await db
      .selectFrom('reports')
      .select((eb) => ['instance', 'environment', eb.fn.countAll().as('reports')])
      .where('day', '=', day)
      .where('instance', 'in', instances)
      .groupBy(['instance', 'environment'])
      .orderBy('instance')
      .execute();
    yield* byInstance(rows);
    if (instances.length < MIXED_PAGE) return;
    after = instances[instances.length - 1];
  }
}

/** The opt-in groups of `day`'s reports that carried any, one instance at a time, oldest first. */
async function* insightsOf(db: Kysely<Database>, day: number): AsyncGenerator<InstanceRows<{ insights: InsightReport | null }>> {
  const pages = pagedByInstance((after, limit) => {
    let query = db
      .selectFrom('reports')
      .select(['instance', 'insights'])
      .where('day', '=', day)
      .where('insights', 'is not', null)
      .orderBy('instance')
      .orderBy('received_at')
      .orderBy('id');
    if (after) query = query.where('instance', after.exact ? '=' : '>', after.instance);
    if (limit !== undefined) query = query.limit(limit);
    return query.execute();
  });
  for await (const { instance, rows } of pages) {
    // Parsed one instance at a time: a day can hold millions of them.
    yield { instance, rows: rows.map((r) => ({ insights: parseInsights(r.insights) })) };
  }
}
