import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../../src/config';
import { ERRORS } from '../../src/http/errors';

const README = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
const section = README.slice(README.indexOf('## The collector'), README.indexOf('## Layout'));

describe('collector documentation', () => {
  it('the README has a collector section', () => {
    assert.ok(section.length > 1000);
  });

  for (const [code, { status }] of Object.entries(ERRORS)) {
    it(`documents error ${code} with status ${status}`, () => {
      assert.match(section, new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
    });
  }

  for (const setting of SETTINGS) {
    it(`documents setting ${setting.key}${setting.flag ? ` (--${setting.flag})` : ''}${setting.env ? ` (${setting.env})` : ''}`, () => {
      const row = section.split('\n').find((line) => line.startsWith(`| \`${setting.key}\` |`));
      assert.ok(row, `no table row for ${setting.key}`);
      if (setting.flag) assert.ok(row.includes(`\`--${setting.flag}\``), row);
      if (setting.env) assert.ok(row.includes(`\`${setting.env}\``), row);
    });
  }
});
