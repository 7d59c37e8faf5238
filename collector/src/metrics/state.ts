import { Gauge, type Registry } from 'prom-client';
import type { DailyJob } from '../rollup/daily-job';
import { DurabilityLost, type Store } from '../store/store';
import type { Versions } from '../versions/registry-poll';

/**
 * Gauges of the collector's state: the store, the daily job, the registry
 * poll. Each is worked out when /metrics is scraped (collect()), never kept
 * up to date on the way: nothing here runs unless someone asks.
 */

/** How long a scrape waits for the database before calling it down: well within Prometheus' default 10 s scrape timeout. */
export const STORE_PING_TIMEOUT_MS = 2_000;

/** The states of the registry poll, exported one series each (a "state set"): 1 for the current one. */
export const REGISTRY_POLL_STATES = ['fixed', 'pending', 'ok', 'failed'] as const;
type RegistryPollState = (typeof REGISTRY_POLL_STATES)[number];

/** Whether the store answers a query within STORE_PING_TIMEOUT_MS. */
async function storeAnswers(store: Pick<Store, 'ping'>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), STORE_PING_TIMEOUT_MS);
  });
  try {
    return await Promise.race([store.ping().then(() => true), timeout]);
  } catch {
    // Down, or durability lost (store.ping refuses then too): either way it takes no reports.
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** `collector_store_up` and `collector_store_durability_lost`, labelled with the store's kind. */
export function storeGauges(registry: Registry, store: Pick<Store, 'kind' | 'ping' | 'refuseIfNotDurable'>): void {
  const labels = { kind: store.kind };
  new Gauge({
    name: 'collector_store_up',
    help: '1 when the database answered a query during this scrape (as GET /healthz asks it), else 0',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      this.set(labels, (await storeAnswers(store)) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'collector_store_durability_lost',
    help: '1 once a sync of SQLite\'s write-ahead log failed: every write is refused until a restart',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      let lost = 0;
      try {
        store.refuseIfNotDurable();
      } catch (err) {
        if (!(err instanceof DurabilityLost)) throw err;
        lost = 1;
      }
      this.set(labels, lost);
    },
  });
}

/** Seconds since 1970 of `day`'s start (UTC), the usual way to give a date to Prometheus. */
function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

/** The daily job's last run in this process, and the newest day it rolled up; 0 before its first run. */
export function rollUpGauges(registry: Registry, job: Pick<DailyJob, 'lastRun' | 'lastDayRolledUp'>): void {
  const gauge = (name: string, help: string, value: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  };
  gauge('collector_rollup_last_day_timestamp_seconds', 'Start (UTC) of the newest day the daily job rolled up in this process; 0 before any', () =>
    job.lastDayRolledUp ? dayStart(job.lastDayRolledUp) : 0,
  );
  gauge('collector_rollup_last_run_timestamp_seconds', 'When the last run of the daily job (roll-up, then retention) ended; 0 before the first', () =>
    job.lastRun ? job.lastRun.endedAt / 1000 : 0,
  );
  gauge('collector_rollup_last_run_duration_seconds', 'How long the last run of the daily job took', () => job.lastRun?.seconds ?? 0);
  gauge('collector_rollup_last_run_success', '1 when the last run of the daily job succeeded, 0 when it failed or has not run', () =>
    job.lastRun?.ok ? 1 : 0,
  );
}

/** Where the registry poll stands. */
function pollState(versions: Pick<Versions, 'fixed' | 'pollStatus'>): RegistryPollState {
  if (versions.fixed) return 'fixed';
  const { lastOk } = versions.pollStatus;
  return lastOk === undefined ? 'pending' : lastOk ? 'ok' : 'failed';
}

/** `collector_registry_poll_state{state}` and `collector_registry_poll_age_seconds`. */
export function registryGauges(registry: Registry, versions: Pick<Versions, 'fixed' | 'pollStatus'>): void {
  new Gauge({
    name: 'collector_registry_poll_state',
    help: 'The npm registry poll: fixed (versions set by --latest, no poll), pending (no poll ended yet), ok, failed (the last good versions are kept); 1 for the current state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const current = pollState(versions);
      for (const state of REGISTRY_POLL_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  new Gauge({
    name: 'collector_registry_poll_age_seconds',
    help: 'Seconds since a registry poll last succeeded (since polling started, when none has yet); 0 when the versions are fixed',
    registers: [registry],
    collect() {
      const { startedAt, lastSuccessAt } = versions.pollStatus;
      const since = versions.fixed ? undefined : lastSuccessAt ?? startedAt;
      this.set(since === undefined ? 0 : Math.max(0, (Date.now() - since) / 1000));
    },
  });
}
