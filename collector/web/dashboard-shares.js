// @ts-check
// The dashboard's current shares: one panel per dimension, grouped in the
// sections the summary names (every report, then each opt-in group), each a
// table of values with a bar under each label, its share and its count, on
// the last aggregated day.
import { getBreakdown, url } from './dashboard-api.js';
import { byId, countOrFewer, date, el, percent } from './dashboard-dom.js';

/**
 * @typedef {import('./dashboard-api.js').Summary} Summary
 * @typedef {import('./dashboard-api.js').Breakdown} Breakdown
 */

/** A value's cell: its label on one line (cut with an ellipsis, whole in the tooltip, if it is long), and its bar. @param {import('./dashboard-api.js').Share} v */
function valueCell(v) {
  const label = el('span', { class: 'label', title: v.value }, [v.value]);
  // An "other" under the threshold has no count and no share: no bar either.
  if (v.share === null) return el('th', { scope: 'row' }, [label]);
  const bar = el('span', { class: 'bar' });
  // The bar is the share of the panel's width, so bars compare across panels; a share above 0 is never invisible.
  bar.style.width = `${v.share > 0 ? Math.max(0.5, v.share * 100) : 0}%`;
  return el('th', { scope: 'row' }, [label, el('span', { class: 'track', 'aria-hidden': 'true' }, [bar])]);
}

/** @param {Breakdown} answer */
function panel(answer) {
  const rows = answer.values.map((v) =>
    el('tr', {}, [valueCell(v), el('td', { class: 'share' }, [percent(v.share)]), el('td', { class: 'count' }, [countOrFewer(v.instances, v.fewerThan)])]),
  );
  const table = el('table', { class: 'shares' }, [
    el('caption', { class: 'visually-hidden' }, [`${answer.title} on ${answer.day}`]),
    el('thead', {}, [
      el('tr', {}, [
        el('th', { scope: 'col' }, ['Value']),
        el('th', { scope: 'col', class: 'share' }, ['Share']),
        el('th', { scope: 'col', class: 'count' }, ['Instances']),
      ]),
    ]),
    el('tbody', {}, rows),
  ]);
  const csv = el('a', { href: url(`breakdown/${encodeURIComponent(answer.dimension)}`, { group: answer.grouping, format: 'csv' }), download: '', 'data-format': 'csv' }, ['CSV']);
  return el('section', { class: 'card panel', 'data-dimension': answer.dimension }, [el('h4', {}, [answer.title]), table, el('p', { class: 'downloads' }, [csv])]);
}

/** One panel per dimension, in the summary's order, under a heading per section. @param {Summary} summary */
export async function showShares(summary) {
  const answers = await Promise.all(summary.dimensions.map((d) => getBreakdown(d.id, d.grouping)));
  /** @type {Map<string, HTMLElement[]>} */
  const sections = new Map();
  summary.dimensions.forEach((d, i) => {
    const list = sections.get(d.section) ?? [];
    list.push(panel(answers[i]));
    sections.set(d.section, list);
  });
  byId('panels').replaceChildren(
    ...[...sections].map(([title, panels]) =>
      el('div', { class: 'panel-section', 'data-section': title }, [el('h3', {}, [title]), el('div', { class: 'panels' }, panels)]),
    ),
  );
  byId('shares-day').replaceChildren('On ', date(summary.lastDay ?? ''), ', the last aggregated day.');
  byId('opt-in-note').hidden = !summary.dimensions.some((d) => d.id === 'insight.groups');
  byId('shares').hidden = false;
}
