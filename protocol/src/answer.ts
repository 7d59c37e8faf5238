/** The collector's answer, in the format Node-RED's own telemetry endpoint uses. */

/** A Node-RED version this instance cannot run, and the Node.js range it needs. */
export interface NodeRequirement {
  node: string;
}

/**
 * The collector's answer, in the format Node-RED's own telemetry endpoint uses.
 * `requires` is ours: Node-RED's own client ignores it, the plugin names the
 * Node.js a newer Node-RED needs.
 */
export interface VersionAnswer {
  latest?: string;
  next?: string;
  requires?: Record<string, NodeRequirement>;
}

/** Top-level key of the collector's answer. */
export const ANSWER_KEY = 'node-red';
