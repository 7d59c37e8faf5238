// @ts-check
/**
 * node-red-telemetry: update notifications. Shows each offered Node-RED
 * version once per page load, unless this user chose "don't remind me" for
 * it (a per-user editor setting, so it follows the user to another browser).
 * telemetry-editor.js creates it and feeds it what the runtime publishes.
 */
window.NodeRedTelemetryUpdates = function (editor) {
    "use strict";
    var View = editor.View;
    var t = editor.t;
    /** Per-user editor setting, so "don't remind me" follows the user to another browser. */
    var DISMISSED = "nodeRedTelemetry.dismissedUpdate";
    /** @type {Record<string, boolean>} */
    var notified = {};

    /** @type {TelemetryUpdates["notify"]} */
    function notify(update) {
        var version = update && update.version;
        if (!version || notified[version] || RED.settings.get(DISMISSED) === version) {
            return;
        }
        notified[version] = true;
        var notification = RED.notify(View.updateContent($, t, /** @type {Offer} */ (update)), {
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

    return { notify: notify };
};
