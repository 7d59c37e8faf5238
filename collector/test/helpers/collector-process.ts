import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Report } from '@node-red-telemetry/protocol';
import { RunningCollector, startCollector } from '../../src/collector';
import { CollectorConfig, DEFAULTS } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { StoreLocation } from '../../src/store/connect';
import { Store, StoreOptions } from '../../src/store/store';
import { freshDatabase } from './postgres';
import type { StoreFiles } from './tables';

export const COLLECTOR_BIN = path.resolve(__dirname, '../../bin/node-red-telemetry-collector.js');

export type StoreKind = 'sqlite' | 'postgres';

/** New storage for a collector: a temporary data directory and, for PostgreSQL, a new database. */
export async function freshStore(kind: StoreKind): Promise<StoreFiles> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nrt-collector-'));
  return kind === 'postgres' ? { dataDir, databaseUrl: await freshDatabase() } : { dataDir };
}

/** Where the collector keeps `files`: their database when they have one, else the SQLite file in their directory. */
export function locationOf(files: StoreFiles): StoreLocation {
  return files.databaseUrl ? { kind: 'postgres', url: files.databaseUrl } : { kind: 'sqlite', dataDir: files.dataDir };
}

/** The store on `files`, opened as the collector opens it (migrations applied). */
export function openStore(files: StoreFiles, options?: StoreOptions): Promise<Store> {
  return Store.open(locationOf(files), options);
}

export interface InProcessOptions {
  /** New storage of this kind (SQLite by default), or storage a test has prepared. */
  store?: StoreKind | StoreFiles;
  /** Over DEFAULTS, with port 0 and the store's data directory and database. */
  config?: Partial<CollectorConfig>;
  /** Where it logs; nowhere by default. */
  log?: ReturnType<typeof createLogger>;
  /** startCollector's third argument as given: its options (a clock, store options), or a clock as a bare function. */
  options?: Parameters<typeof startCollector>[2];
}

/** A collector in the test's process, and the storage it runs on. */
export type InProcessCollector = RunningCollector & { files: StoreFiles };

/**
 * The collector in this process (startCollector), for tests that hold its clock
 * or its store: the real HTTP server on 127.0.0.1 and a real database.
 */
export async function startInProcess(options: InProcessOptions = {}): Promise<InProcessCollector> {
  const files = typeof options.store === 'object' ? options.store : await freshStore(options.store ?? 'sqlite');
  const config: CollectorConfig = { ...DEFAULTS, port: 0, data: files.dataDir, databaseUrl: files.databaseUrl, ...options.config };
  const collector = await startCollector(config, options.log ?? createLogger('silent'), options.options);
  return Object.assign(collector, { files });
}

export interface StartOptions {
  /** New storage of this kind, or storage a test has prepared (a restart, a seeded store). */
  store: StoreKind | StoreFiles;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Written as a JSON config file and passed with --config. */
  config?: Record<string, unknown>;
  /**
   * The child's output goes to a file in its data directory, read only when
   * asked for, instead of into this process: a benchmark's load generator must
   * not also spend its CPU receiving and keeping every log line.
   */
  logToFile?: boolean;
  /** Another copy of the collector's bin (an installed package's); this checkout's by default. */
  bin?: string;
}

/** An answer from the collector, body parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  text: string;
}

/** The source address of every test request, so that it can be searched for in logs and tables. */
export const TEST_CLIENT_ADDRESS = '127.0.0.23';

const running = new Set<CollectorProcess>();

/**
 * The collector as operators run it: the published bin in a child process,
 * listening on 127.0.0.1 with a port of its choosing, logs captured.
 */
export class CollectorProcess {
  private readonly piped: string[] = [];
  private readonly lineListeners = new Set<(line: string) => void>();
  url = '';
  private exit: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
    readonly databaseUrl: string | undefined,
    private readonly logFile: string | undefined,
  ) {
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // Whole lines: a busy log's line often spans two chunks of the pipe.
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        if (!line) return;
        this.piped.push(line);
        // A copy: a listener added by a listener starts with the next line, having had this one.
        for (const listener of [...this.lineListeners]) {
          try {
            listener(line);
          } catch (err) {
            // Thrown here, it would end the stream's reading for every other listener: it is dropped
            // and the error surfaces on its own turn, as any uncaught one.
            this.lineListeners.delete(listener);
            process.nextTick(() => {
              throw err;
            });
          }
        }
      });
    }
  }

  static async start(options: StartOptions): Promise<CollectorProcess> {
    const { dataDir, databaseUrl } = typeof options.store === 'object' ? options.store : await freshStore(options.store);
    const args = ['--port', '0', '--data', dataDir, ...(options.args ?? [])];
    if (databaseUrl) args.push('--database-url', databaseUrl);
    if (options.config) {
      const file = path.join(dataDir, 'collector.json');
      writeFileSync(file, JSON.stringify(options.config));
      args.push('--config', file);
    }
    const logFile = options.logToFile ? path.join(dataDir, 'collector.log') : undefined;
    const output = logFile ? openSync(logFile, 'a') : 'pipe';
    const child = spawn(process.execPath, [options.bin ?? COLLECTOR_BIN, ...args], {
      env: { PATH: process.env.PATH, ...options.env },
      stdio: ['ignore', output, output],
    });
    if (typeof output === 'number') closeSync(output);
    const collector = new CollectorProcess(child, dataDir, databaseUrl, logFile);
    running.add(collector);
    collector.url = await collector.waitForListening();
    return collector;
  }

  /** What the child has written to stdout and stderr so far, line by line. */
  get lines(): string[] {
    if (!this.logFile) return this.piped;
    return readFileSync(this.logFile, 'utf8').split('\n').filter(Boolean);
  }

  /**
   * Calls `listener` with each line captured so far, then with every line as
   * it is read, until the function returned is called: no line is missed or
   * seen twice between the two. Piped output only (not `logToFile`).
   */
  eachLine(listener: (line: string) => void): () => void {
    if (this.logFile) throw new Error('eachLine reads piped output; this collector logs to a file');
    this.piped.forEach(listener);
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /** The log lines parsed as JSON (pino), skipping anything else. */
  logs(): Array<Record<string, unknown>> {
    return this.lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  async waitForLog(predicate: (entry: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs().find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such log line within ${timeoutMs} ms; log:\n${this.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async waitForListening(): Promise<string> {
    const exited = this.exit.then((code) => {
      throw new Error(`collector exited with ${code} before listening:\n${this.lines.join('\n')}`);
    });
    const listening = this.waitForLog((e) => typeof e.url === 'string' && e.msg === `collector listening on ${e.url}`, 20_000);
    const entry = await Promise.race([listening, exited]);
    return String(entry.url);
  }

  /** A request from TEST_CLIENT_ADDRESS. */
  request(method: string, urlPath: string, body?: string | object, headers: http.OutgoingHttpHeaders = {}): Promise<Answer> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const target = new URL(urlPath, this.url);
    return new Promise((resolve, reject) => {
      const req = http.request(
        target,
        {
          method,
          localAddress: TEST_CLIENT_ADDRESS,
          agent: false,
          timeout: 10_000,
          headers: {
            ...(payload !== undefined && typeof body === 'object' ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Sends a signal and resolves to the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const code = await this.exit;
    running.delete(this);
    return code;
  }

  exited(): Promise<number | null> {
    return this.exit;
  }
}

/**
 * Registers an `afterEach` in the calling `describe`: every collector a test
 * started through the returned `start` is stopped (SIGTERM) after it, and the
 * test fails unless each exited with 0. Register it after the Node-REDs'
 * fixture (useNodeRed), so that they stop before the collector they report to.
 */
export function useCollectorProcesses(): { start(options: StartOptions): Promise<CollectorProcess> } {
  const started: CollectorProcess[] = [];
  afterEach(async () => {
    const codes = await Promise.all(started.splice(0).map((collector) => collector.stop()));
    for (const code of codes) assert.equal(code, 0, 'the collector exits with 0 when stopped');
  });
  return {
    async start(options: StartOptions): Promise<CollectorProcess> {
      const collector = await CollectorProcess.start(options);
      started.push(collector);
      return collector;
    },
  };
}

/** Stops every collector a test started, even after a failure. */
export async function stopAllCollectors(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop('SIGKILL')));
}

/** POSTs a report to a collector at `baseUrl` as the plugin does; resolves to the HTTP status. */
export async function postReport(baseUrl: string, body: object): Promise<number> {
  const res = await fetch(`${baseUrl}/ping`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

/** A report as the plugin sends it, with fields overridden. */
export function report(overrides: Record<string, unknown> = {}, instance = 1): Report & Record<string, unknown> {
  return {
    instanceId: `instance${String(instance).padStart(8, '0')}`,
    os: { type: 'Linux', release: '6.1.0-18-amd64', arch: 'x64' },
    env: { nodejs: '20.11.1', 'node-red': '4.1.0' },
    ...overrides,
  };
}
