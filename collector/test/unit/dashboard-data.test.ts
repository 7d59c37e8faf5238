import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { INSIGHT_GROUPS, REPORT_JSON_SCHEMA } from '@node-red-telemetry/protocol';
import { rollUp } from '../../src/rollup/rules';
import { csvCell, toCsv } from '../../src/dashboard/csv';
import { breakdownOf, groupValue, publishDays, rangeBounds, seriesOf } from '../../src/dashboard/data';
import { orderDimensions, TITLES } from '../../src/dashboard/dimensions';
import { demoOptions } from '../../src/demo/command';
import { generateDemo } from '../../src/demo/history';
import { insightProfile, insightsOfDay } from '../../src/demo/insights';
import { random } from '../../src/demo/random';
import { AnswerCache } from '../../src/http/api-v1-cache';
import type { DayUsage } from '../../src/store/store';

function day(date: string, counts: Array<[string, string, number]>): DayUsage {
  return { day: date, instances: 100, reports: 100, counts: counts.map(([dimension, value, instances]) => ({ dimension, value, instances })) };
}

describe('dashboard answers (pure)', () => {
  it('ranges end on the last aggregated day and never start before the first', () => {
    assert.deepEqual(rangeBounds('30', '2026-01-01', '2026-11-20'), { from: '2026-10-22', to: '2026-11-20' });
    assert.deepEqual(rangeBounds('365', '2026-06-01', '2026-11-20'), { from: '2026-06-01', to: '2026-11-20' });
    assert.deepEqual(rangeBounds('all', '2020-01-01', '2026-11-20'), { from: '2020-01-01', to: '2026-11-20' });
  });

  it('groups semver values by minor or major and leaves anything else as it is', () => {
    assert.equal(groupValue('4.1.15', 'minor'), '4.1');
    assert.equal(groupValue('4.1.15-git', 'major'), '4');
    assert.equal(groupValue('4.1.15', 'exact'), '4.1.15');
    for (const v of ['other', 'invalid', '<img src=x onerror=alert(1)>']) assert.equal(groupValue(v, 'minor'), v);
  });

  it('applies the threshold to exact values before grouping, so no view reveals a count under it', () => {
    const [published] = publishDays([day('2026-11-20', [['node-red', '4.1.15', 100], ['node-red', '4.1.14', 3], ['node-red', '4.0.9', 2]])], 5);
    const { values } = breakdownOf(published, 'node-red', 'minor');
    assert.deepEqual(values.map((v) => [v.value, v.instances]), [['4.1', 100], ['other', 5]]);
  });

  it('series: the top values over the range, the rest and "other" summed last, null where a day did not count the dimension', () => {
    const days = [
      day('2026-11-18', [['os', 'Linux', 50], ['os', 'Darwin', 20], ['os', 'Windows_NT', 10], ['os', 'other', 3]]),
      day('2026-11-19', []),
      day('2026-11-20', [['os', 'Linux', 60], ['os', 'Windows_NT', 30]]),
    ];
    const answer = seriesOf(days, 'os', 'exact', 2);
    assert.deepEqual(answer.days, ['2026-11-18', '2026-11-19', '2026-11-20']);
    assert.deepEqual(answer.series, [
      { value: 'Linux', instances: [50, null, 60] },
      { value: 'Windows_NT', instances: [10, null, 30] },
      { value: 'other', instances: [23, null, 0] },
    ]);
    assert.deepEqual(seriesOf(days, 'arch', 'exact', 6).series, []);
  });

  it('an "other" under the threshold is "fewer than N" in breakdowns and series: no count, no share, left out of every sum', () => {
    const [published] = publishDays([day('2026-11-20', [['lifecycle.crash.module', 'a', 8], ['lifecycle.crash.module', 'b', 6], ['lifecycle.crash.module', 'rare', 2]])], 5);
    const { total, values } = breakdownOf(published, 'lifecycle.crash.module', 'exact');
    assert.equal(total, 14);
    assert.deepEqual(values, [
      { value: 'a', instances: 8, share: 0.5714 },
      { value: 'b', instances: 6, share: 0.4286 },
      { value: 'other', instances: null, share: null, fewerThan: 5 },
    ]);
    const days = [published, { ...published, day: '2026-11-21', counts: [] }];
    assert.deepEqual(seriesOf(days, 'lifecycle.crash.module', 'exact', 1).series, [
      { value: 'a', instances: [8, null] },
      { value: 'other', instances: [6, null], fewerThan: [5, null] },
    ]);
    assert.deepEqual(seriesOf(days, 'lifecycle.crash.module', 'exact', 2).series.at(-1), { value: 'other', instances: [null, null], fewerThan: [5, null] });
  });

  it('breakdown: shares of the panel add up to 1, "other" last', () => {
    const { total, values } = breakdownOf(day('2026-11-20', [['arch', 'other', 40], ['arch', 'x64', 30], ['arch', 'arm64', 30]]), 'arch', 'exact');
    assert.equal(total, 100);
    assert.deepEqual(values.map((v) => v.value), ['arm64', 'x64', 'other']);
    assert.equal(values.reduce((a, v) => a + (v.share ?? 0), 0), 1);
  });

  it('lists known dimensions in their order and any other found in the data after them', () => {
    assert.deepEqual(orderDimensions(['flows.nodes', 'country', 'os', 'node-red', 'features.x', 'client']), ['node-red', 'os', 'client', 'country', 'flows.nodes', 'features.x']);
  });

  it('CSV: quotes what needs quoting and defuses cells a spreadsheet would run as formulas', () => {
    for (const [cell, written] of [
      ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
      ['+1', "'+1"],
      ['-2+3', "'-2+3"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\tx', "'\tx"],
      ['a,b', '"a,b"'],
      ['line\nbreak', '"line\nbreak"'],
      ['Linux', 'Linux'],
    ] as const) {
      assert.equal(csvCell(cell), written, cell);
    }
    assert.equal(csvCell(-1), '-1');
    assert.equal(csvCell(null), '');
    assert.equal(toCsv(['day', 'n'], [['2026-11-20', 3]]), 'day,n\r\n2026-11-20,3\r\n');
  });

  it('the answer cache computes once per data stamp and key, and drops everything when the stamp changes', async () => {
    const cache = new AnswerCache();
    let runs = 0;
    const compute = () => Promise.resolve({ type: 'application/json', body: `{"run":${++runs}}` });
    const [a, b] = await Promise.all([cache.get('s1', 'k', compute), cache.get('s1', 'k', compute)]);
    assert.equal(runs, 1);
    assert.equal(a.etag, b.etag);
    const c = await cache.get('s2', 'k', compute);
    assert.equal(runs, 2);
    assert.notEqual(c.etag, a.etag);
    await assert.rejects(cache.get('s2', 'bad', async () => Promise.reject(new Error('store down'))));
    assert.equal((await cache.get('s2', 'bad', compute)).body, '{"run":3}', 'a failure is not cached');
  });
});

describe('demo data (pure)', () => {
  const options = { days: 60, instances: 400, seed: 7, end: '2026-11-20', country: false };

  it('is deterministic: the same options give the same history', () => {
    assert.deepEqual(generateDemo(options), generateDemo(options));
    assert.notDeepEqual(generateDemo({ ...options, seed: 8 }), generateDemo(options));
  });

  it('gives every day, several versions, rare values that the threshold hides, and no country unless asked', () => {
    const days = generateDemo(options);
    assert.equal(days.length, 60);
    assert.equal(days[0].day, '2026-09-22');
    assert.equal(days.at(-1)?.day, '2026-11-20');
    const last = days.at(-1)!;
    assert.ok(last.instances > 200 && last.instances < 500, String(last.instances));
    const versions = last.counts.filter((c) => c.dimension === 'node-red');
    assert.ok(new Set(versions.map((c) => groupValue(c.value, 'minor'))).size >= 4);
    assert.ok(days.some((d) => d.counts.some((c) => c.dimension === 'os' && c.value === 'FreeBSD' && c.instances < 5)));
    const published = publishDays(days, 5);
    assert.ok(published.every((d) => d.counts.every((c) => c.instances === null || c.instances >= 5)));
    assert.ok(days.every((d) => d.counts.every((c) => c.dimension !== 'country')));
    assert.ok(generateDemo({ ...options, country: true }).at(-1)!.counts.some((c) => c.dimension === 'country' && c.value === 'DE'));
  });

  it('counts like the real roll-up: every count is of distinct instances, reports include repeats', () => {
    for (const d of generateDemo(options)) {
      assert.ok(d.reports >= d.instances);
      const nodeRed = d.counts.filter((c) => c.dimension === 'node-red').reduce((a, c) => a + c.instances, 0);
      assert.equal(nodeRed, d.instances, 'one Node-RED version per instance per day in the demo');
    }
    assert.equal(rollUp([]).instances, 0);
  });

  it('has the opt-in groups of installations that report through the plugin, a panel for each field, each published', () => {
    const last = publishDays(generateDemo({ ...options, instances: 5000, days: 3 }), 5).at(-1)!;
    const dimensions = new Set(last.counts.map((c) => c.dimension));
    const expected = Object.keys(TITLES).filter((d) => /^(insight|flows|features|environment|lifecycle|editor)\./.test(d));
    assert.ok(expected.length >= 34, expected.join(', '));
    assert.deepEqual(expected.filter((d) => !dimensions.has(d)), [], 'a field of a group without a panel');
    for (const d of expected) assert.ok(last.counts.some((c) => c.dimension === d && c.value !== 'other' && c.instances !== null), `${d}: a value of its own`);
    const groups = last.counts.filter((c) => c.dimension === 'insight.groups');
    assert.deepEqual(groups.map((c) => c.value).sort(), [...INSIGHT_GROUPS].sort());
    const plugin = last.counts.find((c) => c.dimension === 'client' && c.value === 'node-red-telemetry')!.instances!;
    for (const g of groups) assert.ok(g.instances! < plugin / 2, `${g.value}: a minority of the plugin's installations (${g.instances} of ${plugin})`);
  });

  it('makes opt-in groups that pass the report schema the collector validates with', () => {
    const validate = new Ajv({ removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false, strict: true }).compile(REPORT_JSON_SCHEMA);
    const rnd = random(11);
    const base = { instanceId: '0123456789abcdef0123456789abcdef', os: { type: 'Linux', release: '6.1.0', arch: 'arm' }, env: { nodejs: '20.20.2', 'node-red': '4.1.15' } };
    let checked = 0;
    for (let n = 0; n < 300; n++) {
      const host = { osType: ['Linux', 'Windows_NT', 'Darwin'][n % 3], arch: ['x64', 'arm64', 'arm'][n % 4 % 3] };
      const profile = insightProfile(rnd, host, 'node-red-telemetry', 0);
      if (!profile) continue;
      for (let d = 0; d < 20; d++) {
        const report = { ...base, ...insightsOfDay(rnd, profile, d, '2026-11-20') };
        assert.ok(validate(report), `${JSON.stringify(validate.errors)}\n${JSON.stringify(report)}`);
        checked++;
      }
    }
    assert.ok(checked > 1000, String(checked));
    assert.equal(insightProfile(rnd, { osType: 'Linux', arch: 'x64' }, 'node-red-core', 0), undefined, "Node-RED's own client sends no group");
  });

  it('demo-data options: defaults, and one message per bad flag', () => {
    const now = new Date('2026-11-21T10:00:00Z');
    assert.deepEqual(demoOptions({}, { country: false }, now), { days: 180, instances: 5000, seed: 1, end: '2026-11-20', country: false });
    assert.deepEqual(demoOptions({ days: '0', instances: 'many', end: '2026-02-30' }, { country: false }, now), [
      '--days: must be an integer from 1 to 3660 (got "0")',
      '--instances: must be an integer from 10 to 100000 (got "many")',
      '--end: must be a day written YYYY-MM-DD (got "2026-02-30")',
    ]);
  });
});
