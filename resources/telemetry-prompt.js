// @ts-check
/**
 * node-red-telemetry: the question in the editor. The first-run consent
 * dialog, and the dialog that asks again when the list has grown. Asks once
 * the editor is quiet, at most once per page load, and never in a visit in
 * which Node-RED asked its own question or showed its welcome tour: then it
 * waits for a visit at least an hour later (telemetry-watch.js).
 * telemetry-editor.js creates it with the status and the admin API.
 */
window.NodeRedTelemetryPrompt = function (editor) {
    "use strict";
    var View = editor.View;
    var Watch = editor.Watch;
    var t = editor.t;
    /** Per-user editor setting: the question is put off until then (an ISO time). */
    var PUT_OFF = "nodeRedTelemetry.askAfter";
    /** How long the editor must stay free of Node-RED's own dialogs and tours before we ask. */
    var QUIET_MS = 1500;
    var POLL_MS = 250;
    var DIALOG_WIDTH = 540;

    var prompted = false;
    /** @type {JQuery | null} */
    var dialog = null;

    /** The status, which the editor has by the time anything here runs. */
    function status() {
        return /** @type {Status} */ (editor.status());
    }

    /**
     * Calls `fn` once Node-RED's loading bar, own telemetry dialog and tours
     * have been gone for a while; `fn(true)` when Node-RED itself asked or
     * toured in the meantime (its 4.1+ telemetry question, the welcome tour).
     * @param {(coreAsked: boolean) => void} fn
     */
    function whenEditorIsQuiet(fn) {
        /** @type {number | null} */
        var quietSince = null;
        var coreAsked = false;
        (function check() {
            if (!coreAsked && Watch.coreStepShown(document)) {
                coreAsked = true;
                // Stored at once: a tab closed during Node-RED's own question still counts as that visit.
                RED.settings.set(PUT_OFF, Watch.putOffUntil(Date.now()));
            }
            if (Watch.editorIsBusy(document)) {
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
        // jQuery measures a window always: never undefined here.
        return {
            width: Math.min(DIALOG_WIDTH, /** @type {number} */ ($(window).width()) - 2 * margin),
            maxHeight: /** @type {number} */ ($(window).height()) - 2 * margin
        };
    }

    /** @param {JQuery} body */
    function refit(body) {
        if (body.dialog("instance")) {
            body.dialog("option", $.extend(fitToWindow(), { position: { my: "center", at: "center", of: window } }));
        }
    }

    function showPrompt() {
        var kind = View.promptKind(status(), editor.canWrite());
        if (prompted || dialog || !kind) {
            return;
        }
        prompted = true;
        var answered = false;
        // Exactly what the dialog named: an item that appears meanwhile is asked about next time.
        var shown = (status().pending || []).slice();
        var answer = function (/** @type {boolean} */ yes) {
            answered = true;
            closeDialog();
            var body = kind === "first" ? (yes ? { covers: shown } : {}) : (yes ? { covers: shown } : { declines: shown });
            var messages = kind === "first" ? ["consent.thanks", "consent.declined"] : ["more.thanks", "more.declined"];
            editor.choose(kind === "first" ? yes : true, body).then(function () {
                editor.notify(t(yes ? messages[0] : messages[1]), { type: "success", timeout: 5000 });
            });
        };
        var more = kind === "more";
        var fit = fitToWindow();
        dialog = $("<div>", { id: "red-ui-telemetry-consent", "class": more ? "red-ui-telemetry-ask-more" : "red-ui-telemetry-ask-first" })
            .append(more ? View.moreContent($, t, status()) : View.consentContent($, t, editor.fmt, status(), editor.coreAnswer()))
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
                closeText: t("consent.close"),
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
                    // Escape closes the dialog inside Node-RED's own keydown handler, which reads the
                    // event's target after us: removing the element in that same event makes it throw.
                    var closed = $(this);
                    setTimeout(function () { closed.dialog("destroy").remove(); }, 0);
                    // Escape or the close icon: decide later, nothing is stored.
                    if (!answered) {
                        editor.notify(t("consent.later"), { type: "compact", timeout: 6000 });
                    }
                }
            });
    }

    function askWhenQuiet() {
        if (!View.shouldPrompt(editor.status(), editor.canWrite()) || !Watch.mayAsk(RED.settings.get(PUT_OFF), Date.now())) {
            return;
        }
        whenEditorIsQuiet(function (coreAsked) {
            // Three prompts in a row read as nagging, and the third is clicked away unread: not in this visit.
            if (coreAsked) {
                return;
            }
            // Ask again just before showing: another browser may have answered meanwhile.
            editor.request("GET").then(function (latest) {
                editor.applyStatus(latest);
                showPrompt();
            });
        });
    }

    function statusChanged() {
        if (dialog && !View.shouldPrompt(editor.status(), editor.canWrite())) {
            closeDialog();
        }
    }

    return { askWhenQuiet: askWhenQuiet, statusChanged: statusChanged };
};
