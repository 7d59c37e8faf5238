import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NodeRedProcess, useNodeRed } from '../helpers/node-red';
import { npm, uploadTarball, usePackedTarball } from './fresh-copy';

/** What shows the plugin loaded from its package: the disclosure, the admin API, its editor part and its translations. */
async function assertLoaded(red: NodeRedProcess): Promise<void> {
  await red.waitForLog(/\[node-red-telemetry\] Anonymous usage telemetry/, 15_000);
  const status = await red.api('GET', '/telemetry');
  assert.equal(status.status, 200, JSON.stringify(status.body));
  assert.equal(status.body.reason, 'pending');
  const html = await fetch(`${red.baseUrl}/plugins`, { headers: { accept: 'text/html' } }).then((r) => r.text());
  assert.match(html, /src="resources\/node-red-telemetry\/telemetry-editor\.js"/);
  for (const file of ['telemetry-view.js', 'telemetry-editor.js']) {
    const res = await fetch(`${red.baseUrl}/resources/node-red-telemetry/${file}`);
    assert.equal(res.status, 200, file);
    assert.equal(await res.text(), readFileSync(path.join(red.userDir, 'node_modules', 'node-red-telemetry', 'resources', file), 'utf8'));
  }
  // The editor's strings, from the package's locales/ (Node-RED names the catalogue <module>/<plugin id>).
  const catalogues = (await red.api('GET', '/plugins/messages?lng=de')).body as Record<string, unknown>;
  const installed = path.join(red.userDir, 'node_modules', 'node-red-telemetry', 'locales', 'de', 'plugin.json');
  assert.deepEqual(catalogues['node-red-telemetry/node-red-telemetry'], JSON.parse(readFileSync(installed, 'utf8')));
}

/**
 * The plugin as a user gets it: packed by `npm pack` (prepack builds it) from a fresh copy of the
 * working tree, then installed the two ways the README's "Install" section gives, into a real
 * Node-RED with nothing else pointing at this checkout.
 */
describe('the packed plugin, installed as the README says', function () {
  this.timeout(180_000);
  const packed = usePackedTarball();
  const { start } = useNodeRed();

  it('`npm install <tgz>` in the user directory: no npm warning, and Node-RED loads it at start', async () => {
    const userDir = packed.emptyUserDir();
    const { stderr } = npm(userDir, ['install', packed.tarball, '--no-audit', '--no-fund']);
    assert.doesNotMatch(stderr, /npm warn/i, 'npm installs it without a warning (no install script, no engine mismatch)');
    const red = await start({ userDir, settings: { nodesDir: [] } });
    await assertLoaded(red);
  });

  it('Manage palette → Install → upload: Node-RED installs and loads it without a restart', async () => {
    const red = await start({ userDir: packed.emptyUserDir(), settings: { nodesDir: [] } });
    assert.equal((await red.api('GET', '/telemetry')).status, 404, 'not there before');
    const res = await uploadTarball(red.baseUrl, packed.tarball);
    assert.equal(res.status, 200, await res.text());
    await assertLoaded(red);
  });
});
