/**
 * The types the editor scripts (resources/*.js) share: the plugin's shapes, taken from its
 * TypeScript side rather than restated, and how the scripts reach each other.
 *
 * Node-RED loads a plugin's scripts in no fixed order (each is added as an async <script>), so
 * each file only defines its global below; telemetry-editor.js's start(), which plugin.html calls
 * once every script has loaded, puts the parts together.
 */

/** What GET and PUT /telemetry answer and the topic node-red-telemetry/status carries. */
type Status = import('../../src/status').Status;
type Erasure = import('../../src/status').Erasure;
/** What a PUT /telemetry asks for, besides `enabled`. */
type ChoiceOptions = import('../../src/consent/choice').ChoiceOptions;
/** An update offer, as Status.update and the topic node-red-telemetry/update carry it. */
type Offer = NonNullable<Status['update']>;
/** The exact report the preview shows. */
type FullReport = import('@node-red-telemetry/protocol').FullReport;

/** The editor's translation of a key of this plugin's "editor" catalogue. */
type Translate = (key: string, substitutions?: Record<string, unknown>) => string;

/** Which question the prompt asks: the first one, or again for what was added since. */
type PromptKind = 'first' | 'more';

/** telemetry-view.js: what the editor shows, built from plain values. */
type TelemetryView = typeof import('../telemetry-view.js');
/** telemetry-pane-view.js: the settings pane's body. */
type TelemetryPaneView = typeof import('../telemetry-pane-view.js');
/** telemetry-watch.js: when the editor may ask. */
type TelemetryWatch = typeof import('../telemetry-watch.js');
/** telemetry-format.js: durations and dates in the editor's language. */
type TelemetryFormat = typeof import('../telemetry-format.js');
/** A formatter bound to the editor's locale. */
type Formatter = ReturnType<TelemetryFormat['formatter']>;

/** Whether this user sees update notices, and if not, who said so. */
type UpdateNotices = 'on' | 'off-core' | 'off-settings';

/** What the settings pane shows besides the status. */
interface PaneContext {
  canWrite: boolean;
  /** Node-RED's own telemetryEnabled (4.1+): true, false, or undefined where it never asked. */
  coreAnswer: boolean | undefined;
  /** Telemetry was switched off in this pane just now: offer to delete what was sent. */
  offerErase: boolean;
  now: number;
}

/** What telemetry-editor.js gives each part: the current status and the admin API. */
interface TelemetryEditorCore {
  View: TelemetryView;
  PaneView: TelemetryPaneView;
  Watch: TelemetryWatch;
  t: Translate;
  fmt: Formatter;
  /** Node-RED's own telemetryEnabled (4.1+) as this user last answered it; undefined where it never asked. */
  coreAnswer(): boolean | undefined;
  /** RED.notify, marked as ours (so that it fits a phone's width and hides under User Settings). */
  notify(message: string | JQuery, options?: RedNotifyOptions): RedNotification;
  /** Whether this user may change the setting (telemetry.write). */
  canWrite(): boolean;
  /** The last status read or received; null until the first answer. */
  status(): Status | null;
  /** GET or PUT /telemetry, relative to the editor's admin root. */
  request(method: 'GET' | 'PUT', body?: ChoiceOptions & { enabled: boolean }): JQuery.jqXHR<Status>;
  /** Takes a new status and shows it everywhere. */
  applyStatus(next: Status): void;
  /** Records the user's choice; resolves with the new status, or shows why it failed and rejects. */
  choose(enabled: boolean, extra?: ChoiceOptions): JQuery.Promise<Status, JQuery.jqXHR>;
  showError(xhr: JQuery.jqXHR): void;
}

/** telemetry-prompt.js: the first-run question, and the question again when the list has grown. */
interface TelemetryPrompt {
  /** Asks once the editor is quiet, if this user should be asked. */
  askWhenQuiet(): void;
  /** Closes an open question the new status no longer calls for. */
  statusChanged(): void;
}

/** telemetry-pane.js: the "Telemetry" pane in User Settings. */
interface TelemetryPane {
  add(): void;
  /** Shows the current status, if the pane is open. */
  render(): void;
}

/** telemetry-updates.js: update notifications. */
interface TelemetryUpdates {
  /** What the topic carries: an offer, or `{ version: null }` when there is none. */
  notify(update: Offer | { version: null } | null): void;
  /** Shows a held offer once the status says this user sees update notices. */
  statusChanged(): void;
}

interface Window {
  NodeRedTelemetryView: TelemetryView;
  NodeRedTelemetryPaneView: TelemetryPaneView;
  NodeRedTelemetryWatch: TelemetryWatch;
  NodeRedTelemetryFormat: TelemetryFormat;
  NodeRedTelemetryEditor: { start(): void };
  NodeRedTelemetryPrompt(editor: TelemetryEditorCore): TelemetryPrompt;
  NodeRedTelemetryPane(editor: TelemetryEditorCore): TelemetryPane;
  NodeRedTelemetryUpdates(editor: TelemetryEditorCore): TelemetryUpdates;
}
