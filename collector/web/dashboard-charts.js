// @ts-check
// The dashboard's charts over time: a uPlot line chart per section, with the
// same data as a table and as downloads. Charts are remade on a theme change
// and on resize, as their colours and sizes are read when they are made.
import { url } from './dashboard-api.js';
import { count, countOrFewer, date, el, number } from './dashboard-dom.js';

/**
 * One line: its label and a count per day; on "other", `fewerThan[i]` says that day also had
 * fewer than that many instances with values too rare to publish (not in the count).
 * @typedef {{ label: string, values: Array<number | null>, fewerThan?: Array<number | null> }} Line
 */

const root = document.documentElement;
/** @type {Array<{ plot: uPlot, holder: HTMLElement, make: () => uPlot }>} */
let charts = [];

const DAY = 86_400;
/**
 * The data is daily: ticks fall on whole days, weeks, months (uPlot counts a month as 30 days and
 * a year as 365, then places them on calendar months and years), never between two days.
 */
const DAY_INCRS = [1, 2, 3, 4, 5, 7, 10, 15, 30, 60, 90, 180, 365, 730, 1825].map((n) => n * DAY);
/** Tick labels by the step between ticks: "Aug 23", or "Aug" on month steps; the year under the first and at a new year. */
const DAY_VALUES = [
  [365 * DAY, '{YYYY}', null, null, null, null, null, null, 1],
  [28 * DAY, '{MMM}', '\n{YYYY}', null, null, null, null, null, 1],
  [DAY, '{MMM} {D}', '\n{YYYY}', null, null, null, null, null, 1],
];
/** Counts are whole: ticks at 1, 2, 5, 10, 20, 50… instances, never at 7.5. */
const COUNT_INCRS = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));
/** Up to this many days, each day is also drawn as a point: a line of one or two days is hard to see. */
const POINTS_UP_TO = 14;

/** @param {string} name */
function cssVar(name) {
  return getComputedStyle(root).getPropertyValue(name).trim();
}

/** Series colours come from the stylesheet, so that each theme picks readable ones. @param {number} i @param {string} value */
function colour(i, value) {
  return value === 'other' ? cssVar('--series-other') : cssVar(`--series-${i % 8}`);
}

/** Download links for one chart's data. @param {HTMLElement} section @param {string} path @param {Record<string, string>} query */
export function downloads(section, path, query) {
  const holder = /** @type {HTMLElement} */ (section.querySelector('.downloads'));
  holder.replaceChildren(
    el('a', { href: url(path, { ...query, format: 'csv' }), download: '', 'data-format': 'csv' }, ['Download CSV']),
    ' · ',
    el('a', { href: url(path, query), 'data-format': 'json' }, ['JSON']),
  );
}

/**
 * A table of days by series: what the chart above it shows, for screen readers and keyboards.
 * @param {string} caption @param {string[]} days @param {Line[]} series
 */
function dayTable(caption, days, series) {
  const head = el('tr', {}, [el('th', { scope: 'col' }, ['Day']), ...series.map((s) => el('th', { scope: 'col' }, [s.label]))]);
  const rows = days.map((day, i) =>
    el('tr', {}, [el('th', { scope: 'row' }, [date(day)]), ...series.map((s) => el('td', {}, [countOrFewer(s.values[i], s.fewerThan?.[i])]))]),
  );
  // Newest first: the day a reader most likely wants is at the top.
  rows.reverse();
  return el('table', {}, [el('caption', {}, [caption]), el('thead', {}, [head]), el('tbody', {}, rows)]);
}

/** @param {HTMLElement} section @param {string} caption @param {string[]} days @param {Line[]} series */
export function fillTable(section, caption, days, series) {
  /** @type {HTMLElement} */ (section.querySelector('.table-wrap')).replaceChildren(dayTable(caption, days, series));
}

/**
 * A uPlot line chart in `section`, redrawn on resize and on a theme change.
 * @param {HTMLElement} section @param {string[]} days @param {Line[]} series
 */
export function lineChart(section, days, series) {
  const holder = /** @type {HTMLElement} */ (section.querySelector('.plot'));
  holder.replaceChildren();
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const make = () => {
    const axis = {
      stroke: cssVar('--muted'),
      grid: { stroke: cssVar('--grid'), width: 1 },
      ticks: { stroke: cssVar('--grid'), width: 1 },
    };
    return new uPlot(
      {
        width: Math.max(280, holder.clientWidth),
        height: holder.clientWidth < 500 ? 220 : 280,
        tzDate: (/** @type {number} */ ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        cursor: { drag: { x: false, y: false, setScale: false } },
        legend: { live: true },
        scales: { x: { time: true }, y: { range: (/** @type {uPlot} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [0, Math.max(1, max * 1.05)] } },
        axes: [
          { ...axis, incrs: DAY_INCRS, values: DAY_VALUES, space: 60 },
          { ...axis, size: 56, incrs: COUNT_INCRS, values: (/** @type {uPlot} */ _u, /** @type {number[]} */ ticks) => ticks.map((t) => number.format(t)) },
        ],
        series: [
          { label: 'Day', value: (/** @type {uPlot} */ _u, /** @type {number | null} */ ts) => (ts === null ? '–' : new Date(ts * 1000).toISOString().slice(0, 10)) },
          ...series.map((s, i) => ({
            label: s.label,
            stroke: colour(i, s.label),
            width: 2,
            points: { show: days.length <= POINTS_UP_TO },
            value: (/** @type {uPlot} */ _u, /** @type {number | null} */ v) => count(v),
          })),
        ],
      },
      [xs, ...series.map((s) => s.values)],
      holder,
    );
  };
  charts.push({ plot: make(), holder, make });
}

/** Removes every chart, before a range's charts are drawn anew. */
export function destroyCharts() {
  for (const chart of charts) chart.plot.destroy();
  charts = [];
}

/** Makes every chart again, with the colours and sizes of now. */
export function redrawAll() {
  for (const chart of charts) {
    chart.plot.destroy();
    chart.holder.replaceChildren();
    chart.plot = chart.make();
  }
}
