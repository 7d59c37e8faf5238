// @ts-check
// What the dashboard reads: GET /api/v1 (collector/src/http/api-v1.ts), as far
// as the page reads it. The shapes come from collector/src/dashboard/data.ts;
// the answers' envelopes are written here as api-v1.ts builds them.

/**
 * @typedef {import('../src/dashboard/dimensions').Grouping} Grouping
 * @typedef {import('../src/dashboard/data').RangeName} RangeName
 * @typedef {import('../src/dashboard/data').Series} Series
 * @typedef {import('../src/dashboard/data').Share} Share
 */
/**
 * GET /api/v1/summary.
 * @typedef {{
 *   demo: string | null, threshold: number, neverPublished: string[],
 *   firstDay: string | null, lastDay: string | null, daysAggregated: number,
 *   lastDayTotals: { instances: number, reports: number } | null,
 *   dimensions: Array<{ id: string, title: string, section: string, grouping: Grouping }>
 * }} Summary
 */
/**
 * GET /api/v1/today: today's totals so far, before the day is rolled up.
 * @typedef {import('../src/dashboard/today').TodayAnswer} Today
 */
/**
 * GET /api/v1/instances: active instances and reports per day.
 * @typedef {{ days: Array<{ day: string, instances: number, reports: number }> }} Instances
 */
/**
 * GET /api/v1/series/:dimension: one line per value, over the days of a range.
 * @typedef {import('../src/dashboard/data').SeriesAnswer & { dimension: string, title: string, grouping: Grouping }} SeriesOf
 */
/**
 * GET /api/v1/breakdown/:dimension: each value's share of the last aggregated day.
 * @typedef {{ dimension: string, title: string, grouping: Grouping, day: string | null, values: Share[] }} Breakdown
 */

const API = document.documentElement.getAttribute('data-api') || 'api/v1/';

/** @param {string} path @param {Record<string, string>} query */
export function url(path, query) {
  const params = new URLSearchParams(query).toString();
  return API + path + (params ? `?${params}` : '');
}

/** The answer's JSON, which the caller names the shape of. @param {string} path @param {Record<string, string>} query */
async function getJson(path, query) {
  const response = await fetch(url(path, query), { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

/** @returns {Promise<Summary>} */
export function getSummary() {
  return getJson('summary', {});
}

/** @returns {Promise<Today>} */
export function getToday() {
  return getJson('today', {});
}

/** @param {RangeName} range @returns {Promise<Instances>} */
export function getInstances(range) {
  return getJson('instances', { range });
}

/** @param {string} dimension @param {RangeName} range @param {Grouping} group @returns {Promise<SeriesOf>} */
export function getSeries(dimension, range, group) {
  return getJson(`series/${dimension}`, { range, group });
}

/** @param {string} dimension @param {Grouping} group @returns {Promise<Breakdown>} */
export function getBreakdown(dimension, group) {
  return getJson(`breakdown/${encodeURIComponent(dimension)}`, { group });
}
