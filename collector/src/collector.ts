import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import type { CollectorConfig } from './config';
import { buildApp } from './http/app';
import { Ingest } from './ingest';
import { DailyJob, runDailyJob } from './maintenance';
import type { StoreLocation } from './store/connect';
import { Store } from './store/store';
import { Versions } from './versions';
import type { VersionAnswer } from '../../src/schema';

/** The HTTP side, as fastify types it with our pino logger. */
export type CollectorApp = ReturnType<typeof buildApp>;

/** Where a config says the data lives. */
export function storeLocation(config: Pick<CollectorConfig, 'databaseUrl' | 'data'>): StoreLocation {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl }
    : { kind: 'sqlite', dataDir: path.resolve(config.data) };
}

/** The answer configured with --latest / --next, if any; then the registry is not asked. */
function fixedVersions(config: Pick<CollectorConfig, 'latest' | 'next'>): VersionAnswer | undefined {
  const answer: VersionAnswer = {};
  if (config.latest) answer.latest = config.latest;
  if (config.next) answer.next = config.next;
  return answer.latest || answer.next ? answer : undefined;
}

/** A running collector: its address, and how to stop it. */
export interface RunningCollector {
  url: string;
  store: Store;
  app: CollectorApp;
  /** Stops taking requests, lets those in flight finish, then closes the store. */
  stop(): Promise<void>;
}

/**
 * Opens the store (applying migrations), starts version polling and the daily
 * job, and listens. `now` is injectable so that day changes are testable.
 */
export async function startCollector(
  config: CollectorConfig,
  log: Logger,
  now: () => Date = () => new Date(),
): Promise<RunningCollector> {
  const store = await Store.open(storeLocation(config));
  const versions = new Versions({
    fixed: fixedVersions(config),
    registry: config.registry,
    interval: config.versionsInterval,
    log,
  });
  const job = new DailyJob(() => runDailyJob(store, now(), config.retentionDays, log), log);
  const app = buildApp({ config, store, ingest: new Ingest(store, config, now), versions, log, now });
  try {
    // The first poll is not awaited: an unreachable registry must not delay serving.
    void versions.start();
    job.start();
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    versions.stop();
    await job.stop();
    await store.close();
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info({ url, port: address.port, store: store.kind }, `collector listening on ${url}`);

  let stopping: Promise<void> | undefined;
  return {
    url,
    store,
    app,
    stop() {
      stopping ??= (async () => {
        versions.stop();
        await app.close();
        await job.stop();
        await store.close();
        log.info('collector stopped');
      })();
      return stopping;
    },
  };
}
