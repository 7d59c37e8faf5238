import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Runtime } from './runtimes';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Variables that would change the plugin's decision or route its traffic; the machine's own must not leak in. */
const CONTROLLED_ENV = ['NODE_RED_DISABLE_TELEMETRY', 'DO_NOT_TRACK', 'NODE_RED_TELEMETRY_DEBUG', 'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];

const running = new Set<NodeRedChild>();

/**
 * A real Node-RED of one matrix row (its own `red.js`, run by its own Node.js) in a child process,
 * with a temporary user directory and the plugin loaded from this checkout.
 *
 * test/helpers/node-red.ts does the same for the two devDependency releases on the Node.js running
 * the tests; this one also takes the executable and the `red.js`, which the matrix needs.
 */
export class NodeRedChild {
  output = '';
  port = 0;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly userDir: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  static async start(runtime: Runtime, settings: Record<string, unknown>, runtimeSettings: Record<string, unknown>): Promise<NodeRedChild> {
    const userDir = mkdtempSync(path.join(os.tmpdir(), `nrt-compat-${runtime.line}-`));
    const settingsFile = path.join(userDir, 'settings.js');
    const merged = {
      uiHost: '127.0.0.1',
      flowFile: 'flows.json',
      credentialSecret: 'test',
      nodesDir: [REPO_ROOT],
      lang: 'en-US',
      logging: { console: { level: 'debug', metrics: false, audit: false } },
      // No palette catalogue and no tour: the editor would fetch the catalogue from the internet.
      editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },
      ...settings,
    };
    writeFileSync(settingsFile, `module.exports = ${JSON.stringify(merged, null, 2)};\n`);
    writeFileSync(path.join(userDir, '.config.runtime.json'), JSON.stringify(runtimeSettings));
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of CONTROLLED_ENV) delete env[name];
    const child = spawn(runtime.node, [runtime.redJs, '-u', userDir, '-s', settingsFile, '-p', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const red = new NodeRedChild(userDir, child);
    running.add(red);
    const match = await red.waitForLog(/Server now running at http:\/\/127\.0\.0\.1:(\d+)\//, 30_000);
    red.port = Number(match[1]);
    return red;
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

  /** The plugin's log lines at `level`, e.g. "... [error] [node-red-telemetry] ...". */
  pluginLines(level: 'info' | 'warn' | 'error'): string[] {
    return this.output.split('\n').filter((l) => l.includes(`[${level}] [node-red-telemetry]`));
  }

  // any: the JSON of whatever the endpoint answers; each test narrows it by what it asserts.
  async api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(this.baseUrl + route, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: text };
    }
  }

  /** Stops Node-RED as Ctrl-C does; resolves to its exit code. */
  async stop(): Promise<number | null> {
    running.delete(this);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Kills whatever a failed test left running. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((red) => red.stop()));
}
