import { ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { TestCollector } from './collector';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Node-RED 4.1 (the devDependency `node-red`), or 3.1 (installed as `node-red-v3`). */
const RED_JS = {
  '4': require.resolve('node-red/red.js', { paths: [REPO_ROOT] }),
  '3': require.resolve('node-red-v3/red.js', { paths: [REPO_ROOT] }),
};

/** Variables that would change the plugin's decision; removed so the machine's own environment cannot leak in. */
const CONTROLLED_ENV = [
  'NODE_RED_DISABLE_TELEMETRY',
  'DO_NOT_TRACK',
  'NODE_RED_TELEMETRY_DEBUG',
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'NO_PROXY',
  'no_proxy',
];

export interface NodeRedOptions {
  /** Which Node-RED major version to run; 4 by default. */
  version?: '3' | '4';
  /** Another Node-RED's `red.js` (the compatibility matrix's releases); wins over `version`. */
  redJs?: string;
  /** The Node.js executable that runs it; the one running the tests by default. */
  node?: string;
  /** How long start-up may take, from the spawn to "Server now running"; 20 s by default. */
  startTimeoutMs?: number;
  /** Merged over the base settings; must be JSON-serialisable. */
  settings?: Record<string, unknown>;
  args?: string[];
  env?: Record<string, string>;
  /** Reuse a user directory, as a restart does. */
  userDir?: string;
  /** Written to `.config.runtime.json` before start. */
  runtimeSettings?: Record<string, unknown>;
  /** Extra files in the user directory, by path relative to it (written after `modules`). */
  files?: Record<string, string>;
  /**
   * Node module folders (test/fixtures/...) installed as the palette manager
   * does: copied into `<userDir>/node_modules` and listed in `<userDir>/package.json`.
   */
  modules?: string[];
}

/**
 * How many Node-RED modules sit in this checkout's node_modules (the dark theme the browser tests
 * use): Node-RED's scan walks up from its own nodes into that folder and loads them, so every
 * Node-RED a test starts has them loaded, and a count of loaded modules includes them.
 */
export function modulesBesideNodeRed(): number {
  const root = path.join(REPO_ROOT, 'node_modules');
  const names = readdirSync(root).flatMap((name) => (name.startsWith('@') ? readdirSync(path.join(root, name)).map((m) => `${name}/${m}`) : [name]));
  return names.filter((name) => {
    try {
      return Boolean((JSON.parse(readFileSync(path.join(root, name, 'package.json'), 'utf8')) as { 'node-red'?: unknown })['node-red']);
    } catch {
      return false;
    }
  }).length;
}

/** A test fixture package under test/fixtures. */
export function fixture(name: string): string {
  return path.join(REPO_ROOT, 'test', 'fixtures', name);
}

function installModules(userDir: string, modules: string[]): void {
  const dependencies: Record<string, string> = {};
  for (const dir of modules) {
    const name = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string }).name;
    mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
    // Copied, as the palette manager installs a module: a link would make Node.js see the module's
    // real path outside node_modules, where a crash in it counts as the user's own code.
    const target = path.join(userDir, 'node_modules', name);
    if (!existsSync(target)) cpSync(dir, target, { recursive: true });
    dependencies[name] = '1.0.0';
  }
  writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true, dependencies }, null, 2));
}

export interface ApiResponse {
  status: number;
  // any: the JSON of whatever the endpoint answers; each test narrows it by what it asserts.
  body: any;
}

const running = new Set<NodeRedProcess>();

/**
 * How many Node-REDs may be starting at once, in this test process. A start is
 * seconds of CPU; a suite that starts a dozen at once would make each wait for
 * the others on a 2-core machine (all the more on a loaded one) until its start
 * timed out. A start waits for a free slot first; its timeout runs from the
 * spawn, and the slot is freed once it listens (or failed to). Once started, a
 * Node-RED mostly waits, so the number running is not limited.
 */
export const MAX_STARTING = Number(process.env.NRT_TEST_MAX_STARTING) || Math.min(4, Math.max(2, os.availableParallelism()));
let starting = 0;
const waitingToStart: Array<() => void> = [];

async function startSlot(): Promise<() => void> {
  if (starting >= MAX_STARTING) await new Promise<void>((resolve) => waitingToStart.push(resolve));
  else starting++;
  let freed = false;
  return () => {
    if (freed) return;
    freed = true;
    // The slot passes straight to the next in line, or is given back.
    const next = waitingToStart.shift();
    if (next) next();
    else starting--;
  };
}

/** The password of every user {@link adminAuth} makes. */
export const PASSWORD = 'password';

/** An `adminAuth` setting with one user per entry: username -> Node-RED permissions. */
export function adminAuth(users: Record<string, string | string[]>): Record<string, unknown> {
  const password = bcrypt.hashSync(PASSWORD, 4);
  return { type: 'credentials', users: Object.entries(users).map(([username, permissions]) => ({ username, password, permissions })) };
}

/** A real Node-RED (`red.js`) in a child process, with the plugin loaded from this checkout. */
export class NodeRedProcess {
  output = '';
  port = 0;
  private exited: Promise<number | null>;

  private constructor(
    readonly userDir: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /**
   * Starts Node-RED (4.1 unless `version`, `redJs` or `node` say otherwise) with a
   * temporary user directory, or `userDir`, and resolves once it listens.
   */
  static async start(options: NodeRedOptions = {}): Promise<NodeRedProcess> {
    const userDir = options.userDir ?? mkdtempSync(path.join(os.tmpdir(), 'nrt-'));
    const settings = {
      uiHost: '127.0.0.1',
      flowFile: 'flows.json',
      credentialSecret: 'test',
      nodesDir: [REPO_ROOT],
      lang: 'en-US',
      logging: { console: { level: 'debug', metrics: false, audit: false } },
      // No palette catalogue: the editor would fetch it from the internet.
      editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },
      ...options.settings,
    };
    const settingsFile = path.join(userDir, 'settings.js');
    writeFileSync(settingsFile, `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
    if (options.runtimeSettings) {
      writeFileSync(path.join(userDir, '.config.runtime.json'), JSON.stringify(options.runtimeSettings));
    }
    if (options.modules) installModules(userDir, options.modules);
    for (const [name, content] of Object.entries(options.files ?? {})) {
      mkdirSync(path.dirname(path.join(userDir, name)), { recursive: true });
      writeFileSync(path.join(userDir, name), content);
    }
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of CONTROLLED_ENV) delete env[name];
    Object.assign(env, options.env);
    const redJs = options.redJs ?? RED_JS[options.version ?? '4'];
    const free = await startSlot();
    try {
      const child = spawn(options.node ?? process.execPath, [redJs, '-u', userDir, '-s', settingsFile, '-p', '0', ...(options.args ?? [])], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const red = new NodeRedProcess(userDir, child);
      running.add(red);
      const match = await red.waitForLog(/Server now running at http:\/\/127\.0\.0\.1:(\d+)\//, options.startTimeoutMs ?? 20000);
      red.port = Number(match[1]);
      return red;
    } finally {
      free();
    }
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async waitForLog(pattern: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null) throw new Error(`Node-RED exited (${this.child.exitCode}) before ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no log line matching ${pattern} in ${timeoutMs}ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Lines of this plugin's log output, each with its level, e.g. "[warn] [node-red-telemetry] ...". */
  pluginLines(level?: 'info' | 'warn' | 'error' | 'debug'): string[] {
    const lines = this.output.split('\n').filter((l) => l.includes('[node-red-telemetry]'));
    return level ? lines.filter((l) => l.includes(`[${level}] [node-red-telemetry]`)) : lines;
  }

  async api(method: string, route: string, body?: unknown, token?: string, extraHeaders: Record<string, string> = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(this.baseUrl + route, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* keep the text */
    }
    return { status: res.status, body: parsed };
  }

  /** A token with the user's own permissions (an empty scope asks for exactly those). */
  async login(username: string, password = PASSWORD): Promise<string> {
    const res = await fetch(`${this.baseUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '', username, password }),
    });
    if (res.status !== 200) throw new Error(`login as ${username} failed: HTTP ${res.status}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** What Node-RED persisted in `.config.runtime.json`. */
  runtimeSettings(): Record<string, unknown> {
    return JSON.parse(readFileSync(path.join(this.userDir, '.config.runtime.json'), 'utf8')) as Record<string, unknown>;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for Node-RED to end on its own (a crash), with its exit code. */
  async waitForExit(timeoutMs = 10000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Node-RED still running after ${timeoutMs}ms:\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
      running.delete(this);
    }
  }

  /** Stops Node-RED as Ctrl-C does, and waits for the process to end. */
  async stop(): Promise<number | null> {
    running.delete(this);
    if (this.alive) this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Kills whatever a failed test left running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((red) => red.stop()));
}

/** What {@link useNodeRed} gives a suite. */
export interface NodeRedFixture {
  /**
   * The test collector of the running test (with `collector: 'suite'`, of the suite): a stand-in
   * that stays the same object while the collector behind it is new for each test, so it can be
   * destructured once in the `describe`.
   */
  readonly collector: TestCollector;
  /** With `red` among the options: the Node-RED started before the suite's tests (a stand-in, as `collector` is). */
  readonly red: NodeRedProcess;
  /**
   * {@link NodeRedProcess.start}, and the Node-RED stopped after the test that started it, or after
   * the suite when started in a `before` hook or with `until: 'suite'` (tests that take turns with
   * one Node-RED). A function, not a method: suites destructure it.
   */
  readonly start: (options?: NodeRedOptions, until?: 'suite') => Promise<NodeRedProcess>;
}

/** How {@link useNodeRed} sets a suite up. */
export interface NodeRedFixtureOptions {
  /**
   * The test collector: a fresh one for each test (the default), one for the whole suite, or
   * none (suites that report to the real collector).
   */
  collector?: 'test' | 'suite' | 'none';
  /** With `collector: 'suite'`: a Node-RED to start with these options before the suite's tests, as `red`. */
  red?: (collector: TestCollector) => NodeRedOptions;
}

/**
 * Registers hooks in the calling `describe`: the test collector (see
 * {@link NodeRedFixtureOptions}), and after each test every Node-RED it started
 * through `start` stopped, then its collector; the suite's own after the suite.
 * Register a browser first (useChromium in test/helpers/browser.ts) when pages
 * look at these Node-REDs: its pages are then closed before the Node-REDs stop.
 */
export function useNodeRed(options: NodeRedFixtureOptions = {}): NodeRedFixture {
  const perSuite = options.collector === 'suite';
  const perTest = (options.collector ?? 'test') === 'test';
  let current: TestCollector | undefined;
  /** Started during the running test; the others are the suite's. */
  let testStarted: NodeRedProcess[] | undefined;
  const suiteStarted: NodeRedProcess[] = [];
  const newCollector = async (): Promise<void> => {
    current = await new TestCollector().start();
  };
  const stopCollector = async (): Promise<void> => {
    await current?.stop();
    current = undefined;
  };
  const stop = (reds: NodeRedProcess[]): Promise<unknown> => Promise.all(reds.splice(0).map((red) => red.stop()));
  if (perSuite) before(newCollector);
  let suiteRed: NodeRedProcess | undefined;
  const redOptions = options.red;
  if (redOptions) {
    before(async () => {
      suiteRed = await NodeRedProcess.start(redOptions(collector()));
      suiteStarted.push(suiteRed);
    });
  }
  beforeEach(async () => {
    testStarted = [];
    if (perTest) await newCollector();
  });
  afterEach(async () => {
    await stop(testStarted ?? []);
    testStarted = undefined;
    if (perTest) await stopCollector();
  });
  after(async () => {
    await stop(suiteStarted);
    if (perSuite) await stopCollector();
  });

  const collector = (): TestCollector => {
    if (!current) throw new Error('no test collector outside the tests of the suite that called useNodeRed()');
    return current;
  };
  return {
    collector: standIn(collector),
    red: standIn(() => {
      if (!suiteRed) throw new Error("no Node-RED: useNodeRed() starts one before the suite's tests when given `red`");
      return suiteRed;
    }),
    start: async (startOptions?: NodeRedOptions, until?: 'suite'): Promise<NodeRedProcess> => {
      const red = await NodeRedProcess.start(startOptions);
      (until === 'suite' ? suiteStarted : (testStarted ?? suiteStarted)).push(red);
      return red;
    },
  };
}

/** An object that stands for whatever `current()` returns when it is used: for fixtures whose objects are new for each test. */
function standIn<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get: (_, key) => {
      const target = current();
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set: (_, key, value) => Reflect.set(current(), key, value),
  });
}
