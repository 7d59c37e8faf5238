import type { RequestHandler } from 'express';

/** The part of Node-RED's runtime settings API the consent store needs. */
export interface SettingsLike {
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  available(): boolean;
}

/**
 * The slice of Node-RED's plugin API this plugin uses, typed once here so that
 * no other module touches an untyped RED. Present in Node-RED 3.0 and later.
 */
export interface NodeRedApi {
  log: {
    info(msg: string): void;
    warn(msg: string): void;
    error(msg: string): void;
    debug(msg: string): void;
  };
  /** Node-RED's i18n: keys without a namespace resolve in this plugin's catalog. */
  _(key: string, substitutions?: Record<string, unknown>): string;
  settings: SettingsLike & { telemetry?: unknown };
  version(): string;
  comms: { publish(topic: string, data: unknown, retain: boolean): void };
  events: {
    on(event: string, listener: (...args: unknown[]) => void): void;
    removeListener(event: string, listener: (...args: unknown[]) => void): void;
  };
  /** Absent when the editor and admin API are disabled (`httpAdminRoot: false`). */
  httpAdmin?: {
    get(path: string, ...handlers: RequestHandler[]): unknown;
    put(path: string, ...handlers: RequestHandler[]): unknown;
    post(path: string, ...handlers: RequestHandler[]): unknown;
  };
  auth: { needsPermission(permission: string): RequestHandler };
  /** The HTTP server Node-RED was initialised with. */
  server?: {
    once(event: 'close', listener: () => void): unknown;
    removeListener(event: 'close', listener: () => void): unknown;
  };
  plugins: { registerPlugin(id: string, definition: PluginDefinition): void };
}

export interface PluginDefinition {
  type: string;
  onadd?(): void;
  /** Called when the module is removed through the palette (Node-RED 4.0 and later; 3.x never calls it). */
  onremove?(): void;
}
