import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, openUsageDataPane, screenshot, useChromium } from '../helpers/browser';
import { answerJson } from '../helpers/collector';
import { NodeRedOptions, NodeRedProcess, REPO_ROOT, useNodeRed } from '../helpers/node-red';

const PROMPT = '#red-ui-telemetry-consent';
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1366, height: 768 },
  { width: 390, height: 844 },
];
/** What each language must say, so that a test in German cannot pass on English text. */
const LANGUAGES = {
  'en-US': { title: 'Share anonymous usage data?', close: 'Close', when: 'It is sent at a random moment between 30 minutes and 1 hour after Node-RED starts, then every 24 hours.', on: 'On' },
  'de-DE': { title: 'Anonyme Nutzungsdaten teilen?', close: 'Schließen', when: 'Er wird zu einem zufälligen Zeitpunkt zwischen 30 Minuten und 1 Stunde nach dem Start von Node-RED gesendet, danach alle 24 Stunden.', on: 'An' },
} as const;
/**
 * Node-RED's dark theme: the "dark" theme of @node-red-contrib-themes/theme-collection (a
 * devDependency), the way users get one on Node-RED 3.x and 4.x: editorTheme.theme: "dark".
 */
const THEME_COLLECTION = path.dirname(require.resolve('@node-red-contrib-themes/theme-collection/package.json', { paths: [REPO_ROOT] }));

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** An element as a person meets it: where it is, whether a click at its centre reaches it, how readable its text is. */
interface Seen extends Box {
  shown: boolean;
  reachable: boolean;
  /** What a click at its centre reaches instead, when not it. */
  hit: string;
  /** WCAG contrast of its text against the first opaque background behind it; null for an element without text. */
  contrast: number | null;
}

/**
 * Measures each selector's first match in the page. No named functions inside (not even a const
 * arrow): the test runner's transpiler would wrap them in a helper the page lacks.
 */
function see(page: Page, selectors: string[]): Promise<Record<string, Seen | null>> {
  return page.evaluate((list) => {
    const result: Record<string, unknown> = {};
    for (const selector of list) {
      const el = document.querySelector<HTMLElement>(selector);
      if (!el) {
        result[selector] = null;
        continue;
      }
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      let back: Element | null = el;
      let background = 'rgb(255, 255, 255)';
      for (; back; back = back.parentElement) {
        const bg = getComputedStyle(back).backgroundColor;
        if (bg && bg !== 'transparent' && !/rgba\(.*, 0\)$/.test(bg)) {
          background = bg;
          break;
        }
      }
      // WCAG relative luminance of each colour, brighter first.
      const [hi, lo] = [style.color, background]
        .map((css) => {
          const [red, green, blue] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
            const c = Number(v) / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
        })
        .sort((x, y) => y - x);
      const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
      result[selector] = {
        top: r.top,
        bottom: r.bottom,
        left: r.left,
        right: r.right,
        shown: r.width > 0 && r.height > 0 && style.visibility !== 'hidden',
        reachable: Boolean(hit && el.contains(hit)),
        hit: hit ? `${hit.tagName}#${hit.id}.${String(hit.className)}` : 'nothing',
        contrast: el.innerText.trim() ? (hi + 0.05) / (lo + 0.05) : null,
      };
    }
    return result as Record<string, Seen | null>;
  }, selectors);
}

/** Every selector shown, inside the window, reached by a click at its centre, and readable. */
async function assertFits(page: Page, selectors: string[], what: string): Promise<void> {
  const { width, height } = page.viewportSize() ?? { width: 0, height: 0 };
  // Measured as a person sees it once still: Node-RED slides notifications in, and trays too.
  await page.waitForFunction(() => (window as unknown as { $: JQueryStatic }).$(':animated').length === 0);
  const seen = await see(page, selectors);
  for (const selector of selectors) {
    const box = seen[selector];
    assert.ok(box && box.shown, `${what}: ${selector} is shown`);
    const inside = box.top >= -0.5 && box.left >= -0.5 && box.bottom <= height + 0.5 && box.right <= width + 0.5;
    assert.ok(inside, `${what}: ${selector} inside the ${width}×${height} window: ${JSON.stringify(box)}`);
    assert.ok(box.reachable, `${what}: a click at the centre of ${selector} reaches it, not ${box.hit}`);
    if (box.contrast !== null) assert.ok(box.contrast >= 4.5, `${what}: ${selector} is readable (contrast ${box.contrast.toFixed(2)})`);
  }
}

/**
 * Every dialog, notification and pane of ours, as a person meets them on a laptop and on a phone,
 * in Node-RED's light and dark look, in English and German (issue 27, points 1, 2, 3, 5, 6): each
 * fits the window with its buttons reachable, reads in the page's language, and the update notice
 * never covers User Settings. Two Node-REDs per look: one nobody has answered, one sharing.
 */
describe('editor: every dialog, notification and pane of ours fits, light and dark, English and German (Chromium)', function () {
  this.timeout(300000);
  const chromium = useChromium({ endScreenshots: false });
  const { collector, start } = useNodeRed({ collector: 'suite' });

  for (const theme of ['light', 'dark'] as const) {
    describe(`${theme}`, () => {
      let pending: NodeRedProcess;
      let sharing: NodeRedProcess;

      before(async () => {
        collector.always(answerJson(200, { 'node-red': { latest: '99.0.0' } }));
        const look: NodeRedOptions =
          theme === 'dark' ? { modules: [THEME_COLLECTION], settings: { editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] }, theme: 'dark' } } } : {};
        const telemetry = { url: collector.url, operator: 'ACME IT' };
        [pending, sharing] = await Promise.all([
          // Node-RED's own question answered no; nobody has answered ours.
          start({ ...look, settings: { ...look.settings, telemetry }, runtimeSettings: { telemetryEnabled: false } }, 'suite'),
          // Sharing, with update notices given in settings.js.
          start(
            {
              ...look,
              settings: { ...look.settings, telemetry: { ...telemetry, initialDelay: '300ms', updateNotification: true } },
              runtimeSettings: { telemetryEnabled: false, 'node-red-telemetry': { instanceId: 'e'.repeat(32), choice: true } },
            },
            'suite',
          ),
        ]);
        await sharing.waitForLog(/A new version of Node-RED is available: 99\.0\.0/);
      });

      const open = async (target: NodeRedProcess, viewport: { width: number; height: number }, locale: string): Promise<Page> => {
        const page = await chromium.openEditor(target, { viewport, locale });
        // The look is really the one named: Node-RED's background colour is dark, or its light default.
        await page.waitForFunction(
          (dark) => {
            const probe = document.createElement('div');
            probe.style.background = 'var(--red-ui-primary-background)';
            document.body.append(probe);
            const [r, g, b] = (getComputedStyle(probe).backgroundColor.match(/\d+/g) ?? []).map(Number);
            probe.remove();
            return r + g + b > 0 && r + g + b < 3 * 100 === dark;
          },
          theme === 'dark',
        );
        return page;
      };

      async function openUserSettings(page: Page): Promise<void> {
        await openUsageDataPane(page);
        // The tray slides in.
        await page.waitForFunction(() => getComputedStyle(document.querySelector('.red-ui-telemetry-settings-tray') as Element).right === '0px');
      }

      for (const viewport of VIEWPORTS) {
        for (const [locale, says] of Object.entries(LANGUAGES)) {
          const name = `${theme}-${locale}-${viewport.width}x${viewport.height}`;

          it(`${viewport.width}×${viewport.height}, ${locale}: the question, "decide later" and the pane`, async () => {
            const page = await open(pending, viewport, locale);
            await page.waitForSelector(PROMPT);
            await page.waitForFunction(() => document.activeElement?.closest('.ui-dialog') != null);
            const dialog = page.locator('.red-ui-telemetry-dialog');
            assert.equal(await dialog.locator('.ui-dialog-title').innerText(), says.title);
            assert.equal(await dialog.locator('.ui-dialog-titlebar-close').getAttribute('title'), says.close, 'the close tooltip in the language too');
            const text = await page.locator(PROMPT).innerText();
            assert.ok(text.includes(says.when), `durations in words of ${locale}: ${text}`);
            assert.ok(text.includes('ACME IT'), 'names who receives it');
            assert.equal(await page.locator('.red-ui-telemetry-not-core').count(), 1, "says how it differs from Node-RED's own question");
            await assertFits(page, ['.red-ui-telemetry-dialog', '#red-ui-telemetry-share', '#red-ui-telemetry-decline', '.red-ui-telemetry-dialog .ui-dialog-titlebar-close', `${PROMPT} p`], 'the question');
            await screenshot(page, `editor-p1-p3-question-${name}`);
            if (name === 'light-en-US-1280x800') await dialog.screenshot({ path: path.join(ARTIFACTS, 'readme-consent-prompt.png') });

            await page.keyboard.press('Escape');
            await page.waitForSelector(PROMPT, { state: 'detached' });
            const later = page.locator('.red-ui-telemetry-notice');
            await later.waitFor();
            await assertFits(page, ['.red-ui-telemetry-notice', '.red-ui-telemetry-notice p', '#red-ui-header-button-sidemenu'], '"nothing was shared"');
            await screenshot(page, `editor-p3-decide-later-${name}`);
            // Read, and clicked away as Node-RED's own passing notices are.
            await later.click();
            await later.waitFor({ state: 'detached' });

            await openUserSettings(page);
            await assertFits(page, ['.red-ui-telemetry-settings-tray .red-ui-tray-titlebar', '#node-dialog-ok', '#red-ui-telemetry-switch', '.red-ui-telemetry-toggle-label'], 'the pane');
            const pane = await page.locator('#red-ui-settings-tab-node-red-telemetry').evaluate((el) => {
              const pre = el.querySelector('.red-ui-telemetry-payload') as HTMLElement;
              const box = el.getBoundingClientRect();
              return { right: box.right, wide: el.scrollWidth > el.clientWidth + 1, cut: pre.scrollHeight > pre.clientHeight + 1 || pre.scrollWidth > pre.clientWidth + 1 };
            });
            assert.ok(pane.right <= viewport.width + 0.5 && !pane.wide, `the pane is as wide as the window at most: ${JSON.stringify(pane)}`);
            assert.equal(pane.cut, false, 'the payload is shown whole, not cut inside its box');
            await screenshot(page, `editor-p3-p5-pane-${name}`);
          });

          it(`${viewport.width}×${viewport.height}, ${locale}: the update notice, never over User Settings; switching off offers deleting`, async () => {
            // Sharing, whatever an earlier test left.
            assert.equal((await sharing.api('PUT', '/telemetry', { enabled: true })).status, 200);
            const page = await open(sharing, viewport, locale);
            const notice = page.locator('.red-ui-telemetry-update-notice');
            await notice.waitFor();
            await assertFits(
              page,
              ['.red-ui-telemetry-update-notice', '.red-ui-telemetry-update-notice p', '.red-ui-telemetry-dismiss', '.red-ui-telemetry-update-notice button:last-child', '#red-ui-header-button-sidemenu'],
              'the update notice, and the menu beside it',
            );
            await screenshot(page, `editor-p3-update-notice-${name}`);

            await openUserSettings(page);
            assert.equal(await notice.isVisible(), false, 'it waits under User Settings');
            await assertFits(page, ['.red-ui-telemetry-settings-tray .red-ui-tray-titlebar', '#node-dialog-ok'], 'User Settings with an update offered');
            assert.equal((await page.locator('#red-ui-telemetry-switch').innerText()).trim(), says.on);
            if (name === 'light-en-US-1280x800') {
              await page.waitForSelector('.red-ui-telemetry-lastReport:has-text("delivered")');
              await page.locator('.red-ui-telemetry-settings-tray').screenshot({ path: path.join(ARTIFACTS, 'readme-settings-pane.png') });
            }
            assert.equal(await page.locator('#red-ui-telemetry-erase').count(), 0);
            await page.click('#red-ui-telemetry-switch');
            await page.waitForSelector('#red-ui-telemetry-erase');
            await assertFits(page, ['#red-ui-telemetry-switch', '#red-ui-telemetry-erase', '.red-ui-telemetry-erase-hint'], 'switched off');
            await screenshot(page, `editor-p5-switched-off-${name}`);
            // Back on for the next viewport, as a person would switch it.
            await page.click('#red-ui-telemetry-switch');
            await page.waitForSelector('#red-ui-telemetry-switch[aria-checked="true"]:not(:disabled)');
            assert.equal(await page.locator('#red-ui-telemetry-erase').count(), 0);
            await page.click('#node-dialog-ok');
            await notice.waitFor({ state: 'visible' });
          });
        }
      }
    });
  }
});
