// @ts-check
// The public dashboard: reads /api/v1 and draws it. The page loads this module;
// it reads through dashboard-api.js, writes through dashboard-dom.js (every
// value from a report as text, never as markup; the page's CSP allows no inline
// script besides), and draws with dashboard-charts.js and dashboard-shares.js.
import { getInstances, getSeries, getSummary, getToday } from './dashboard-api.js';
import { destroyCharts, downloads, fillTable, lineChart, redrawAll } from './dashboard-charts.js';
import { byId, count, countOrFewer, date, el, status } from './dashboard-dom.js';
import { showShares } from './dashboard-shares.js';

/**
 * @typedef {import('./dashboard-api.js').Summary} Summary
 * @typedef {import('./dashboard-api.js').RangeName} RangeName
 * @typedef {import('./dashboard-api.js').Today} Today
 */

const root = document.documentElement;
/** @type {RangeName[]} */
const RANGES = ['30', '90', '365', 'all'];
let loadId = 0;

/** @returns {RangeName} */
function chosenRange() {
  const given = new URLSearchParams(location.search).get('range') || '';
  return RANGES.find((range) => range === given) ?? '90';
}

/**
 * One figure of the totals. @param {Array<Node | string>} label @param {string} value @param {string} key
 * @param {string} [kind] "provisional" for today's
 */
function total(label, value, key, kind) {
  return el('div', { class: kind ? `total ${kind}` : 'total', 'data-total': key }, [el('span', { class: 'value' }, [value]), el('span', { class: 'label' }, label)]);
}

/** Today's totals so far, marked provisional; under the threshold "fewer than" it. @param {Today} today */
function todayTotals(today) {
  const note = () => el('span', { class: 'provisional-note' }, [`provisional, counted ${today.countedAt.slice(11, 16)} UTC`]);
  return [
    total(['active instances today so far (', date(today.day), ')', note()], countOrFewer(today.instances, today.fewerThan), 'today-instances', 'provisional'),
    total(['reports today so far', note()], countOrFewer(today.reports, today.fewerThan), 'today-reports', 'provisional'),
  ];
}

/** The totals: the last aggregated day's, if any, and today's so far. @param {Summary} summary @param {Today} today */
function showTotals(summary, today) {
  const last = summary.lastDayTotals;
  const finished =
    summary.lastDay && summary.firstDay && last
      ? [
          total(['active instances on ', date(summary.lastDay)], count(last.instances), 'instances'),
          total(['reports that day'], count(last.reports), 'reports'),
          total(['days aggregated since ', date(summary.firstDay)], count(summary.daysAggregated), 'days'),
        ]
      : [];
  byId('totals').replaceChildren(
    ...finished,
    ...todayTotals(today),
    total(['threshold: rarer values count as “other”'], count(summary.threshold), 'threshold'),
  );
  byId('totals').hidden = false;
}

/** Today's totals again once they have been counted anew, while the page is open. @param {Summary} summary @param {Today} today */
function refreshToday(summary, today) {
  setTimeout(() => {
    getToday().then((next) => {
      showTotals(summary, next);
      refreshToday(summary, next);
    }, failed);
  }, today.refreshSeconds * 1000);
}

/** @param {Summary} summary */
function showSummary(summary) {
  if (summary.demo) {
    const demo = byId('demo');
    demo.textContent = summary.demo;
    demo.hidden = false;
  }
  byId('threshold').textContent = String(summary.threshold);
  byId('never').textContent = summary.neverPublished.join('; ');
  byId('attribution').hidden = !summary.dimensions.some((d) => d.id === 'country');
}

/** Charts for one range; a later call supersedes an earlier one still loading. @param {RangeName} range */
async function showRange(range) {
  const id = ++loadId;
  const [instances, nodeRed, nodejs] = await Promise.all([
    getInstances(range),
    getSeries('node-red', range, 'minor'),
    getSeries('nodejs', range, 'major'),
  ]);
  if (id !== loadId) return;
  destroyCharts();

  const active = byId('chart-instances');
  const activeSeries = [{ label: 'Active instances', values: instances.days.map((d) => d.instances) }];
  const days = instances.days.map((d) => d.day);
  lineChart(active, days, activeSeries);
  fillTable(active, 'Active instances per day', days, activeSeries);
  downloads(active, 'instances', { range });

  for (const [sectionId, answer, title] of /** @type {const} */ ([
    ['chart-node-red', nodeRed, 'Node-RED versions'],
    ['chart-nodejs', nodejs, 'Node.js versions'],
  ])) {
    const section = byId(sectionId);
    const series = answer.series.map((s) => ({ label: s.value, values: s.instances, fewerThan: s.fewerThan }));
    lineChart(section, answer.days, series);
    fillTable(section, `${title}, active instances per day`, answer.days, series);
    downloads(section, `series/${encodeURIComponent(answer.dimension)}`, { range, group: answer.grouping });
  }
}

async function start() {
  const [summary, today] = await Promise.all([getSummary(), getToday()]);
  showSummary(summary);
  showTotals(summary, today);
  refreshToday(summary, today);
  if (!summary.lastDay) {
    status('No day has been aggregated yet: the charts and shares begin once the first day is over and rolled up (after midnight UTC). Until then, the totals show today so far.');
    for (const section of document.querySelectorAll('.chart')) /** @type {HTMLElement} */ (section).hidden = true;
    return;
  }
  byId('ranges').hidden = false;
  const range = chosenRange();
  const radio = /** @type {HTMLInputElement | null} */ (document.querySelector(`input[name="range"][value="${range}"]`));
  if (radio) radio.checked = true;
  await Promise.all([showRange(range), showShares(summary)]);
  status('');

  byId('ranges').addEventListener('change', (event) => {
    // The radio buttons' values are the ranges.
    const value = /** @type {RangeName} */ (/** @type {HTMLInputElement} */ (event.target).value);
    const next = new URL(location.href);
    next.searchParams.set('range', value);
    history.replaceState(null, '', next);
    status('Loading…');
    showRange(value).then(() => status(''), failed);
  });
  // Colours and sizes are read when a chart is made; make them again when either changes.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', redrawAll);
  let width = root.clientWidth;
  addEventListener('resize', () => {
    if (root.clientWidth === width) return;
    width = root.clientWidth;
    redrawAll();
  });
}

/** @param {unknown} err */
function failed(err) {
  status(`The data could not be loaded (${err instanceof Error ? err.message : String(err)}). Try again later.`);
}

start().catch(failed);
