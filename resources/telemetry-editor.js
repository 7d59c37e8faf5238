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
    var DIALOG_WIDTH = 540;

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
    function choose(enabled, extra) {
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

    // ---- the first-run prompt -------------------------------------------------

    /**
     * Calls `fn` once Node-RED's loading bar, own telemetry dialog and tours
     * have been gone for a while; `fn(true)` when Node-RED itself asked or
     * toured in the meantime (its 4.1+ telemetry question, the welcome tour).
     */
    function whenEditorIsQuiet(fn) {
        var quietSince = null;
        var coreAsked = false;
        (function check() {
            if (View.coreStepShown(document)) {
                coreAsked = true;
            }
            if (View.editorIsBusy(document)) {
                quietSince = null;
            } else if (quietSince === null) {
                quietSince = Date.now();
            } else if (Date.now() - quietSince >= QUIET_MS) {
                fn(coreAsked);
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

    /** The dialog's width and tallest height for this window, leaving a margin on every side. */
    function fitToWindow() {
        var margin = 16;
        return {
            width: Math.min(DIALOG_WIDTH, $(window).width() - 2 * margin),
            maxHeight: $(window).height() - 2 * margin
        };
    }

    function refit(body) {
        if (body.dialog("instance")) {
            body.dialog("option", $.extend(fitToWindow(), { position: { my: "center", at: "center", of: window } }));
        }
    }

    function showPrompt() {
        var kind = View.promptKind(status, canWrite());
        if (prompted || dialog || !kind) {
            return;
        }
        prompted = true;
        var answered = false;
        // Exactly what the dialog named: an item that appears meanwhile is asked about next time.
        var shown = (status.pending || []).slice();
        var answer = function (yes) {
            answered = true;
            closeDialog();
            var body = kind === "first" ? (yes ? { covers: shown } : {}) : (yes ? { covers: shown } : { declines: shown });
            var messages = kind === "first" ? ["consent.thanks", "consent.declined"] : ["more.thanks", "more.declined"];
            choose(kind === "first" ? yes : true, body).then(function () {
                RED.notify(t(yes ? messages[0] : messages[1]), { type: "success", timeout: 5000 });
            });
        };
        var more = kind === "more";
        var fit = fitToWindow();
        dialog = $("<div>", { id: "red-ui-telemetry-consent", "class": more ? "red-ui-telemetry-ask-more" : "red-ui-telemetry-ask-first" })
            .append(more ? View.moreContent($, t, status) : View.consentContent($, t, status))
            .appendTo(document.body)
            .dialog({
                title: t(more ? "more.title" : "consent.title"),
                modal: true,
                width: fit.width,
                // The body scrolls inside this height, so the buttons never leave the window.
                maxHeight: fit.maxHeight,
                resizable: false,
                draggable: false,
                closeOnEscape: true,
                classes: { "ui-dialog": "red-ui-editor-dialog red-ui-telemetry-dialog" },
                // Two equal buttons: neither is styled or focused as the default.
                buttons: [
                    { text: t(more ? "more.share" : "consent.share"), id: "red-ui-telemetry-share", click: function () { answer(true); } },
                    { text: t(more ? "more.decline" : "consent.dontShare"), id: "red-ui-telemetry-decline", click: function () { answer(false); } }
                ],
                open: function () {
                    var body = $(this);
                    body.closest(".ui-dialog").attr("aria-describedby", "red-ui-telemetry-consent").trigger("focus");
                    // "Show me the exact data" grows the dialog; keep it centred in the window.
                    body.find("details").on("toggle", function () { refit(body); });
                    $(window).on("resize.red-ui-telemetry", function () { refit(body); });
                },
                close: function () {
                    $(window).off("resize.red-ui-telemetry");
                    dialog = null;
                    $(this).dialog("destroy").remove();
                    // Escape or the close icon: decide later, nothing is stored.
                    if (!answered) {
                        RED.notify(t("consent.later"), { type: "compact", timeout: 6000 });
                    }
                }
            });
    }

    /**
     * The quieter first contact after Node-RED's own question or tour: a
     * notification whose "Review" opens the dialog. "Not now" (like Escape in
     * the dialog) stores nothing, so the question comes back next visit.
     */
    function offerReview() {
        if (prompted || dialog || !View.shouldPrompt(status, canWrite())) {
            return;
        }
        var notification = RED.notify(View.reviewContent($, t), {
            fixed: true,
            buttons: [
                {
                    text: t("consent.notNow"),
                    "class": "red-ui-telemetry-not-now",
                    click: function () {
                        notification.close();
                    }
                },
                {
                    text: t("consent.review"),
                    // The one action this notice offers; it opens the question, it does not answer it.
                    "class": "red-ui-telemetry-review primary",
                    click: function () {
                        notification.close();
                        showPrompt();
                    }
                }
            ]
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
            var erase = built.erase && built.erase.prop("checked");
            toggle.prop("disabled", true);
            // On: covers what the pane shows; off: withdraws, and erases when asked to.
            var extra = wanted ? { covers: (status.pending || []).slice() } : (erase ? { erase: true } : {});
            choose(wanted, extra).fail(function () {
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
                whenEditorIsQuiet(function (coreAsked) {
                    // Ask again just before showing: another browser may have answered meanwhile.
                    request("GET").then(function (latest) {
                        applyStatus(latest);
                        if (coreAsked && View.promptKind(status, canWrite()) === "first") {
                            offerReview();
                        } else {
                            showPrompt();
                        }
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
