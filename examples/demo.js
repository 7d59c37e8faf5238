// `npm start`: the collector and a Node-RED with the plugin pointed at it, so
// that a report, an update notification and a populated dashboard can be seen
// without configuring anything. Everything lives under .demo/ (or DEMO_DIR):
// the collector's SQLite database in .demo/collector, filled first with a
// generated history by the collector's `demo-data` command (never ./data, an
// operator's default). Ctrl-C stops both.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const semver = require('semver');

const root = path.join(__dirname, '..');
const nodeRedVersion = require('node-red/package.json').version;
// A version one minor above the installed Node-RED, so that the notification
// shows; a real collector asks the npm registry instead (drop --latest).
const demoLatest = semver.inc(nodeRedVersion, 'minor');
const collectorPort = process.env.COLLECTOR_PORT || '8790';
const demoDir = path.resolve(root, process.env.DEMO_DIR || '.demo');
const collectorData = path.join(demoDir, 'collector');
const collectorBin = path.join(root, 'collector/bin/node-red-telemetry-collector.js');

/**
 * Node-RED calls itself "<version>-git" when its runtime package sits four
 * directories below a .git (meant for Node-RED's own repository), and this
 * checkout's node_modules/@node-red/runtime does. The demo therefore runs
 * Node-RED through links in .demo/runtime/node_modules, with Node's
 * --preserve-symlinks so that the runtime sees that path, and reports the
 * version a real install reports.
 */
function nodeRedOutsideGit() {
  const modules = path.join(demoDir, 'runtime', 'node_modules');
  const packages = ['node-red', ...fs.readdirSync(path.join(root, 'node_modules/@node-red')).map((name) => `@node-red/${name}`)];
  for (const name of packages) {
    const link = path.join(modules, name);
    const target = path.join(root, 'node_modules', name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    let current;
    try {
      current = fs.readlinkSync(link);
    } catch {
      current = undefined;
    }
    if (current === target) continue;
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(target, link, 'junction');
  }
  return path.join(modules, 'node-red', 'red.js');
}

// A populated dashboard at once: 180 days of generated history, labelled as demo data on the page.
const generated = spawnSync(process.execPath, [collectorBin, 'demo-data', '--data', collectorData, '--days', '180', '--instances', '5000', '--log-level', 'warn'], {
  cwd: root,
  encoding: 'utf8',
});
if (generated.status === 0) console.log(`[demo] dashboard filled with generated demo data: ${generated.stdout.trim()}`);
else console.log(`[demo] no demo data generated: ${(generated.stderr || generated.stdout || '').trim()}`);

const children = new Set();
let stopping = false;

function stopAll(signal) {
  stopping = true;
  for (const child of children) child.kill(signal);
}
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));

function run(name, args, options) {
  const child = spawn(process.execPath, args, { cwd: root, ...options });
  children.add(child);
  child.on('exit', (code) => {
    children.delete(child);
    if (!stopping) {
      console.log(`[demo] ${name} exited (${code}); stopping the demo`);
      stopAll('SIGTERM');
    }
    if (children.size === 0) process.exit(stopping ? 0 : 1);
  });
  return child;
}

/** One readable line per collector log entry (the collector itself logs JSON, for machines). */
function describe(entry) {
  if (entry.msg === 'request') return `${entry.method} ${entry.route} -> ${entry.status}`;
  if (entry.msg === 'requests answered') return `requests answered in the last ${entry.seconds} s: ${JSON.stringify(entry.answered)}`;
  const extra = entry.versions ? ` ${JSON.stringify(entry.versions)}` : '';
  return `${entry.msg}${extra}`;
}

console.log(`[demo] collector answers latest=${demoLatest} (one minor above the installed Node-RED ${nodeRedVersion}) so that you see an update notification`);
const collector = run(
  'collector',
  // At debug the collector logs every request, so that the report can be seen arriving.
  [collectorBin, '--port', collectorPort, '--data', collectorData, '--latest', demoLatest, '--log-level', 'debug'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let nodeRedStarted = false;
readline.createInterface({ input: collector.stdout }).on('line', (line) => {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    console.log(`[collector] ${line}`);
    return;
  }
  console.log(`[collector] ${describe(entry)}`);
  if (!nodeRedStarted && typeof entry.url === 'string' && entry.msg === `collector listening on ${entry.url}`) {
    nodeRedStarted = true;
    console.log(`[demo] dashboard: ${entry.url}/  reports: ${entry.url}/ping`);
    run('Node-RED', ['--preserve-symlinks', '--preserve-symlinks-main', nodeRedOutsideGit(), '--userDir', demoDir, '--settings', 'examples/settings.js'], {
      stdio: 'inherit',
      // NODE_PATH: Node-RED's dependencies, for a DEMO_DIR outside this checkout.
      env: { ...process.env, TELEMETRY_URL: `${entry.url}/ping`, NODE_PATH: path.join(root, 'node_modules') },
    });
  }
});
