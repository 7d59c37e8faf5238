// @ts-check
/**
 * node-red-telemetry: the `editor` group's tally, pure — what a session
 * counted, added up, and folded by the runtime's closed lists before it may
 * leave the page; and the session's facts (viewport, look) from plain
 * values. telemetry-editor-usage.js keeps one and hands it in. No RED and no
 * DOM, so the unit tests run it in Node.js. Types: types/editor-usage.d.ts.
 */
(function (root, factory) {
    if (typeof module === "object" && module.exports) module.exports = factory(); else root.NodeRedTelemetryUsageTally = factory();
})(/** @type {Window} */ (typeof self !== "undefined" ? self : this), function () {
    "use strict";

    /** Window widths (CSS pixels) below which a session counts as a phone's, a tablet's. */
    var PHONE_BELOW = 600;
    var TABLET_BELOW = 1024;
    var FIELDS = /** @type {const} */ (["actions", "languages", "themes", "viewports"]);

    /** @returns {EditorTally} */
    function emptyTally() {
        return { sessions: 0, actions: {}, languages: {}, themes: {}, viewports: {} };
    }

    /** @param {EditorTally} tally */
    function isEmpty(tally) {
        return tally.sessions === 0 && FIELDS.every(function (field) { return Object.keys(tally[field]).length === 0; });
    }

    /** Adds `more` into `into`. @param {EditorTally} into @param {EditorTally} more */
    function addInto(into, more) {
        into.sessions += more.sessions;
        FIELDS.forEach(function (field) {
            Object.keys(more[field]).forEach(function (name) {
                into[field][name] = (into[field][name] || 0) + more[field][name];
            });
        });
    }

    /** Whether the status says reports carry the group now: telemetry on, and the consent covering it. @param {Status | null} status */
    function covers(status) {
        return !!status && status.enabled === true && Array.isArray(status.covered) && status.covered.indexOf("editor") !== -1;
    }

    /** @param {number} width @returns {EditorFacts["viewport"]} */
    function viewportOf(width) {
        return width < PHONE_BELOW ? "phone" : width < TABLET_BELOW ? "tablet" : "desktop";
    }

    /**
     * `dark` when a CSS colour ("rgb(34, 34, 34)") is darker than mid-grey by its
     * perceived brightness (0.299 R + 0.587 G + 0.114 B below 128); anything
     * else, a transparent or unreadable colour too, `light`.
     * @param {string} color @returns {EditorFacts["theme"]}
     */
    function themeOf(color) {
        var parts = (String(color).match(/[\d.]+/g) || []).map(Number);
        if (parts.length < 3 || parts[3] === 0) { return "light"; }
        // In thousandths, so that mid-grey itself is not lost to rounding.
        return 299 * parts[0] + 587 * parts[1] + 114 * parts[2] < 128000 ? "dark" : "light";
    }

    /**
     * What may leave the page: the tally with every name outside the lists
     * folded into `other` (a theme or viewport outside them is dropped, as
     * those lists have no `other`); null when nothing was counted.
     * @param {EditorTally} tally @param {EditorLists} lists @returns {Partial<EditorCounts> | null}
     */
    function folded(tally, lists) {
        if (isEmpty(tally)) { return null; }
        /** @type {Record<string, unknown>} */
        var body = { sessions: tally.sessions };
        FIELDS.forEach(function (field) {
            var list = lists[field];
            /** @type {Record<string, number>} */
            var out = {};
            Object.keys(tally[field]).forEach(function (name) {
                var key = list.indexOf(name) !== -1 ? name : list.indexOf("other") !== -1 ? "other" : null;
                if (key !== null) { out[key] = (out[key] || 0) + tally[field][name]; }
            });
            body[field] = out;
        });
        return /** @type {Partial<EditorCounts>} */ (body);
    }

    return {
        emptyTally: emptyTally,
        isEmpty: isEmpty,
        addInto: addInto,
        covers: covers,
        viewportOf: viewportOf,
        themeOf: themeOf,
        folded: folded
    };
});
