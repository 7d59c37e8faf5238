import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { mountAdminApi } from './admin-api';
import { realClock } from './clock';
import { isEnvSet, readSection } from './config';
import { ConsentStore } from './consent-store';
import { createLogger, errorMessage, LOG_PREFIX, Logger } from './log';
import type { NodeRedApi } from './red';
import { Sender, TelemetryService } from './service';

const PLUGIN_ID = 'node-red-telemetry';
/** undici 6 and AbortSignal.any need this; older Node.js gets a message, not a crash. */
const NODE_RANGE = '>=18.17.0';

/** Survives a palette re-install in the same process, which loads this module again. */
let active: TelemetryService | null = null;
let routesMounted = false;

function pluginVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function userDirOf(RED: NodeRedApi): string | undefined {
  try {
    const dir = RED.settings.get('userDir');
    return typeof dir === 'string' ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * undici is most of the plugin's memory (see BENCHMARKS.md): load it on the
 * first report, so an instance that is off or undecided never pays for it.
 */
function lazySender(userAgent: string): Sender {
  let transport: import('./transport').Transport | null = null;
  return {
    send(url, payload, signal, limits) {
      if (!transport) {
        const { Transport } = require('./transport') as typeof import('./transport');
        transport = new Transport({ userAgent });
      }
      return transport.send(url, payload, signal, limits);
    },
    close: async () => transport?.close(),
  };
}

/**
 * Mounted before anything that can fail, so that GET /telemetry answers JSON
 * (503 not_running) rather than Node-RED's HTML 404 when the service could not start.
 */
function mountRoutes(RED: NodeRedApi, log: Logger): void {
  if (routesMounted) return;
  try {
    routesMounted = mountAdminApi(RED, () => active, log);
  } catch (err) {
    log.error('unexpected', { error: errorMessage(err) });
  }
}

/** Stopping is cleanup: its failure has nobody to report to but the debug log. */
function stopQuietly(service: TelemetryService | null, log: Logger): void {
  service?.stop().catch((err: unknown) => log.debug('unexpected', { error: errorMessage(err) }));
}

function start(RED: NodeRedApi, log: Logger): void {
  mountRoutes(RED, log);
  // A palette re-install starts afresh: the old service stops whether or not the new one starts.
  stopQuietly(active, log);
  active = null;
  if (!semver.satisfies(process.versions.node, NODE_RANGE)) {
    log.warn('node-too-old', { version: process.versions.node, range: NODE_RANGE });
    return;
  }
  const nodeRedVersion = RED.version();
  const service = new TelemetryService({
    // settings.js is code: the section may be a getter that throws.
    settingsSection: readSection(() => RED.settings.telemetry),
    argv: process.argv,
    env: process.env,
    userDir: userDirOf(RED),
    nodeRedVersion,
    store: new ConsentStore(RED.settings),
    log,
    publish: (topic, data) => RED.comms.publish(topic, data, true),
    sender: lazySender(`Node-RED/${nodeRedVersion} node-red-telemetry/${pluginVersion()}`),
    clock: realClock,
    dryRun: isEnvSet(process.env.NODE_RED_TELEMETRY_DEBUG),
  });
  try {
    service.start();
    wire(RED, service, log);
  } catch (err) {
    stopQuietly(service, log);
    throw err;
  }
  active = service;
}

function wire(RED: NodeRedApi, service: TelemetryService, log: Logger): void {
  // All flows stop on shutdown (RED.stop) and when a user stops them; a full
  // deploy stops and starts them again, which re-arms the same due time.
  RED.events.on('flows:stopped', (event: unknown) => {
    if ((event as { type?: unknown } | undefined)?.type === 'full') service.pause();
  });
  RED.events.on('flows:started', () => service.resume());
  // An embedding application closes the server after RED.stop(): that is final.
  RED.server?.once('close', () => stopQuietly(service, log));
}

/** Node-RED's entry point for the plugin. Never throws into Node-RED. */
export = function nodeRedTelemetry(RED: NodeRedApi): void {
  const log = createLogger(RED);
  try {
    RED.plugins.registerPlugin(PLUGIN_ID, {
      type: 'node-red-telemetry',
      onadd: () => {
        try {
          start(RED, log);
        } catch (err) {
          log.error('start-failed', { error: errorMessage(err) });
        }
      },
      onremove: () => {
        stopQuietly(active, log);
        active = null;
      },
    });
  } catch (err) {
    try {
      RED.log.error(`${LOG_PREFIX}${errorMessage(err)}`);
    } catch {
      /* no log to report to: staying silent beats throwing into Node-RED */
    }
  }
};
