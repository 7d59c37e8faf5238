// @ts-check
/**
 * node-red-telemetry: the editor side. Reads and writes only through the
 * plugin's admin API (GET/PUT telemetry) and listens to its retained comms
 * topics. This file holds the status and the admin API and puts the parts
 * together: telemetry-prompt.js (the question), telemetry-pane.js (User
 * Settings), telemetry-updates.js (update notifications); what they show is
 * built by telemetry-view.js. plugin.html starts it once all the scripts are
 * loaded (Node-RED loads them in no fixed order). Types: types/*.d.ts.
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

    /** @param {JQuery.jqXHR} xhr */
    function showError(xhr) {
        RED.notify(window.NodeRedTelemetryView.errorMessage(t, xhr), { type: "error", timeout: 10000 });
    }

    /** @param {Status} next */
    function applyStatus(next) {
        status = next;
        prompt.statusChanged();
        pane.render();
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
            t: t,
            canWrite: canWrite,
            status: function () { return status; },
            request: request,
            applyStatus: applyStatus,
            choose: choose,
            showError: showError
        };
        prompt = window.NodeRedTelemetryPrompt(editor);
        pane = window.NodeRedTelemetryPane(editor);
        var updates = window.NodeRedTelemetryUpdates(editor);
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
