// @ts-check
/**
 * node-red-telemetry: the "Telemetry" pane in User Settings. Shows the
 * status (built by telemetry-view.js) while User Settings is open; its
 * toggle switches telemetry on or off, and off can erase what was sent.
 * telemetry-editor.js creates it with the status and the admin API.
 */
window.NodeRedTelemetryPane = function (editor) {
    "use strict";
    var View = editor.View;
    var t = editor.t;
    /** @type {JQuery | null} */
    var pane = null;

    function render() {
        var status = editor.status();
        if (!pane || !status) {
            return;
        }
        var built = View.paneContent($, t, status);
        pane.empty().append(built.element.children());
        var toggle = pane.find("#red-ui-telemetry-enabled");
        if (!editor.canWrite()) {
            toggle.prop("disabled", true);
        }
        toggle.on("change", function () {
            var wanted = toggle.prop("checked");
            var erase = built.erase && built.erase.prop("checked");
            toggle.prop("disabled", true);
            // The status now, which this pane shows: it is redrawn whenever the status changes.
            var current = /** @type {Status} */ (editor.status());
            // On: covers what the pane shows; off: withdraws, and erases when asked to.
            var extra = wanted ? { covers: (current.pending || []).slice() } : (erase ? { erase: true } : {});
            editor.choose(wanted, extra).fail(function () {
                toggle.prop("checked", !wanted).prop("disabled", false);
            });
        });
    }

    function add() {
        RED.userSettings.add({
            id: "node-red-telemetry",
            title: t("pane.title"),
            get: function () {
                // Node-RED shows the element whose id is "red-ui-settings-tab-" + the pane's id.
                var element = $("<div>", { id: "red-ui-settings-tab-node-red-telemetry", "class": "red-ui-telemetry-pane" });
                pane = element;
                render();
                editor.request("GET").then(editor.applyStatus, editor.showError);
                return element;
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

    return { add: add, render: render };
};
