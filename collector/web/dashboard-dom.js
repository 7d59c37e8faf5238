// @ts-check
// The dashboard's elements and numbers. Every value that came from a report
// is written with textContent (here) or as a uPlot label (also textContent),
// never as markup; the page's CSP allows no inline script besides.

export const number = new Intl.NumberFormat('en');

/**
 * A new element with attributes and children; strings become text nodes.
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {Array<Node | string | null | undefined>} [children]
 */
export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children || []) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** @param {string} id */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

/** The page's status line; hidden when `message` is empty. @param {string} message */
export function status(message) {
  const node = byId('status');
  node.textContent = message;
  node.hidden = message === '';
}

/** A day, YYYY-MM-DD, as an element that never breaks across lines. @param {string} day */
export function date(day) {
  return el('time', { datetime: day, class: 'date' }, [day]);
}

/** @param {number | null | undefined} n */
export function count(n) {
  return n === null || n === undefined ? '–' : number.format(n);
}

/** @param {number | null} share */
export function percent(share) {
  return share === null ? '–' : `${(share * 100).toFixed(1)} %`;
}

/**
 * A published count: a number, or, for an "other" under the threshold, "fewer than N"
 * (with a number besides it on a chart's "other" that holds both).
 * @param {number | null | undefined} n @param {number | null | undefined} fewerThan
 */
export function countOrFewer(n, fewerThan) {
  if (!fewerThan) return count(n);
  return n === null || n === undefined ? `fewer than ${fewerThan}` : `${count(n)} + fewer than ${fewerThan}`;
}
