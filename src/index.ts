import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mountAdminApi } from './admin-api';
import { realClock } from './clock';
import { isEnvSet, readSection } from './config';
import { PROVIDER_TYPE, ProviderDefinition } from './insight/providers';
import { guardedReader } from './insight/setting-reader';
import { InsightSources } from './insight/sources';
import { TOPIC_STATUS, TOPIC_UPDATE } from './comms';
import { ConsentStore } from './consent/store';
import { createLogger, errorMessage, LOG_PREFIX, Logger } from './log';
import type { NodeRedApi } from './red';
import { TelemetryService } from './service';
import type { Sender } from './transport';

const PLUGIN_ID = 'node-red-telemetry';
/** The Node.js the plugin declares (package.json `engines`); older gets a message, not a crash. */
const NODE_RANGE = '>=18.17.0';

/** Whether `version` ("20.20.2") is in {@link NODE_RANGE}; read by hand, as semver is not loaded at start. */
function supportedNode(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > 18 || (major === 18 && minor >= 17);
}

/**
 * Module state survives a palette remove and re-install in the same process:
 * Node-RED requires the same file again and gets this module from Node's cache.
 */
let active: TelemetryService | null = null;
let routesMounted = false;
/** From onadd until the module is removed through the palette; the admin routes answer only meanwhile. */
let installed = false;
/** Undoes what {@link wire} hooked into Node-RED, so a stopped service hears nothing more. */
let unwire: (() => void) | null = null;
/** This package's own package.json: gone once the palette's `npm remove` has run. */
const OWN_PACKAGE_JSON = path.join(__dirname, '..', 'package.json');

function pluginVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(OWN_PACKAGE_JSON, 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** This package's npm name, as Node-RED's registry lists it. */
const PACKAGE_NAME = 'node-red-telemetry';

function userDirOf(RED: NodeRedApi): string | undefined {
  try {
    const dir = RED.settings.get('userDir');
    return typeof dir === 'string' ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Node-RED's `runtimeFlowState` runtime setting ("stop" once a user stopped the flows), read guarded. */
function flowState(RED: NodeRedApi): unknown {
  try {
    return RED.settings.get('runtimeFlowState');
  } catch {
    return undefined;
  }
}

/**
 * Plugins registered with the metric provider type. `getByType` is in the
 * plugin API since Node-RED 1.3 but not in src/red.ts's typed slice, so it is
 * looked up here, guarded.
 */
function providersOf(RED: NodeRedApi): ProviderDefinition[] {
  const plugins = RED.plugins as NodeRedApi['plugins'] & { getByType?: (type: string) => unknown };
  const found = typeof plugins.getByType === 'function' ? plugins.getByType(PROVIDER_TYPE) : [];
  return Array.isArray(found) ? (found as ProviderDefinition[]) : [];
}

/**
 * The transport is loaded on the first report (or erasure), so that an
 * instance that is off or undecided never pays for it (BENCHMARKS.md).
 */
function lazySender(userAgent: string): Sender {
  let transport: import('./transport').Transport | null = null;
  const get = (): import('./transport').Transport => {
    if (!transport) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on the first report only: an instance that never sends never pays for it.
      const { Transport } = require('./transport') as typeof import('./transport');
      transport = new Transport({ userAgent });
    }
    return transport;
  };
  return {
    send: (url, payload, signal, limits) => get().send(url, payload, signal, limits),
    erase: (url, signal, limits) => get().erase(url, signal, limits),
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
    routesMounted = mountAdminApi(RED, () => active, log, () => installed);
  } catch (err) {
    log.error('unexpected', { error: errorMessage(err) });
  }
}

/** Stopping is cleanup: its failure has nobody to report to but the debug log. */
function stopQuietly(service: TelemetryService | null, log: Logger): void {
  service?.stop().catch((err: unknown) => log.debug('unexpected', { error: errorMessage(err) }));
}

/** Stops the running service and unhooks it from Node-RED's events. */
function retire(log: Logger): TelemetryService | null {
  const service = active;
  active = null;
  unwire?.();
  unwire = null;
  stopQuietly(service, log);
  return service;
}

/**
 * The module left the palette: nothing of it may keep running or answering.
 * Its state in `.config.runtime.json` stays (README, "What it stores").
 */
function remove(RED: NodeRedApi, log: Logger): void {
  installed = false;
  const service = retire(log);
  if (!service) return;
  // Publishing without `retain` drops the retained copies, which would outlive the plugin in
  // Node-RED's memory; an editor still open gets the status it shows and "no update" (ignored).
  try {
    RED.comms.publish(TOPIC_STATUS, service.status(), false);
    RED.comms.publish(TOPIC_UPDATE, { version: null }, false);
  } catch (err) {
    log.debug('publish-failed', { error: errorMessage(err) });
  }
}

function start(RED: NodeRedApi, log: Logger): void {
  installed = true;
  mountRoutes(RED, log);
  // A palette re-install starts afresh: the old service stops whether or not the new one starts.
  retire(log);
  if (!supportedNode(process.versions.node)) {
    log.warn('node-too-old', { version: process.versions.node, range: NODE_RANGE });
    return;
  }
  const nodeRedVersion = RED.version();
  const userDir = userDirOf(RED);
  const insight = new InsightSources({
    userDir,
    readSetting: guardedReader((key) => (RED.settings as unknown as Record<string, unknown>)[key]),
    providerDefinitions: () => providersOf(RED),
    now: () => realClock.now(),
    uptime: () => process.uptime(),
    ownName: PACKAGE_NAME,
  });
  const service = new TelemetryService({
    // settings.js is code: the section may be a getter that throws.
    settingsSection: readSection(() => RED.settings.telemetry),
    argv: process.argv,
    env: process.env,
    userDir,
    nodeRedVersion,
    store: new ConsentStore(RED.settings),
    log,
    publish: (topic, data) => RED.comms.publish(topic, data, true),
    sender: lazySender(`Node-RED/${nodeRedVersion} node-red-telemetry/${pluginVersion()}`),
    clock: realClock,
    dryRun: isEnvSet(process.env.NODE_RED_TELEMETRY_DEBUG),
    insight,
    watchProcess: true,
  });
  try {
    service.start();
    unwire = wire(RED, service, log);
  } catch (err) {
    stopQuietly(service, log);
    throw err;
  }
  active = service;
}

/** Hooks the service into Node-RED's events; returns what unhooks it. */
function wire(RED: NodeRedApi, service: TelemetryService, log: Logger): () => void {
  // Reports describe the instance, not its flows: they go on while a user has stopped the flows
  // or a deploy waits for missing types. Only RED.stop() must end them, and its `flows:stopped`
  // looks like a reload's: neither a deploy (same revision) nor a user's Stop (which first records
  // runtimeFlowState "stop"). So the schedule is held then, until Node-RED shows it is alive.
  const flowsStopped = (event: unknown): void => {
    if (!service.flowsChanged(event, false) && flowState(RED) !== 'stop') service.pause();
  };
  const flowsStarted = (event: unknown): void => void service.flowsChanged(event, true);
  // Node-RED 3.x removes a module without calling onremove: its `node/removed`
  // event, once npm has deleted this package, is the only sign.
  // A reload whose flows cannot start (missing types or modules) says so with a runtime-state error.
  const runtimeEvent = (event: unknown): void => {
    const { id, payload } = (event ?? {}) as { id?: unknown; payload?: { error?: unknown } };
    if (id === 'node/removed' && !existsSync(OWN_PACKAGE_JSON)) remove(RED, log);
    if (id === 'runtime-state' && payload?.error !== undefined) service.resume();
    if (id === 'runtime-deploy') service.deployed((payload as { revision?: unknown } | undefined)?.revision);
  };
  // An embedding application closes the server after RED.stop(): that is final.
  const serverClosed = (): void => stopQuietly(service, log);
  RED.events.on('flows:stopped', flowsStopped);
  RED.events.on('flows:started', flowsStarted);
  RED.events.on('runtime-event', runtimeEvent);
  RED.server?.once('close', serverClosed);
  return () => {
    RED.events.removeListener('flows:stopped', flowsStopped);
    RED.events.removeListener('flows:started', flowsStarted);
    RED.events.removeListener('runtime-event', runtimeEvent);
    RED.server?.removeListener('close', serverClosed);
  };
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
        try {
          remove(RED, log);
        } catch (err) {
          log.debug('unexpected', { error: errorMessage(err) });
        }
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
