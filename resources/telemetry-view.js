// @ts-check
/**
 * node-red-telemetry: what the editor shows, built from plain values.
 * No RED, no network: the editor script (telemetry-editor.js) feeds it the
 * status from GET /telemetry and a translate function, and these builders
 * are unit-tested in jsdom. Every piece of text goes through `t` and is
 * inserted with .text(), never as HTML, so nothing from a setting or an
 * answer can script the page. Its types: types/telemetry.d.ts.
 */
(function (root, factory) {
    if (typeof module === "object" && module.exports) {
        module.exports = factory();
    } else {
        root.NodeRedTelemetryView = factory();
    }
})(/** @type {Window} */ (typeof self !== "undefined" ? self : this), function () {
    "use strict";

    var FIXED = ["flag", "env", "do-not-track", "opt-out-file", "settings"];
    var DOCS_URL = "https://www.npmjs.com/package/node-red-telemetry#what-is-sent";
    /** Copy-paste example for settings.js; code, so the same in every language. */
    var URL_EXAMPLE = "telemetry: {\n    url: \"https://telemetry.example.com/ping\"\n},";

    /**
     * Which question to ask someone allowed to choose: "first" while nobody
     * has chosen, "more" while telemetry is on and the list has grown beyond
     * what the consent covers (a group enabled, a provider installed), or null.
     * @param {Status | null} status @param {boolean} canWrite @returns {PromptKind | null}
     */
    function promptKind(status, canWrite) {
        // With no collector nothing can be sent, so there is nothing to consent to yet: the pane says how to add one.
        if (!status || !canWrite || !status.url) { return null; }
        if (status.enabled === null && status.reason === "pending") { return "first"; }
        if (status.enabled === true && pendingOf(status).length > 0) { return "more"; }
        return null;
    }

    /** @param {Status | null} status @param {boolean} canWrite */
    function shouldPrompt(status, canWrite) {
        return promptKind(status, canWrite) !== null;
    }

    /** @param {Status} status */
    function pendingOf(status) {
        return Array.isArray(status && status.pending) ? status.pending : [];
    }

    /** One line naming an item of the consent: a group, or a provider with its name. @param {Translate} t @param {Status} status @param {string} item */
    function itemLabel(t, status, item) {
        if (item.indexOf("ext:") === 0) {
            var id = item.slice(4);
            var provider = (status.providers || []).filter(function (p) { return p.id === id; })[0];
            return t("item.provider", { id: id, name: provider ? provider.name : id });
        }
        return t("item." + item);
    }

    /** @param {JQueryStatic} $ @param {Translate} t @param {Status} status @param {string[]} items @param {string} cls */
    function itemList($, t, status, items, cls) {
        var list = $("<ul>", { "class": cls });
        items.forEach(function (item) {
            $("<li>", { "data-item": item }).text(itemLabel(t, status, item)).appendTo(list);
        });
        return list;
    }

    /** A flag, environment variable, opt-out file or settings.js decides; the editor cannot. @param {string} reason */
    function isFixed(reason) {
        return FIXED.indexOf(reason) !== -1;
    }

    /** @param {string | null} url */
    function hostOf(url) {
        if (!url) { return null; }
        try { return new URL(url).host; } catch { return null; }
    }

    /** @param {string} version */
    function releaseNotesUrl(version) {
        return "https://github.com/node-red/node-red/releases/tag/" + encodeURIComponent(version);
    }

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
     * these the editor makes its own first contact a notification, not a
     * third dialog in a row.
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

    /** The body of the quieter first contact: one sentence; its buttons are the notification's. @param {JQueryStatic} $ @param {Translate} t */
    function reviewContent($, t) {
        var body = $("<div>", { "class": "red-ui-telemetry-review-notice" });
        $("<p>").text(t("consent.quiet")).appendTo(body);
        return body;
    }

    /** @param {string | null | undefined} iso */
    function formatTime(iso) {
        if (!iso) { return null; }
        var date = new Date(iso);
        return isNaN(date.getTime()) ? null : date.toLocaleString();
    }

    /** @param {JQueryStatic} $ @param {Translate} t */
    function collectedList($, t) {
        var list = $("<ul>", { "class": "red-ui-telemetry-collected" });
        ["instanceId", "nodeRed", "nodejs", "os"].forEach(function (item) {
            $("<li>").text(t("collected." + item)).appendTo(list);
        });
        return list;
    }

    /** A <details> with the exact JSON that would be sent. @param {JQueryStatic} $ @param {Translate} t @param {FullReport} payload */
    function preview($, t, payload) {
        var details = $("<details>", { "class": "red-ui-telemetry-preview" });
        $("<summary>").text(t("consent.showData")).appendTo(details);
        $("<pre>").text(JSON.stringify(payload, null, 2)).appendTo(details);
        return details;
    }

    /** @param {Translate} t @param {Status} status */
    function schedule(t, status) {
        var rhythm = status.schedule || { initialDelay: "30m", interval: "24h" };
        return t("consent.when", { initialDelay: rhythm.initialDelay, interval: rhythm.interval });
    }

    /** The body of the first-run consent dialog. @param {JQueryStatic} $ @param {Translate} t @param {Status} status */
    function consentContent($, t, status) {
        var body = $("<div>", { "class": "red-ui-telemetry-consent" });
        $("<p>").text(t("consent.intro")).appendTo(body);
        collectedList($, t).appendTo(body);
        $("<p>").text(t(pendingOf(status).length > 0 ? "consent.notCollectedInsight" : "consent.notCollected")).appendTo(body);
        if (pendingOf(status).length > 0) {
            $("<p>").text(t("consent.moreIntro")).appendTo(body);
            itemList($, t, status, pendingOf(status), "red-ui-telemetry-items").appendTo(body);
        }
        preview($, t, status.preview).appendTo(body);
        $("<p>").text(hostOf(status.url) ? t("consent.where", { host: hostOf(status.url) }) : t("consent.nowhere")).appendTo(body);
        $("<p>").text(schedule(t, status)).appendTo(body);
        $("<p>").text(t("consent.optOutLater")).appendTo(body);
        return body;
    }

    /** The body of the dialog that asks again when the list has grown: only what is new. @param {JQueryStatic} $ @param {Translate} t @param {Status} status */
    function moreContent($, t, status) {
        var body = $("<div>", { "class": "red-ui-telemetry-consent red-ui-telemetry-more" });
        $("<p>").text(t("more.intro")).appendTo(body);
        itemList($, t, status, pendingOf(status), "red-ui-telemetry-items").appendTo(body);
        $("<p>").text(t("more.unchanged")).appendTo(body);
        preview($, t, status.preview).appendTo(body);
        $("<p>").text(hostOf(status.url) ? t("consent.where", { host: hostOf(status.url) }) : t("consent.nowhere")).appendTo(body);
        return body;
    }

    /** Why nothing is asked or sent yet, and the settings.js lines that change it. @param {JQueryStatic} $ @param {Translate} t */
    function noUrlHelp($, t) {
        var help = $("<div>", { "class": "red-ui-telemetry-no-url" });
        $("<p>").text(t("pane.noUrl")).appendTo(help);
        $("<pre>", { "class": "red-ui-telemetry-url-example" }).text(URL_EXAMPLE).appendTo(help);
        $("<p>").text(t("pane.noUrlRestart")).appendTo(help);
        return help;
    }

    /** @param {Translate} t @param {Erasure | null} erasure */
    function erasureText(t, erasure) {
        if (!erasure) { return null; }
        if (erasure.state === "running") { return t("pane.erasureRunning"); }
        if (erasure.state === "done") { return t("pane.erasureDone", { count: erasure.deleted, time: formatTime(erasure.at) }); }
        return t("pane.erasureFailed", { error: erasure.error });
    }

    /** The "Telemetry" pane in User Settings. @param {JQueryStatic} $ @param {Translate} t @param {Status} status */
    function paneContent($, t, status) {
        var pane = $("<div>", { "class": "red-ui-telemetry-pane" });
        var fixed = isFixed(status.reason);
        var row = $("<div>", { "class": "red-ui-telemetry-toggle" }).appendTo(pane);
        var toggle = $("<input>", { type: "checkbox", id: "red-ui-telemetry-enabled" })
            .prop("checked", status.enabled === true)
            .prop("disabled", fixed)
            .appendTo(row);
        $("<label>", { "for": "red-ui-telemetry-enabled" }).text(" " + t("pane.toggle")).appendTo(row);
        // Offered only where switching off is possible: erasing goes with withdrawing.
        var erase = /** @type {JQuery | null} */ (null);
        if (status.enabled === true && !fixed) {
            var eraseRow = $("<div>", { "class": "red-ui-telemetry-erase" }).appendTo(pane);
            erase = $("<input>", { type: "checkbox", id: "red-ui-telemetry-erase" }).appendTo(eraseRow);
            $("<label>", { "for": "red-ui-telemetry-erase" }).text(" " + t("pane.erase")).appendTo(eraseRow);
        }
        var state = status.enabled === null ? "pending" : (status.enabled ? "on" : "off");
        $("<p>", { "class": "red-ui-telemetry-state" }).text(t("pane.state." + state)).appendTo(pane);
        if (!status.url) {
            noUrlHelp($, t).appendTo(pane);
        }
        if (fixed) {
            $("<p>", { "class": "red-ui-telemetry-fixed" }).text(t("pane.fixed", { reason: t("reason." + status.reason) })).appendTo(pane);
        }
        var facts = $("<dl>", { "class": "red-ui-telemetry-facts" }).appendTo(pane);
        var fact = function (/** @type {string} */ name, /** @type {string | null} */ value) {
            $("<dt>").text(t("pane." + name)).appendTo(facts);
            $("<dd>", { "class": "red-ui-telemetry-" + name }).text(value || "").appendTo(facts);
        };
        fact("destination", status.url || t("pane.none"));
        var last = status.lastReport;
        fact("lastReport", last ? t(last.ok ? "pane.lastOk" : "pane.lastFailed", { time: formatTime(last.at) }) : t("pane.never"));
        fact("nextReport", status.nextReportAt ? formatTime(status.nextReportAt) : t("pane.none"));
        if (status.erasure) {
            fact("erasure", erasureText(t, status.erasure));
        }
        if (status.covered && status.covered.length > 0) {
            $("<h4>").text(t("pane.extra")).appendTo(pane);
            itemList($, t, status, status.covered, "red-ui-telemetry-covered").appendTo(pane);
        }
        if (pendingOf(status).length > 0) {
            $("<h4>").text(t("pane.pending")).appendTo(pane);
            itemList($, t, status, pendingOf(status), "red-ui-telemetry-pending").appendTo(pane);
        }
        $("<h4>").text(t("pane.payload")).appendTo(pane);
        $("<pre>", { "class": "red-ui-telemetry-payload" }).text(JSON.stringify(status.preview, null, 2)).appendTo(pane);
        $("<a>", { href: DOCS_URL, target: "_blank", rel: "noopener noreferrer" }).text(t("pane.docs")).appendTo($("<p>").appendTo(pane));
        return { element: pane, toggle: toggle, erase: erase };
    }

    /**
     * The body of an update notification, from the offer the runtime publishes:
     * `{ version, node?, newer? }`. `node` is the oldest Node.js the offered
     * version runs on, given only when this Node-RED's is older; `newer` is a
     * later version this Node.js cannot run, mentioned so nobody is surprised.
     * @param {JQueryStatic} $ @param {Translate} t @param {Offer | string} update
     */
    function updateContent($, t, update) {
        /** @type {Offer} */
        var offer = typeof update === "string" ? { version: update } : update;
        var body = $("<div>", { "class": "red-ui-telemetry-update" });
        var text = offer.node ? t("update.needsNode", { version: offer.version, node: offer.node }) : t("update.available", { version: offer.version });
        $("<p>").text(text).appendTo(body);
        if (offer.newer && offer.newer.version && offer.newer.node) {
            $("<p>", { "class": "red-ui-telemetry-update-newer" }).text(t("update.newer", { version: offer.newer.version, node: offer.newer.node })).appendTo(body);
        }
        $("<a>", { href: releaseNotesUrl(offer.version), target: "_blank", rel: "noopener noreferrer" }).text(t("update.releaseNotes")).appendTo($("<p>").appendTo(body));
        return body;
    }

    /** One message for an admin API failure, from its JSON error when it has one. @param {Translate} t @param {JQuery.jqXHR | null | undefined} xhr */
    function errorMessage(t, xhr) {
        /** @type {{ error?: { message?: string } } | undefined} */
        var body = xhr && xhr.responseJSON;
        if (body && body.error && body.error.message) { return body.error.message; }
        return t("error.request", { status: xhr && xhr.status ? xhr.status : "?" });
    }

    return {
        shouldPrompt: shouldPrompt, promptKind: promptKind, itemLabel: itemLabel, isFixed: isFixed,
        hostOf: hostOf, releaseNotesUrl: releaseNotesUrl, formatTime: formatTime, erasureText: erasureText,
        editorIsBusy: editorIsBusy, coreStepShown: coreStepShown,
        reviewContent: reviewContent, consentContent: consentContent, moreContent: moreContent,
        paneContent: paneContent, updateContent: updateContent, errorMessage: errorMessage
    };
});
