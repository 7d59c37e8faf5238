// @ts-check
// The public dashboard: reads /api/v1 and draws it. Every value that came from
// a report is written with textContent or as a uPlot label (also textContent),
// never as markup; the page's CSP allows no inline script besides.
/* global uPlot */
/**
 * GET /api/v1/summary, as far as this page reads it.
 * @typedef {{
 *   demo: string | null, threshold: number, neverPublished: string[],
 *   firstDay: string | null, lastDay: string | null, daysAggregated: number,
 *   lastDayTotals: { instances: number, reports: number } | null,
 *   dimensions: Array<{ id: string, title: string, grouping: string }>
 * }} Summary
 */
(function () {
  'use strict';

  const root = document.documentElement;
  const API = root.getAttribute('data-api') || 'api/v1/';
  const RANGES = ['30', '90', '365', 'all'];
  const number = new Intl.NumberFormat('en');
  /** @type {Array<{ plot: uPlot, holder: HTMLElement, make: () => uPlot }>} */
  let charts = [];
  let loadId = 0;

  /**
   * A new element with attributes and children; strings become text nodes.
   * @param {string} tag
   * @param {Record<string, string>} [attrs]
   * @param {Array<Node | string | null | undefined>} [children]
   */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  /** @param {string} id */
  function byId(id) {
    const node = document.getElementById(id);
    if (!node) throw new Error(`the page has no #${id}`);
    return node;
  }

  /** @param {string} path @param {Record<string, string>} query */
  function url(path, query) {
    const params = new URLSearchParams(query).toString();
    return API + path + (params ? `?${params}` : '');
  }

  /** @param {string} path @param {Record<string, string>} query */
  async function getJson(path, query) {
    const response = await fetch(url(path, query), { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  /** @param {string} message */
  function status(message) {
    const node = byId('status');
    node.textContent = message;
    node.hidden = message === '';
  }

  /** @param {number | null | undefined} n */
  function count(n) {
    return n === null || n === undefined ? '–' : number.format(n);
  }

  /** @param {number} share */
  function percent(share) {
    return `${(share * 100).toFixed(1)} %`;
  }

  /** @param {string} name */
  function cssVar(name) {
    return getComputedStyle(root).getPropertyValue(name).trim();
  }

  /** Series colours come from the stylesheet, so that each theme picks readable ones. @param {number} i @param {string} value */
  function colour(i, value) {
    return value === 'other' ? cssVar('--series-other') : cssVar(`--series-${i % 8}`);
  }

  function chosenRange() {
    const given = new URLSearchParams(location.search).get('range') || '';
    return RANGES.includes(given) ? given : '90';
  }

  /** Download links for one chart's data. @param {HTMLElement} section @param {string} path @param {Record<string, string>} query */
  function downloads(section, path, query) {
    const holder = /** @type {HTMLElement} */ (section.querySelector('.downloads'));
    holder.replaceChildren(
      el('a', { href: url(path, { ...query, format: 'csv' }), download: '', 'data-format': 'csv' }, ['Download CSV']),
      ' · ',
      el('a', { href: url(path, query), 'data-format': 'json' }, ['JSON']),
    );
  }

  /**
   * A table of days by series: what the chart above it shows, for screen readers and keyboards.
   * @param {string} caption @param {string[]} days @param {Array<{ label: string, values: Array<number | null> }>} series
   */
  function dayTable(caption, days, series) {
    const head = el('tr', {}, [el('th', { scope: 'col' }, ['Day']), ...series.map((s) => el('th', { scope: 'col' }, [s.label]))]);
    const rows = days.map((day, i) =>
      el('tr', {}, [el('th', { scope: 'row' }, [day]), ...series.map((s) => el('td', {}, [count(s.values[i])]))]),
    );
    // Newest first: the day a reader most likely wants is at the top.
    rows.reverse();
    return el('table', {}, [el('caption', {}, [caption]), el('thead', {}, [head]), el('tbody', {}, rows)]);
  }

  /**
   * A uPlot line chart in `section`, redrawn on resize and on a theme change.
   * @param {HTMLElement} section @param {string[]} days @param {Array<{ label: string, values: Array<number | null> }>} series
   */
  function lineChart(section, days, series) {
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
            { ...axis },
            { ...axis, size: 56, values: (/** @type {uPlot} */ _u, /** @type {number[]} */ ticks) => ticks.map((t) => number.format(t)) },
          ],
          series: [
            { label: 'Day', value: (/** @type {uPlot} */ _u, /** @type {number | null} */ ts) => (ts === null ? '–' : new Date(ts * 1000).toISOString().slice(0, 10)) },
            ...series.map((s, i) => ({
              label: s.label,
              stroke: colour(i, s.label),
              width: 2,
              points: { show: false },
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

  function redrawAll() {
    for (const chart of charts) {
      chart.plot.destroy();
      chart.holder.replaceChildren();
      chart.plot = chart.make();
    }
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
    byId('attribution').hidden = !summary.dimensions.some((/** @type {{ id: string }} */ d) => d.id === 'country');
    const totals = byId('totals');
    const item = (/** @type {string} */ label, /** @type {string} */ value, /** @type {string} */ key) =>
      el('div', { class: 'total', 'data-total': key }, [el('span', { class: 'value' }, [value]), el('span', { class: 'label' }, [label])]);
    // Shown only once a day is aggregated (see start), so the last day's totals are there.
    const last = summary.lastDayTotals ?? { instances: 0, reports: 0 };
    totals.replaceChildren(
      item(`active instances on ${summary.lastDay}`, count(last.instances), 'instances'),
      item('reports that day', count(last.reports), 'reports'),
      item(`days aggregated since ${summary.firstDay}`, count(summary.daysAggregated), 'days'),
      item('threshold: rarer values count as “other”', count(summary.threshold), 'threshold'),
    );
    totals.hidden = false;
    byId('ranges').hidden = false;
  }

  /** Charts for one range; a later call supersedes an earlier one still loading. @param {string} range */
  async function showRange(range) {
    const id = ++loadId;
    const [instances, nodeRed, nodejs] = await Promise.all([
      getJson('instances', { range }),
      getJson('series/node-red', { range, group: 'minor' }),
      getJson('series/nodejs', { range, group: 'major' }),
    ]);
    if (id !== loadId) return;
    for (const chart of charts) chart.plot.destroy();
    charts = [];

    const active = byId('chart-instances');
    const activeSeries = [{ label: 'Active instances', values: instances.days.map((/** @type {{ instances: number }} */ d) => d.instances) }];
    const days = instances.days.map((/** @type {{ day: string }} */ d) => d.day);
    lineChart(active, days, activeSeries);
    fillTable(active, 'Active instances per day', days, activeSeries);
    downloads(active, 'instances', { range });

    for (const [sectionId, answer, title] of [
      ['chart-node-red', nodeRed, 'Node-RED versions'],
      ['chart-nodejs', nodejs, 'Node.js versions'],
    ]) {
      const section = byId(sectionId);
      const series = answer.series.map((/** @type {{ value: string, instances: Array<number | null> }} */ s) => ({ label: s.value, values: s.instances }));
      lineChart(section, answer.days, series);
      fillTable(section, `${title}, active instances per day`, answer.days, series);
      downloads(section, `series/${encodeURIComponent(answer.dimension)}`, { range, group: answer.grouping });
    }
  }

  /** @param {HTMLElement} section @param {string} caption @param {string[]} days @param {Array<{ label: string, values: Array<number | null> }>} series */
  function fillTable(section, caption, days, series) {
    /** @type {HTMLElement} */ (section.querySelector('.table-wrap')).replaceChildren(dayTable(caption, days, series));
  }

  /** One panel per dimension: bars with shares and counts, in a table. @param {Summary} summary */
  async function showShares(summary) {
    const answers = await Promise.all(
      summary.dimensions.map((/** @type {{ id: string, grouping: string }} */ d) =>
        getJson(`breakdown/${encodeURIComponent(d.id)}`, { group: d.grouping }),
      ),
    );
    const panels = answers.map((answer) => {
      const rows = answer.values.map((/** @type {{ value: string, instances: number, share: number }} */ v) => {
        const bar = el('span', { class: 'bar' });
        bar.style.width = `${Math.max(0.5, v.share * 100)}%`;
        return el('tr', {}, [
          el('th', { scope: 'row' }, [v.value]),
          el('td', { class: 'bar-cell', 'aria-hidden': 'true' }, [bar]),
          el('td', { class: 'share' }, [percent(v.share)]),
          el('td', { class: 'count' }, [count(v.instances)]),
        ]);
      });
      const table = el('table', { class: 'shares' }, [
        el('caption', { class: 'visually-hidden' }, [`${answer.title} on ${answer.day}`]),
        el('thead', {}, [
          el('tr', {}, [
            el('th', { scope: 'col' }, ['Value']),
            el('th', { scope: 'col', class: 'bar-cell' }, [el('span', { class: 'visually-hidden' }, ['Bar'])]),
            el('th', { scope: 'col' }, ['Share']),
            el('th', { scope: 'col' }, ['Instances']),
          ]),
        ]),
        el('tbody', {}, rows),
      ]);
      const csv = el('a', { href: url(`breakdown/${encodeURIComponent(answer.dimension)}`, { group: answer.grouping, format: 'csv' }), download: '', 'data-format': 'csv' }, ['CSV']);
      return el('section', { class: 'card panel', 'data-dimension': answer.dimension }, [
        el('h3', {}, [answer.title]),
        table,
        el('p', { class: 'downloads' }, [csv]),
      ]);
    });
    byId('panels').replaceChildren(...panels);
    byId('shares-day').textContent = `On ${summary.lastDay}, the last aggregated day.`;
    byId('shares').hidden = false;
  }

  async function start() {
    const summary = await getJson('summary', {});
    if (!summary.lastDay) {
      status('No day has been aggregated yet. Reports are rolled up once their day is over.');
      byId('threshold').textContent = String(summary.threshold);
      for (const section of document.querySelectorAll('.chart')) /** @type {HTMLElement} */ (section).hidden = true;
      return;
    }
    showSummary(summary);
    const range = chosenRange();
    const radio = /** @type {HTMLInputElement | null} */ (document.querySelector(`input[name="range"][value="${range}"]`));
    if (radio) radio.checked = true;
    await Promise.all([showRange(range), showShares(summary)]);
    status('');

    byId('ranges').addEventListener('change', (event) => {
      const value = /** @type {HTMLInputElement} */ (event.target).value;
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
})();
