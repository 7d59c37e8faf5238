// @ts-check
/**
 * node-red-telemetry: the editor side. Reads and writes only through the
 * plugin's admin API (GET/PUT telemetry) and listens to its retained comms
 * topics. This file holds the status and the admin API and puts the parts
 * together: telemetry-prompt.js (the question), telemetry-pane.js (User
 * Settings), telemetry-updates.js (update notifications); what they show is
 * built by telemetry-view.js and telemetry-pane-view.js, in the language
 * telemetry-format.js formats for; telemetry-watch.js says when to ask.
 * plugin.html starts it once all the scripts are loaded (Node-RED loads them
 * in no fixed order). Types: types/*.d.ts.
 */
window.NodeRedTelemetryEditor = (function () {
    "use strict";
    var NS = "node-red-telemetry/node-red-telemetry:editor.";

    /** @type {Status | null} */
    var status = null;
    /** @type {TelemetryPrompt} */
    var prompt;
    /** @type {TelemetryPane} */
    var pane;
    /** @type {TelemetryUpdates} */
    var updates;

    /** @type {Translate} */
    function t(key, substitutions) {
        return RED._(NS + key, substitutions);
    }

    function canWrite() {
        return !RED.user || typeof RED.user.hasPermission !== "function" || RED.user.hasPermission("telemetry.write");
    }

    /** @type {TelemetryEditorCore["request"]} */
    function request(method, body) {
        return $.ajax({
            url: "telemetry",
            method: method,
            dataType: "json",
            contentType: body ? "application/json" : undefined,
            data: body ? JSON.stringify(body) : undefined
        });
    }

    /** @type {TelemetryEditorCore["notify"]} */
    function notify(message, options) {
        var notification = RED.notify(message, options);
        // Marked as ours: plugin.html fits these to a phone's width without moving Node-RED's own.
        $(notification).addClass("red-ui-telemetry-notice");
        return notification;
    }

    /** @param {JQuery.jqXHR} xhr */
    function showError(xhr) {
        notify(window.NodeRedTelemetryView.errorMessage(t, xhr), { type: "error", timeout: 10000 });
    }

    /** Node-RED 4.1+'s own update-notification answer: the user's setting while this page runs, else what the runtime loaded. */
    function coreAnswer() {
        var answer = RED.settings.get("telemetryEnabled");
        return typeof answer === "boolean" ? answer : undefined;
    }

    /** The locale for durations and dates: the editor's language, in the browser's own variant of it. */
    function locale() {
        var language = RED.i18n && typeof RED.i18n.lang === "function" ? RED.i18n.lang() : "en-US";
        /** @type {string | null} */
        var chosen = null;
        try {
            // The language picked in User Settings, as Node-RED itself reads it.
            chosen = localStorage.getItem("editor-language");
        } catch {
            chosen = null;
        }
        return window.NodeRedTelemetryFormat.localeFor(language, chosen || navigator.language);
    }

    /** @param {Status} next */
    function applyStatus(next) {
        status = next;
        prompt.statusChanged();
        pane.render();
        updates.statusChanged();
    }

    /** @type {TelemetryEditorCore["choose"]} */
    function choose(enabled, extra) {
        /** @type {JQuery.Deferred<Status, JQuery.jqXHR>} */
        var done = $.Deferred();
        request("PUT", $.extend({ enabled: enabled }, extra || {})).then(function (next) {
            applyStatus(next);
            done.resolve(next);
        }, function (xhr) {
            showError(xhr);
            done.reject(xhr);
        });
        return done.promise();
    }

    function init() {
        /** @type {TelemetryEditorCore} */
        var editor = {
            View: window.NodeRedTelemetryView,
            PaneView: window.NodeRedTelemetryPaneView,
            Watch: window.NodeRedTelemetryWatch,
            t: t,
            fmt: window.NodeRedTelemetryFormat.formatter(locale()),
            coreAnswer: coreAnswer,
            notify: notify,
            canWrite: canWrite,
            status: function () { return status; },
            request: request,
            applyStatus: applyStatus,
            choose: choose,
            showError: showError
        };
        prompt = window.NodeRedTelemetryPrompt(editor);
        pane = window.NodeRedTelemetryPane(editor);
        updates = window.NodeRedTelemetryUpdates(editor);
        pane.add();
        RED.comms.subscribe("node-red-telemetry/status", function (_topic, next) {
            // The runtime publishes its status here, the same as GET /telemetry answers.
            applyStatus(/** @type {Status} */ (next));
        });
        RED.comms.subscribe("node-red-telemetry/update", function (_topic, update) {
            // The runtime publishes its offer here, or { version: null } for none.
            updates.notify(/** @type {Offer | { version: null }} */ (update));
        });
        request("GET").then(function (initial) {
            applyStatus(initial);
            prompt.askWhenQuiet();
        }, function (xhr) {
            // 401 for a user without telemetry.read: they have nothing to see here.
            if (xhr.status !== 401) {
                showError(xhr);
            }
        });
    }

    return { start: init };
})();
