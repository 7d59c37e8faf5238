/**
 * The slice of Node-RED's editor API that the plugin's editor scripts call: the global `RED` of
 * the editor page, as @node-red/editor-client (public/red/red.js) defines it in Node-RED 3.x and
 * 4.x, and the jQuery UI dialog it bundles. Only what resources/*.js and plugin.html use is
 * declared; a new call gets its line here first. Type-checked with them: tsc -p resources.
 */

/** A button of a notification. */
interface RedNotifyButton {
  /** Node-RED inserts it with .html(): our own translated text only. */
  text: string;
  id?: string;
  class?: string;
  click(this: HTMLElement, event: JQuery.ClickEvent): void;
}

interface RedNotifyOptions {
  type?: 'error' | 'warning' | 'success' | 'compact';
  /** Stays until closed, instead of fading after `timeout`. */
  fixed?: boolean;
  timeout?: number;
  modal?: boolean;
  id?: string;
  buttons?: RedNotifyButton[];
}

/** What RED.notify returns: the notification's <div>, with the methods Node-RED adds to it. */
interface RedNotification extends HTMLDivElement {
  close(): void;
}

/** A pane of User Settings. Node-RED shows the element whose id is "red-ui-settings-tab-" + `id`. */
interface RedUserSettingsPane {
  id: string;
  title: string;
  /** Called each time User Settings opens: the pane's element. */
  get(): JQuery;
  /** Called when User Settings closes. */
  close(): void;
  focus?(): void;
}

interface RedEditorApi {
  /** Shows a notification; a string `message` is inserted as HTML, an element as it is. */
  notify(message: string | JQuery | HTMLElement, options?: RedNotifyOptions): RedNotification;
  /** The translation of `key` ("<module>/<catalogue>:<path>") in the editor's language. */
  _(key: string, substitutions?: Record<string, unknown>): string;
  comms: {
    /** `message` is whatever the runtime published on the topic, as parsed JSON. */
    subscribe(topic: string, callback: (topic: string, message: unknown) => void): void;
  };
  userSettings: {
    add(pane: RedUserSettingsPane): void;
  };
  /** The editor's settings; `get` and `set` read and write the user's own, saved with the runtime. */
  settings: {
    get(key: string, defaultIfUndefined?: unknown): unknown;
    set(key: string, value: unknown): void;
  };
  user: {
    hasPermission(permission: string): boolean;
  };
  i18n: {
    /** The language of the editor's catalogues: one Node-RED ships ("de", "en-US"), the browser's first that matches. */
    lang(): string;
  };
  plugins: {
    /** `onadd` is called once the plugin's scripts are loaded. */
    registerPlugin(id: string, definition: { onadd?(): void }): void;
  };
}

declare const RED: RedEditorApi;

/** jQuery UI's dialog, as Node-RED's editor bundles it: the options and methods the prompt uses. */
interface JQueryUiDialogButton {
  text: string;
  id?: string;
  click(this: HTMLElement, event: JQuery.ClickEvent): void;
}

interface JQueryUiDialogOptions {
  title?: string;
  modal?: boolean;
  width?: number;
  maxHeight?: number;
  resizable?: boolean;
  draggable?: boolean;
  closeOnEscape?: boolean;
  /** The close icon's text, shown as its tooltip. */
  closeText?: string;
  /** Extra classes per element of the widget, such as { "ui-dialog": "my-class" }. */
  classes?: Record<string, string>;
  buttons?: JQueryUiDialogButton[];
  position?: { my: string; at: string; of: Window | Element | JQuery };
  open?(this: HTMLElement, event: Event): void;
  close?(this: HTMLElement, event: Event): void;
}

// The type parameter is @types/jquery's: a merged declaration must repeat it, used or not.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
interface JQuery<TElement = HTMLElement> {
  dialog(options: JQueryUiDialogOptions): this;
  dialog(method: 'close' | 'destroy'): this;
  /** The widget, or undefined when this element is not (or no longer) a dialog. */
  dialog(method: 'instance'): object | undefined;
  dialog(method: 'option', options: JQueryUiDialogOptions): this;
  /** Node-RED's toggle button widget (its editor's own on/off control) over a checkbox; in 3.0 and later. */
  toggleButton?(options: { enabledLabel?: string; disabledLabel?: string; enabledIcon?: string; disabledIcon?: string; class?: string }): this;
}
