/**
 * The public dashboard's page: a static shell with no value from any report
 * in it. web/dashboard.js (a module, run after uPlot's deferred script, like
 * it once the page is parsed) fills it from /api/v1, writing every value as
 * text (never as markup), and the CSP below allows scripts and styles from
 * this collector only, so even a missed escape could not run anything.
 */

import { TODAY_REFRESH_MS } from './today';

/** The operator's manual, where every endpoint and the API are documented. */
const MANUAL = 'https://github.com/node-red-telemetry/node-red-telemetry/blob/main/collector/README.md';

/**
 * The page's script modules in web/: dashboard.js, which the page loads, first; then those it
 * imports, which the page preloads so that they arrive in the same round trip.
 */
export const DASHBOARD_MODULES = ['dashboard.js', 'dashboard-api.js', 'dashboard-dom.js', 'dashboard-charts.js', 'dashboard-shares.js'];

/** Relative links from the page, so that it works under any path and behind a path-prefixing proxy. */
export interface PageLinks {
  /** Base of the JSON API, such as "api/v1/". */
  api: string;
  /** Base of the page's scripts and styles, such as "assets/". */
  assets: string;
}

export function renderPage(links: PageLinks): string {
  const { api, assets } = links;
  const range = (value: string, label: string, checked = false) =>
    `<label><input type="radio" name="range" value="${value}"${checked ? ' checked' : ''}> ${label}</label>`;
  const chart = (id: string, title: string, description: string) =>
    `<section class="card chart" id="${id}" aria-labelledby="${id}-title">` +
    `<h2 id="${id}-title">${title}</h2><p class="muted">${description}</p>` +
    '<div class="plot" aria-hidden="true"></div>' +
    '<details><summary>Data table</summary><div class="table-wrap"></div></details>' +
    '<p class="downloads"></p></section>';
  return `<!DOCTYPE html>
<html lang="en" data-api="${api}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Node-RED usage</title>
<link rel="stylesheet" href="${assets}uPlot.min.css">
<link rel="stylesheet" href="${assets}dashboard.css">
<script defer src="${assets}uPlot.iife.min.js"></script>
<script type="module" src="${assets}dashboard.js"></script>
${DASHBOARD_MODULES.slice(1).map((name) => `<link rel="modulepreload" href="${assets}${name}">`).join('\n')}
</head>
<body>
<header>
<h1>Node-RED usage</h1>
<p id="demo" class="demo" role="note" hidden></p>
<p class="muted">Daily counts of Node-RED installations that chose to send an anonymous usage report.</p>
</header>
<main>
<p id="status" role="status">Loading…</p>
<noscript><p>The charts need JavaScript. The same data is available as <a href="${api}summary">JSON</a> and as
<a href="${api}instances?range=all&amp;format=csv">CSV</a>.</p></noscript>
<section id="totals" class="totals" aria-label="Totals" hidden></section>
<fieldset id="ranges" class="ranges" hidden><legend>Range</legend>
${range('30', '30 days')}${range('90', '90 days', true)}${range('365', '365 days')}${range('all', 'All')}
</fieldset>
${chart('chart-instances', 'Active instances per day', 'Distinct installations that reported on each day.')}
${chart('chart-node-red', 'Node-RED versions over time', 'Active instances per Node-RED major.minor version; the most common ones, the rest as “other”.')}
${chart('chart-nodejs', 'Node.js versions over time', 'Active instances per Node.js major version.')}
<section id="shares" aria-labelledby="shares-title" hidden>
<h2 id="shares-title">Current shares</h2>
<p class="muted" id="shares-day"></p>
<p class="muted" id="opt-in-note" hidden>The opt-in groups come only from installations whose users agreed to send them: their panels count
the installations that sent each group that day (“Opt-in groups sent”), and where an installation has several values
(node types, events, crashes) it counts under each.</p>
<div id="panels"></div>
</section>
<section id="about" class="card" aria-labelledby="about-title">
<h2 id="about-title">What this shows, and what it never shows</h2>
<p>Each number is a count of distinct installations on one day, rolled up from the reports of that day; an
installation that changed version during a day counts once, under its last version of the day.
Values seen by fewer than <strong id="threshold">a few</strong> installations on a day are counted as “other”,
so that no rare combination can single out an installation. An “other” that would itself be under the
threshold is never shown as a number: the smallest value joins it or, where none can, it reads “fewer than”
the threshold, so that no count can be worked out from the others. Shares are of the numbers shown in each panel.</p>
<p>Never published: <span id="never">raw reports, instance ids, addresses</span>.</p>
<p id="attribution" hidden>Countries: <a href="https://db-ip.com/" rel="noreferrer">IP Geolocation by DB-IP</a>
(<a href="https://creativecommons.org/licenses/by/4.0/" rel="noreferrer">CC BY 4.0</a>), looked up when a report arrives; only the country code is kept.</p>
<p>Today’s totals so far are provisional: counted every ${TODAY_REFRESH_MS / 60_000} minutes from the reports stored, until the day is rolled up;
no breakdown is shown before that, and under the threshold they read “fewer than” it.</p>
<p>Every field a report can carry, why it is collected and how it is published: <a href="${api}fields">the list of fields</a>.
The same data: <a href="${api}summary">JSON API</a> (every endpoint is in <a href="${MANUAL}#api-v1">the collector's manual</a>).</p>
</section>
</main>
</body>
</html>
`;
}

/**
 * Headers that keep the page inert even if escaping were ever missed:
 * scripts, styles and fetches from this collector only; no inline script, no
 * plugin, no form, no framing.
 */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
