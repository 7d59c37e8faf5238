'use strict';
/**
 * Runs Node-RED's own telemetry module (@node-red/runtime/lib/telemetry, from
 * the node-red devDependency, unmodified) through one scheduled report, as a
 * Node-RED that has opted in would, and prints what it did as one JSON line.
 *
 * Core's URL is fixed (https://telemetry.nodered.org/ping), so the only
 * change is where its TLS connection goes: the global HTTPS agent connects to
 * the collector on 127.0.0.1 instead, with SNI and certificate checks for
 * telemetry.nodered.org intact (the test's CA comes in NODE_EXTRA_CA_CERTS).
 * Any other destination is refused, so nothing leaves the machine.
 *
 * An unhandled rejection in core's report() ends this process with an error,
 * exactly as it ends red.js; the result is printed only after core has
 * finished reading the answer.
 *
 * Environment: COLLECTOR_TLS_PORT, CORE_VERSION (the Node-RED version core
 * believes it runs), INSTANCE_ID (16 hex digits, as core makes them).
 */
const https = require('node:https');
const tls = require('node:tls');
const { EventEmitter } = require('node:events');
const FakeTimers = require('@sinonjs/fake-timers');

const CORE_HOST = 'telemetry.nodered.org';
const port = Number(process.env.COLLECTOR_TLS_PORT);

class ToCollector extends https.Agent {
  createConnection(options, callback) {
    if (options.host !== CORE_HOST) throw new Error(`refusing a connection to ${options.host}`);
    return tls.connect({ ...options, host: '127.0.0.1', port, servername: CORE_HOST }, callback);
  }
}
https.globalAgent = new ToCollector({ keepAlive: false });

const telemetry = require('@node-red/runtime/lib/telemetry');

const events = new EventEmitter();
const emitted = [];
events.on('runtime-event', (event) => emitted.push(event));
const logs = [];
const settings = { telemetry: { enabled: true }, instanceId: process.env.INSTANCE_ID };
const runtime = {
  settings: {
    version: process.env.CORE_VERSION,
    get: (key) => settings[key],
    set: () => {},
    available: () => false,
  },
  log: {
    debug: (msg) => onLog('debug', msg),
    info: (msg) => onLog('info', msg),
  },
  events,
};

function onLog(level, msg) {
  logs.push({ level, msg });
  // Core logs the answer, then compares versions in the same turn: once that
  // turn is over without a crash, core is done with this report.
  if (/^(Telemetry response|Failed to send telemetry)/.test(msg)) {
    setImmediate(() => {
      process.stdout.write(`${JSON.stringify({ emitted, logs })}\n`);
      process.exit(0);
    });
  }
}

// Core schedules its first report 30 minutes after start: move the clock there,
// then give real time back before core's HTTP client starts.
const clock = FakeTimers.install({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
telemetry.init(runtime);
clock.tick(31 * 60 * 1000);
clock.uninstall();
setTimeout(() => {
  process.stderr.write(`core did not finish its report within 20 s: ${JSON.stringify(logs)}\n`);
  process.exit(3);
}, 20_000).unref();
