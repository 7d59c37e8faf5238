/**
 * Starting the Node-REDs the plugin benchmarks compare: a real `red.js` in a
 * child process (the tests' helper), with or without the plugin, each with
 * mem-hook.js preloaded so that its memory is read after a forced collection.
 */
import path from 'node:path';
import { NodeRedProcess, REPO_ROOT } from '../../test/helpers/node-red';
import { sleep } from './stats';

/** The plugin package measured: this checkout, or another build of it (BENCH_PLUGIN_ROOT, e.g. a copy of the code before a change). */
export const PLUGIN_ROOT = process.env.BENCH_PLUGIN_ROOT ? path.resolve(process.env.BENCH_PLUGIN_ROOT) : REPO_ROOT;
/** The Node.js 22 of the compatibility matrix (test/compat/runtimes/node22, installed by `npm run test:compat`). */
export const NODE22 = path.join(REPO_ROOT, 'test', 'compat', 'runtimes', 'node22', 'node_modules', 'node', 'bin', 'node');
export const GROUPS = ['flows', 'features', 'environment', 'lifecycle'];

const HOOK = path.join(__dirname, 'mem-hook.js');

export interface Setup {
  /** Whether Node-RED loads the plugin at all. */
  plugin: boolean;
  /** The `telemetry` section of settings.js. */
  telemetry: Record<string, unknown>;
  /** The plugin's stored state (`.config.runtime.json`): a choice made in the editor earlier. */
  stored?: Record<string, unknown>;
  /** The Node.js executable; the one running the benchmark by default. */
  node?: string;
  /** More environment variables. */
  env?: Record<string, string>;
}

export interface Started {
  red: NodeRedProcess;
  /** From the spawn to Node-RED's "Server now running". */
  startMs: number;
}

export async function startNodeRed(setup: Setup): Promise<Started> {
  const started = process.hrtime.bigint();
  const red = await NodeRedProcess.start({
    node: setup.node,
    startTimeoutMs: 60_000,
    settings: {
      nodesDir: setup.plugin ? [PLUGIN_ROOT] : [],
      logging: { console: { level: 'info', metrics: false, audit: false } },
      telemetry: setup.telemetry,
    },
    runtimeSettings: setup.stored ? { 'node-red-telemetry': setup.stored } : undefined,
    env: { ...setup.env, NODE_OPTIONS: `--require ${HOOK}` },
  });
  const startMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (setup.plugin !== red.output.includes('[node-red-telemetry]')) throw new Error(`plugin ${setup.plugin ? 'missing' : 'present'}:\n${red.output}`);
  return { red, startMs };
}

/** Memory after two forced collections, as mem-hook.js prints it on SIGWINCH: RSS, and the V8 heap in use (steadier). */
export async function settledMemory(red: NodeRedProcess): Promise<{ rss: number; heap: number }> {
  const pattern = /BENCH-MEM rss=(\d+) heap=(\d+)/g;
  const seen = red.output.match(pattern)?.length ?? 0;
  if (!red.alive) throw new Error(`Node-RED is not running:\n${red.output}`);
  process.kill(red.pid, 'SIGWINCH');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const all = [...red.output.matchAll(pattern)];
    if (all.length > seen) return { rss: Number(all[all.length - 1][1]), heap: Number(all[all.length - 1][2]) };
    if (Date.now() > deadline) throw new Error(`no memory figure from Node-RED:\n${red.output}`);
    await sleep(20);
  }
}
