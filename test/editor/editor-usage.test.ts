import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import type { EditorInsight } from '@node-red-telemetry/protocol';
import { EDITOR_LISTS } from '../../src/insight/editor-usage';
import type { Status } from '../../src/status';

type Tally = Omit<EditorInsight, 'actions' | 'languages' | 'themes' | 'viewports'> & Record<'actions' | 'languages' | 'themes' | 'viewports', Record<string, number>>;
interface Counter {
  statusChanged(status: Partial<Status> | null): void;
  action(name: string): void;
  flush(): Promise<void>;
  pending(): Tally;
}
interface Actions {
  invoke(name: string, ...args: unknown[]): void;
  get(name: string): (...args: unknown[]) => unknown;
}
// Plain browser JavaScript (UMD), shipped as is; typed by the cast below.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped .js file (test/tsconfig.json has no allowJs), so `import` cannot load it
const Usage = require('../../resources/telemetry-editor-usage.js') as {
  FLUSH_MS: number;
  covers(status: Partial<Status> | null): boolean;
  viewportOf(width: number): string;
  themeOf(color: string): string;
  counter(deps: unknown): Counter;
  hookActions(actions: Actions, count: (name: string) => void, view: { event?: { isTrusted: boolean } }): () => number;
};

const COVERED = { enabled: true, covered: ['flows', 'editor'] } as Partial<Status>;
const NOT_COVERED = { enabled: true, covered: ['flows'] } as Partial<Status>;
const FACTS = { language: 'de', theme: 'dark', viewport: 'tablet' };

/** A counter on a fake clock, with a runtime that answers each POST with the next status given (204 by default). */
function setUp(answers: Array<number | Error> = []) {
  const clock = FakeTimers.createClock();
  const sent: unknown[] = [];
  let listsAsked = 0;
  let factsRead = 0;
  const counter = Usage.counter({
    lists: () => {
      listsAsked++;
      return Promise.resolve(EDITOR_LISTS);
    },
    send: (body: unknown) => {
      sent.push(body);
      const answer = answers.shift() ?? 204;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    facts: () => {
      factsRead++;
      return FACTS;
    },
    setInterval: (fn: () => void, ms: number) => clock.setInterval(fn, ms),
    clearInterval: (handle: unknown) => clock.clearInterval(handle as FakeTimers.TimerId),
  });
  const settle = () => new Promise((r) => setImmediate(r));
  return { clock, sent, counter, settle, lists: () => listsAsked, facts: () => factsRead };
}

describe('editor usage: what the editor counts and hands in (on a fake clock)', () => {
  it('reads the status: covered only while on and the consent lists editor', () => {
    assert.equal(Usage.covers(COVERED), true);
    assert.equal(Usage.covers(NOT_COVERED), false);
    assert.equal(Usage.covers({ enabled: false, covered: [] }), false);
    assert.equal(Usage.covers({ enabled: null, covered: ['editor'] }), false);
    assert.equal(Usage.covers(null), false);
  });

  it('classes windows and looks as documented', () => {
    assert.deepEqual([390, 599, 600, 1023, 1024, 1920].map((w) => Usage.viewportOf(w)), ['phone', 'phone', 'tablet', 'tablet', 'desktop', 'desktop']);
    assert.equal(Usage.themeOf('rgb(34, 34, 34)'), 'dark');
    assert.equal(Usage.themeOf('rgb(243, 243, 243)'), 'light');
    assert.equal(Usage.themeOf('rgba(0, 0, 0, 0)'), 'light', 'transparent');
    assert.equal(Usage.themeOf('rgb(127, 127, 127)'), 'dark');
    assert.equal(Usage.themeOf('rgb(128, 128, 128)'), 'light');
    assert.equal(Usage.themeOf(''), 'light');
  });

  it('while the group is not covered: counts nothing, asks nothing, sends nothing, ever', async () => {
    const { clock, sent, counter, settle, lists } = setUp();
    counter.statusChanged(NOT_COVERED);
    counter.action('core:search');
    clock.tick(3 * Usage.FLUSH_MS);
    await counter.flush();
    await settle();
    assert.deepEqual([sent, lists(), counter.pending().sessions, counter.pending().actions], [[], 0, 0, {}]);
  });

  it('once covered: one session with its facts, each action; handed in every 5 minutes, names outside the lists as other', async () => {
    const { clock, sent, counter, settle, facts } = setUp();
    counter.statusChanged(COVERED);
    counter.statusChanged(COVERED);
    assert.equal(facts(), 0, 'the facts are read at the first hand-in, once the page has its look');
    counter.action('core:search');
    counter.action('core:search');
    counter.action('acme:secret-action');
    clock.tick(Usage.FLUSH_MS - 1);
    await settle();
    assert.deepEqual(sent, [], 'not before 5 minutes');
    clock.tick(1);
    await settle();
    assert.deepEqual(sent, [{ sessions: 1, actions: { 'core:search': 2, other: 1 }, languages: { de: 1 }, themes: { dark: 1 }, viewports: { tablet: 1 } }]);
    counter.action('core:undo');
    clock.tick(Usage.FLUSH_MS);
    await settle();
    assert.deepEqual(sent[1], { sessions: 0, actions: { 'core:undo': 1 }, languages: {}, themes: {}, viewports: {} }, 'the session once per page');
    clock.tick(Usage.FLUSH_MS);
    await settle();
    assert.equal(sent.length, 2, 'nothing counted, nothing sent');
    assert.equal(facts(), 1);
  });

  it('what a hand-in that failed took is put back and sent next time; one refused for good is dropped', async () => {
    const { counter, sent } = setUp([new TypeError('Failed to fetch'), 503, 204, 409]);
    counter.statusChanged(COVERED);
    counter.action('core:search');
    await counter.flush();
    counter.action('core:search');
    await counter.flush();
    await counter.flush();
    assert.deepEqual((sent[2] as EditorInsight).actions, { 'core:search': 2 }, 'both, after a network failure and a 503');
    assert.equal((sent[2] as EditorInsight).sessions, 1);
    counter.action('core:undo');
    await counter.flush();
    assert.deepEqual(counter.pending().actions, {}, '409: not covered any more, not kept');
  });

  it('coverage ending forgets what was not handed in, and stops the timer', async () => {
    const { clock, counter, sent, settle } = setUp();
    counter.statusChanged(COVERED);
    counter.action('core:search');
    counter.statusChanged(NOT_COVERED);
    counter.action('core:search');
    clock.tick(2 * Usage.FLUSH_MS);
    await counter.flush();
    await settle();
    assert.deepEqual(sent, []);
  });

  it('counts actions a person starts: not outside an event, not within an untrusted one, not the actions an action runs; every one where the browser does not tell', () => {
    const counted: string[] = [];
    // A browser's window has `event` (undefined outside any event being handled).
    const view: { event?: { isTrusted: boolean } } = { event: undefined };
    const handlers: Record<string, (...args: unknown[]) => unknown> = {
      'core:a': () => undefined,
      'core:b': () => actions.invoke('core:a'),
    };
    const actions: Actions = {
      invoke(name) {
        if (handlers[name]) void handlers[name]();
      },
      get(name) {
        if (!handlers[name]) throw new TypeError(`no ${name}`);
        return handlers[name];
      },
    };
    Usage.hookActions(actions, (name) => counted.push(name), view);
    actions.invoke('core:a');
    view.event = { isTrusted: false };
    actions.invoke('core:a');
    view.event = { isTrusted: true };
    actions.invoke('core:a');
    actions.invoke('core:b');
    actions.invoke('core:none');
    const fromMenu = actions.get('core:b');
    fromMenu();
    view.event = undefined;
    fromMenu();
    assert.deepEqual(counted, ['core:a', 'core:b', 'core:b']);

    const untold: string[] = [];
    const plain: Actions = { invoke: (name) => void handlers[name]?.(), get: (name) => handlers[name] };
    Usage.hookActions(plain, (name) => untold.push(name), {});
    plain.invoke('core:a');
    plain.get('core:a')();
    assert.deepEqual(untold, ['core:a', 'core:a']);
  });
});
