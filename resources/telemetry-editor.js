/**
 * node-red-telemetry: the editor side. Reads and writes only through the
 * plugin's admin API (GET/PUT telemetry) and listens to its retained comms
 * topics; what it shows is built by telemetry-view.js. plugin.html starts it
 * once both scripts are loaded (Node-RED loads them in no fixed order).
 */
window.NodeRedTelemetryEditor = (function () {
    "use strict";
    var View;
    var NS = "node-red-telemetry/node-red-telemetry:editor.";
    /** Per-user editor setting, so "don't remind me" follows the user to another browser. */
    var DISMISSED = "nodeRedTelemetry.dismissedUpdate";
    /** How long the editor must stay free of Node-RED's own dialogs and tours before we ask. */
    var QUIET_MS = 1500;
    var POLL_MS = 250;

    var status = null;
    var prompted = false;
    var dialog = null;
    var pane = null;
    var notified = {};

    function t(key, substitutions) {
        return RED._(NS + key, substitutions);
    }

    function canWrite() {
        return !RED.user || typeof RED.user.hasPermission !== "function" || RED.user.hasPermission("telemetry.write");
    }

    function request(method, body) {
        return $.ajax({
            url: "telemetry",
            method: method,
            dataType: "json",
            contentType: body ? "application/json" : undefined,
            data: body ? JSON.stringify(body) : undefined
        });
    }

    function showError(xhr) {
        RED.notify(View.errorMessage(t, xhr), { type: "error", timeout: 10000 });
    }

    function applyStatus(next) {
        status = next;
        if (dialog && !View.shouldPrompt(status, canWrite())) {
            closeDialog();
        }
        renderPane();
    }

    /** Records the user's choice; resolves with the new status, or shows why it failed. */
    function choose(enabled) {
        var done = $.Deferred();
        request("PUT", { enabled: enabled }).then(function (next) {
            applyStatus(next);
            done.resolve(next);
        }, function (xhr) {
            showError(xhr);
            done.reject(xhr);
        });
        return done.promise();
    }

    // ---- the first-run prompt -------------------------------------------------

    /** Calls `fn` once Node-RED's loading bar, own telemetry dialog and tours have been gone for a while. */
    function whenEditorIsQuiet(fn) {
        var quietSince = null;
        (function check() {
            if (View.editorIsBusy(document)) {
                quietSince = null;
            } else if (quietSince === null) {
                quietSince = Date.now();
            } else if (Date.now() - quietSince >= QUIET_MS) {
                fn();
                return;
            }
            setTimeout(check, POLL_MS);
        })();
    }

    function closeDialog() {
        if (dialog) {
            var closing = dialog;
            dialog = null;
            closing.dialog("close");
        }
    }

    function showPrompt() {
        if (prompted || dialog || !View.shouldPrompt(status, canWrite())) {
            return;
        }
        prompted = true;
        var answered = false;
        var answer = function (enabled) {
            answered = true;
            closeDialog();
            choose(enabled).then(function () {
                RED.notify(t(enabled ? "consent.thanks" : "consent.declined"), { type: "success", timeout: 5000 });
            });
        };
        dialog = $("<div>", { id: "red-ui-telemetry-consent" })
            .append(View.consentContent($, t, status))
            .appendTo(document.body)
            .dialog({
                title: t("consent.title"),
                modal: true,
                width: 540,
                resizable: false,
                draggable: false,
                closeOnEscape: true,
                classes: { "ui-dialog": "red-ui-editor-dialog red-ui-telemetry-dialog" },
                // Two equal buttons: neither is styled or focused as the default.
                buttons: [
                    { text: t("consent.share"), id: "red-ui-telemetry-share", click: function () { answer(true); } },
                    { text: t("consent.dontShare"), id: "red-ui-telemetry-decline", click: function () { answer(false); } }
                ],
                open: function () {
                    $(this).closest(".ui-dialog").attr("aria-describedby", "red-ui-telemetry-consent").trigger("focus");
                },
                close: function () {
                    dialog = null;
                    $(this).dialog("destroy").remove();
                    // Escape or the close icon: decide later, nothing is stored.
                    if (!answered) {
                        RED.notify(t("consent.later"), { type: "compact", timeout: 6000 });
                    }
                }
            });
    }

    // ---- the User Settings pane -------------------------------------------------

    function renderPane() {
        if (!pane || !status) {
            return;
        }
        var built = View.paneContent($, t, status);
        pane.empty().append(built.element.children());
        var toggle = pane.find("#red-ui-telemetry-enabled");
        if (!canWrite()) {
            toggle.prop("disabled", true);
        }
        toggle.on("change", function () {
            var wanted = toggle.prop("checked");
            toggle.prop("disabled", true);
            choose(wanted).fail(function () {
                toggle.prop("checked", !wanted).prop("disabled", false);
            });
        });
    }

    function addPane() {
        RED.userSettings.add({
            id: "node-red-telemetry",
            title: t("pane.title"),
            get: function () {
                // Node-RED shows the element whose id is "red-ui-settings-tab-" + the pane's id.
                pane = $("<div>", { id: "red-ui-settings-tab-node-red-telemetry", "class": "red-ui-telemetry-pane" });
                renderPane();
                request("GET").then(applyStatus, showError);
                return pane;
            },
            close: function () {
                pane = null;
            },
            focus: function () {
                if (pane) {
                    pane.find("#red-ui-telemetry-enabled").trigger("focus");
                }
            }
        });
    }

    // ---- update notifications ---------------------------------------------------

    function notifyUpdate(update) {
        var version = update && update.version;
        if (!version || notified[version] || RED.settings.get(DISMISSED) === version) {
            return;
        }
        notified[version] = true;
        var notification = RED.notify(View.updateContent($, t, update), {
            fixed: true,
            buttons: [
                {
                    text: t("update.dismiss"),
                    "class": "red-ui-telemetry-dismiss",
                    click: function () {
                        RED.settings.set(DISMISSED, version);
                        notification.close();
                    }
                },
                {
                    text: t("update.close"),
                    click: function () {
                        notification.close();
                    }
                }
            ]
        });
    }

    // ---- start ----------------------------------------------------------------------

    function init() {
        View = window.NodeRedTelemetryView;
        addPane();
        RED.comms.subscribe("node-red-telemetry/status", function (topic, next) {
            applyStatus(next);
        });
        RED.comms.subscribe("node-red-telemetry/update", function (topic, update) {
            notifyUpdate(update);
        });
        request("GET").then(function (initial) {
            applyStatus(initial);
            if (View.shouldPrompt(status, canWrite())) {
                whenEditorIsQuiet(function () {
                    // Ask again just before showing: another browser may have answered meanwhile.
                    request("GET").then(function (latest) {
                        applyStatus(latest);
                        showPrompt();
                    });
                });
            }
        }, function (xhr) {
            // 401 for a user without telemetry.read: they have nothing to see here.
            if (xhr.status !== 401) {
                showError(xhr);
            }
        });
    }

    return { start: init };
})();
