import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { startCollector, storeLocation } from './collector';
import { CollectorConfig, flagNames, resolveConfig, SETTINGS, shownDefault } from './config';
import { addDays, dayOf, isDay } from './days';
import { DEMO_DEFAULTS, runDemoData } from './demo/command';
import { createLogger } from './logger';
import { rollUpFinishedDay, runDailyJob } from './rollup/daily-job';
import { BackupRefused, backupSqlite } from './store/backup';
import { describeStore, storeInWords } from './store/connect';
import { Store } from './store/store';
import { collectorVersion } from './version';

const COMMANDS = ['serve', 'aggregate', 'prune', 'demo-data', 'backup'] as const;
type Command = (typeof COMMANDS)[number];

/** The longest range one `aggregate` command rolls up: ten years. */
const MAX_AGGREGATE_DAYS = 3660;

/** How long a shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

export function usage(): string {
  const rows = SETTINGS.map((s) => {
    const names = [s.flag ? `--${s.flag} <value>` : '', s.env ?? ''].filter(Boolean).join(', ');
    return `  ${names.padEnd(50)} ${s.help} (default ${shownDefault(s)})`;
  });
  return [
    'Usage: node-red-telemetry-collector [command] [options]',
    '',
    'Commands:',
    '  serve                   receive reports, answer versions, serve the dashboard (default)',
    '  aggregate [--day D]     roll up one finished day (default: yesterday), or --from D --to D',
    '  prune                   roll up finished days, then delete raw reports past retention',
    `  demo-data               fill an empty store with a generated history, shown as demo data:`,
    `                          --days N (${DEMO_DEFAULTS.days}) --instances N (${DEMO_DEFAULTS.instances}) --seed N (${DEMO_DEFAULTS.seed}) --end D (yesterday)`,
    '  backup <file>           copy the SQLite store to a new file, consistently, also while it is served',
    '                          (PostgreSQL: use pg_dump, see the README)',
    '',
    'Options (flag, environment variable):',
    '  --config <file>, COLLECTOR_CONFIG                  JSON file with any setting below, plus extraFields and rateLimit',
    ...rows,
    '  --help                                             this text',
    '  --version                                          the collector\'s version',
    '',
    'Flags win over environment variables, which win over the config file.',
  ].join('\n');
}

/** Runs the command line; resolves to the exit code (serve resolves when stopped). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv),
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(flagNames().map((f) => [f, { type: 'string' as const }])),
        config: { type: 'string' },
        day: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        days: { type: 'string' },
        instances: { type: 'string' },
        seed: { type: 'string' },
        end: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\nRun with --help for the options.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${collectorVersion()}\n`);
    return 0;
  }
  const command = (positionals[0] ?? 'serve') as Command;
  if (!COMMANDS.includes(command) || positionals.length > (command === 'backup' ? 2 : 1)) {
    process.stderr.write(`Unknown command "${positionals.join(' ')}". Commands: ${COMMANDS.join(', ')}.\n`);
    return 2;
  }

  const fileName = values.config ?? env.COLLECTOR_CONFIG;
  const file = readConfigFile(fileName);
  if (typeof file === 'string') {
    process.stderr.write(`${file}\n`);
    return 2;
  }
  const given = values as Record<string, string | boolean | undefined>;
  const flags = Object.fromEntries(flagNames().map((f) => [f, typeof given[f] === 'string' ? given[f] : undefined]));
  const resolved = resolveConfig({ file, env, flags, fileName });
  if (!resolved.ok) {
    // One line per problem, each naming its setting and where it came from.
    process.stderr.write(`${resolved.problems.join('\n')}\n`);
    return 2;
  }
  const log = createLogger(resolved.config.logLevel);
  for (const warning of resolved.warnings) log.warn(warning);
  if (command === 'backup') return backup(resolved.config, positionals[1], log);
  if (command === 'serve') return serve(resolved.config, log);
  if (command === 'demo-data') {
    // Generated data never lands in a store by default: the default ./data is where real reports go.
    const namedStore = flags.data !== undefined || Boolean(env.COLLECTOR_DATA) || file?.data !== undefined || resolved.config.databaseUrl !== undefined;
    if (!namedStore) {
      process.stderr.write('demo-data: name the demo\'s own store with --data <dir> (or DATABASE_URL); it never writes into the default ./data.\n');
      return 2;
    }
    return runDemoData(resolved.config, { days: values.days, instances: values.instances, seed: values.seed, end: values.end }, log).catch((err: unknown) => {
      log.error({ reason: err instanceof Error ? err.message : String(err) }, 'demo-data failed');
      return 1;
    });
  }
  return maintenance(command, resolved.config, log, { day: values.day, from: values.from, to: values.to });
}

/**
 * The arguments with `--threshold -1` written as `--threshold=-1`: parseArgs
 * takes a value starting with a dash for an option and calls the argument
 * ambiguous, so a negative number would never reach the check that says
 * which values the setting takes. Only numbers are joined: `--data --port`
 * still says that --data has no value.
 */
function joinNegativeValues(argv: string[]): string[] {
  const valued = new Set([...flagNames(), 'config', 'day', 'from', 'to', 'days', 'instances', 'seed', 'end']);
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      joined.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (arg.startsWith('--') && valued.has(arg.slice(2)) && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/** `backup <file>`: a consistent copy of the SQLite store; PostgreSQL is backed up with its own tools. */
async function backup(config: CollectorConfig, file: string | undefined, log: Logger): Promise<number> {
  if (!file) {
    process.stderr.write('backup: name the file to write, e.g. backup /var/backups/collector-2026-11-27.sqlite\n');
    return 2;
  }
  if (config.databaseUrl) {
    const where = storeInWords(describeStore({ kind: 'postgres', url: config.databaseUrl }));
    process.stderr.write(
      `backup: the store is ${where} (DATABASE_URL), which this command does not copy: use PostgreSQL's pg_dump, e.g. pg_dump --format=custom --exclude-table-data=salts --file collector.dump --dbname "$DATABASE_URL" (README: "Backup and restore")\n`,
    );
    return 2;
  }
  try {
    const result = await backupSqlite(path.resolve(config.data), file);
    log.info(result, `backup written to ${result.file}`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`backup: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof BackupRefused ? 2 : 1;
  }
}

/** The file's settings, or a one-line message saying why they cannot be read. */
function readConfigFile(file: string | undefined): Record<string, unknown> | undefined | string {
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return `config file ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    return `config file ${file}: must hold one JSON object`;
  } catch (err) {
    return `config file ${file}: is not valid JSON (${err instanceof Error ? err.message : String(err)})`;
  }
}

async function serve(config: CollectorConfig, log: Logger): Promise<number> {
  let running;
  try {
    running = await startCollector(config, log);
  } catch (err) {
    log.fatal({ reason: err instanceof Error ? err.message : String(err) }, 'the collector could not start');
    return 1;
  }
  const collector = running;
  return new Promise<number>((resolve) => {
    const shutdown = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'shutting down: finishing requests in flight');
      const force = setTimeout(() => {
        log.error('shutdown took too long; exiting');
        resolve(1);
      }, SHUTDOWN_GRACE_MS);
      force.unref();
      collector.stop().then(
        () => {
          clearTimeout(force);
          resolve(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

async function maintenance(
  command: Exclude<Command, 'serve' | 'demo-data'>,
  config: CollectorConfig,
  log: Logger,
  range: { day?: string; from?: string; to?: string },
): Promise<number> {
  const now = new Date();
  const days = command === 'aggregate' ? dayRange(range, now) : [];
  if (typeof days === 'string') {
    process.stderr.write(`${days}\n`);
    return 2;
  }
  let store: Store;
  try {
    store = await Store.open(storeLocation(config));
  } catch (err) {
    log.fatal({ reason: err instanceof Error ? err.message : String(err) }, 'cannot open the store');
    return 1;
  }
  try {
    if (command === 'prune') {
      await runDailyJob(store, now, config.retentionDays, log);
    } else {
      for (const day of days) {
        const outcome = await rollUpFinishedDay(store, day, now, config.retentionDays);
        log.info(outcome, `aggregate ${day}: ${outcome.status}`);
        process.stdout.write(`${JSON.stringify(outcome)}\n`);
      }
    }
    return 0;
  } catch (err) {
    log.error({ err }, `${command} failed`);
    return 1;
  } finally {
    await store.close();
  }
}

/** The days an `aggregate` command names, or a message saying what is wrong. */
function dayRange(range: { day?: string; from?: string; to?: string }, now: Date): string[] | string {
  if (range.day && (range.from || range.to)) return 'Give either --day or --from/--to, not both.';
  const from = range.day ?? range.from ?? addDays(dayOf(now), -1);
  const to = range.day ?? range.to ?? from;
  for (const [flag, value] of [['--from/--day', from], ['--to', to]] as const) {
    if (!isDay(value)) return `${flag}: must be a day written YYYY-MM-DD (got "${value}")`;
  }
  if (from > to) return `--from (${from}) is after --to (${to})`;
  if (to > addDays(from, MAX_AGGREGATE_DAYS - 1)) return `--from/--to: at most ${MAX_AGGREGATE_DAYS} days at once (got ${from} to ${to})`;
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}
