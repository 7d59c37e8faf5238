import type { CollectorConfig } from './config';
import { describeStore, StoreDescription, StoreLocation } from './store/connect';
import { collectorVersion } from './version';

/** The start-up log line's fields: what a collector runs with, and never a password or a user. */
export interface SettingsInEffect {
  version: string;
  store: StoreDescription;
  threshold: number;
  retentionDays: number;
  /** Accepted reports per hour. */
  rateLimit: { perInstance: number; perAddress: number };
  trustProxy: number;
  dashboard: string;
  /** A fixed answer (--latest, --next), or the registry polled and how often. */
  versions: { fixed: { latest: string; next?: string } } | { registry: string; intervalSeconds: number };
  country: 'on' | 'off';
}

/** What is in effect, for the one line the collector logs as it starts. */
export function settingsInEffect(config: CollectorConfig, location: StoreLocation): SettingsInEffect {
  return {
    version: collectorVersion(),
    store: describeStore(location),
    threshold: config.threshold,
    retentionDays: config.retentionDays,
    rateLimit: { ...config.rateLimit },
    trustProxy: config.trustProxy,
    dashboard: config.dashboardPath ?? 'off',
    versions: config.latest
      ? { fixed: config.next ? { latest: config.latest, next: config.next } : { latest: config.latest } }
      : { registry: withoutCredentials(config.registry), intervalSeconds: Math.round(config.versionsInterval / 1000) },
    country: config.country ? 'on' : 'off',
  };
}

/** A URL without the user and password it may carry (a private registry's). */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href.replace(/\/+$/, '');
  } catch {
    return url;
  }
}
