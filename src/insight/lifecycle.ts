import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEPLOY_TYPES, ERROR_NAME_PATTERN, LifecycleEvent, NPM_NAME_PATTERN, UNKNOWN_MODULE } from '../schema';
import { countGraph } from './flows';
import { dayOf } from './event-queue';

const ERROR_NAME = new RegExp(ERROR_NAME_PATTERN);
const NPM_NAME = new RegExp(NPM_NAME_PATTERN);
/** A stack frame's location: `(file:line:col)` or a bare `at file:line:col`. */
const FRAME = /^\s*at (?:.*?\()?(.+?):\d+:\d+\)?\s*$/;

/** The constructor of what was thrown (`TypeError`), never its message. */
export function errorName(err: unknown): string {
  let name: unknown;
  try {
    name = err !== null && typeof err === 'object' ? (err as { constructor?: { name?: unknown } }).constructor?.name : typeof err;
  } catch {
    name = undefined;
  }
  return typeof name === 'string' && ERROR_NAME.test(name) ? name : 'Error';
}

function isCore(name: string): boolean {
  return name === 'node-red' || name.startsWith('@node-red/');
}

/** Finds the package a file belongs to: the nearest package.json with a name, up the tree. */
export type PackageOf = (file: string) => string | null;

export function nearestPackage(file: string): string | null {
  let dir = path.dirname(file);
  for (let depth = 0; depth < 40; depth++) {
    const manifest = path.join(dir, 'package.json');
    try {
      if (existsSync(manifest)) {
        const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
        if (typeof name === 'string' && name !== '') return name;
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
 * The npm module to blame for a crash: the package of the topmost stack
 * frame that is neither Node.js (`node:` and other non-file frames) nor
 * Node-RED itself (`node-red`, `@node-red/*`). Only a valid npm name leaves
 * this function, never a path; `unknown` when no frame qualifies.
 */
export function crashModule(stack: unknown, packageOf: PackageOf = nearestPackage): string {
  if (typeof stack !== 'string') return UNKNOWN_MODULE;
  for (const line of stack.split('\n').slice(1, 60)) {
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
    const name = packageOf(file);
    if (name === null) return UNKNOWN_MODULE;
    if (isCore(name)) continue;
    return NPM_NAME.test(name) ? name : UNKNOWN_MODULE;
  }
  return UNKNOWN_MODULE;
}

export function crashEvent(err: unknown, now: number, packageOf?: PackageOf): LifecycleEvent {
  let stack: unknown;
  try {
    stack = err !== null && typeof err === 'object' ? (err as { stack?: unknown }).stack : undefined;
  } catch {
    stack = undefined;
  }
  return { type: 'crash', day: dayOf(now), error: errorName(err), module: crashModule(stack, packageOf) };
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
