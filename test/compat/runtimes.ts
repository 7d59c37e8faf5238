import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** A Node.js 22 binary from the registry's `node` package (Node-RED 5 needs Node.js >= 22.9). */
const NODE22_DIR = path.join(__dirname, 'runtimes', 'node22');
/** The Node-RED releases that are not devDependencies of the plugin, installed with that Node.js 22. */
const NODE_RED_DIR = path.join(__dirname, 'runtimes', 'node-red');
const NODE22_BIN = path.join(NODE22_DIR, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');

/** One row of the compatibility matrix: a Node-RED release and the Node.js that runs it. */
export interface Runtime {
  /** The Node-RED line, as the README's Compatibility table names it. */
  line: string;
  /** What the installed Node-RED's version must satisfy, from the package.json that pins it. */
  range: string;
  /** Node-RED's `red.js`. */
  redJs: string;
  /** The Node.js executable that runs it. */
  node: string;
}

interface PackageJson {
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** "npm:node-red@~3.1.15" or "~4.1.15" -> "~3.1.15" / "~4.1.15". */
function rangeOf(spec: string): string {
  return spec.replace(/^npm:[^@]+@/, '');
}

/**
 * The matrix, oldest first: 3.1 and 4.1 are the plugin's own devDependencies (the other tests use
 * them too) and run on the Node.js running the tests; 4.0 and 5.0 come from runtimes/node-red,
 * 5.0 on the Node.js 22 from runtimes/node22.
 */
export function matrix(): Runtime[] {
  const own = readPackage(REPO_ROOT).devDependencies ?? {};
  const extra = readPackage(NODE_RED_DIR).dependencies ?? {};
  const fromRoot = (alias: string, line: string): Runtime => ({
    line,
    range: rangeOf(own[alias]),
    redJs: require.resolve(`${alias}/red.js`, { paths: [REPO_ROOT] }),
    node: process.execPath,
  });
  const fromCompat = (alias: string, line: string, node: string): Runtime => ({
    line,
    range: rangeOf(extra[alias]),
    redJs: path.join(NODE_RED_DIR, 'node_modules', alias, 'red.js'),
    node,
  });
  return [
    fromRoot('node-red-v3', '3.1'),
    fromCompat('node-red-4.0', '4.0', process.execPath),
    fromRoot('node-red', '4.1'),
    fromCompat('node-red-5.0', '5.0', NODE22_BIN),
  ];
}

/** `v22.23.3` -> "22.23.3", or null when the executable does not run. */
export function nodeVersionOf(executable: string): string | null {
  if (!existsSync(executable)) return null;
  const result = spawnSync(executable, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim().replace(/^v/, '') : null;
}

/** The version of the package installed under `dir`'s node_modules as `alias`, or null. */
function installedVersion(dir: string, alias: string): string | null {
  const file = path.join(dir, 'node_modules', alias, 'package.json');
  return existsSync(file) ? ((JSON.parse(readFileSync(file, 'utf8')) as PackageJson).version ?? null) : null;
}

/** npm's own script: under `npm run` npm says where it is; otherwise the `npm` found on PATH. */
function npmCli(): string {
  const fromNpm = process.env.npm_execpath;
  if (fromNpm && /npm-cli\.c?js$/.test(fromNpm)) return fromNpm;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'npm');
    if (!existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    if (/\.c?js$/.test(real)) return real;
  }
  throw new Error('npm was not found on PATH: the compatibility matrix installs its Node-RED releases and Node.js 22 with it');
}

/** `npm ci` in `dir`, run by `node`; rejects with npm's output when it fails. */
function npmCi(node: string, dir: string): Promise<void> {
  // The parent `npm run` exports its own settings as npm_* variables (prefix, workspace, …);
  // they must not steer an install into another project.
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^npm_/i.test(name)) env[name] = value;
  // Lifecycle scripts run `node` from PATH: the one running npm comes first.
  env.PATH = [path.dirname(node), process.env.PATH ?? ''].join(path.delimiter);
  const child = spawn(node, [npmCli(), 'ci', '--no-audit', '--no-fund'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm ci in ${dir} failed (${code}):\n${output}`))));
  });
}

/**
 * Installs what the matrix needs and is not installed yet, from the npm registry, pinned by the
 * package-lock.json beside each package.json: first Node.js 22, then — run by that Node.js 22, so
 * that Node-RED 5's engines field is met and npm has nothing to warn about — Node-RED 4.0 and 5.0.
 */
export async function ensureInstalled(): Promise<void> {
  const wantedNode = readPackage(NODE22_DIR).dependencies?.node ?? '';
  if (nodeVersionOf(NODE22_BIN) !== wantedNode) await npmCi(process.execPath, NODE22_DIR);
  const got = nodeVersionOf(NODE22_BIN);
  if (got !== wantedNode) throw new Error(`${NODE22_BIN} reports ${got ?? 'nothing'} after npm ci, expected ${wantedNode}`);

  const wanted = Object.entries(readPackage(NODE_RED_DIR).dependencies ?? {});
  const missing = wanted.filter(([alias, spec]) => installedVersion(NODE_RED_DIR, alias) !== semver.minVersion(rangeOf(spec))?.version);
  if (missing.length > 0) await npmCi(NODE22_BIN, NODE_RED_DIR);
  for (const [alias, spec] of wanted) {
    const version = installedVersion(NODE_RED_DIR, alias);
    if (!version || !semver.satisfies(version, rangeOf(spec))) throw new Error(`${alias} is ${version ?? 'missing'} after npm ci, expected ${spec}`);
  }
}
