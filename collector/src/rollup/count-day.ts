import { parseInsights } from '../ingest/report-rules';
import type { DayRows } from '../store/day-rows';
import type { Environment } from '../store/report-encoding';
import { DayCounter, RollUp } from './rules';

/**
 * One day counted with `DayCounter` from the store's rows: per-environment
 * totals the database counted itself, then, one instance at a time, the
 * instances with several environments that day and the reports with opt-in
 * groups.
 */
export async function countDay(day: DayRows): Promise<RollUp> {
  let environments = new Map<number, Environment>();
  const environment = async (id: number | string): Promise<Environment> => {
    // Read again once when an id is new: a report committed around midnight may bring one.
    if (!environments.has(Number(id))) environments = await day.environments();
    const found = environments.get(Number(id));
    // Written in the report's own transaction and deleted only after its reports: never missing.
    if (!found) throw new Error(`a report of ${day.day} names environment ${id}, which is not stored`);
    return found;
  };
  const counter = new DayCounter();
  let mixed = false;
  for (const p of await day.environmentPairs()) {
    if (Number(p.first) === Number(p.last)) counter.addEnvironment(await environment(p.first), Number(p.instances), Number(p.reports));
    else mixed = true;
  }
  if (mixed) {
    for await (const { rows } of day.mixedInstances()) {
      const envs: Environment[] = [];
      for (const r of rows) envs.push(await environment(r.environment));
      counter.addMixedInstance(envs, rows.reduce((n, r) => n + Number(r.reports), 0));
    }
  }
  for await (const { rows } of day.insights()) {
    // Parsed one instance at a time: a day can hold millions of them.
    const insights = rows.map((r) => parseInsights(r.insights));
    counter.addInsights(insights.flatMap((i) => (i ? [i] : [])));
  }
  return counter.result();
}
