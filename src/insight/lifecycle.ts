import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEPLOY_TYPES, ERROR_NAME_PATTERN, LifecycleEvent, LOCAL_MODULE, NPM_NAME_PATTERN, reportableErrorName, UNKNOWN_MODULE } from '@node-red-telemetry/protocol/insight';
import { countGraph } from './flows';
import { dayOf } from './event-queue';

const ERROR_NAME = new RegExp(ERROR_NAME_PATTERN);
const NPM_NAME = new RegExp(NPM_NAME_PATTERN);
/** A stack frame's location: `(file:line:col)` or a bare `at file:line:col`. */
const FRAME = /^\s*at (?:.*?\()?(.+?):\d+:\d+\)?\s*$/;
/** Node-RED names a Function node's scripts `Function node:<id> [<name>]`, `Function node setup:...`, `Function node cleanup:...`. */
const FUNCTION_NODE_FRAME = /^\s*at (?:[^(]*\()?Function node\b/;

/**
 * The constructor of what was thrown (`TypeError`), never its message; only a
 * built-in name leaves the instance, any other class is `other` (see {@link reportableErrorName}).
 */
export function errorName(err: unknown): string {
  let name: unknown;
  try {
    name = err !== null && typeof err === 'object' ? (err as { constructor?: { name?: unknown } }).constructor?.name : typeof err;
  } catch {
    name = undefined;
  }
  return typeof name === 'string' && ERROR_NAME.test(name) ? reportableErrorName(name) : 'Error';
}

function isCore(name: string): boolean {
  return name === 'node-red' || name.startsWith('@node-red/');
}

/** A package found for a file: its name and the folder its package.json is in. */
export interface FoundPackage {
  name: string;
  root: string;
}

/** Finds the package a file belongs to: the nearest package.json with a name, up the tree. */
export type PackageOf = (file: string) => FoundPackage | null;

export function nearestPackage(file: string): FoundPackage | null {
  let dir = path.dirname(file);
  for (let depth = 0; depth < 40; depth++) {
    const manifest = path.join(dir, 'package.json');
    try {
      if (existsSync(manifest)) {
        const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
        if (typeof name === 'string' && name !== '') return { name, root: dir };
      }
    } catch {
      /* unreadable manifest: keep looking up */
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
  return null;
}

/**
 * Whether a package folder is one npm installed: `node_modules/<name>` or
 * `node_modules/@scope/<name>`, by its real path (Node.js resolves links, so a
 * package linked in from elsewhere, `npm link` or `file:`, is not installed).
 */
export function isInstalledPackage(root: string, userDir: string | undefined): boolean {
  if (userDir !== undefined && path.resolve(root) === path.resolve(userDir)) return false;
  const parent = path.dirname(root);
  if (path.basename(parent) === 'node_modules') return true;
  return path.basename(parent).startsWith('@') && path.basename(path.dirname(parent)) === 'node_modules';
}

/**
 * The npm module to blame for a crash, from the topmost stack frame that is
 * neither Node.js (`node:` and other non-file frames) nor Node-RED itself
 * (`node-red`, `@node-red/*`):
 * - inside an installed package that is not the user directory's own: its npm name;
 * - anything else, the user's own code (a local node, the user directory's
 *   project, a Function node, a linked package, a file in no package): `local`,
 *   since those names are chosen by the user;
 * - no such frame: `unknown`.
 * Only a valid npm name or one of those two words leaves this function, never a path.
 */
export function crashModule(stack: unknown, userDir?: string, packageOf: PackageOf = nearestPackage): string {
  if (typeof stack !== 'string') return UNKNOWN_MODULE;
  for (const line of stack.split('\n').slice(1, 60)) {
    // Tested on the whole line: a node's name may hold "(", which FRAME would take for the location's start.
    if (FUNCTION_NODE_FRAME.test(line)) return LOCAL_MODULE;
    const location = FRAME.exec(line)?.[1];
    if (!location) continue;
    let file = location;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (!path.isAbsolute(file)) continue; // node:internal, native, eval
    const found = packageOf(file);
    if (found && isCore(found.name)) continue;
    if (!found || !isInstalledPackage(found.root, userDir)) return LOCAL_MODULE;
    return NPM_NAME.test(found.name) ? found.name : UNKNOWN_MODULE;
  }
  return UNKNOWN_MODULE;
}

export function crashEvent(err: unknown, now: number, userDir?: string, packageOf?: PackageOf): LifecycleEvent {
  let stack: unknown;
  try {
    stack = err !== null && typeof err === 'object' ? (err as { stack?: unknown }).stack : undefined;
  } catch {
    stack = undefined;
  }
  return { type: 'crash', day: dayOf(now), error: errorName(err), module: crashModule(stack, userDir, packageOf) };
}

/** A deploy, Flowise-style: its kind and the shape of the resulting graph, no content. */
export function deployEvent(type: unknown, flows: readonly unknown[], now: number): LifecycleEvent | null {
  if (!(DEPLOY_TYPES as readonly unknown[]).includes(type)) return null;
  return { type: 'deploy', day: dayOf(now), deploy: type as (typeof DEPLOY_TYPES)[number], graph: countGraph(flows).graph };
}

export function simpleEvent(type: 'start' | 'stop', now: number): LifecycleEvent {
  return { type, day: dayOf(now) };
}

/** Where process-level events go; swapped when the plugin restarts in the same process. */
export interface ProcessEventSink {
  crash(err: unknown): void;
  exit(code: number): void;
}

let sink: ProcessEventSink | null = null;
let hooked = false;

/**
 * Hooks the process once: `uncaughtExceptionMonitor` sees an uncaught
 * exception or unhandled rejection before Node-RED's handler exits (it
 * changes nothing about how the process ends), `exit` sees a clean stop.
 */
export function watchProcess(next: ProcessEventSink | null): void {
  sink = next;
  if (hooked || !next) return;
  hooked = true;
  process.on('uncaughtExceptionMonitor', (err) => {
    try {
      sink?.crash(err);
    } catch {
      /* the process is ending already */
    }
  });
  process.on('exit', (code) => {
    try {
      sink?.exit(code);
    } catch {
      /* the process is ending already */
    }
  });
}
