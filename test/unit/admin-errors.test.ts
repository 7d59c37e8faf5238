import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ADMIN_ERRORS } from '../../src/admin-errors';

const ROOT = path.resolve(__dirname, '..', '..');

/** README.md and every page of docs/: the admin API's reference may live in either. */
function documentation(): Array<{ file: string; text: string }> {
  const docs = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  return ['README.md', ...docs].map((file) => ({ file, text: readFileSync(path.join(ROOT, file), 'utf8') }));
}

describe('admin API error codes', () => {
  const pages = documentation();

  for (const [code, { status }] of Object.entries(ADMIN_ERRORS)) {
    it(`${code} (${status}) has a row in a table of README.md or docs/`, () => {
      const rows = pages.flatMap(({ text }) => text.split('\n').filter((line) => new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`).test(line)));
      assert.ok(rows.length > 0, `no row | \`${code}\` | in ${pages.map((p) => p.file).join(', ')}`);
      assert.ok(rows.some((row) => row.split('|').some((cell) => cell.trim() === String(status))), `no row for ${code} says ${status}:\n${rows.join('\n')}`);
    });
  }

  it('every code is snake_case and every status an HTTP error', () => {
    for (const [code, { status }] of Object.entries(ADMIN_ERRORS)) {
      assert.match(code, /^[a-z]+(_[a-z]+)*$/);
      assert.ok(status >= 400 && status < 600, `${code}: ${status}`);
    }
  });
});
