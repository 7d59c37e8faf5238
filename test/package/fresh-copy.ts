import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The workspace packages npm links into node_modules, by the folder each is in. */
const WORKSPACE_LINKS: Record<string, string> = { '@node-red-telemetry/protocol': 'protocol', 'node-red-telemetry-collector': 'collector' };

/**
 * The copy's node_modules: this checkout's installed packages, linked one by one, and the
 * workspace's own packages linked to the copy's folders, so that the copy builds against the
 * protocol it holds, never against this checkout's build of it (which another command may be
 * rewriting at that moment).
 */
function linkModules(dir: string): void {
  const from = path.join(REPO_ROOT, 'node_modules');
  const to = path.join(dir, 'node_modules');
  const link = (name: string): void => symlinkSync(WORKSPACE_LINKS[name] ? path.join(dir, WORKSPACE_LINKS[name]) : path.join(from, name), path.join(to, name), 'dir');
  mkdirSync(to);
  for (const entry of readdirSync(from)) {
    if (!entry.startsWith('@')) {
      link(entry);
      continue;
    }
    mkdirSync(path.join(to, entry));
    for (const scoped of readdirSync(path.join(from, entry))) link(`${entry}/${scoped}`);
  }
}

/**
 * What a fresh clone of the working tree holds (tracked files and new ones git does not ignore),
 * copied to a temporary directory, with this checkout's installed packages linked in for the build.
 * Packing there runs the packages' own prepack scripts without touching this checkout's dist/.
 */
export function freshCopy(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nrt-pack-'));
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  for (const file of listed.split('\0').filter(Boolean)) {
    const from = path.join(REPO_ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree, not yet in git
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    copyFileSync(from, path.join(dir, file));
  }
  linkModules(dir);
  return dir;
}

export interface PackedFile {
  path: string;
  size: number;
}

/** The environment for an npm child: without the npm_* settings an `npm test` running us exports. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^npm_/i.test(name)) env[name] = value;
  return env;
}

/** Runs npm in `cwd` (with `env` added); resolves to what it printed, or throws with it when npm fails. */
export function npm(cwd: string, args: string[], env: Record<string, string> = {}): { stdout: string; stderr: string } {
  const result = spawnSync('npm', args, { cwd, env: { ...npmEnv(), ...env }, encoding: 'utf8', shell: process.platform === 'win32' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** The JSON npm prints with --json, after whatever the package's prepack script printed. */
function packJson(stdout: string): Array<{ filename: string; files: PackedFile[] }> {
  return JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as Array<{ filename: string; files: PackedFile[] }>;
}

/** `npm pack --dry-run --json` in `dir` (optionally for one workspace): the files the tarball would hold. */
export function packedFiles(dir: string, workspace?: string): PackedFile[] {
  const [pack] = packJson(npm(dir, ['pack', '--dry-run', '--json', ...(workspace ? ['--workspace', workspace] : [])]).stdout);
  return pack.files;
}

/** `npm pack` in `dir` (optionally for one workspace), as a publisher runs it (prepack included): the tarball's path. */
export function packTarball(dir: string, workspace?: string): string {
  const destination = mkdtempSync(path.join(os.tmpdir(), 'nrt-tgz-'));
  const [pack] = packJson(npm(dir, ['pack', '--json', '--pack-destination', destination, ...(workspace ? ['--workspace', workspace] : [])]).stdout);
  return path.join(destination, pack.filename);
}

/** Every file under `dir`, relative to `root`, with forward slashes. */
export function filesUnder(root: string, dir: string): string[] {
  const absolute = path.join(root, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/** What {@link usePackedTarball} gives a suite. */
export interface PackedTarball {
  /** The tarball `npm pack` made, ready once the suite's first `before` hook has run. */
  readonly tarball: string;
  /** A new temporary directory, removed after the suite. */
  tempDir(prefix: string): string;
  /** A Node-RED user directory as Node-RED creates one, with nothing installed; removed after the suite. */
  emptyUserDir(): string;
}

/**
 * Registers hooks in the calling `describe`: before its tests, the package (the plugin, or
 * `workspace`) packed from a fresh copy as a publisher packs it; after them, the copy, the tarball
 * and every directory made through the fixture removed.
 */
export function usePackedTarball(workspace?: string): PackedTarball {
  let tarball = '';
  const made: string[] = [];
  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
  before(() => {
    const copy = freshCopy();
    made.push(copy);
    tarball = packTarball(copy, workspace);
    made.push(path.dirname(tarball));
  });
  after(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get tarball(): string {
      if (!tarball) throw new Error('no tarball before the suite of usePackedTarball() has packed it');
      return tarball;
    },
    tempDir,
    emptyUserDir() {
      const dir = tempDir('nrt-userdir-');
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', version: '0.0.1', private: true }));
      return dir;
    },
  };
}

/** Manage palette → Install → upload: what the editor's upload button sends to a Node-RED at `baseUrl`. */
export async function uploadTarball(baseUrl: string, tarball: string): Promise<Response> {
  const form = new FormData();
  form.append('tarball', new Blob([readFileSync(tarball)], { type: 'application/gzip' }), path.basename(tarball));
  return fetch(`${baseUrl}/nodes`, { method: 'POST', body: form });
}
