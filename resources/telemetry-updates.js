// @ts-check
/**
 * node-red-telemetry: update notifications. Shows each offered Node-RED
 * version once per page load, unless this user chose "don't remind me" for
 * it (a per-user editor setting, so it follows the user to another browser),
 * or said no to Node-RED's own update notifications while settings.js leaves
 * telemetry.updateNotification unset. Never on top of Node-RED's own
 * question or tour: the offer is held until they are gone.
 * telemetry-editor.js creates it and feeds it what the runtime publishes.
 */
window.NodeRedTelemetryUpdates = function (editor) {
    "use strict";
    var View = editor.View;
    var t = editor.t;
    /** Per-user editor setting, so "don't remind me" follows the user to another browser. */
    var DISMISSED = "nodeRedTelemetry.dismissedUpdate";
    var RETRY_MS = 1000;
    /** @type {Record<string, boolean>} */
    var notified = {};
    /** The last offer published; shown once the status allows. @type {Offer | null} */
    var offer = null;
    var waiting = false;

    function show() {
        var status = editor.status();
        var version = offer && offer.version;
        if (!offer || !version || !status || notified[version] || RED.settings.get(DISMISSED) === version) {
            return;
        }
        if (View.updateNotices(status, editor.coreAnswer()) !== "on") {
            return;
        }
        if (editor.Watch.coreStepShown(document)) {
            // Node-RED's own question may be the one that turns these off: wait for its answer.
            if (!waiting) {
                waiting = true;
                setTimeout(function () { waiting = false; show(); }, RETRY_MS);
            }
            return;
        }
        notified[version] = true;
        var notification = editor.notify(View.updateContent($, t, offer), {
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
        // plugin.html hides it while User Settings is open, so that it never covers that dialog's title and Close button.
        $(notification).addClass("red-ui-telemetry-update-notice");
    }

    /** @type {TelemetryUpdates["notify"]} */
    function notify(update) {
        offer = update && update.version ? /** @type {Offer} */ (update) : null;
        show();
    }

    return { notify: notify, statusChanged: show };
};
