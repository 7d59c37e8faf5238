/**
 * The types of telemetry-editor-usage.js (the `editor` group, issue 29): the slice of Node-RED's
 * editor API it hooks, merged into RedEditorApi (red-editor.d.ts), and its own shapes, taken from
 * the protocol. Kept apart from telemetry.d.ts: that script stands alone, beside the others.
 */

interface RedEditorApi {
  /** Node-RED's editor actions (public/red/red.js, RED.actions), the same in 3.x to 5.x. */
  actions: {
    /** Runs the action's handler with the rest of the arguments; nothing for an unknown name. */
    invoke(name: string, ...args: unknown[]): void;
    /** The action's handler; throws for an unknown name. Menus and User Settings call what it returns. */
    get(name: string): (...args: unknown[]) => unknown;
  };
}

/** The group as the protocol defines it; the editor hands in parts of it. */
type EditorCounts = import('@node-red-telemetry/protocol').EditorInsight;

/** The closed lists GET telemetry/editor-usage answers: names outside them are sent as `other`. */
interface EditorLists {
  actions: readonly string[];
  languages: readonly string[];
  themes: readonly string[];
  viewports: readonly string[];
}

/** What the editor counts in memory, by any name (names leave the page only folded by EditorLists). */
interface EditorTally {
  sessions: number;
  actions: Record<string, number>;
  languages: Record<string, number>;
  themes: Record<string, number>;
  viewports: Record<string, number>;
}

/** One session's facts, as measured in the page. */
interface EditorFacts {
  language: string;
  theme: 'light' | 'dark';
  viewport: 'phone' | 'tablet' | 'desktop';
}

/** What the counter needs from the page: injected, so that the unit tests run it in jsdom on a fake clock. */
interface EditorUsageDeps {
  /** GET telemetry/editor-usage. */
  lists(): Promise<EditorLists>;
  /** POST telemetry/editor-usage with this body (keepalive: it may outlive the page); resolves with the HTTP status, rejects on a network failure. */
  send(body: Partial<EditorCounts>): Promise<number>;
  facts(): EditorFacts;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** The counter telemetry-editor-usage.js makes: fed the status and each action, it hands the counts in. */
interface EditorUsageCounter {
  /** The plugin's status (GET telemetry, topic node-red-telemetry/status): counting runs only while it says the group is covered. */
  statusChanged(status: import('../../src/status').Status | null): void;
  /** An action a person ran; counted only while covered. */
  action(name: string): void;
  /** Hands what was counted to the runtime; what could not be delivered is kept for the next time. */
  flush(): Promise<void>;
  /** What is counted and not yet handed in (for the tests). */
  pending(): EditorTally;
}

interface Window {
  NodeRedTelemetryEditorUsage: typeof import('../telemetry-editor-usage.js');
  NodeRedTelemetryUsageTally: typeof import('../telemetry-usage-tally.js');
}
