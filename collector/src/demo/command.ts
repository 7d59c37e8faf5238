import type { Logger } from 'pino';
import { storeLocation } from '../collector';
import type { CollectorConfig } from '../config';
import { addDays, dayOf, isDay } from '../days';
import { DEMO_LIMITS, DemoOptions, generateDemo } from './history';
import { demoRefusal, replaceWithDemo } from '../store/demo-writes';
import { Store } from '../store/store';

/** What `demo-data` is given on its command line, before checking. */
export interface DemoFlags {
  days?: string;
  instances?: string;
  seed?: string;
  end?: string;
}

export const DEMO_DEFAULTS = { days: 180, instances: 5000, seed: 1 } as const;

/** The options, or one message per problem naming the flag. */
export function demoOptions(flags: DemoFlags, config: Pick<CollectorConfig, 'country'>, now: Date): DemoOptions | string[] {
  const problems: string[] = [];
  const int = (flag: keyof DemoFlags, fallback: number, min: number, max: number): number => {
    const raw = flags[flag];
    if (raw === undefined) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) problems.push(`--${flag}: must be an integer from ${min} to ${max} (got "${raw}")`);
    return n;
  };
  const days = int('days', DEMO_DEFAULTS.days, 1, DEMO_LIMITS.days);
  const instances = int('instances', DEMO_DEFAULTS.instances, 10, DEMO_LIMITS.instances);
  const seed = int('seed', DEMO_DEFAULTS.seed, 0, 2 ** 32 - 1);
  const end = flags.end ?? addDays(dayOf(now), -1);
  if (!isDay(end)) problems.push(`--end: must be a day written YYYY-MM-DD (got "${end}")`);
  return problems.length > 0 ? problems : { days, instances, seed, end, country: config.country };
}

/**
 * `demo-data`: fills the configured store with a generated history, marked
 * as demo data on the dashboard and in /api/v1. A store holding real data is
 * refused; a store holding earlier demo data is replaced.
 */
export async function runDemoData(config: CollectorConfig, flags: DemoFlags, log: Logger, now = new Date()): Promise<number> {
  const options = demoOptions(flags, config, now);
  if (Array.isArray(options)) {
    process.stderr.write(`${options.join('\n')}\n`);
    return 2;
  }
  const store = await Store.open(storeLocation(config));
  try {
    const refusal = await demoRefusal(store);
    if (refusal) {
      process.stderr.write(`demo-data: ${refusal} (${store.kind === 'sqlite' ? `--data ${config.data}` : 'DATABASE_URL'}).\n`);
      return 1;
    }
    const days = generateDemo(options);
    const label = `Demo data: a generated history of about ${options.instances} installations over ${options.days} days (seed ${options.seed}), not real usage.`;
    await replaceWithDemo(store, days, label, now.toISOString());
    const summary = { days: days.length, from: days[0]?.day, to: days.at(-1)?.day, lastDayInstances: days.at(-1)?.instances, store: store.kind };
    log.info(summary, 'demo data written');
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
