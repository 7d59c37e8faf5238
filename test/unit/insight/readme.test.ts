import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  INSIGHT_FIELDS,
  INSIGHT_GROUPS,
  INSIGHT_JSON_SCHEMAS,
  MAX_PROVIDER_FIELDS,
  MAX_PROVIDER_STRING,
  MAX_PROVIDERS,
  REPORT_JSON_SCHEMA,
} from '@node-red-telemetry/protocol';
import { mountAdminApi } from '../../../src/admin-api';
import { resolveSettings } from '../../../src/config';

/**
 * The plugin's documentation against the code: the README (what a Node-RED user reads, also on the
 * registry's page) and docs/ (one page per concept). Every setting, report field, insight field and
 * admin route the code has must be documented where a reader looks for it, and every link between
 * the pages must lead somewhere.
 */
const ROOT = path.resolve(__dirname, '../../..');
const REPOSITORY_FILES = 'https://github.com/node-red-telemetry/node-red-telemetry/blob/main/';
const RAW_FILES = 'https://raw.githubusercontent.com/node-red-telemetry/node-red-telemetry/main/';
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

const README = read('README.md');
const INSIGHT_PAGE = read('docs/insight-groups.md');
const ADMIN_PAGE = read('docs/admin-api.md');

/** Markdown without its fenced code blocks (indented fences in lists too): headings and links there are examples. */
function withoutCode(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .filter((line) => {
      if (/^\s*```/.test(line)) {
        fenced = !fenced;
        return false;
      }
      return !fenced;
    })
    .join('\n');
}

/** The text under a heading, up to the next heading of the same or a higher level. */
function sectionOf(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.replace(/^#+\s+/, '') === heading && /^#+\s/.test(line));
  assert.ok(start >= 0, `no heading "${heading}"`);
  const level = /^#+/.exec(lines[start])![0].length;
  const end = lines.findIndex((line, i) => i > start && /^#+\s/.test(line) && /^#+/.exec(line)![0].length <= level);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** Table rows whose first cell starts with `name` in code. */
function rowsNaming(markdown: string, name: string): string[] {
  return markdown.split('\n').filter((line) => line.startsWith(`| \`${name}\``));
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutCode(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

/** Every link and image target of a page, outside code. */
function linksOf(markdown: string): string[] {
  const prose = withoutCode(markdown).replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

/** The pages of the documentation, as paths from the repository's root. */
const PAGES = ['README.md', 'BENCHMARKS.md', 'collector/README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Where a link from `page` leads in this repository, or null when it leads elsewhere. */
function targetOf(page: string, link: string): { file: string; anchor?: string } | null {
  const [target, anchor] = link.split('#') as [string, string | undefined];
  if (target.startsWith(REPOSITORY_FILES)) return { file: target.slice(REPOSITORY_FILES.length), anchor };
  if (target.startsWith(RAW_FILES)) return { file: target.slice(RAW_FILES.length), anchor };
  if (/^[a-z]+:/i.test(target)) return null;
  if (target === '') return { file: page, anchor };
  return { file: path.posix.normalize(path.posix.join(path.posix.dirname(page), target)), anchor };
}

describe('docs: insight groups, one table per group listing every field', () => {
  it('the README says what is sent, then links to the page of the opt-in groups', () => {
    const sent = sectionOf(README, 'What is sent');
    assert.ok(sent.includes(`(${REPOSITORY_FILES}docs/insight-groups.md)`), 'the README links to docs/insight-groups.md');
    assert.ok(INSIGHT_PAGE.length > 1000);
  });
  for (const group of INSIGHT_GROUPS) {
    it(`${group}: every field in its table`, () => {
      const table = sectionOf(INSIGHT_PAGE, `\`${group}\``);
      assert.match(table, /\| field \| type \| example \| why it is useful \| how it is derived \|/);
      const missing = INSIGHT_FIELDS[group].filter((field) => !table.includes(`| \`${field}\` |`));
      assert.deepEqual(missing, []);
    });
    it(`${group}: every field its JSON Schema declares, down into lists of events, has a row`, () => {
      const table = sectionOf(INSIGHT_PAGE, `\`${group}\``);
      const missing = schemaFields(INSIGHT_JSON_SCHEMAS[group]).filter((field) => rowsNaming(table, field).length === 0);
      assert.deepEqual(missing, []);
    });
  }
  it('metric providers (ext): the limits stated are the protocol\'s', () => {
    const providers = sectionOf(INSIGHT_PAGE, 'Metric providers (`ext`)');
    assert.match(providers, new RegExp(`\\| providers per report \\| ${MAX_PROVIDERS} `));
    assert.match(providers, new RegExp(`at most ${MAX_PROVIDER_FIELDS} fields`));
    assert.match(providers, new RegExp(`strings \\(≤ ${MAX_PROVIDER_STRING},`));
  });
  it('the include setting is in the settings table', () => {
    assert.match(README, /\| `include` \| list of strings \|/);
  });
});

describe('docs: the README against the plugin', () => {
  it('every setting the plugin reads from the telemetry section has a row in the settings table', () => {
    const read: string[] = [];
    // The plugin reads each known key once, whatever the section holds: a Proxy lists them.
    resolveSettings(new Proxy({}, { get: (_target, key) => (typeof key === 'string' && read.push(key), undefined) }));
    assert.ok(read.length >= 8, `read ${read.join(', ')}`);
    const settings = sectionOf(README, 'Settings');
    const missing = read.filter((key) => rowsNaming(settings, key).length === 0);
    assert.deepEqual(missing, []);
  });
  it('every field of the base report is in the table of what is sent', () => {
    const sent = sectionOf(README, 'What is sent');
    const rows = sent.split('\n').filter((line) => line.startsWith('| '));
    const base = schemaFields(REPORT_JSON_SCHEMA, { skip: Object.keys(INSIGHT_JSON_SCHEMAS), expandObjects: true });
    assert.ok(base.includes('env.node-red'), base.join(', '));
    const missing = base.filter((field) => !rows.some((row) => row.split('|')[1].includes(`\`${field}\``)));
    assert.deepEqual(missing, []);
  });
  it('every admin API route has a row in docs/admin-api.md', () => {
    const routes: string[] = [];
    const record = (method: string) => (route: string) => void routes.push(`${method} ${route}`);
    const httpAdmin = { get: record('GET'), put: record('PUT'), post: record('POST'), delete: record('DELETE') };
    const auth = { needsPermission: () => () => undefined };
    mountAdminApi({ httpAdmin, auth }, () => null, {} as Parameters<typeof mountAdminApi>[2]);
    assert.ok(routes.length >= 2, routes.join(', '));
    const missing = routes.filter((route) => rowsNaming(ADMIN_PAGE, route).length === 0);
    assert.deepEqual(missing, []);
  });
});

describe('docs: links', () => {
  for (const page of PAGES) {
    it(`${page}: every link into this repository leads to a file that exists, and to a heading it has`, () => {
      const broken: string[] = [];
      for (const link of linksOf(read(page))) {
        const target = targetOf(page, link);
        if (!target) continue;
        if (!existsSync(path.join(ROOT, target.file))) broken.push(`${link}: no ${target.file}`);
        else if (target.anchor && target.file.endsWith('.md') && !anchorsOf(read(target.file)).has(target.anchor)) {
          broken.push(`${link}: no heading #${target.anchor} in ${target.file}`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }
  for (const page of ['README.md', 'collector/README.md']) {
    it(`${page} (shipped in an npm package) links to other files only by absolute URL, as the registry's page needs`, () => {
      const relative = linksOf(read(page)).filter((link) => !link.startsWith('#') && !/^https:\/\//.test(link));
      assert.deepEqual(relative, []);
    });
  }
});

/**
 * The fields a JSON Schema object declares, as the docs name them: `events[].type` for the fields
 * of a list's objects (every variant of a `oneOf`), and `os.type` for the fields of a nested
 * object when `expandObjects` is set (the base report). Otherwise an object is one field whose
 * value is an object (`flows.types`, `features.contextStores`), documented in one row.
 */
function schemaFields(schema: unknown, { skip = [] as readonly string[], expandObjects = false, prefix = '' } = {}): string[] {
  type Node = { type?: string; properties?: Record<string, Node>; items?: Node & { oneOf?: Node[] } };
  const fields: string[] = [];
  for (const [name, child] of Object.entries((schema as Node).properties ?? {})) {
    if (skip.includes(name)) continue;
    const field = `${prefix}${name}`;
    if (child.type === 'array' && child.items) {
      fields.push(field);
      for (const variant of child.items.oneOf ?? [child.items]) {
        for (const sub of schemaFields(variant, { prefix: `${field}[].` })) if (!fields.includes(sub)) fields.push(sub);
      }
    } else if (expandObjects && child.type === 'object' && child.properties) {
      fields.push(...schemaFields(child, { prefix: `${field}.` }));
    } else {
      fields.push(field);
    }
  }
  return fields;
}
