// @ts-check
/**
 * node-red-telemetry: the `editor` group (issue 29). While the plugin's
 * status says the consent covers the group, this counts in memory the editor
 * sessions, each editor action a person runs (RED.actions: menus, keyboard
 * shortcuts, many buttons; the Deploy button as core:deploy-flows) and the
 * session's language, look and window size, and hands the counts to the
 * runtime (POST telemetry/editor-usage) every five minutes and when the page
 * is hidden. Names outside the runtime's closed lists (GET
 * telemetry/editor-usage) leave the page only as `other`. While the group is
 * not covered it counts nothing and sends nothing. The counter takes its I/O
 * as arguments, so the unit tests run it in jsdom; start() wires it to the
 * page. Needs only telemetry-usage-tally.js (the pure tally it keeps);
 * plugin.html starts it. Types: types/editor-usage.d.ts.
 */
(function (root, factory) {
    if (typeof module === "object" && module.exports) {
        module.exports = factory(function () { return require("./telemetry-usage-tally.js"); });
    } else {
        // Looked up when first used: the plugin's scripts load in no fixed order among themselves.
        root.NodeRedTelemetryEditorUsage = factory(function () { return root.NodeRedTelemetryUsageTally; });
    }
})(/** @type {Window} */ (typeof self !== "undefined" ? self : this), function (/** @type {() => typeof import("./telemetry-usage-tally.js")} */ tallyModule) {
    "use strict";

    var ROUTE = "telemetry/editor-usage";
    /** How often the counts are handed in while the page stays open. */
    var FLUSH_MS = 5 * 60 * 1000;
    /** Distinct action names held in memory; beyond them an action counts as `other` at once. */
    var MAX_NAMES = 256;

    /** @returns {EditorTally} */
    function emptyTally() { return tallyModule().emptyTally(); }
    /** @param {EditorTally} t */
    function isEmpty(t) { return tallyModule().isEmpty(t); }
    /** @param {EditorTally} into @param {EditorTally} more */
    function addInto(into, more) { tallyModule().addInto(into, more); }
    /** @param {Status | null} status */
    function covers(status) { return tallyModule().covers(status); }
    /** @param {EditorTally} t @param {EditorLists} lists */
    function folded(t, lists) { return tallyModule().folded(t, lists); }
    /** @param {number} width */
    function viewportOf(width) { return tallyModule().viewportOf(width); }
    /** @param {string} color */
    function themeOf(color) { return tallyModule().themeOf(color); }

    /**
     * The counter: counts only while the status says the group is covered,
     * the session once per page, and hands the counts in every FLUSH_MS and
     * on flush(). What a failed hand-in took is put back, unless the runtime
     * refused it for good (the group not covered, or a body it cannot take).
     * @param {EditorUsageDeps} deps @returns {EditorUsageCounter}
     */
    function counter(deps) {
        var on = false;
        var sessionCounted = false;
        /** The session's facts are read at its first hand-in, once the page has its look (a theme's styles load late). */
        var factsRead = false;
        var tally = emptyTally();
        /** @type {unknown} */
        var timer = null;
        /** @type {Promise<EditorLists> | null} */
        var lists = null;
        /** @type {Promise<void> | null} */
        var sending = null;

        function listsOnce() {
            if (!lists) {
                lists = deps.lists();
                // Asked again at the next hand-in when it failed.
                lists.catch(function () { lists = null; });
            }
            return lists;
        }

        /** @param {Status | null} status */
        function statusChanged(status) {
            var now = covers(status);
            if (now === on) { return; }
            on = now;
            if (!on) {
                // Not covered any more: what was counted may not be sent, and is forgotten.
                tally = emptyTally();
                deps.clearInterval(timer);
                timer = null;
                return;
            }
            if (!sessionCounted) {
                sessionCounted = true;
                tally.sessions += 1;
            }
            listsOnce().catch(function () { /* asked again at the next hand-in */ });
            timer = deps.setInterval(function () { void flush(); }, FLUSH_MS);
        }

        /** @param {string} name */
        function action(name) {
            if (!on) { return; }
            var key = tally.actions[name] !== undefined || Object.keys(tally.actions).length < MAX_NAMES ? name : "other";
            tally.actions[key] = (tally.actions[key] || 0) + 1;
        }

        /** @returns {Promise<void>} */
        function flush() {
            // One hand-in at a time; what was counted meanwhile goes right after it.
            if (sending) { return sending.then(flush); }
            if (!on || isEmpty(tally)) { return Promise.resolve(); }
            if (sessionCounted && !factsRead) {
                factsRead = true;
                var facts = deps.facts();
                tally.languages[facts.language] = (tally.languages[facts.language] || 0) + 1;
                tally.themes[facts.theme] = (tally.themes[facts.theme] || 0) + 1;
                tally.viewports[facts.viewport] = (tally.viewports[facts.viewport] || 0) + 1;
            }
            var taken = tally;
            tally = emptyTally();
            var putBack = function () {
                if (on) { addInto(tally, taken); }
            };
            sending = listsOnce().then(function (closed) {
                var body = folded(taken, closed);
                return body ? deps.send(body) : 204;
            }).then(function (status) {
                // 2xx: kept by the runtime. 400 would fail again, 401/403/409 say no: dropped. The rest is tried again.
                if (status >= 500 || status === 429) { putBack(); }
            }, putBack).then(function () {
                sending = null;
            });
            return sending;
        }

        return {
            statusChanged: statusChanged,
            action: action,
            flush: flush,
            pending: function () {
                var copy = emptyTally();
                addInto(copy, tally);
                return copy;
            }
        };
    }

    /**
     * Counts each action a person starts: RED.actions.invoke (keyboard
     * shortcuts, buttons) and the handlers RED.actions.get hands out (menus,
     * User Settings), only within a click or key press of the person's own
     * (the browser marks those events trusted), and not the actions an
     * action runs itself. So what the editor does by itself, such as its
     * welcome tour at load, is not counted.
     * Returns how deep in actions the page is now (0: in none).
     * @param {RedEditorApi["actions"]} actions @param {(name: string) => void} count @param {Window} view
     */
    function hookActions(actions, count, view) {
        var invoke = actions.invoke;
        var get = actions.get;
        var depth = 0;
        // Where the browser does not say which event is being handled, every action counts.
        var tellsEvents = "event" in view;
        var byPerson = function () {
            if (depth > 0) { return false; }
            var event = tellsEvents ? view.event : undefined;
            return !tellsEvents || (!!event && event.isTrusted === true);
        };
        /** @param {string} name */
        var exists = function (name) {
            try { return typeof get.call(actions, name) === "function"; } catch { return false; }
        };
        /** @template T @param {() => T} run @returns {T} */
        var within = function (run) {
            depth++;
            try { return run(); } finally { depth--; }
        };
        actions.invoke = function (name) {
            var args = arguments;
            if (typeof name === "string" && byPerson() && exists(name)) { count(name); }
            within(function () { invoke.apply(actions, /** @type {[string, ...unknown[]]} */ (/** @type {unknown} */ (args))); });
        };
        actions.get = function (name) {
            var handler = get.call(actions, name);
            if (typeof handler !== "function") { return handler; }
            // Menus call it on their own item (`this`), which the handler may read.
            return /** @this {unknown} */ function () {
                var self = this, args = arguments;
                if (byPerson()) { count(name); }
                return within(function () { return handler.apply(self, /** @type {unknown[]} */ (/** @type {unknown} */ (args))); });
            };
        };
        return function () { return depth; };
    }

    /** POST or GET telemetry/editor-usage as the editor's own requests go: its admin root, its bearer token. @param {"GET" | "POST"} method @param {unknown} [body] */
    function request(method, body) {
        /** @type {Record<string, string>} */
        var headers = { "Accept": "application/json", "Node-RED-API-Version": "v2" };
        if (body !== undefined) { headers["Content-Type"] = "application/json"; }
        // navigator.sendBeacon cannot carry this header; a keepalive fetch outlives the page as it does.
        var tokens = /** @type {{ access_token?: string } | null} */ (RED.settings.get("auth-tokens"));
        if (tokens && tokens.access_token) { headers.Authorization = "Bearer " + tokens.access_token; }
        var root = /** @type {{ apiRootUrl?: string }} */ (/** @type {unknown} */ (RED.settings)).apiRootUrl || "";
        return fetch(root + ROUTE, {
            method: method,
            headers: headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            keepalive: method === "POST",
            credentials: "same-origin",
            cache: "no-store"
        });
    }

    /**
     * The workspace's background colour, as the browser computes it: Node-RED's
     * CSS variable for it (3.x to 5.x), which a theme sets, resolved by an
     * element made for the purpose (the variable may be any CSS colour).
     */
    function workspaceColor() {
        var probe = document.createElement("span");
        probe.style.display = "none";
        probe.style.backgroundColor = "var(--red-ui-view-background, var(--red-ui-primary-background, transparent))";
        document.body.appendChild(probe);
        var color = getComputedStyle(probe).backgroundColor;
        probe.remove();
        return color;
    }

    /** This session's facts, read from the page. @returns {EditorFacts} */
    function pageFacts() {
        return {
            language: RED.i18n && typeof RED.i18n.lang === "function" ? RED.i18n.lang() : "en-US",
            theme: themeOf(workspaceColor()),
            viewport: viewportOf(window.innerWidth)
        };
    }

    var started = false;

    /** Wires a counter to the page, once: the actions, the Deploy button, the status topic, the page being hidden. */
    function start() {
        if (started) { return; }
        started = true;
        // The route takes telemetry.read: a user without it could not hand anything in.
        if (RED.user && typeof RED.user.hasPermission === "function" && !RED.user.hasPermission("telemetry.read")) { return; }
        var usage = counter({
            lists: function () {
                return request("GET").then(function (res) {
                    if (!res.ok) { throw new Error("HTTP " + res.status); }
                    return /** @type {Promise<EditorLists>} */ (res.json());
                });
            },
            send: function (body) { return request("POST", body).then(function (res) { return res.status; }); },
            facts: pageFacts,
            setInterval: function (fn, ms) { return window.setInterval(fn, ms); },
            clearInterval: function (handle) { window.clearInterval(/** @type {number | undefined} */ (handle)); }
        });
        var depth = hookActions(RED.actions, usage.action, window);
        // The Deploy button calls Node-RED's deploy directly, not through its action: counted as the action it is.
        $(document).on("click", "#red-ui-header-button-deploy", function (event) {
            var native = event.originalEvent;
            if (native && native.isTrusted && depth() === 0) { usage.action("core:deploy-flows"); }
        });
        RED.comms.subscribe("node-red-telemetry/status", function (_topic, status) {
            usage.statusChanged(/** @type {Status} */ (status));
        });
        document.addEventListener("visibilitychange", function () {
            if (document.visibilityState === "hidden") { void usage.flush(); }
        });
    }

    return {
        FLUSH_MS: FLUSH_MS,
        covers: covers,
        viewportOf: viewportOf,
        themeOf: themeOf,
        folded: folded,
        counter: counter,
        hookActions: hookActions,
        start: start
    };
});
