import semver from 'semver';
import { parseDuration } from '@node-red-telemetry/protocol';
import { INSIGHT_GROUPS } from '@node-red-telemetry/protocol';

/** A field an operator allows in reports beyond the schema, and its JSON type. */
export type ExtraFieldType = 'string' | 'number' | 'boolean';

/** Everything the collector is told, after defaults, file, environment and flags. */
export interface CollectorConfig {
  port: number;
  host: string;
  /** Port of the separate /metrics listener; null (the default): no listener, as it shows operational detail. */
  metricsPort: number | null;
  /** Address the /metrics listener binds; loopback by default, so a scraper has to be let in on purpose. */
  metricsHost: string;
  /** Directory of the SQLite database; unused when `databaseUrl` is set. */
  data: string;
  /** PostgreSQL connection string; when set, replaces SQLite. */
  databaseUrl?: string;
  /** Fixed answer; when either is set, the registry is not polled. */
  latest?: string;
  next?: string;
  /** PEM files; when both are set the collector listens with HTTPS. */
  tlsCert?: string;
  tlsKey?: string;
  registry: string;
  versionsInterval: number;
  retentionDays: number;
  threshold: number;
  trustProxy: number;
  logLevel: string;
  extraFields: Record<string, ExtraFieldType>;
  rateLimit: { perInstance: number; perAddress: number };
  /** Where the public dashboard is served, ending in "/"; null: no page and no public API. */
  dashboardPath: string | null;
  /** Look up each report's country from its sender's address (offline DB-IP database); only the code is kept. */
  country: boolean;
}

/** What a command line and an environment can say, before checking. */
export interface ConfigSources {
  file?: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  flags: Record<string, string | undefined>;
  /** The config file's name, for the warnings that name it. */
  fileName?: string;
}

type Parse<T> = (raw: unknown) => T | undefined;

interface Setting<K extends keyof CollectorConfig = keyof CollectorConfig> {
  key: K;
  flag?: string;
  env?: string;
  help: string;
  /** What `--help` shows as the default, when the value in DEFAULTS would not read well. */
  shown?: string;
  parse: Parse<CollectorConfig[K]>;
  expected: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const integer =
  (min: number, max: number): Parse<number> =>
  (raw) => {
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  };
const text: Parse<string> = (raw) => (typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined);
const version: Parse<string> = (raw) => (typeof raw === 'string' ? semver.valid(raw.trim()) ?? undefined : undefined);
const httpUrl: Parse<string> = (raw) => {
  if (typeof raw !== 'string') return undefined;
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
};
const postgresUrl: Parse<string> = (raw) => {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:' ? raw.trim() : undefined;
  } catch {
    return undefined;
  }
};
/** "off", or a path of plain segments that starts and ends with "/", so relative links from the page resolve. */
const dashboardPath: Parse<string | null> = (raw) => {
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim();
  if (value === 'off') return null;
  return /^\/(?:[A-Za-z0-9._~-]+\/)*$/.test(value) && !/\/\.{1,2}\//.test(value) ? value : undefined;
};
const onOff: Parse<boolean> = (raw) => {
  if (raw === true || raw === 'on' || raw === 'true') return true;
  if (raw === false || raw === 'off' || raw === 'false') return false;
  return undefined;
};
const duration: Parse<number> = (raw) => {
  const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  const result = parseDuration(n, 1_000);
  return result.ok ? result.ms : undefined;
};

/** Every setting once: its flag, variable, default, check and help line. */
export const SETTINGS: Setting[] = [
  { key: 'port', flag: 'port', env: 'COLLECTOR_PORT', help: 'TCP port; 0 picks a free one and logs it', expected: 'an integer from 0 to 65535', parse: integer(0, 65535) },
  { key: 'host', flag: 'host', env: 'COLLECTOR_HOST', help: 'address to listen on; 0.0.0.0 for every interface', expected: 'a host name or address', parse: text },
  { key: 'metricsPort', flag: 'metrics-port', env: 'COLLECTOR_METRICS_PORT', shown: 'off', help: 'TCP port of a separate listener serving GET /metrics (Prometheus), or "off"; 0 picks a free one and logs it', expected: 'an integer from 0 to 65535, or "off"', parse: (raw) => (raw === null || (typeof raw === 'string' && raw.trim() === 'off') ? null : integer(0, 65535)(raw)) },
  { key: 'metricsHost', flag: 'metrics-host', env: 'COLLECTOR_METRICS_HOST', help: 'address the /metrics listener binds', expected: 'a host name or address', parse: text },
  { key: 'data', flag: 'data', env: 'COLLECTOR_DATA', help: 'directory of the SQLite database', expected: 'a directory path', parse: text },
  { key: 'databaseUrl', flag: 'database-url', env: 'DATABASE_URL', shown: '(none: SQLite)', help: 'PostgreSQL connection string, instead of SQLite', expected: 'a postgres:// or postgresql:// URL', parse: postgresUrl },
  { key: 'latest', flag: 'latest', env: 'COLLECTOR_LATEST', shown: '(from the registry)', help: 'answer this as the latest Node-RED instead of polling the registry', expected: 'a semver version', parse: version },
  { key: 'next', flag: 'next', env: 'COLLECTOR_NEXT', shown: '(the latest)', help: 'with --latest, answer this as the next (pre-release) Node-RED', expected: 'a semver version', parse: version },
  { key: 'tlsCert', flag: 'tls-cert', env: 'COLLECTOR_TLS_CERT', shown: '(none: plain HTTP)', help: 'PEM certificate (chain) file; with --tls-key, serve HTTPS', expected: 'a file path', parse: text },
  { key: 'tlsKey', flag: 'tls-key', env: 'COLLECTOR_TLS_KEY', shown: '(none: plain HTTP)', help: 'PEM private key file for --tls-cert', expected: 'a file path', parse: text },
  { key: 'registry', flag: 'registry', env: 'COLLECTOR_REGISTRY', help: "npm registry whose node-red packument (versions, engines.node) is polled", expected: 'an http(s) URL', parse: httpUrl },
  { key: 'versionsInterval', env: 'COLLECTOR_VERSIONS_INTERVAL', shown: '1h', help: 'how often the registry is polled', expected: 'a duration of at least 1s, such as "1h"', parse: duration },
  { key: 'retentionDays', flag: 'retention-days', env: 'COLLECTOR_RETENTION_DAYS', help: 'days raw reports are kept (aggregates are kept for good)', expected: 'an integer from 1 to 3650', parse: integer(1, 3650) },
  { key: 'threshold', flag: 'threshold', env: 'COLLECTOR_THRESHOLD', help: 'published counts below this are merged into "other"', expected: 'an integer from 1 to 1000', parse: integer(1, 1000) },
  { key: 'trustProxy', flag: 'trust-proxy', env: 'COLLECTOR_TRUST_PROXY', help: 'number of reverse proxies in front whose X-Forwarded-For is believed', expected: 'an integer from 0 to 10', parse: integer(0, 10) },
  { key: 'dashboardPath', flag: 'dashboard', env: 'COLLECTOR_DASHBOARD', help: 'path of the public dashboard (with its /api/v1), or "off"', expected: 'a path that starts and ends with "/" (such as "/usage/"), or "off"', parse: dashboardPath },
  { key: 'country', flag: 'country', env: 'COLLECTOR_COUNTRY', shown: 'off', help: 'count reports by country, looked up offline from the sender address (only the code is kept)', expected: '"on" or "off"', parse: onOff },
  { key: 'logLevel', flag: 'log-level', env: 'LOG_LEVEL', help: `one of ${LOG_LEVELS.join(', ')}`, expected: `one of ${LOG_LEVELS.join(', ')}`, parse: (raw) => (typeof raw === 'string' && LOG_LEVELS.includes(raw) ? raw : undefined) },
];

export const DEFAULTS: CollectorConfig = {
  port: 8790,
  host: '127.0.0.1',
  metricsPort: null,
  metricsHost: '127.0.0.1',
  data: './data',
  registry: 'https://registry.npmjs.org',
  versionsInterval: 3_600_000,
  retentionDays: 90,
  threshold: 5,
  trustProxy: 0,
  logLevel: 'info',
  extraFields: {},
  rateLimit: { perInstance: 1, perAddress: 60 },
  dashboardPath: '/',
  country: false,
};

/** Keys that only a config file can set, because they are structured. */
const FILE_ONLY = ['extraFields', 'rateLimit'] as const;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
// The base fields and the opt-in groups: an operator's extra field must not replace their schema.
const RESERVED = ['instanceId', 'os', 'env', ...INSIGHT_GROUPS, 'ext'];

/**
 * `warnings`: bad values that are not in effect because a flag or variable
 * overrides them, each naming where it is: harmless today, they would stop
 * the start the day the override goes.
 */
export type ConfigResult = { ok: true; config: CollectorConfig; warnings: string[] } | { ok: false; problems: string[] };

/**
 * Resolves the configuration: flags win over environment, which wins over the
 * file, which wins over defaults. Every problem names its setting and where it
 * came from, and all of them are reported at once.
 */
export function resolveConfig(sources: ConfigSources): ConfigResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const config: CollectorConfig = { ...DEFAULTS, extraFields: {}, rateLimit: { ...DEFAULTS.rateLimit } };
  const file = sources.file ?? {};
  const known = new Set<string>([...SETTINGS.map((s) => s.key as string), ...FILE_ONLY]);
  for (const key of Object.keys(file)) {
    if (!known.has(key)) problems.push(`config file: unknown setting "${key}"`);
  }

  for (const setting of SETTINGS) {
    const [given, ...overridden] = givenValues(setting, sources, file);
    if (!given) continue;
    const value = setting.parse(given.raw);
    if (value === undefined) problems.push(`${given.origin}: must be ${setting.expected} (got ${JSON.stringify(given.raw)})`);
    else (config as unknown as Record<string, unknown>)[setting.key] = value;
    for (const other of overridden) {
      if (setting.parse(other.raw) !== undefined) continue;
      const origin = other.origin.startsWith('config file') && sources.fileName ? `config file ${sources.fileName} "${setting.key}"` : other.origin;
      warnings.push(`${origin}: must be ${setting.expected} (got ${JSON.stringify(other.raw)}); not in effect while ${given.origin} overrides it, but it stops the start without that`);
    }
  }

  // An answer always carries both versions; a lone "next" would leave "latest" to guess.
  if (config.next && !config.latest) problems.push('--next (COLLECTOR_NEXT): needs --latest as well, so that every answer carries both versions');
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) problems.push('--tls-cert and --tls-key (COLLECTOR_TLS_CERT, COLLECTOR_TLS_KEY): give both, or neither');
  if (file.extraFields !== undefined) readExtraFields(file.extraFields, config, problems);
  if (file.rateLimit !== undefined) readRateLimit(file.rateLimit, config, problems);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config, warnings };
}

/** The values given for one setting, and where each came from, the one that wins first; an empty variable counts as unset. */
function givenValues(setting: Setting, sources: ConfigSources, file: Record<string, unknown>): Array<{ origin: string; raw: unknown }> {
  const given: Array<{ origin: string; raw: unknown }> = [];
  if (setting.flag && sources.flags[setting.flag] !== undefined) given.push({ origin: `--${setting.flag}`, raw: sources.flags[setting.flag] });
  const env = setting.env ? sources.env[setting.env] : undefined;
  if (setting.env && env !== undefined && env !== '') given.push({ origin: setting.env, raw: env });
  if (file[setting.key] !== undefined) given.push({ origin: `config file "${setting.key}"`, raw: file[setting.key] });
  return given;
}

function readExtraFields(raw: unknown, config: CollectorConfig, problems: string[]): void {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push('config file "extraFields": must be an object of field name to "string", "number" or "boolean"');
    return;
  }
  for (const [name, type] of Object.entries(raw as Record<string, unknown>)) {
    if (!FIELD_NAME.test(name) || RESERVED.includes(name)) {
      problems.push(`config file "extraFields.${name}": must be a new top-level name of letters, digits and _ (at most 32)`);
    } else if (type !== 'string' && type !== 'number' && type !== 'boolean') {
      problems.push(`config file "extraFields.${name}": must be "string", "number" or "boolean" (got ${JSON.stringify(type)})`);
    } else {
      config.extraFields[name] = type;
    }
  }
}

function readRateLimit(raw: unknown, config: CollectorConfig, problems: string[]): void {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push('config file "rateLimit": must be an object such as { "perInstance": 1, "perAddress": 60 }');
    return;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (key !== 'perInstance' && key !== 'perAddress') {
      problems.push(`config file "rateLimit.${key}": unknown setting (perInstance, perAddress)`);
      continue;
    }
    const n = integer(1, 1_000_000)(value);
    if (n === undefined) problems.push(`config file "rateLimit.${key}": must be an integer from 1 to 1000000 reports per hour (got ${JSON.stringify(value)})`);
    else config.rateLimit[key] = n;
  }
}

/** The default `--help` shows for one setting. */
export function shownDefault(setting: Setting): string {
  const value = DEFAULTS[setting.key];
  return setting.shown ?? (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));
}

/** The flags `--help` lists and the argument parser accepts. */
export function flagNames(): string[] {
  return SETTINGS.flatMap((s) => (s.flag ? [s.flag] : []));
}
