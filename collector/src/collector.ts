import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import type { CollectorConfig } from './config';
import { COUNTRY_DATABASE, CountryLookup } from './ingest/country';
import { buildApp } from './http/app';
import { Ingest } from './ingest/ingest';
import { CollectorMetrics } from './metrics/collector-metrics';
import type { MetricsListener } from './metrics/server';
import { DailyJob, runDailyJob } from './rollup/daily-job';
import { settingsInEffect } from './settings-line';
import type { StoreLocation } from './store/connect';
import { demoLabel } from './store/published';
import { Store, StoreOptions } from './store/store';
import { readFileSync } from 'node:fs';
import type { FixedVersions } from './versions/choice';
import { Versions } from './versions/registry-poll';

/** The HTTP side, as fastify types it with our pino logger. */
export type CollectorApp = ReturnType<typeof buildApp>;

/** Where a config says the data lives. */
export function storeLocation(config: Pick<CollectorConfig, 'databaseUrl' | 'data'>): StoreLocation {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl }
    : { kind: 'sqlite', dataDir: path.resolve(config.data) };
}

/** The answer configured with --latest (and --next), if any; then the registry is not asked. */
function fixedVersions(config: Pick<CollectorConfig, 'latest' | 'next'>): FixedVersions | undefined {
  if (!config.latest) return undefined;
  return config.next ? { latest: config.latest, next: config.next } : { latest: config.latest };
}

/** The certificate and key for HTTPS, read once at start; a file that cannot be read stops the start with its name. */
function tlsFiles(config: Pick<CollectorConfig, 'tlsCert' | 'tlsKey'>): { cert: Buffer; key: Buffer } | undefined {
  if (!config.tlsCert || !config.tlsKey) return undefined;
  const read = (file: string, setting: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      const reason = err instanceof Error && 'code' in err ? String(err.code) : String(err);
      throw new Error(`${setting}: cannot read "${file}" (${reason})`);
    }
  };
  return { cert: read(config.tlsCert, '--tls-cert'), key: read(config.tlsKey, '--tls-key') };
}

/** The country database when the lookup is on; one that cannot be opened stops the start, naming the setting. */
async function openCountries(config: Pick<CollectorConfig, 'country'>): Promise<CountryLookup | undefined> {
  if (!config.country) return undefined;
  try {
    return await CountryLookup.open();
  } catch (err) {
    throw new Error(`--country: cannot open the country database ${COUNTRY_DATABASE} (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** A running collector: its address, and how to stop it. */
export interface RunningCollector {
  url: string;
  /** The separate /metrics listener's full URL, when `metricsPort` is set. */
  metricsUrl?: string;
  store: Store;
  app: CollectorApp;
  /** Stops taking requests, lets those in flight finish, then closes the store. */
  stop(): Promise<void>;
}

/** What a test changes in a collector: the clock, so that day changes are testable, and how the store opens. */
export interface CollectorOptions {
  now?: () => Date;
  store?: StoreOptions;
}

/**
 * Opens the store (applying migrations), starts version polling and the daily
 * job, and listens. A function as the third argument is the clock, as it was
 * before the options (2026-11-27).
 */
export async function startCollector(
  config: CollectorConfig,
  log: Logger,
  clockOrOptions: CollectorOptions | (() => Date) = {},
): Promise<RunningCollector> {
  const options = typeof clockOrOptions === 'function' ? { now: clockOrOptions } : clockOrOptions;
  const now = options.now ?? (() => new Date());
  const tls = tlsFiles(config);
  const countries = await openCountries(config);
  const store = await Store.open(storeLocation(config), options.store);
  if (await demoLabel(store)) {
    // Served as it is (the demo does so), but never silently: reports received here are real.
    log.warn('this store holds generated demo data: the dashboard says so, and reports received now are rolled up beside it');
  }
  // One line with what is in effect (README, "The log"): the store, the limits, where versions come from, the version.
  const inEffect = settingsInEffect(config, storeLocation(config));
  log.info(inEffect, `collector ${inEffect.version}: settings in effect`);
  const versions = new Versions({
    fixed: fixedVersions(config),
    registry: config.registry,
    interval: config.versionsInterval,
    log,
  });
  const job = new DailyJob(() => runDailyJob(store, now(), config.retentionDays, log), log);
  let app: CollectorApp;
  const ingest = new Ingest(store, config, now, countries);
  // Only when asked for: with /metrics off nothing is counted or timed, and nothing more listens.
  const metrics = config.metricsPort === null ? undefined : new CollectorMetrics({ store, ingest, versions, job });
  let metricsListener: MetricsListener | undefined;
  try {
    app = buildApp({ config, store, ingest, versions, log, now, tls, metrics });
  } catch (err) {
    // A key that does not match its certificate is found here, before anything listens.
    await store.close();
    throw err;
  }
  try {
    // The first poll is not awaited: an unreachable registry must not delay serving.
    void versions.start();
    job.start();
    if (metrics && config.metricsPort !== null) metricsListener = await metrics.listen(config.metricsPort, config.metricsHost, log);
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    versions.stop();
    await metricsListener?.close();
    await job.stop();
    await store.close();
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${host}:${address.port}`;
  log.info({ url, port: address.port, store: store.kind }, `collector listening on ${url}`);

  let stopping: Promise<void> | undefined;
  return {
    url,
    metricsUrl: metricsListener?.url,
    store,
    app,
    stop() {
      stopping ??= (async () => {
        versions.stop();
        await metricsListener?.close();
        await app.close();
        await job.stop();
        await store.close();
        log.info('collector stopped');
      })();
      return stopping;
    },
  };
}
