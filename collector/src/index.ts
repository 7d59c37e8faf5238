/** The collector as a library: start one in your own process, or reuse its rules. */
export { startCollector, storeLocation } from './collector';
export type { CollectorOptions, RunningCollector } from './collector';
export type { StoreOptions } from './store/store';
export { DurabilityLost } from './store/wal-sync';
export { resolveConfig, DEFAULTS } from './config';
export type { CollectorConfig } from './config';
export { createLogger } from './logger';
export { main } from './cli';
