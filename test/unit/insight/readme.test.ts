import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { INSIGHT_FIELDS, INSIGHT_GROUPS } from '@node-red-telemetry/protocol';

const README = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
const section = README.slice(README.indexOf('## Insight groups (opt-in)'), README.indexOf('## How to opt out'));

describe('README: one table per insight group, listing every field', () => {
  it('the section exists, after the base payload and before opting out', () => {
    assert.ok(README.indexOf('## What is sent') < README.indexOf('## Insight groups (opt-in)'));
    assert.ok(section.length > 1000);
  });
  for (const group of INSIGHT_GROUPS) {
    it(`${group}: every field in its table`, () => {
      const start = section.indexOf(`### \`${group}\``);
      assert.ok(start >= 0, `no ### \`${group}\` heading`);
      const table = section.slice(start, section.indexOf('\n### ', start + 1));
      assert.match(table, /\| field \| type \| example \| why it is useful \| how it is derived \|/);
      const missing = INSIGHT_FIELDS[group].filter((field) => !table.includes(`| \`${field}\` |`));
      assert.deepEqual(missing, []);
    });
  }
  it('the include setting is in the settings table', () => {
    assert.match(README, /\| `include` \| list of strings \|/);
  });
});
