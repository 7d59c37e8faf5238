// @ts-check
/**
 * node-red-telemetry: when the editor may ask. Reads the page (Node-RED's
 * loading bar, its own telemetry question, its welcome tour) and the time a
 * question was put off until; no RED, no network, so the unit tests run it
 * in jsdom. telemetry-prompt.js polls it. Its types: types/telemetry.d.ts.
 */
(function (root, factory) {
    if (typeof module === "object" && module.exports) module.exports = factory(); else root.NodeRedTelemetryWatch = factory();
})(/** @type {Window} */ (typeof self !== "undefined" ? self : this), function () {
    "use strict";

    /**
     * How long after a visit with Node-RED's own question or tour ours waits:
     * a reload a minute later is the same sitting, not a next visit.
     */
    var PAUSE_MS = 60 * 60 * 1000;

    /**
     * Whether one of Node-RED's own first-run steps is on screen: the loading
     * bar, Node-RED 4.1's telemetry dialog, the welcome tour, or any modal.
     * Our prompt waits for all of them rather than stacking on top.
     * @param {Document} doc
     */
    function editorIsBusy(doc) {
        var view = /** @type {Window} */ (doc.defaultView);
        var shown = function (/** @type {Element | null} */ el) {
            // parentElement is null exactly where parentNode is not an element.
            for (; el && el.nodeType === 1; el = el.parentElement) {
                var style = view.getComputedStyle(el);
                if (/** @type {HTMLElement} */ (el).hidden || style.display === "none" || style.visibility === "hidden") { return false; }
            }
            return true;
        };
        var visible = function (/** @type {string} */ selector) {
            var found = doc.querySelectorAll(selector);
            for (var i = 0; i < found.length; i++) {
                if (shown(found[i])) { return true; }
            }
            return false;
        };
        return visible("#red-ui-loading-progress") ||
            visible(".red-ui-popover.red-ui-dialog") ||
            visible(".red-ui-tourGuide-shade") ||
            visible(".ui-dialog") ||
            visible("#red-ui-full-shade");
    }

    /**
     * Whether Node-RED itself is asking or touring right now: its 4.1+
     * telemetry question (a popover dialog) or the welcome tour. After one of
     * these ours waits for a later visit rather than be a third prompt in a row.
     * @param {Document} doc
     */
    function coreStepShown(doc) {
        var found = doc.querySelectorAll(".red-ui-popover.red-ui-dialog, .red-ui-tourGuide-shade");
        var view = /** @type {Window} */ (doc.defaultView);
        for (var i = 0; i < found.length; i++) {
            if (view.getComputedStyle(found[i]).display !== "none") { return true; }
        }
        return false;
    }

    /**
     * Until when a question is put off after Node-RED asked or toured in this
     * visit, as an ISO time to store in the user's editor settings.
     * @param {number} now
     */
    function putOffUntil(now) {
        return new Date(now + PAUSE_MS).toISOString();
    }

    /**
     * Whether a question put off until `until` (a stored ISO time, or nothing)
     * may be asked at `now`. A time further away than the pause itself was
     * stored under another clock, and counts as passed rather than as never.
     * @param {unknown} until @param {number} now
     */
    function mayAsk(until, now) {
        if (typeof until !== "string") { return true; }
        var at = new Date(until).getTime();
        return isNaN(at) || at <= now || at - now > PAUSE_MS;
    }

    return { PAUSE_MS: PAUSE_MS, editorIsBusy: editorIsBusy, coreStepShown: coreStepShown, putOffUntil: putOffUntil, mayAsk: mayAsk };
});
