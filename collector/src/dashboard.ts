import escapeHtml from 'escape-html';
import { DIMENSIONS } from './aggregate';
import type { DayUsage } from './store/store';

/** Column titles of the dashboard's tables. */
const TITLES: Record<string, string> = {
  'node-red': 'Node-RED version',
  nodejs: 'Node.js version',
  os: 'Operating system',
  arch: 'Architecture',
};

/**
 * Pure: the public dashboard page for already-published days (counts under
 * the threshold merged). Every value that came from a report is escaped, and
 * the page carries no script at all, so a crafted report can at worst show up
 * as text.
 */
export function renderDashboard(days: readonly DayUsage[], threshold: number): string {
  const latest = days.at(-1);
  const parts: string[] = [];
  parts.push(`<h1>Node-RED usage</h1>`);
  if (!latest) {
    parts.push('<p class="empty">No day has been aggregated yet. Reports are rolled up once their day is over.</p>');
  } else {
    parts.push(
      `<p>Active instances on <time datetime="${escapeHtml(latest.day)}">${escapeHtml(latest.day)}</time>: ` +
        `<strong class="total">${latest.instances}</strong></p>`,
    );
    for (const dimension of DIMENSIONS) {
      const rows = latest.counts.filter((c) => c.dimension === dimension);
      parts.push(
        `<table data-dimension="${escapeHtml(dimension)}"><caption>${escapeHtml(TITLES[dimension] ?? dimension)}</caption>` +
          '<thead><tr><th scope="col">Value</th><th scope="col">Instances</th></tr></thead><tbody>' +
          rows.map((r) => `<tr><td>${escapeHtml(r.value)}</td><td>${r.instances}</td></tr>`).join('') +
          '</tbody></table>',
      );
    }
    parts.push(
      '<table data-dimension="days"><caption>Active instances per day</caption>' +
        '<thead><tr><th scope="col">Day</th><th scope="col">Instances</th></tr></thead><tbody>' +
        days.map((d) => `<tr><td>${escapeHtml(d.day)}</td><td>${d.instances}</td></tr>`).join('') +
        '</tbody></table>',
    );
  }
  parts.push(
    `<p class="note">Values seen by fewer than ${threshold} instances on a day are shown as "other". ` +
      'Raw reports are deleted after their retention period; these daily counts are kept. ' +
      'The same data as JSON: <a href="api/usage">api/usage</a>.</p>',
  );
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Node-RED usage</title>' +
    `<style>${STYLE}</style></head><body><main>${parts.join('\n')}</main></body></html>`
  );
}

const STYLE = [
  'body{font-family:system-ui,sans-serif;margin:2rem;color:#222;background:#fafafa}',
  'main{max-width:48rem;margin:auto}',
  'table{border-collapse:collapse;margin:1rem 0;min-width:20rem}',
  'caption{text-align:left;font-weight:600;padding:.25rem 0}',
  'th,td{border-bottom:1px solid #ddd;padding:.25rem .75rem;text-align:left}',
  'td:last-child,th:last-child{text-align:right}',
  '.note{color:#555;font-size:.9rem}',
].join('');

/**
 * Headers that keep the page inert even if escaping were ever missed: no
 * script, no plugin, no form, no framing.
 */
export const DASHBOARD_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
