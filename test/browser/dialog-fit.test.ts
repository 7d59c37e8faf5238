import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { screenshot, useChromium } from '../helpers/browser';
import { answerJson } from '../helpers/collector';
import { NodeRedProcess, useNodeRed } from '../helpers/node-red';

const PROMPT = '#red-ui-telemetry-consent';

/** Common laptop screens and a phone (issue 13, point 1). */
/** Every insight group listed: the tallest first question there is, which must scroll inside the dialog. */
const ALL_GROUPS = ['flows', 'features', 'environment', 'lifecycle'];
const VIEWPORTS = [
  { width: 1280, height: 800, include: [], button: '#red-ui-telemetry-share', stored: true },
  { width: 1366, height: 768, include: [], button: '#red-ui-telemetry-decline', stored: false },
  { width: 1366, height: 768, include: ALL_GROUPS, button: '#red-ui-telemetry-share', stored: true },
  { width: 390, height: 844, include: [], button: '#red-ui-telemetry-share', stored: true },
  { width: 390, height: 844, include: ALL_GROUPS, button: '#red-ui-telemetry-decline', stored: false },
];

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** What the test measures in the page, in CSS pixels. */
interface Layout {
  viewport: { width: number; height: number };
  pageScroll: number;
  dialog: Box;
  buttons: Record<string, Box & { hit: boolean; color: string; background: string; border: string }>;
  body: Box & { scrolls: boolean };
  json: { clipped: boolean; last: Box | null; box: Box };
}

/**
 * The consent dialog fits the window: its body scrolls (not the page), the
 * two buttons stay visible and clickable, the exact data shows whole, and the
 * dialog is centred again after it grows. Real Node-RED, real Chromium.
 */
describe('editor: the consent dialog fits laptop and phone screens (Chromium)', function () {
  this.timeout(120000);
  const chromium = useChromium({ endScreenshots: false });
  const { collector, start } = useNodeRed();

  const openEditor = (target: NodeRedProcess, viewport: { width: number; height: number }): Promise<Page> => chromium.openEditor(target, { viewport, ready: false });

  /** Measured in the page; no named functions inside, as the test runner's transpiler would wrap them in a helper the page lacks. */
  function measure(page: Page): Promise<Layout> {
    return page.evaluate(() => {
      const dialog = document.querySelector('.red-ui-telemetry-dialog') as HTMLElement;
      const body = dialog.querySelector('.ui-dialog-content') as HTMLElement;
      const pre = dialog.querySelector('.red-ui-telemetry-preview pre') as HTMLElement;
      // The last "}" of the exact data, scrolled to as a person would.
      pre.scrollIntoView({ block: 'end' });
      const text = pre.firstChild as Text;
      const range = document.createRange();
      range.setStart(text, text.length - 1);
      range.setEnd(text, text.length);
      const rects = Array.from(range.getClientRects());
      const ids = ['red-ui-telemetry-share', 'red-ui-telemetry-decline'];
      const [dialogBox, bodyBox, preBox, ...rest] = [dialog, body, pre, ...ids.map((id) => document.getElementById(id) as HTMLElement)]
        .map((el) => el.getBoundingClientRect())
        .concat(rects.slice(-1))
        .map((r) => ({ top: r.top, bottom: r.bottom, left: r.left, right: r.right }));
      const buttons: Layout['buttons'] = {};
      ids.forEach((id, i) => {
        const button = document.getElementById(id) as HTMLElement;
        const b = rest[i];
        const style = getComputedStyle(button);
        // Reachable: the point a person would click is the button itself, not a shade or the page below.
        const hit = button.contains(document.elementFromPoint((b.left + b.right) / 2, (b.top + b.bottom) / 2));
        buttons[id] = { ...b, hit, color: style.color, background: style.backgroundColor, border: style.borderColor };
      });
      return {
        viewport: { width: window.innerWidth, height: window.innerHeight },
        pageScroll: document.scrollingElement ? document.scrollingElement.scrollTop : 0,
        dialog: dialogBox,
        buttons,
        body: { ...bodyBox, scrolls: body.scrollHeight > body.clientHeight },
        json: { clipped: pre.scrollHeight > pre.clientHeight + 1, last: rest[ids.length] ?? null, box: preBox },
      };
    });
  }

  const inside = (inner: Box, outer: Box): boolean =>
    inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5 && inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5;

  /** WCAG relative luminance of an rgb() colour. */
  function luminance(css: string): number {
    const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  const contrast = (a: string, b: string): number => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };

  for (const viewport of VIEWPORTS) {
    const tall = viewport.include.length > 0;
    const name = `${viewport.width}x${viewport.height}${tall ? '-all-groups' : ''}`;
    it(`at ${viewport.width}×${viewport.height}${tall ? ', every group listed,' : ''} with the exact data open: buttons visible and clickable, JSON whole, centred`, async () => {
      const red = await start({
        settings: { telemetry: { url: collector.url, initialDelay: '1h', interval: '24h', include: viewport.include } },
        runtimeSettings: { telemetryEnabled: false },
      });
      const page = await openEditor(red, viewport);
      await page.waitForSelector(PROMPT, { timeout: 20000 });
      await page.click('.red-ui-telemetry-preview summary');
      // Re-centred after growing: wait for the position to settle on the centre.
      await page.waitForFunction(() => {
        const r = (document.querySelector('.red-ui-telemetry-dialog') as HTMLElement).getBoundingClientRect();
        return Math.abs((r.top + r.bottom) / 2 - window.innerHeight / 2) <= 2;
      });
      const layout = await measure(page);
      const screen: Box = { top: 0, left: 0, bottom: layout.viewport.height, right: layout.viewport.width };
      await screenshot(page, `consent-dialog-fit-${name}`);

      assert.equal(layout.pageScroll, 0, 'the page does not scroll');
      assert.ok(inside(layout.dialog, screen), `dialog inside the window: ${JSON.stringify(layout.dialog)}`);
      assert.ok(Math.abs((layout.dialog.left + layout.dialog.right) / 2 - layout.viewport.width / 2) <= 2, 'centred across');
      for (const [id, button] of Object.entries(layout.buttons)) {
        assert.ok(inside(button, screen), `${id} inside the window: ${JSON.stringify(button)}`);
        assert.ok(button.hit, `${id} is what a click at its centre reaches`);
        assert.ok(contrast(button.color, button.background) >= 4.5, `${id} text is readable (${button.color} on ${button.background}), not looking disabled`);
      }
      const [share, decline] = Object.values(layout.buttons);
      assert.deepEqual([share.color, share.background, share.border], [decline.color, decline.background, decline.border], 'the two buttons look equal');
      assert.equal(layout.json.clipped, false, 'the exact data is not cut inside its box');
      assert.ok(layout.json.last, 'the exact data ends with a visible character');
      assert.ok(inside(layout.json.last, layout.body) && inside(layout.json.last, layout.json.box), `its last "}" shows inside the dialog body: ${JSON.stringify(layout.json)}`);
      if (tall) assert.ok(layout.body.scrolls, 'taller than the window: the dialog body is what scrolls');

      // A real click at the button's position, with no scrolling done for it.
      const target = layout.buttons[viewport.button.slice(1)];
      // The dialog closes at the click; the choice is stored once the PUT it sends is answered.
      const stored = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === '/telemetry');
      await page.mouse.click((target.left + target.right) / 2, (target.top + target.bottom) / 2);
      await page.waitForSelector(PROMPT, { state: 'detached' });
      assert.equal((await stored).status(), 200);
      const { body } = await red.api('GET', '/telemetry');
      assert.deepEqual([body.enabled, body.reason], [viewport.stored, 'consent']);
    });
  }

  it('the "Release notes" link in the update notification looks like a link', async () => {
    collector.always(answerJson(200, { 'node-red': { latest: '99.0.0' } }));
    const red = await start({
      // updateNotification given: shown although Node-RED's own question was answered no.
      settings: { telemetry: { url: collector.url, initialDelay: '300ms', interval: '1h', updateNotification: true } },
      runtimeSettings: { telemetryEnabled: false, 'node-red-telemetry': { instanceId: 'f'.repeat(32), choice: true } },
    });
    await red.waitForLog(/A new version of Node-RED is available: 99\.0\.0/);
    const page = await openEditor(red, { width: 1366, height: 768 });
    const notice = page.locator('.red-ui-notification:has-text("Node-RED 99.0.0 is available.")');
    await notice.waitFor();
    const look = await notice.evaluate((el) => {
      const link = el.querySelector('.red-ui-telemetry-update a') as HTMLElement;
      const text = el.querySelector('.red-ui-telemetry-update p') as HTMLElement;
      return { decoration: getComputedStyle(link).textDecorationLine, color: getComputedStyle(link).color, textColor: getComputedStyle(text).color };
    });
    await screenshot(page, 'update-notification-link');
    assert.match(look.decoration, /underline/);
    assert.notEqual(look.color, look.textColor, 'the link has its own colour');
  });
});
