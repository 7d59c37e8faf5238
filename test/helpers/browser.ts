import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Browser, BrowserContext, BrowserContextOptions, chromium, Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '..', 'artifacts');

/** Debian's Chromium, headless, with nothing reaching beyond this machine. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: the browser tests need one. Install Debian's package (apt-get install chromium) ` +
        'or set CHROMIUM_PATH to a Chromium or Chrome executable.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Saves what the user sees, for a person to look at (test/artifacts/, git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** What a page asked for and complained about, from now on: every request's URL, console errors and warnings. */
export function recordPage(page: Page): { requests: string[]; problems: string[] } {
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  return { requests, problems };
}

/** User Settings opened from the editor's menu, on the plugin's "Usage data" tab, once its switch is there. */
export async function openUsageDataPane(page: Page): Promise<void> {
  await page.click('#red-ui-header-button-sidemenu');
  await page.click('#menu-item-user-settings');
  await page.click('#red-ui-tab-red-ui-settings-tab-node-red-telemetry a');
  await page.waitForSelector('#red-ui-telemetry-switch');
}

/** The editor's workspace shows before plugins load: waits for ours, and for the loading bar to go. */
export async function editorReady(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const w = window as unknown as { RED?: { plugins?: { getPlugin(id: string): unknown } } };
      const loading = document.querySelector('#red-ui-loading-progress');
      return Boolean(w.RED?.plugins?.getPlugin('node-red-telemetry-editor')) && (!loading || getComputedStyle(loading).display === 'none');
    },
    undefined,
    { timeout: 20000 },
  );
}

export interface EditorOptions extends BrowserContextOptions {
  /** Done on the page once it has loaded, before waiting for the plugin: a login, say. */
  first?: (page: Page) => Promise<void>;
  /** false: resolve once the page has loaded, without waiting for the plugin. */
  ready?: boolean;
}

/** What {@link useChromium} gives a suite. */
export interface ChromiumFixture {
  /** The browser, launched before the suite's tests and closed after them. */
  readonly browser: Browser;
  /**
   * A page in a browser context of its own, made with `options` as they are. Made in a test (or a
   * `beforeEach`), it is closed after that test; made in a `before` hook, after the suite, unless
   * the suite closes its context itself.
   */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /**
   * A page (1280×800 unless `options` say otherwise) on Node-RED's editor at `target`, once the
   * plugin's editor part has loaded in it.
   */
  openEditor(target: { baseUrl: string }, options?: EditorOptions): Promise<Page>;
}

interface PageError {
  message: string;
  url: string;
}

function describeErrors(errors: readonly PageError[]): string {
  return errors.map((e) => `  ${e.message} (${e.url})`).join('\n');
}

/**
 * Registers hooks in the calling `describe`: one headless Chromium for its
 * tests, closed after them; the pages of each test closed after it (with a
 * screenshot of each, `<test>-end.png`, unless `endScreenshots` is false).
 *
 * Any uncaught error in any page the fixture made fails the test whose body
 * is running, at once; one that happens outside a test's body fails the
 * suite's last hook.
 * Register it before {@link useNodeRed} (test/helpers/node-red.ts), so that
 * pages are closed before the Node-REDs they show stop.
 */
export function useChromium(options: { endScreenshots?: boolean } = {}): ChromiumFixture {
  const endScreenshots = options.endScreenshots ?? true;
  let browser: Browser | undefined;
  /** Contexts of the running test, closed after it; the others are the suite's. */
  let testContexts: BrowserContext[] | undefined;
  const suiteContexts: BrowserContext[] = [];
  /** Errors no test was running to fail for. */
  const outside: PageError[] = [];
  /** Fails the running test; set while its body runs. */
  let failTest: ((error: PageError) => void) | undefined;

  const watch = (context: BrowserContext): void => {
    context.on('page', (page) =>
      page.on('pageerror', (error) => {
        const seen = { message: error.stack ?? error.message, url: page.url() };
        if (failTest) failTest(seen);
        else outside.push(seen);
      }),
    );
  };

  async function newPage(contextOptions: BrowserContextOptions = {}): Promise<Page> {
    if (!browser) throw new Error('no browser outside the suite that called useChromium()');
    const context = await browser.newContext(contextOptions);
    watch(context);
    (testContexts ?? suiteContexts).push(context);
    return context.newPage();
  }

  async function openEditor(target: { baseUrl: string }, editor: EditorOptions = {}): Promise<Page> {
    const { first, ready = true, ...contextOptions } = editor;
    const page = await newPage({ viewport: { width: 1280, height: 800 }, ...contextOptions });
    await page.goto(target.baseUrl);
    if (first) await first(page);
    if (ready) await editorReady(page);
    return page;
  }

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    for (const context of suiteContexts.splice(0)) await context.close().catch(() => undefined);
    await browser?.close();
    browser = undefined;
    if (outside.length > 0) throw new Error(`uncaught errors in the page outside any test:\n${describeErrors(outside.splice(0))}`);
  });

  /** Puts the running test's own body back, as mocha keeps it (a retry runs it again). */
  let restoreBody: (() => void) | undefined;
  beforeEach(function () {
    testContexts = [];
    const test = this.currentTest;
    const body = test?.fn as ((this: Mocha.Context) => unknown) | undefined;
    if (!test || !body) return;
    if (body.length > 0) throw new Error(`${test.fullTitle()}: a browser test returns a promise; it takes no done callback`);
    restoreBody = () => (test.fn = body);
    // The test's own body, raced against the first uncaught error of a page: that fails it at once.
    test.fn = function (this: Mocha.Context) {
      const failed = new Promise<never>((_, reject) => {
        failTest = (error) => reject(new Error(`uncaught error in the page:\n${describeErrors([error])}`));
      });
      return Promise.race([Promise.resolve(body.call(this)), failed]).finally(() => {
        failTest = undefined;
      });
    };
  });
  afterEach(async function () {
    failTest = undefined;
    restoreBody?.();
    restoreBody = undefined;
    for (const context of testContexts ?? []) {
      if (endScreenshots) {
        for (const page of context.pages()) await screenshot(page, `${this.currentTest?.fullTitle() ?? 'test'}-end`).catch(() => undefined);
      }
      await context.close().catch(() => undefined);
    }
    testContexts = undefined;
  });

  return {
    get browser(): Browser {
      if (!browser) throw new Error('no browser outside the suite that called useChromium()');
      return browser;
    },
    newPage,
    openEditor,
  };
}
