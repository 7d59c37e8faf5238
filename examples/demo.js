// `npm start`: the collector (SQLite under ./data) and a Node-RED with the plugin
// pointed at it, so that a report and an update notification can be seen
// without configuring anything. Ctrl-C stops both.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const semver = require('semver');

const root = path.join(__dirname, '..');
const nodeRedVersion = require('node-red/package.json').version;
// A version one minor above the installed Node-RED, so that the notification
// shows; a real collector asks the npm registry instead (drop --latest).
const demoLatest = semver.inc(nodeRedVersion, 'minor');
const collectorPort = process.env.COLLECTOR_PORT || '8790';

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
  const extra = entry.versions ? ` ${JSON.stringify(entry.versions)}` : '';
  return `${entry.msg}${extra}`;
}

console.log(`[demo] collector answers latest=${demoLatest} (one minor above the installed Node-RED ${nodeRedVersion}) so that you see an update notification`);
const collector = run(
  'collector',
  ['collector/bin/node-red-telemetry-collector.js', '--port', collectorPort, '--data', 'data', '--latest', demoLatest],
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
    run('Node-RED', [require.resolve('node-red/red.js'), '--userDir', '.demo', '--settings', 'examples/settings.js'], {
      stdio: 'inherit',
      env: { ...process.env, TELEMETRY_URL: `${entry.url}/ping` },
    });
  }
});
