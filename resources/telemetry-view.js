// @ts-check
/**
 * node-red-telemetry: what the editor shows, built from plain values.
 * No RED, no network: the editor script (telemetry-editor.js) feeds it the
 * status from GET /telemetry, a translate function and a formatter
 * (telemetry-format.js), and these builders are unit-tested in jsdom. The
 * settings pane's body is telemetry-pane-view.js, which uses the item lists here. Every piece of text goes through `t` and is
 * inserted with .text(), never as HTML, so nothing from a setting or an
 * answer can script the page. Its types: types/telemetry.d.ts.
 */
(function (root, factory) {
    if (typeof module === "object" && module.exports) module.exports = factory(); else root.NodeRedTelemetryView = factory();
})(/** @type {Window} */ (typeof self !== "undefined" ? self : this), function () {
    "use strict";

    var FIXED = ["flag", "env", "do-not-track", "opt-out-file", "settings"];

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

    /** @param {JQueryStatic} $ @param {Translate} t */
    function collectedList($, t) {
        var list = $("<ul>", { "class": "red-ui-telemetry-collected" });
        ["instanceId", "nodeRed", "nodejs", "os"].forEach(function (item) {
            $("<li>").text(t("collected." + item)).appendTo(list);
        });
        return list;
    }

    /**
     * A link to the collector's own list of what it collects, why and how it
     * publishes each field (GET api/v1/fields); nothing without a collector.
     * @param {JQueryStatic} $ @param {Translate} t @param {string | null} fieldsUrl
     */
    function fieldsLink($, t, fieldsUrl) {
        var line = $("<p>", { "class": "red-ui-telemetry-fields" });
        if (fieldsUrl) {
            $("<a>", { href: fieldsUrl, target: "_blank", rel: "noopener noreferrer" }).text(t("consent.fieldsLink")).appendTo(line);
        }
        return line;
    }

    /** A <details> with the exact JSON that would be sent. @param {JQueryStatic} $ @param {Translate} t @param {FullReport} payload @param {string | null} fieldsUrl */
    function preview($, t, payload, fieldsUrl) {
        var details = $("<details>", { "class": "red-ui-telemetry-preview" });
        $("<summary>").text(t("consent.showData")).appendTo(details);
        $("<pre>").text(JSON.stringify(payload, null, 2)).appendTo(details);
        if (fieldsUrl) { fieldsLink($, t, fieldsUrl).appendTo(details); }
        return details;
    }

    /** When reports are sent, the durations in the editor's language. @param {Translate} t @param {Formatter} fmt @param {Status} status */
    function schedule(t, fmt, status) {
        var rhythm = status.schedule || { initialDelay: "30m", firstBy: "1h", interval: "24h" };
        var values = { initialDelay: fmt.duration(rhythm.initialDelay), firstBy: fmt.duration(rhythm.firstBy), interval: fmt.duration(rhythm.interval) };
        // No window (initialDelay 0): the first report goes at once, at a moment not worth a range.
        return t(rhythm.firstBy === rhythm.initialDelay ? "consent.when" : "consent.when-spread", values);
    }

    /**
     * Whether this user sees update notices: settings.js decides when it sets
     * telemetry.updateNotification; unset, a "no" to Node-RED's own
     * update-notification question (4.1+) holds for ours too.
     * @param {Status} status @param {boolean | undefined} coreAnswer Node-RED's own telemetryEnabled, if answered
     * @returns {UpdateNotices}
     */
    function updateNotices(status, coreAnswer) {
        if (status.updateNotification === false) { return "off-settings"; }
        if (status.updateNotification === null && coreAnswer === false) { return "off-core"; }
        return "on";
    }

    /** Who receives the reports and where: the operator settings.js names, with the host. @param {Translate} t @param {Status} status */
    function receiver(t, status) {
        var host = hostOf(status.url);
        if (!host) { return t("consent.nowhere"); }
        return status.operator ? t("consent.whereOperator", { operator: status.operator, host: host }) : t("consent.where", { host: host });
    }

    /**
     * The body of the first-run consent dialog: what, who receives it, when,
     * how it differs from Node-RED's own question, and what the answer brings.
     * @param {JQueryStatic} $ @param {Translate} t @param {Formatter} fmt @param {Status} status
     * @param {boolean | undefined} coreAnswer Node-RED's own telemetryEnabled (4.1+), undefined where it never asked
     */
    function consentContent($, t, fmt, status, coreAnswer) {
        var body = $("<div>", { "class": "red-ui-telemetry-consent" });
        $("<p>").text(status.operator ? t("consent.introOperator", { operator: status.operator }) : t("consent.intro")).appendTo(body);
        collectedList($, t).appendTo(body);
        $("<p>").text(t(pendingOf(status).length > 0 ? "consent.notCollectedInsight" : "consent.notCollected")).appendTo(body);
        if (pendingOf(status).length > 0) {
            $("<p>").text(t("consent.moreIntro")).appendTo(body);
            itemList($, t, status, pendingOf(status), "red-ui-telemetry-items").appendTo(body);
        }
        preview($, t, status.preview, status.fieldsUrl).appendTo(body);
        $("<p>", { "class": "red-ui-telemetry-receiver" }).text(receiver(t, status)).appendTo(body);
        $("<p>").text(schedule(t, fmt, status)).appendTo(body);
        if (coreAnswer !== undefined) {
            $("<p>", { "class": "red-ui-telemetry-not-core" }).text(t("consent.notCore")).appendTo(body);
        }
        var notices = updateNotices(status, coreAnswer);
        if (notices !== "off-settings") {
            $("<p>", { "class": "red-ui-telemetry-updates" }).text(t(notices === "on" ? "consent.updatesOn" : "consent.updatesOffCore")).appendTo(body);
        }
        $("<p>").text(t("consent.optOutLater")).appendTo(body);
        return body;
    }

    /** The body of the dialog that asks again when the list has grown: only what is new. @param {JQueryStatic} $ @param {Translate} t @param {Status} status */
    function moreContent($, t, status) {
        var body = $("<div>", { "class": "red-ui-telemetry-consent red-ui-telemetry-more" });
        $("<p>").text(t("more.intro")).appendTo(body);
        itemList($, t, status, pendingOf(status), "red-ui-telemetry-items").appendTo(body);
        $("<p>").text(t("more.unchanged")).appendTo(body);
        preview($, t, status.preview, status.fieldsUrl).appendTo(body);
        $("<p>", { "class": "red-ui-telemetry-receiver" }).text(receiver(t, status)).appendTo(body);
        return body;
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
        shouldPrompt: shouldPrompt, promptKind: promptKind, pendingOf: pendingOf, itemLabel: itemLabel, itemList: itemList,
        isFixed: isFixed, hostOf: hostOf, releaseNotesUrl: releaseNotesUrl, updateNotices: updateNotices, receiver: receiver,
        consentContent: consentContent, moreContent: moreContent, updateContent: updateContent, errorMessage: errorMessage,
        fieldsLink: fieldsLink
    };
});
