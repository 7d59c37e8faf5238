// @ts-check
/**
 * node-red-telemetry: the "Usage data" pane in User Settings. Shows the
 * status (built by telemetry-pane-view.js) while User Settings is open; its
 * switch, Node-RED's own toggle button, turns telemetry on or off at once,
 * and right after switching off it offers to delete what was sent.
 * telemetry-editor.js creates it with the status and the admin API.
 */
window.NodeRedTelemetryPane = function (editor) {
    "use strict";
    var t = editor.t;
    /** On <body> while User Settings is open: plugin.html hides our update notice under it. */
    var OPEN_CLASS = "red-ui-telemetry-settings-open";
    /** On User Settings' tray, which Node-RED sizes to the workspace: a few dozen pixels beside the sidebar on a phone. */
    var TRAY_CLASS = "red-ui-telemetry-settings-tray";
    /** @type {JQuery | null} */
    var pane = null;
    /** Switched off in this pane since User Settings opened: deleting what was sent is offered. */
    var offerErase = false;

    /** Node-RED's toggle button over the checkbox, as its own editor uses it; the plain checkbox where it is missing. @param {JQuery} toggle */
    function asToggleButton(toggle) {
        if (typeof toggle.toggleButton !== "function") {
            return;
        }
        toggle.toggleButton({ enabledLabel: t("pane.on"), disabledLabel: t("pane.off"), enabledIcon: "fa-toggle-on", disabledIcon: "fa-toggle-off" });
        var button = toggle.next(".red-ui-toggleButton");
        button.attr({ id: "red-ui-telemetry-switch", role: "switch", "aria-checked": String(toggle.prop("checked")), "aria-labelledby": "red-ui-telemetry-toggle-label" })
            .prop("disabled", toggle.prop("disabled"));
        toggle.on("change", function () {
            button.attr("aria-checked", String(toggle.prop("checked")));
        });
    }

    /** @param {boolean} wanted @param {JQuery} toggle */
    function switchTo(wanted, toggle) {
        toggle.prop("disabled", true);
        toggle.next(".red-ui-toggleButton").prop("disabled", true);
        // The status now, which this pane shows: it is redrawn whenever the status changes.
        var current = /** @type {Status} */ (editor.status());
        // On: covers what the pane shows. Off: at once, as easy as on; deleting is offered after.
        offerErase = !wanted;
        editor.choose(wanted, wanted ? { covers: (current.pending || []).slice() } : {}).fail(function () {
            offerErase = false;
            render();
        });
    }

    function render() {
        var status = editor.status();
        if (!pane || !status) {
            return;
        }
        /** @type {PaneContext} */
        var context = { canWrite: editor.canWrite(), coreAnswer: editor.coreAnswer(), offerErase: offerErase, now: Date.now() };
        var built = editor.PaneView.paneContent($, t, editor.fmt, status, context);
        pane.empty().append(built.element.children());
        var toggle = pane.find("#red-ui-telemetry-enabled");
        pane.find(".red-ui-telemetry-toggle-label").attr("id", "red-ui-telemetry-toggle-label");
        // The widget first: it triggers "change" as it is made, which must not count as a choice.
        asToggleButton(toggle);
        toggle.on("change", function () {
            switchTo(toggle.prop("checked"), toggle);
        });
        if (built.erase) {
            var erase = built.erase;
            erase.on("click", function () {
                erase.prop("disabled", true);
                offerErase = false;
                editor.choose(false, { erase: true }).fail(function () {
                    offerErase = true;
                    render();
                });
            });
        }
    }

    function add() {
        RED.userSettings.add({
            id: "node-red-telemetry",
            title: t("pane.title"),
            get: function () {
                // Node-RED shows the element whose id is "red-ui-settings-tab-" + the pane's id.
                var element = $("<div>", { id: "red-ui-settings-tab-node-red-telemetry", "class": "red-ui-help red-ui-telemetry-pane" });
                pane = element;
                offerErase = false;
                $(document.body).addClass(OPEN_CLASS);
                // Node-RED adds the pane to its tray once get() returns: mark that tray, which plugin.html widens on a phone.
                setTimeout(function () { element.closest(".red-ui-tray").addClass(TRAY_CLASS); }, 0);
                render();
                editor.request("GET").then(editor.applyStatus, editor.showError);
                return element;
            },
            close: function () {
                pane = null;
                offerErase = false;
                $(document.body).removeClass(OPEN_CLASS);
            },
            focus: function () {
                if (pane) {
                    var control = pane.find("#red-ui-telemetry-switch");
                    (control.length ? control : pane.find("#red-ui-telemetry-enabled")).trigger("focus");
                }
            }
        });
    }

    return { add: add, render: render };
};
