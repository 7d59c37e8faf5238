import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EDITOR_CORE_ACTIONS } from '@node-red-telemetry/protocol';

/**
 * The `editor` group names only Node-RED's own core actions: the list in the protocol against the
 * Node-RED releases installed here. Node-RED 3.1 and 4.1 are devDependencies, always installed;
 * 4.0 and 5.0 are installed by `npm run test:compat` (test/compat/runtimes/node-red) and read when
 * they are there, and with all four the list must be exactly theirs.
 */
const ROOT = path.resolve(__dirname, '../../..');
const COMPAT = path.join(ROOT, 'test/compat/runtimes/node-red/node_modules');
const RELEASES: Array<{ name: string; scope: string; required: boolean }> = [
  { name: '3.1', scope: path.join(ROOT, 'node_modules/node-red-v3/node_modules/@node-red'), required: true },
  { name: '4.1', scope: path.dirname(path.dirname(require.resolve('@node-red/editor-client/package.json', { paths: [path.dirname(require.resolve('node-red/package.json', { paths: [ROOT] }))] }))), required: true },
  { name: '4.0', scope: path.join(COMPAT, '@node-red'), required: false },
  { name: '5.0', scope: path.join(COMPAT, 'node-red-5.0/node_modules/@node-red'), required: false },
];

function filesUnder(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(ext)).map((f) => path.join(dir, f));
}

/** Every name given to RED.actions.add in a release's editor and its own nodes' editor files. */
function actionsOf(scope: string): Set<string> {
  const files = [path.join(scope, 'editor-client/public/red/red.js'), ...filesUnder(path.join(scope, 'nodes'), '.html')];
  const names = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/RED\.actions\.add\(\s*["']([^"']+)["']/g)) names.add(m[1]);
  }
  return names;
}

const versionOf = (scope: string): string => (JSON.parse(readFileSync(path.join(scope, 'editor-client/package.json'), 'utf8')) as { version: string }).version;

describe('insight: the editor\'s core actions are Node-RED\'s', () => {
  const read = RELEASES.filter((r) => r.required || existsSync(path.join(r.scope, 'editor-client/public/red/red.js')));
  const listed = new Set<string>(EDITOR_CORE_ACTIONS);

  for (const release of read) {
    it(`names every action Node-RED ${release.name} registers, all of them core:`, () => {
      assert.ok(versionOf(release.scope).startsWith(`${release.name}.`), versionOf(release.scope));
      const actions = actionsOf(release.scope);
      assert.ok(actions.size > 140, `only ${actions.size} actions found: the scan is broken`);
      assert.deepEqual([...actions].filter((a) => !a.startsWith('core:')), [], 'an action of Node-RED\'s own that is not core:');
      assert.deepEqual([...actions].filter((a) => !listed.has(a)), [], 'registered, but not in EDITOR_CORE_ACTIONS');
    });
  }

  it('is sorted, has no duplicate, and, with all four releases installed, is exactly theirs', () => {
    assert.deepEqual([...EDITOR_CORE_ACTIONS], [...EDITOR_CORE_ACTIONS].sort());
    assert.equal(listed.size, EDITOR_CORE_ACTIONS.length);
    if (read.length < RELEASES.length) return;
    const all = new Set(read.flatMap((r) => [...actionsOf(r.scope)]));
    assert.deepEqual([...listed].filter((a) => !all.has(a)), [], 'listed, but registered by none of the releases');
  });
});
