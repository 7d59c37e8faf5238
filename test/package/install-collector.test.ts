import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CollectorProcess, report } from '../../collector/test/helpers/collector-process';
import { npm, REPO_ROOT, usePackedTarball } from './fresh-copy';
import { sqlitePrebuildEnv } from './sqlite-prebuild';

/** Every file below `dir`, relative, with forward slashes. */
function filesBelow(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel)).flatMap((name) => {
    const file = path.posix.join(rel, name);
    return statSync(path.join(dir, file)).isDirectory() ? filesBelow(dir, file) : [file];
  });
}

/** The plugin's compiled files, by their path under the plugin's dist/ (the protocol they share excluded). */
function pluginFiles(): string[] {
  return filesBelow(path.join(REPO_ROOT, 'dist')).filter((f) => !f.startsWith('node_modules/'));
}

/**
 * The collector as an operator gets it: packed from a fresh copy (its prepack builds it), installed
 * into an empty prefix from the registry's dependencies, and run from its bin with nothing of this
 * checkout in reach (but better-sqlite3's prebuilt binary, which npm would download from GitHub:
 * sqlite-prebuild.ts).
 */
describe('the packed collector, installed into an empty prefix', function () {
  this.timeout(600_000);
  const packed = usePackedTarball('collector');
  let installed = '';
  let collector: CollectorProcess | undefined;

  before(() => {
    const prefix = packed.tempDir('nrt-collector-prefix-');
    npm(prefix, ['install', '--prefix', prefix, packed.tarball, '--no-audit', '--no-fund'], sqlitePrebuildEnv(packed.tempDir('nrt-prebuilds-')));
    installed = path.join(prefix, 'node_modules', 'node-red-telemetry-collector');
  });

  after(async () => {
    await collector?.stop();
  });

  it('holds the protocol it was built with, and no file of the plugin', () => {
    const files = filesBelow(installed).filter((f) => !f.startsWith('node_modules/'));
    assert.ok(files.includes('dist/node_modules/@node-red-telemetry/protocol/index.js'), 'the protocol is carried in dist/node_modules');
    const plugin = new Set(pluginFiles());
    assert.ok(plugin.size > 10, 'the plugin is built, or this test proves nothing');
    const shared = files.filter((f) => f.startsWith('dist/') && plugin.has(f.slice('dist/'.length)) && !['dist/index.js', 'dist/config.js'].includes(f));
    assert.deepEqual(shared, [], 'no plugin module in the collector');
    for (const file of ['service.js', 'transport.js', 'consent/store.js', 'insight/lifecycle.js', 'admin-api.js']) {
      assert.ok(!files.some((f) => f.endsWith(`/${file}`) || f === file), `${file} is the plugin's`);
    }
    assert.ok(!existsSync(path.join(installed, 'dist', 'src')), 'no plugin sources folder inside the collector');
  });

  it('runs from its bin: healthy, stores a report, answers with versions', async () => {
    collector = await CollectorProcess.start({ store: 'sqlite', bin: path.join(installed, 'bin', 'node-red-telemetry-collector.js'), args: ['--latest', '4.2.0'] });
    const health = await collector.request('GET', '/healthz');
    assert.equal(health.status, 200, health.text);
    const answer = await collector.request('POST', '/ping', report({}, 1));
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual((answer.body as Record<string, { latest?: string }>)['node-red']?.latest, '4.2.0');
  });
});
