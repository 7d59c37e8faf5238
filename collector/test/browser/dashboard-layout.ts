import type { Page } from 'playwright-core';

/** The sizes the dashboard is checked at: two laptops and a phone. */
export const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1366, height: 768 },
  { width: 390, height: 844 },
] as const;

/** What the eye sees of the dashboard's layout, measured in the page. */
export interface Layout {
  pageWidth: number;
  viewWidth: number;
  plotWidth: number;
  /** Each share bar: its panel, value, share (0–1, from the share column) and widths in CSS pixels. */
  bars: Array<{ dimension: string; value: string; share: number; bar: number; track: number }>;
  /** Each value's label in the panels: on how many lines, and whether it is cut short. */
  labels: Array<{ value: string; lines: number; cut: boolean }>;
  /** Each day written on the page (data tables opened first): on how many lines. */
  dates: Array<{ text: string; lines: number }>;
  /** The text of each cell of the panels whose content is wider than the cell. */
  overflowing: string[];
}

/** Opens every data table, then measures; the page must be loaded. */
export function measureLayout(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    for (const details of document.querySelectorAll('details')) details.open = true;
    // No named function in here: the test runner's compiler would wrap it in a helper the page does not have.
    const bars = [...document.querySelectorAll('.shares tbody tr')].flatMap((row) => {
      const bar = row.querySelector('.bar');
      const track = row.querySelector('.track');
      if (!bar || !track) return [];
      return [
        {
          dimension: row.closest('[data-dimension]')?.getAttribute('data-dimension') ?? '',
          value: row.querySelector('.label')?.textContent ?? '',
          share: parseFloat(row.querySelector('td.share')?.textContent ?? 'NaN') / 100,
          bar: bar.getBoundingClientRect().width,
          track: track.getBoundingClientRect().width,
        },
      ];
    });
    const labels = [...document.querySelectorAll<HTMLElement>('.shares .label')].map((label) => ({
      value: label.textContent ?? '',
      lines: Math.round(label.getBoundingClientRect().height / parseFloat(getComputedStyle(label).lineHeight)),
      cut: label.scrollWidth > label.clientWidth,
    }));
    // An inline element broken across lines has a box per line.
    const dates = [...document.querySelectorAll('time.date')].map((d) => ({ text: d.textContent ?? '', lines: d.getClientRects().length }));
    return {
      pageWidth: document.documentElement.scrollWidth,
      viewWidth: window.innerWidth,
      plotWidth: document.querySelector('#chart-node-red canvas')?.getBoundingClientRect().width ?? 0,
      bars,
      labels,
      dates,
      overflowing: [...document.querySelectorAll('.shares th, .shares td')].filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent ?? ''),
    };
  });
}
