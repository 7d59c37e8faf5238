import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { filesUnder, freshCopy, PackedFile, packedFiles } from './fresh-copy';

const REPOSITORY = 'https://github.com/node-red-telemetry/node-red-telemetry';
const PROTOCOL = '@node-red-telemetry/protocol';

interface Manifest {
  name: string;
  license: string;
  main: string;
  types?: string;
  bin?: Record<string, string>;
  files: string[];
  repository: { type: string; url: string; directory?: string };
  homepage: string;
  bugs: { url: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  'node-red'?: { plugins: Record<string, string> };
}

/** The TypeScript files a tsconfig compiles, as paths relative to `root` with forward slashes. */
function compiledSources(root: string, tsconfig: string): { rootDir: string; files: string[] } {
  const file = path.join(root, tsconfig);
  const read = ts.readConfigFile(file, (name) => ts.sys.readFile(name));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(file));
  const rootDir = parsed.options.rootDir ?? path.dirname(file);
  return { rootDir, files: parsed.fileNames.filter((f) => !f.endsWith('.d.ts')) };
}

/** dist/<path of each source under rootDir>.<ext> for each ext. */
function outputsOf(sources: { rootDir: string; files: string[] }, outDir: string, exts: string[]): string[] {
  return sources.files.flatMap((f) => {
    const rel = path.relative(sources.rootDir, f).replace(/\.ts$/, '').split(path.sep).join('/');
    return exts.map((ext) => `${outDir}/${rel}${ext}`);
  });
}

/** `require("…")` specifiers in compiled CommonJS. */
function requiresIn(source: string): string[] {
  return [...source.matchAll(/\brequire(?:\.resolve)?\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
}

/**
 * Every relative require of every packed .js resolves to a packed file, and every bare one is a Node.js
 * built-in or a declared dependency: what the tarball needs at run time is in it or installed with it.
 */
function assertSelfContained(packageDir: string, packed: string[], manifest: Manifest): void {
  const inPack = new Set(packed);
  const problems: string[] = [];
  for (const file of packed.filter((f) => f.endsWith('.js'))) {
    for (const spec of requiresIn(readFileSync(path.join(packageDir, file), 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        if (![target, `${target}.js`, `${target}/index.js`, `${target}.json`].some((t) => inPack.has(t))) problems.push(`${file}: require("${spec}") is not in the package`);
      } else {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        // The shared protocol travels inside the package, where Node.js finds it from every compiled file.
        if (name === PROTOCOL && inPack.has(`dist/node_modules/${PROTOCOL}/index.js`)) continue;
        if (!builtinModules.includes(name.replace(/^node:/, '')) && !(name in manifest.dependencies)) problems.push(`${file}: require("${spec}") is not a dependency`);
      }
    }
  }
  assert.deepEqual(problems, []);
}

/** Images a README shows by a relative path: they break on the registry's page and in Node-RED's palette. */
function relativeImages(markdown: string): string[] {
  const targets = [...markdown.matchAll(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)/g), ...markdown.matchAll(/<img[^>]+src="([^"]+)"/g)].map((m) => m[1]);
  return targets.filter((t) => !/^https:\/\//.test(t));
}

/**
 * What `npm pack` puts in each package, packed from a fresh copy of the working tree so that the
 * packages' own prepack scripts (clean, then build) run exactly as they do before a publish.
 */
describe('published packages: npm pack holds exactly what runs, and nothing else', function () {
  this.timeout(180_000);
  let copy: string;
  let plugin: PackedFile[];
  let collector: PackedFile[];
  const manifest = (dir: string): Manifest => JSON.parse(readFileSync(path.join(copy, dir, 'package.json'), 'utf8')) as Manifest;
  const paths = (files: PackedFile[]): string[] => files.map((f) => f.path).sort();

  before(() => {
    copy = freshCopy();
    plugin = packedFiles(copy);
    collector = packedFiles(copy, 'collector');
  });
  after(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('the plugin: its entry, editor files, locales and compiled modules; no sources, maps, declarations or tests', () => {
    const expected = [
      'LICENSE',
      'README.md',
      'package.json',
      'plugin.js',
      'plugin.html',
      ...filesUnder(copy, 'resources'),
      ...filesUnder(copy, 'locales'),
      ...outputsOf(compiledSources(copy, 'tsconfig.json'), 'dist', ['.js']),
      ...outputsOf(compiledSources(copy, 'protocol/tsconfig.json'), `dist/node_modules/${PROTOCOL}`, ['.js']),
    ].sort();
    assert.deepEqual(paths(plugin), expected);
  });

  it('the collector: its bin, dashboard files and compiled modules with the types of its library API; no sources or maps', () => {
    const expected = [
      'LICENSE',
      'README.md',
      'package.json',
      ...filesUnder(path.join(copy, 'collector'), 'bin'),
      // The dashboard's script and styles, served as they are (web/tsconfig.json only type-checks them).
      ...filesUnder(path.join(copy, 'collector'), 'web').filter((f) => /\.(js|css)$/.test(f)),
      ...outputsOf(compiledSources(path.join(copy, 'collector'), 'tsconfig.json'), 'dist', ['.js', '.d.ts']),
      ...outputsOf(compiledSources(copy, 'protocol/tsconfig.json'), `dist/node_modules/${PROTOCOL}`, ['.js', '.d.ts']),
    ].sort();
    assert.deepEqual(paths(collector), expected);
    const types = manifest('collector').types ?? '';
    assert.ok(paths(collector).includes(types), `"types": ${types} is packed`);
  });

  it('no compiled file points at a source map', () => {
    for (const [dir, files] of [['.', plugin], ['collector', collector]] as const) {
      for (const file of files.filter((f) => f.path.endsWith('.js'))) {
        assert.doesNotMatch(readFileSync(path.join(copy, dir, file.path), 'utf8'), /sourceMappingURL/, `${dir}/${file.path}`);
      }
    }
  });

  it('everything either package loads is in it or a declared dependency', () => {
    const pluginManifest = manifest('.');
    const entries = [pluginManifest.main, ...Object.values(pluginManifest['node-red']?.plugins ?? {})];
    // Node-RED loads the editor part from the .html beside each plugin entry.
    const editor = entries.map((e) => e.replace(/\.js$/, '.html'));
    const html = readFileSync(path.join(copy, 'plugin.html'), 'utf8');
    // The editor asks for resources/<module>/<file>, which Node-RED serves from the package's resources/.
    const scripts = [...html.matchAll(/src="resources\/[^/]+\/([^"]+)"/g)].map((m) => `resources/${m[1]}`);
    assert.ok(scripts.length > 0, 'plugin.html loads its scripts from resources/');
    for (const file of [...entries, ...editor, ...scripts]) assert.ok(paths(plugin).includes(file), `${file} is packed`);
    assertSelfContained(copy, paths(plugin), pluginManifest);

    const collectorManifest = manifest('collector');
    for (const file of [collectorManifest.main, ...Object.values(collectorManifest.bin ?? {})]) {
      assert.ok(paths(collector).includes(file), `${file} is packed`);
    }
    assertSelfContained(path.join(copy, 'collector'), paths(collector), collectorManifest);
  });

  it('both carry the Apache 2.0 licence they declare, where to find the project, and no install-time scripts', () => {
    for (const dir of ['.', 'collector']) {
      const m = manifest(dir);
      assert.equal(m.license, 'Apache-2.0', dir);
      assert.match(readFileSync(path.join(copy, dir, 'LICENSE'), 'utf8'), /^\s*Apache License\s+Version 2\.0, January 2004/, dir);
      assert.equal(m.repository.url, `git+${REPOSITORY}.git`, dir);
      assert.equal(m.bugs.url, `${REPOSITORY}/issues`, dir);
      assert.ok(m.homepage.startsWith(REPOSITORY), dir);
      // npm warns about (and runs) these when the package is installed from a tarball or git.
      for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(m.scripts[script], undefined, `${dir}: scripts.${script}`);
    }
    assert.equal(manifest('collector').repository.directory, 'collector');
  });

  it('the packed READMEs show their images by absolute https URL, as the registry renders them', () => {
    const readme = readFileSync(path.join(copy, 'README.md'), 'utf8');
    assert.ok(/!\[[^\]]*\]\(https:\/\/raw\.githubusercontent\.com\/node-red-telemetry\/node-red-telemetry\//.test(readme), 'the screenshots come from the repository');
    assert.deepEqual(relativeImages(readme), []);
    assert.deepEqual(relativeImages(readFileSync(path.join(copy, 'collector', 'README.md'), 'utf8')), []);
  });
});
