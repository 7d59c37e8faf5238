import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const LANGUAGES = ['en-US', 'de', 'fr', 'es', 'ja', 'zh-CN'];

type Catalog = { [key: string]: string | Catalog };

function flatten(catalog: Catalog, prefix = ''): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [key, value] of Object.entries(catalog)) {
    if (typeof value === 'string') keys.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) keys.set(k, v);
  }
  return keys;
}

const load = (lang: string): Map<string, string> =>
  flatten(JSON.parse(readFileSync(path.join(ROOT, 'locales', lang, 'plugin.json'), 'utf8')) as Catalog);
const placeholders = (text: string): string[] => [...new Set(text.match(/__[A-Za-z]+__/g) ?? [])].sort();

describe('locales', () => {
  const english = load('en-US');

  it('ships exactly the six languages', () => {
    assert.deepEqual(readdirSync(path.join(ROOT, 'locales')).sort(), [...LANGUAGES].sort());
  });

  for (const lang of LANGUAGES.filter((l) => l !== 'en-US')) {
    it(`${lang} has every key of en-US, no other, with the same placeholders`, () => {
      const catalog = load(lang);
      assert.deepEqual([...english.keys()].filter((k) => !catalog.has(k)), [], 'missing');
      assert.deepEqual([...catalog.keys()].filter((k) => !english.has(k)), [], 'unknown');
      for (const [key, text] of english) {
        assert.deepEqual(placeholders(catalog.get(key) ?? ''), placeholders(text), `${lang} ${key}`);
        assert.notEqual((catalog.get(key) ?? '').trim(), '', `${lang} ${key} is empty`);
      }
    });
  }

  it('has every key the runtime logs', () => {
    const used = new Set<string>();
    // Every source file, in every folder: keys are logged from src/consent/, src/insight/ too.
    for (const file of (readdirSync(path.join(ROOT, 'src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(path.join(ROOT, 'src', file), 'utf8');
      for (const m of source.matchAll(/\b(?:log\.(?:info|warn|error|debug|text)|t)\(\s*'([a-z][\w.-]*[\w-])'/g)) used.add(`runtime.${m[1]}`);
    }
    // Keys built from a value: every value of each family.
    for (const code of ['not-object', 'not-boolean', 'not-url', 'insecure-url', 'unknown-setting', 'not-duration', 'duration-too-short', 'duration-too-long']) used.add(`runtime.problem.${code}`);
    for (const outcome of ['off', 'no-url', 'default', 'ignored']) used.add(`runtime.outcome.${outcome}`);
    for (const reason of ['flag', 'env', 'do-not-track', 'opt-out-file', 'settings']) {
      used.add(`runtime.fixed.${reason}`);
      used.add(`runtime.state.off-${reason}`);
      used.add(`editor.reason.${reason}`);
    }
    for (const key of ['state.pending', 'state.no-url', 'state.on-settings', 'state.on-consent', 'state.off-consent']) used.add(`runtime.${key}`);
    assert.ok(used.size > 40, `found only ${used.size} keys: the scan is broken`);
    assert.deepEqual([...used].filter((k) => !english.has(k)), []);
  });

  it('has every key the editor shows', () => {
    const used = new Set<string>();
    for (const file of readdirSync(path.join(ROOT, 'resources')).filter((f) => f.endsWith('.js'))) {
      const source = readFileSync(path.join(ROOT, 'resources', file), 'utf8');
      for (const m of source.matchAll(/\bt\(\s*"([a-zA-Z][\w.-]*[\w-])"/g)) used.add(`editor.${m[1]}`);
    }
    for (const item of ['instanceId', 'nodeRed', 'nodejs', 'os']) used.add(`editor.collected.${item}`);
    for (const state of ['pending', 'on', 'off']) used.add(`editor.pane.state.${state}`);
    for (const key of ['consent.thanks', 'consent.declined', 'pane.lastOk', 'pane.lastFailed']) used.add(`editor.${key}`);
    assert.ok(used.size > 25, `found only ${used.size} keys: the scan is broken`);
    assert.deepEqual([...used].filter((k) => !english.has(k)), []);
  });
});
