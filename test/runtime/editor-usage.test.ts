import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EditorInsight } from '@node-red-telemetry/protocol';
import { EDITOR_FILE } from '../../src/insight/editor-store';
import { EDITOR_LISTS } from '../../src/insight/editor-usage';
import { answerJson, Received, TestCollector } from '../helpers/collector';
import { adminAuth, NodeRedProcess, useNodeRed } from '../helpers/node-red';

const ID = '7'.repeat(32);
const ROUTE = '/telemetry/editor-usage';
const USERS = adminAuth({ admin: '*', reader: 'read' });

function settings(url: string): Record<string, unknown> {
  return { adminAuth: USERS, telemetry: { url, initialDelay: '500ms', interval: '2s', include: ['editor'] } };
}

/**
 * The first report the collector received after `since`. A report that arrives just after may have
 * been made just before; `built: true` waits for one more, which was surely made after `since`.
 */
async function reportAfter(collector: TestCollector, since: number, built = false, timeoutMs = 20000): Promise<Received & { report: { editor?: EditorInsight } }> {
  if (built) since = (await collector.reportAfter(since, timeoutMs)).at;
  const found = await collector.reportAfter(since, timeoutMs);
  return { ...found, report: JSON.parse(found.body) as { editor?: EditorInsight } };
}

/**
 * The `editor` group through a real Node-RED's admin API (the editor's side is
 * test/browser/editor-usage.test.ts): two users hand in counts at once, and
 * they add up; reports that fail keep them, a restart loses nothing, the
 * report that is delivered carries them all and they are forgotten; a user
 * with only `read` may hand counts in, nobody else; nothing is kept while the
 * consent does not cover the group.
 */
describe('runtime: editor counts add up, survive failed reports and a restart, then are forgotten', function () {
  this.timeout(120000);
  const { collector, start } = useNodeRed({ collector: 'suite' });
  let red: NodeRedProcess;
  let userDir = '';
  const tokens: Record<string, string> = {};
  const expected: EditorInsight = { sessions: 20, actions: { 'core:search': 40, 'core:undo': 20, other: 20 }, languages: { de: 20 }, themes: { dark: 20 }, viewports: { phone: 20 } };

  it('takes counts from every user who may read telemetry, two at once adding up, and keeps them through failed reports', async () => {
    collector.always(answerJson(400, { error: { code: 'invalid_report', message: 'down for the test' } }));
    red = await start({ settings: settings(collector.url), runtimeSettings: { 'node-red-telemetry': { instanceId: ID, choice: true, covered: ['editor'] } } });
    userDir = red.userDir;
    tokens.admin = await red.login('admin');
    tokens.reader = await red.login('reader');

    assert.equal((await red.api('POST', ROUTE, { sessions: 1 })).status, 401, 'no token: Node-RED\'s own 401');
    const lists = await red.api('GET', ROUTE, undefined, tokens.reader);
    assert.equal(lists.status, 200);
    assert.deepEqual(lists.body, JSON.parse(JSON.stringify(EDITOR_LISTS)));
    const bad = await red.api('POST', ROUTE, { sessions: 1, user: 'alice' }, tokens.admin);
    assert.deepEqual([bad.status, bad.body.error.code], [400, 'invalid_usage']);

    // Two editors hand in at once, twenty times each: an administrator and a read-only user.
    const fromAdmin = { actions: { 'core:search': 1 } };
    const fromReader = { sessions: 1, actions: { 'core:search': 1, 'core:undo': 1, 'acme:secret-action': 1 }, languages: { de: 1 }, themes: { dark: 1 }, viewports: { phone: 1 } };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => [red.api('POST', ROUTE, fromAdmin, tokens.admin), red.api('POST', ROUTE, fromReader, tokens.reader)]).flat(),
    );
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [204]);
    const handedIn = Date.now();

    // Reports go on, and fail: each carried the counts, and the counts stay.
    await red.waitForLog(/\[node-red-telemetry\] Report to .* failed/, 20000);
    const failed = await reportAfter(collector, handedIn, true);
    assert.deepEqual(failed.report.editor, expected);
    assert.ok(!failed.body.includes('acme'), 'a plugin\'s action is other, never named');
    assert.deepEqual((await red.api('GET', '/telemetry', undefined, tokens.reader)).body.preview.editor, expected, 'kept after the failure');
    const stored = readFileSync(path.join(userDir, EDITOR_FILE), 'utf8');
    assert.ok(!stored.includes('acme'), stored);
    await red.stop();
  });

  it('after a restart, the first delivered report carries them all; they are forgotten then, and new ones start from zero', async () => {
    collector.always(answerJson(200, { 'node-red': { latest: '0.0.1' } }));
    const restartedAt = Date.now();
    red = await start({ userDir, settings: settings(collector.url) }, 'suite');
    const delivered = await reportAfter(collector, restartedAt);
    assert.deepEqual(delivered.report.editor, expected, 'nothing lost in the restart');
    const next = await reportAfter(collector, delivered.at);
    assert.deepEqual(next.report.editor, { sessions: 0, actions: {}, languages: {}, themes: {}, viewports: {} }, 'delivered, then forgotten');

    const token = await red.login('reader');
    assert.equal((await red.api('POST', ROUTE, { actions: { 'core:deploy-flows': 2 } }, token)).status, 204);
    // In the report after that, or, if one was being made as they came, in the one after it: once.
    const first = await reportAfter(collector, Date.now());
    const second = await reportAfter(collector, first.at);
    assert.deepEqual([first, second].map((r) => r.report.editor?.actions).filter((a) => Object.keys(a ?? {}).length > 0), [{ 'core:deploy-flows': 2 }]);
  });

  it('keeps nothing while the consent does not cover the group, and forgets everything when it is withdrawn', async () => {
    const admin = await red.login('admin');
    assert.equal((await red.api('POST', ROUTE, { sessions: 1 }, admin)).status, 204);
    assert.ok(existsSync(path.join(userDir, EDITOR_FILE)));
    assert.equal((await red.api('PUT', '/telemetry', { enabled: false }, admin)).status, 200);
    assert.equal(existsSync(path.join(userDir, EDITOR_FILE)), false, 'withdrawn: deleted');
    const refused = await red.api('POST', ROUTE, { sessions: 1 }, admin);
    assert.deepEqual([refused.status, refused.body.error.code], [409, 'not_covered']);
    assert.match(refused.body.error.message, /only while telemetry is on and the consent covers the editor group/);
    // On again, but with a "yes" that covers nothing beyond the base payload: still not covered.
    assert.equal((await red.api('PUT', '/telemetry', { enabled: true, covers: [], declines: ['editor'] }, admin)).status, 200);
    assert.equal((await red.api('POST', ROUTE, { sessions: 1 }, admin)).status, 409);
    assert.equal(existsSync(path.join(userDir, EDITOR_FILE)), false);
    const report = await reportAfter(collector, Date.now(), true);
    assert.equal('editor' in report.report, false, 'a report without the group');
  });
});
