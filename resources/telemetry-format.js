// @ts-check
/**
 * node-red-telemetry: durations and dates in the editor's language, with
 * the browser's own Intl (no catalogue of ours): "24h" reads "24 Stunden" in
 * German, "24時間" in Japanese. No RED: telemetry-editor.js gives it the
 * language, and the unit tests run it in Node.js. Its types: types/telemetry.d.ts.
 */
(function (root, factory) {
    if (typeof module === "object" && module.exports) module.exports = factory(); else root.NodeRedTelemetryFormat = factory();
})(/** @type {Window} */ (typeof self !== "undefined" ? self : this), function () {
    "use strict";

    /** The settings' duration units (protocol's formatDuration) as Intl's unit names. */
    var UNITS = { ms: "millisecond", s: "second", m: "minute", h: "hour", d: "day" };
    /** Relative times: each unit, its size and from how far on it is used, in seconds ("in 25 hours" reads better than "tomorrow"). */
    var STEPS = [["day", 86400, 2 * 86400], ["hour", 3600, 3600], ["minute", 60, 60], ["second", 1, 0]];

    /**
     * The locale to format in: the browser's own (de-AT, en-GB) when it is a
     * variant of the language the editor shows, else that language, so that a
     * German sentence never carries an American date.
     * @param {string} editorLanguage @param {string | undefined} browserLanguage
     */
    function localeFor(editorLanguage, browserLanguage) {
        var primary = function (/** @type {string} */ tag) { return tag.split("-")[0].toLowerCase(); };
        var chosen = browserLanguage && primary(browserLanguage) === primary(editorLanguage) ? browserLanguage : editorLanguage;
        try {
            return Intl.getCanonicalLocales(chosen)[0] || "en-US";
        } catch {
            return "en-US";
        }
    }

    /**
     * A formatter bound to one locale.
     * @param {string} locale
     */
    function formatter(locale) {
        /** @type {Record<string, Intl.NumberFormat>} */
        var units = {};

        /**
         * "24h" as "24 hours" in the locale; anything not in the settings' syntax as it is.
         * @param {string} text
         */
        function duration(text) {
            var match = /^(\d+)(ms|s|m|h|d)$/.exec(String(text));
            if (!match) { return String(text); }
            var unit = UNITS[/** @type {keyof typeof UNITS} */ (match[2])];
            units[unit] = units[unit] || new Intl.NumberFormat(locale, { style: "unit", unit: unit, unitDisplay: "long" });
            return units[unit].format(Number(match[1]));
        }

        /**
         * A date and time, as the locale writes them; null for no or an unreadable time.
         * @param {string | null | undefined} iso
         */
        function dateTime(iso) {
            if (!iso) { return null; }
            var date = new Date(iso);
            if (isNaN(date.getTime())) { return null; }
            return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
        }

        /**
         * How far `iso` is from `now` ("in 25 minutes", "vor 3 Stunden"), rounded to the largest unit that fits.
         * @param {string | null | undefined} iso @param {number} now
         */
        function relative(iso, now) {
            var at = iso ? new Date(iso).getTime() : NaN;
            if (isNaN(at)) { return null; }
            var seconds = Math.round((at - now) / 1000);
            var rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
            for (var i = 0; i < STEPS.length; i++) {
                var size = /** @type {number} */ (STEPS[i][1]);
                if (Math.abs(seconds) >= /** @type {number} */ (STEPS[i][2])) {
                    return rtf.format(Math.round(seconds / size), /** @type {Intl.RelativeTimeFormatUnit} */ (STEPS[i][0]));
                }
            }
            return null;
        }

        return { locale: locale, duration: duration, dateTime: dateTime, relative: relative };
    }

    return { localeFor: localeFor, formatter: formatter };
});
