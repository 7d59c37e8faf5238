// @ts-check
/**
 * node-red-telemetry: the body of the "Usage data" pane in User Settings,
 * built from plain values in the layout of Node-RED's own settings panes
 * (sections under <h3>, one .red-ui-settings-row per control). No RED:
 * telemetry-pane.js feeds it the status and turns the checkbox into
 * Node-RED's toggle button; unit-tested in jsdom. Text goes in with .text()
 * only. Its item lists come from telemetry-view.js. Types: types/telemetry.d.ts.
 */
(function (root, factory) {
    if (typeof module === "object" && module.exports) {
        // UMD: Node.js (the unit tests) loads its sibling by require.
        module.exports = factory(function () { return require("./telemetry-view.js"); });
    } else {
        // In the editor the scripts load in no fixed order: the view is looked up when a pane is built.
        root.NodeRedTelemetryPaneView = factory(function () { return root.NodeRedTelemetryView; });
    }
})(/** @type {Window} */ (typeof self !== "undefined" ? self : this), function (/** @type {() => TelemetryView} */ view) {
    "use strict";

    var DOCS_URL = "https://www.npmjs.com/package/node-red-telemetry#what-is-sent";
    /** @param {Translate} t @param {UpdateNotices} notices */
    function noticesText(t, notices) {
        return notices === "on" ? t("pane.updatesOn") : (notices === "off-core" ? t("pane.updatesOffCore") : t("pane.updatesOffSettings"));
    }
    /** Copy-paste example for settings.js; code, so the same in every language. */
    var URL_EXAMPLE = "telemetry: {\n    url: \"https://telemetry.example.com/ping\",\n    operator: \"ACME IT\"\n},";

    /** Why nothing is asked or sent yet, and the settings.js lines that change it. @param {JQueryStatic} $ @param {Translate} t */
    function noUrlHelp($, t) {
        var help = $("<div>", { "class": "red-ui-telemetry-no-url" });
        $("<p>").text(t("pane.noUrl")).appendTo(help);
        $("<pre>", { "class": "red-ui-telemetry-url-example" }).text(URL_EXAMPLE).appendTo(help);
        $("<p>").text(t("pane.noUrlRestart")).appendTo(help);
        return help;
    }

    /** @param {Translate} t @param {Formatter} fmt @param {Erasure | null} erasure */
    function erasureText(t, fmt, erasure) {
        if (!erasure) { return null; }
        if (erasure.state === "running") { return t("pane.erasureRunning"); }
        if (erasure.state === "done") { return t("pane.erasureDone", { count: erasure.deleted, time: fmt.dateTime(erasure.at) }); }
        return t("pane.erasureFailed", { error: erasure.error });
    }

    /** The next report: its date and time, and how far off it is. @param {Translate} t @param {Formatter} fmt @param {string | null} iso @param {number} now */
    function nextText(t, fmt, iso, now) {
        var when = fmt.dateTime(iso);
        return when ? t("pane.nextAt", { time: when, relative: fmt.relative(iso, now) }) : t("pane.none");
    }

    /**
     * Why the switch cannot be used, or null when it can: a flag, variable,
     * file or settings.js decides; or there is no collector to send to.
     * @param {Status} status
     */
    function lockedBy(status) {
        if (view().isFixed(status.reason)) { return "fixed"; }
        return status.url ? null : "no-url";
    }

    /**
     * The pane's body.
     * @param {JQueryStatic} $ @param {Translate} t @param {Formatter} fmt @param {Status} status
     * @param {PaneContext} context
     */
    function paneContent($, t, fmt, status, context) {
        var View = view();
        var pane = $("<div>", { "class": "red-ui-telemetry-pane" });
        var locked = lockedBy(status);
        var row = $("<div>", { "class": "red-ui-settings-row red-ui-telemetry-toggle" }).appendTo(pane);
        var toggle = $("<input>", { type: "checkbox", id: "red-ui-telemetry-enabled" })
            .prop("checked", status.enabled === true)
            .prop("disabled", locked !== null || !context.canWrite)
            .appendTo(row);
        var label = $("<label>", { "for": "red-ui-telemetry-enabled" }).appendTo(row);
        $("<span>", { "class": "red-ui-telemetry-toggle-label" }).text(t("pane.toggle")).appendTo(label);
        var state = status.enabled === null ? "pending" : (status.enabled ? "on" : "off");
        $("<span>", { "class": "red-ui-telemetry-state" }).text(t("pane.state." + state)).appendTo(label);
        // Only right after switching off here: deleting goes with withdrawing, never beside a switch that is on.
        var erase = /** @type {JQuery | null} */ (null);
        if (context.offerErase && status.enabled === false && locked === null && context.canWrite) {
            var eraseRow = $("<div>", { "class": "red-ui-telemetry-erase" }).appendTo(pane);
            $("<p>", { "class": "red-ui-telemetry-erase-hint" }).text(t("pane.eraseHint")).appendTo(eraseRow);
            erase = $("<button>", { type: "button", "class": "red-ui-button", id: "red-ui-telemetry-erase" }).text(t("pane.erase")).appendTo(eraseRow);
        }
        if (locked === "no-url") {
            noUrlHelp($, t).appendTo(pane);
        } else if (locked === "fixed") {
            $("<p>", { "class": "red-ui-telemetry-fixed" }).text(t("pane.fixed", { reason: t("reason." + status.reason) })).appendTo(pane);
        }
        $("<h3>").text(t("pane.details")).appendTo(pane);
        var facts = $("<dl>", { "class": "red-ui-telemetry-facts" }).appendTo(pane);
        var fact = function (/** @type {string} */ name, /** @type {string | null} */ value) {
            $("<dt>").text(t("pane." + name)).appendTo(facts);
            $("<dd>", { "class": "red-ui-telemetry-" + name }).text(value || "").appendTo(facts);
        };
        fact("operator", status.operator || t("pane.noOperator"));
        fact("destination", status.url || t("pane.none"));
        var last = status.lastReport;
        fact("lastReport", last ? t(last.ok ? "pane.lastOk" : "pane.lastFailed", { time: fmt.dateTime(last.at) }) : t("pane.never"));
        fact("nextReport", nextText(t, fmt, status.nextReportAt, context.now));
        fact("updates", noticesText(t, View.updateNotices(status, context.coreAnswer)));
        if (status.erasure) {
            fact("erasure", erasureText(t, fmt, status.erasure));
        }
        if (status.covered && status.covered.length > 0) {
            $("<h3>").text(t("pane.extra")).appendTo(pane);
            View.itemList($, t, status, status.covered, "red-ui-telemetry-covered").appendTo(pane);
        }
        if (View.pendingOf(status).length > 0) {
            $("<h3>").text(t("pane.pending")).appendTo(pane);
            View.itemList($, t, status, View.pendingOf(status), "red-ui-telemetry-pending").appendTo(pane);
        }
        $("<h3>").text(t("pane.payload")).appendTo(pane);
        $("<pre>", { "class": "red-ui-telemetry-payload" }).text(JSON.stringify(status.preview, null, 2)).appendTo(pane);
        if (status.fieldsUrl) { View.fieldsLink($, t, status.fieldsUrl).appendTo(pane); }
        $("<a>", { href: DOCS_URL, target: "_blank", rel: "noopener noreferrer" }).text(t("pane.docs")).appendTo($("<p>").appendTo(pane));
        return { element: pane, toggle: toggle, erase: erase };
    }

    return { paneContent: paneContent, erasureText: erasureText, lockedBy: lockedBy };
});
