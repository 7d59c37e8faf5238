import assert from 'node:assert/strict';
import type { EditorInsight } from '@node-red-telemetry/protocol';
import { rollUpFinishedDay } from '../../src/rollup/daily-job';
import { InProcessCollector, report, startInProcess, StoreKind } from '../helpers/collector-process';
import { rowsOf } from '../helpers/tables';

/**
 * The `editor` group at the collector (issue 29), on both stores: validated by the plugin's own
 * schema, stored with the report, rolled up (share of instances per action, fleet totals per
 * action, sessions in buckets, the closed facts per value) with the "other" threshold, and
 * published in /api/v1 and /api/usage.
 */
const STORES: StoreKind[] = ['sqlite', 'postgres'];
const DAY = '2026-11-20';

const editor = (over: Partial<EditorInsight> = {}): EditorInsight => ({
  sessions: 1,
  actions: { 'core:deploy-flows': 1 },
  languages: { 'en-US': 1 },
  themes: { light: 1 },
  viewports: { desktop: 1 },
  ...over,
});

for (const kind of STORES) {
  describe(`the editor group at the collector (${kind})`, function () {
    this.timeout(60_000);
    let collector: InProcessCollector | undefined;
    let instance = 0;
    let now = new Date(`${DAY}T12:00:00Z`);

    before(async () => {
      const config = { latest: '4.2.0', threshold: 3, rateLimit: { perInstance: 10, perAddress: 10_000 } };
      collector = await startInProcess({ store: kind, config, options: { now: () => now } });
    });

    after(async () => {
      await collector?.stop();
    });

    async function send(group: unknown, id = ++instance): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
      const res = await fetch(`${collector!.url}/ping`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...report({}, id), editor: group }),
      });
      return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
    }

    it('refuses a group that breaks the schema, naming the field, and stores nothing of it', async () => {
      const bad: Array<[string, unknown, RegExp]> = [
        ['a count that is not a whole number', editor({ sessions: 1.5 }), /editor\.sessions/],
        ['a count above the cap', editor({ actions: { 'core:search': 1_000_001 } }), /editor\.actions/],
        ['a negative count', editor({ viewports: { phone: -1 } }), /editor\.viewports/],
        ['a list that is not an object', { ...editor(), languages: ['de'] }, /editor\.languages/],
        ['a missing field', { sessions: 1, actions: {}, languages: {}, themes: {} }, /editor/],
      ];
      const before = (await rowsOf(collector!.files, 'reports')).length;
      for (const [name, group, field] of bad) {
        const answer = await send(group);
        assert.equal(answer.status, 400, name);
        assert.equal(answer.body.error?.code, 'invalid_report', name);
        assert.match(answer.body.error?.message ?? '', field, name);
      }
      assert.equal((await rowsOf(collector!.files, 'reports')).length, before);
    });

    it('drops a name outside the closed lists (a newer or a hostile client), and stores the rest', async () => {
      const answer = await send({ ...editor(), actions: { 'core:search': 2, 'acme:secret-action': 1 }, themes: { light: 1, sepia: 1 }, user: 'alice' });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const stored = String((await rowsOf(collector!.files, 'reports')).at(-1)?.insights);
      for (const dropped of ['acme', 'sepia', 'alice']) assert.ok(!stored.includes(dropped), `${dropped} stored: ${stored}`);
      assert.deepEqual(JSON.parse(stored).editor.actions, { 'core:search': 2 });
    });

    it('rolls it up: instances per action, fleet totals per action, sessions in buckets, facts per value; "other" and totals under the threshold', async () => {
      // Four instances deploy and search; one of them twice in the day (two reports, summed). One more uses a rare action.
      for (let n = 0; n < 4; n++) {
        const id = ++instance;
        assert.equal((await send(editor({ sessions: 3, actions: { 'core:deploy-flows': 2, 'core:search': 1 }, themes: { dark: 3 }, viewports: { desktop: 3 } }), id)).status, 200);
        if (n === 0) assert.equal((await send(editor({ sessions: 4, actions: { 'core:deploy-flows': 5 }, languages: { de: 4 }, themes: { dark: 4 }, viewports: { desktop: 4 } }), id)).status, 200);
      }
      assert.equal((await send(editor({ sessions: 0, actions: { 'core:create-subflow': 1 }, languages: {}, themes: {}, viewports: {} }))).status, 200);
      now = new Date('2026-11-21T01:00:00Z');
      assert.equal((await rollUpFinishedDay(collector!.store, DAY, now, 90)).status, 'aggregated');

      const res = await fetch(`${collector!.url}/api/usage?days=1`);
      const [day] = ((await res.json()) as { days: Array<{ counts: Array<{ dimension: string; value: string; instances: number | null; fewerThan?: number }>; sums: Record<string, number> }> }).days;
      const of = (dimension: string) => Object.fromEntries(day.counts.filter((c) => c.dimension === dimension).map((c) => [c.value, c.instances ?? `fewer than ${c.fewerThan}`]));
      // Six instances sent the group: the one of the test before (search), four that deploy and search, one with a subflow.
      assert.deepEqual(of('insight.groups'), { editor: 6 });
      assert.deepEqual(of('editor.actions'), { 'core:search': 5, 'core:deploy-flows': 4, other: 'fewer than 3' }, 'each instance under each action it used; a rare one never named');
      // Sessions: 3 (three instances), 3 + 4 = 7 (one, summed over its two reports: 6-10, not 2-5), 1 (the test before) and 0.
      assert.deepEqual(of('editor.sessions'), { '2-5': 3, other: 3 }, 'each instance once; buckets under the threshold merged into other');
      assert.deepEqual(of('editor.themes'), { dark: 4, other: 'fewer than 3' });
      assert.deepEqual(of('editor.viewports'), { desktop: 5 });
      assert.deepEqual(of('editor.languages'), { 'en-US': 5, other: 'fewer than 3' });
      assert.equal(day.sums['editor.sessions'], 3 * 4 + 4 + 1);
      assert.equal(day.sums['editor.actions.core:deploy-flows'], 2 * 4 + 5);
      assert.equal(day.sums['editor.actions.core:search'], 4 + 2);
      assert.equal(day.sums['editor.actions.core:create-subflow'], undefined, 'a total one instance makes up is not published');
      assert.ok(!JSON.stringify(day).includes('core:create-subflow'), 'nor the action itself');

      const breakdown = (await (await fetch(`${collector!.url}/api/v1/breakdown/editor.actions?day=${DAY}`)).json()) as { title: string; values: Array<{ value: string }> };
      assert.equal(breakdown.title, 'Editor features used');
      assert.deepEqual(breakdown.values.map((v) => v.value), ['core:search', 'core:deploy-flows', 'other']);
      const summary = (await (await fetch(`${collector!.url}/api/v1/summary`)).json()) as { dimensions: Array<{ id: string; section: string }> };
      const sections = new Set(summary.dimensions.filter((d) => d.id.startsWith('editor.')).map((d) => d.section));
      assert.deepEqual([...sections], ['Editor features used (opt-in)']);
    });
  });
}
