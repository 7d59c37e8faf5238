import { parseInsights } from '../ingest/report-rules';
import type { DayRows } from '../store/day-rows';
import type { Environment } from '../store/report-encoding';
import { DayCounter, RollUp } from './rules';

/**
 * One day counted with `DayCounter` from the store's rows: per-environment
 * totals the database counted itself, then the instances with several
 * environments that day, each under the environment of its last report, and,
 * one instance at a time, the reports with opt-in groups (whose snapshots
 * count by the last one of the day too).
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
    // Each counted under its last report's environment alone.
    for await (const page of day.mixedInstances()) {
      for (const r of page) counter.addEnvironment(await environment(r.last), 1, Number(r.reports));
    }
  }
  for await (const { rows } of day.insights()) {
    // Parsed one instance at a time: a day can hold millions of them.
    const insights = rows.map((r) => parseInsights(r.insights));
    counter.addInsights(insights.flatMap((i) => (i ? [i] : [])));
  }
  return counter.result();
}
