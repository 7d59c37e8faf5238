import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REQUEST_CATALOGUE } from '@node-red-telemetry/protocol';
import { DEFAULTS } from '../../src/config';
import { FieldEntry, fieldsAnswer } from '../../src/http/fields-answer';

/**
 * The docs' tables of what is sent (README.md's base report, docs/insight-groups.md's groups)
 * against `GET /api/v1/fields`: each table is the answer's fields of its group, rendered, so the
 * type, allowed values, example, why, how derived and how published read the same in both.
 *
 * The tables are made from the answer: after changing the catalogue, run this file with
 * `FIELDS_DOCS=write` to rewrite them, and review the diff.
 */
const ROOT = path.resolve(__dirname, '../../..');
const HEADER = '| field | type | example | why it is useful | how it is derived | how it is published |';
const WRITE = process.env.FIELDS_DOCS === 'write';

/** Where each group's table is: the page, the heading it is under, and whether names are relative to the group. */
const TABLES: Array<{ file: string; heading: string; groups: string[]; relative: boolean }> = [
  { file: 'README.md', heading: 'What is sent', groups: ['base', 'request'], relative: false },
  { file: 'README.md', heading: 'The `editor` group', groups: ['editor'], relative: true },
  { file: 'docs/insight-groups.md', heading: '`flows`', groups: ['flows'], relative: true },
  { file: 'docs/insight-groups.md', heading: '`features`', groups: ['features'], relative: true },
  { file: 'docs/insight-groups.md', heading: '`environment`', groups: ['environment'], relative: true },
  { file: 'docs/insight-groups.md', heading: '`lifecycle`', groups: ['lifecycle'], relative: true },
  { file: 'docs/insight-groups.md', heading: '`editor`', groups: ['editor'], relative: true },
  { file: 'docs/insight-groups.md', heading: 'Metric providers (`ext`)', groups: ['ext'], relative: false },
];

// The docs describe any collector: a field whose publication hangs on a setting says both ways.
const off = fieldsAnswer({ ...DEFAULTS, country: false });
const on = fieldsAnswer({ ...DEFAULTS, country: true });

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function publishedCell(field: FieldEntry): string {
  const other = on.fields.find((f) => f.path === field.path)!;
  if (other.published.text === field.published.text) return field.published.text;
  const claim = REQUEST_CATALOGUE[field.path]?.published;
  const setting = claim && claim.dimension !== null ? claim.setting : undefined;
  assert.ok(setting, `${field.path}: published differently with the country lookup on, but names no setting`);
  return `${field.published.text}. With the collector's \`${setting}\` setting on: ${other.published.text}`;
}

function row(field: FieldEntry, relative: boolean): string {
  const name = relative ? field.path.slice(field.group.length + 1) : field.path;
  const first = `\`${name}\`${field.onlyIn ? ` (${field.onlyIn.join(', ')})` : ''}${field.group === 'request' ? ' (from the request)' : ''}`;
  const type = `${field.allowed}${field.required || field.group === 'request' ? '' : ', optional'}`;
  const cells = [first, type, `\`${JSON.stringify(field.example)}\``, field.why, field.derived, publishedCell(field)];
  return `| ${cells.map(cell).join(' | ')} |`;
}

function rendered(groups: string[], relative: boolean): string[] {
  return [HEADER, '|---|---|---|---|---|---|', ...off.fields.filter((f) => groups.includes(f.group)).map((f) => row(f, relative))];
}

/** The lines of the fields table under `heading`: from its header row to the last row after it. */
function tableLines(lines: string[], heading: string): { start: number; end: number } {
  const at = lines.findIndex((line) => /^#+\s/.test(line) && line.replace(/^#+\s+/, '') === heading);
  assert.ok(at >= 0, `no heading "${heading}"`);
  const start = lines.findIndex((line, i) => i > at && line.startsWith('| field | type | example |'));
  const next = lines.findIndex((line, i) => i > at && /^#+\s/.test(line));
  assert.ok(start > at && (next < 0 || start < next), `no table starting "${HEADER}" under "${heading}"`);
  let end = start;
  while (end + 1 < lines.length && lines[end + 1].startsWith('|')) end++;
  return { start, end };
}

describe('docs: the tables of what is sent are GET /api/v1/fields', () => {
  for (const table of TABLES) {
    it(`${table.file} "${table.heading}": the fields of ${table.groups.join(' and ')}, as the endpoint answers them`, () => {
      const file = path.join(ROOT, table.file);
      const lines = readFileSync(file, 'utf8').split('\n');
      const { start, end } = tableLines(lines, table.heading);
      const expected = rendered(table.groups, table.relative);
      if (WRITE) {
        lines.splice(start, end - start + 1, ...expected);
        writeFileSync(file, lines.join('\n'));
        return;
      }
      assert.deepEqual(lines.slice(start, end + 1), expected, `run this file with FIELDS_DOCS=write to rewrite the table under "${table.heading}" in ${table.file}`);
    });
  }

  it('covers every field the endpoint lists (operator-declared ones aside, which the docs cannot know)', () => {
    const documented = TABLES.flatMap((t) => t.groups);
    assert.deepEqual(off.fields.filter((f) => !documented.includes(f.group)).map((f) => f.path), []);
  });

  it('points the reader at the endpoint: the README, the page of the groups and the collector\'s manual', () => {
    for (const file of ['README.md', 'docs/insight-groups.md', 'collector/README.md']) {
      assert.match(readFileSync(path.join(ROOT, file), 'utf8'), /`GET <collector>\/api\/v1\/fields`|`GET \/api\/v1\/fields`/, file);
    }
  });
});
