// @ts-check
// The dashboard's current shares: one panel per dimension, bars with shares
// and counts in a table, on the last aggregated day.
import { getBreakdown, url } from './dashboard-api.js';
import { byId, countOrFewer, el, percent } from './dashboard-dom.js';

/** One panel per dimension: bars with shares and counts, in a table. @param {import('./dashboard-api.js').Summary} summary */
export async function showShares(summary) {
  const answers = await Promise.all(summary.dimensions.map((d) => getBreakdown(d.id, d.grouping)));
  const panels = answers.map((answer) => {
    const rows = answer.values.map((v) => {
      // An "other" under the threshold has no count and no share: no bar either.
      const bar = v.share === null ? null : el('span', { class: 'bar' });
      if (bar && v.share !== null) bar.style.width = `${Math.max(0.5, v.share * 100)}%`;
      return el('tr', {}, [
        el('th', { scope: 'row' }, [v.value]),
        el('td', { class: 'bar-cell', 'aria-hidden': 'true' }, [bar]),
        el('td', { class: 'share' }, [percent(v.share)]),
        el('td', { class: 'count' }, [countOrFewer(v.instances, v.fewerThan)]),
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
