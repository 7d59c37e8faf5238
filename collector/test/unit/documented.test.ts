import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPORT_JSON_SCHEMA } from '@node-red-telemetry/protocol';
import { DEFAULTS, SETTINGS, shownDefault } from '../../src/config';
import { buildApp } from '../../src/http/app';
import { ERRORS } from '../../src/http/errors';
import { createLogger } from '../../src/logger';

/**
 * The collector's manual (collector/README.md, shipped in its npm package) against the code: every
 * setting with its flag, environment variable and default, every error code with its status, every
 * endpoint the collector serves, and the fields a report must have.
 */
const MANUAL = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The text under a `## ` heading, up to the next one. */
function chapter(heading: string): string {
  const start = MANUAL.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `collector/README.md has no "## ${heading}"`);
  const end = MANUAL.indexOf('\n## ', start + 1);
  return MANUAL.slice(start, end < 0 ? undefined : end);
}

/** The cells of a markdown table row, trimmed, without the outer pipes. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
}

/** Method and path of every route the collector serves (HEAD aside), as fastify lists them. */
async function servedRoutes(): Promise<string[]> {
  const parts = { config: { ...DEFAULTS }, store: {}, ingest: {}, versions: {}, log: createLogger('silent'), now: () => new Date() };
  const app = buildApp(parts as unknown as Parameters<typeof buildApp>[0]);
  await app.ready();
  const tree = app.printRoutes({ commonPrefix: false });
  await app.close();
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const node = /^([\s\u2500-\u257F]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    const depth = node[1].length / 4;
    stack.length = depth - 1;
    stack.push(node[2]);
    const url = stack.join('');
    for (const method of (node[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD')) routes.push(`${method} ${url}`);
  }
  return routes;
}

describe('collector documentation (collector/README.md)', () => {
  it('is the operator\'s manual: run, configure, endpoints, errors, the answer, storage', () => {
    for (const heading of ['Run it', 'Configure it', 'The log', 'Endpoints', 'The answer', 'What is stored, and for how long', 'How the address hash works']) {
      assert.ok(chapter(heading).length > 200, heading);
    }
  });

  for (const [code, { status }] of Object.entries(ERRORS)) {
    it(`documents error ${code} with status ${status}`, () => {
      assert.match(chapter('Endpoints'), new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
    });
  }

  const configure = chapter('Configure it').split('\n').filter((line) => line.startsWith('| `'));
  for (const setting of SETTINGS) {
    it(`documents setting ${setting.key}${setting.flag ? ` (--${setting.flag})` : ''}${setting.env ? ` (${setting.env})` : ''} with its default`, () => {
      const row = configure.find((line) => line.startsWith(`| \`${setting.key}\` |`));
      assert.ok(row, `no table row for ${setting.key}`);
      const [, flag, env, , shown] = cells(row);
      assert.equal(flag, setting.flag ? `\`--${setting.flag}\`` : '', row);
      assert.equal(env, setting.env ? `\`${setting.env}\`` : '', row);
      if (setting.key in DEFAULTS) assert.ok(shown.includes(`\`${shownDefault(setting)}\``), `${row}\nshould show the default ${shownDefault(setting)}`);
    });
  }

  // Settings only a config file can set (structured), with their defaults.
  for (const key of Object.keys(DEFAULTS).filter((k) => !SETTINGS.some((s) => s.key === k))) {
    it(`documents the config-file setting ${key} with its default`, () => {
      const row = configure.find((line) => line.startsWith(`| \`${key}\` |`));
      assert.ok(row, `no table row for ${key}`);
      const [, flag, env, , shown] = cells(row);
      assert.deepEqual([flag, env], ['', ''], row);
      assert.ok(shown.replace(/[\s`]/g, '').includes(JSON.stringify(DEFAULTS[key as keyof typeof DEFAULTS])), row);
    });
  }

  it('documents no setting the collector does not have', () => {
    const known = new Set([...SETTINGS.map((s) => s.key as string), ...Object.keys(DEFAULTS)]);
    const unknown = configure.map((row) => cells(row)[0].replace(/`/g, '')).filter((key) => !known.has(key));
    assert.deepEqual(unknown, []);
  });

  it('documents every endpoint the collector serves, and none it does not', async () => {
    const routes = await servedRoutes();
    assert.ok(routes.includes('POST /ping') && routes.includes('GET /api/v1/summary'), routes.join(', '));
    // A route is documented by a table row whose first cell names it in code (a query string may follow).
    const documented = MANUAL.split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((row) => [...cells(row)[0].matchAll(/`(GET|POST|PUT|DELETE|PATCH) ([^`?]+)[^`]*`/g)].map((m) => `${m[1]} ${m[2]}`));
    assert.deepEqual(routes.filter((route) => !documented.includes(route)), [], 'served but not documented');
    assert.deepEqual([...new Set(documented)].filter((route) => !routes.includes(route)), [], 'documented but not served');
  });

  it('names every field a report must have', () => {
    const endpoints = chapter('Endpoints');
    const schema = REPORT_JSON_SCHEMA as unknown as { required: string[]; properties: Record<string, { required?: string[] }> };
    const required = schema.required.flatMap((name) => schema.properties[name].required?.map((sub) => `${name}.${sub}`) ?? [name]);
    assert.ok(required.length >= 6, required.join(', '));
    assert.deepEqual(required.filter((field) => !endpoints.includes(`\`${field}\``)), []);
  });
});
