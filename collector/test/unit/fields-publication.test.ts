import assert from 'node:assert/strict';
import { OTHER_ERROR } from '@node-red-telemetry/protocol';
import { CollectorConfig, DEFAULTS, ExtraFieldType } from '../../src/config';
import { FieldEntry, fieldsAnswer } from '../../src/http/fields-answer';
import { clientKind } from '../../src/ingest/client-kind';
import { parseInsights, reportRow, ValidReport } from '../../src/ingest/report-rules';
import { countBucket, memoryBucket } from '../../src/rollup/insight-values';
import { CountedRow, RollUp, rollUp } from '../../src/rollup/rules';
import { exampleReport, itemOf, kindsOf } from '../helpers/fields-report';

/**
 * Every claim `GET /api/v1/fields` makes of how a field is published, checked against the
 * collector's own path from a report to its daily counts (ingest's reportRow, then the roll-up):
 * the dimension each field goes to, the values it takes there, whether an instance counts once or
 * under each value, the fleet totals, and that a field said not to be published changes nothing.
 */
type Json = Record<string, unknown>;

interface Sent {
  report: Json;
  userAgent?: string;
  country?: string | null;
  extraFields?: Record<string, ExtraFieldType>;
}

const PLUGIN_AGENT = 'Node-RED/4.1.15 node-red-telemetry/0.1.0';

function rowOf(sent: Sent, minute: number): CountedRow {
  const record = reportRow(
    sent.report as ValidReport,
    { receivedAt: new Date(Date.UTC(2026, 10, 20, 8, minute)), addressHash: 'ab'.repeat(32), client: clientKind(sent.userAgent ?? PLUGIN_AGENT), country: sent.country ?? null },
    sent.extraFields ?? {},
  );
  return { instanceId: record.instanceId, ...record.environment, insights: parseInsights(record.insights) };
}

/** One day of these reports, oldest first, rolled up as the daily job rolls up a stored day. */
const rolled = (...sent: Sent[]): RollUp => rollUp(sent.map(rowOf));

function valuesIn(day: RollUp, dimension: string): Record<string, number> {
  return Object.fromEntries(day.counts.filter((c) => c.dimension === dimension).map((c) => [c.value, c.instances]));
}

const answerWith = (config: Partial<CollectorConfig> = {}) => fieldsAnswer({ ...DEFAULTS, country: true, ...config });
const published = answerWith().fields.filter((f) => f.published.dimension !== null);

/** The list a `x[].y` path belongs to, and the field's name in its items. */
function listOf(path: string): [list: string, name: string] | null {
  const at = path.indexOf('[].');
  return at < 0 ? null : [path.slice(0, at), path.slice(at + 3)];
}

/** A report whose field `field` holds `value` (for a field of list items, one item per value). */
function sentWith(field: FieldEntry, value: unknown, instanceId?: string): Sent {
  const id = instanceId ? { instanceId } : {};
  if (field.path === 'User-Agent') return { report: exampleReport(id), userAgent: String(value) };
  if (field.path === 'address') return { report: exampleReport(id), country: value as string };
  const list = listOf(field.path);
  if (!list) return { report: exampleReport({ ...id, [field.path]: value }) };
  const [path, name] = list;
  const values = Array.isArray(value) ? value : [value];
  const kind = (v: unknown) => (name === 'type' ? String(v) : field.onlyIn?.[0] ?? kindsOf(path)[0]);
  return { report: exampleReport({ ...id, [path]: values.map((v) => itemOf(path, kind(v), { [name]: v })) }) };
}

/** Values to send in a field and what its dimension should hold for each, by its form. */
function probes(field: FieldEntry): Array<{ value: unknown; expect: string[] }> {
  const form = field.published.text;
  const values = field.published.values;
  const numbers = (bucket: (n: number) => string) => {
    const schema = field.schema!;
    const range = [...Array.from({ length: 601 }, (_, n) => n), 1000, 4096, 65_536, schema.maximum!];
    return range.filter((n) => n >= schema.minimum! && n <= schema.maximum!).map((n) => ({ value: n, expect: [bucket(n)] }));
  };
  if (field.path === 'User-Agent') return ['Node-RED/4.1.15', PLUGIN_AGENT, 'curl/8.5.0', ''].map((ua) => ({ value: ua, expect: [clientKind(ua || undefined)] }));
  if (field.path === 'address') return [{ value: 'DE', expect: ['DE'] }, { value: 'unknown', expect: ['unknown'] }];
  if (form.includes('its bucket in GiB')) return numbers(memoryBucket);
  if (form.includes('its bucket,')) return numbers(countBucket);
  if (form.includes('the version (')) return [{ value: '4.1.2', expect: ['4.1.2'] }, { value: '5.0.0-beta.1', expect: ['5.0.0-beta.1'] }, { value: 'nightly', expect: ['invalid'] }];
  if (form.includes('`true` or `false`')) return [{ value: true, expect: ['true'] }, { value: false, expect: ['false'] }];
  if (form.includes('each key with a count above 0')) {
    const keys = Object.keys(field.schema!.properties!);
    const object = Object.fromEntries(keys.map((k, i) => [k, i === 0 ? 2 : i === keys.length - 1 ? 1 : 0]));
    return [{ value: object, expect: [keys[0], keys[keys.length - 1]] }];
  }
  if (form.includes('each key it has')) return [{ value: { 'node-red-contrib-a': { n: 1 }, '@acme/metrics': {} }, expect: ['node-red-contrib-a', '@acme/metrics'] }];
  if (form.includes('each value its events')) {
    if (field.path.endsWith('.error')) return [{ value: ['TypeError', 'AcmePaymentError'], expect: ['TypeError', OTHER_ERROR] }];
    const sample = values ?? ['node-red-contrib-a', 'local', 'unknown'];
    return [{ value: sample, expect: sample }];
  }
  if (form.includes('the value sent')) return (values ?? ['Plan9', 'Haiku']).map((v) => ({ value: v, expect: [v] }));
  throw new Error(`${field.path}: no probe for "${form}"`);
}

describe('GET /api/v1/fields against the roll-up (pure)', () => {
  it('names every dimension the roll-up counts of a report that carries every field, and no other', () => {
    const answer = answerWith();
    const day = rolled({ report: exampleReport(), country: 'DE' });
    const counted = new Set(day.counts.map((c) => c.dimension));
    const claimed = new Set([...published.map((f) => f.published.dimension!), ...answer.groups.flatMap((g) => (g.published ? [g.published.dimension] : []))]);
    assert.ok(counted.size >= 40, [...counted].join(', '));
    assert.deepEqual([...counted].filter((d) => !claimed.has(d)), [], 'counted, but the answer does not say so');
    assert.deepEqual([...claimed].filter((d) => !counted.has(d)), [], 'in the answer, but not counted');
    assert.deepEqual(Object.keys(valuesIn(day, 'insight.groups')).sort(), answer.groups.flatMap((g) => (g.published ? [g.published.value] : [])).sort());
  });

  it('names every fleet total the roll-up sums, and no other', () => {
    const day = rolled({ report: exampleReport() });
    const claimed = published.flatMap((f) => {
      const total = f.published.total;
      if (total === null) return [];
      const placeholder = /<\w+>/.exec(total);
      if (!placeholder) return [total];
      // One total per value of its dimension the day has, each a value the answer lists.
      const values = Object.keys(valuesIn(day, f.published.dimension!));
      assert.ok(values.length > 0 && values.every((v) => f.published.values!.includes(v)), `${total}: ${values.join(', ')}`);
      return values.map((v) => total.replace(placeholder[0], v));
    });
    assert.deepEqual(day.sums.map((s) => s.metric).sort(), claimed.sort());
  });

  for (const field of published) {
    const dimension = field.published.dimension!;
    describe(`${field.path} → ${dimension}`, () => {
      it('takes the values the answer says, and only those', () => {
        const seen = new Set<string>();
        for (const { value, expect } of probes(field)) {
          const got = valuesIn(rolled(sentWith(field, value)), dimension);
          assert.deepEqual(Object.keys(got).sort(), [...expect].sort(), `${JSON.stringify(value)}`);
          assert.ok(Object.values(got).every((n) => n === 1), 'one instance counts once under each value');
          for (const v of expect) seen.add(v);
        }
        if (field.published.values) {
          assert.deepEqual([...seen].filter((v) => !field.published.values!.includes(v)), [], 'a value the answer does not list');
          if (/its bucket|`true` or `false`/.test(field.published.text)) assert.deepEqual([...seen].sort(), [...field.published.values].sort(), 'every listed value is reached');
        }
      });

      const summed = field.published.text.includes('by the sum of its reports of the day');
      it(`counts an instance ${summed ? 'once a day, by the sum of its reports' : field.published.countedOnce ? 'once a day, by its last value' : 'under each of its values'}, as the answer says`, () => {
        const [first, second] = summed
          ? [5, 6].map((n) => probes(field).find((p) => p.value === n)!)
          : probes(field).length >= 2
            ? probes(field)
            : [probes(field)[0], { value: probes(field)[0].value, expect: probes(field)[0].expect }];
        const got = valuesIn(rolled(sentWith(field, first.value), sentWith(field, second.value)), dimension);
        const text = field.published.text;
        const expected = summed
          ? [countBucket((first.value as number) + (second.value as number))]
          : field.published.countedOnce || text.includes('by its last snapshot')
            ? second.expect
            : [...new Set([...first.expect, ...second.expect])];
        if (summed) assert.notDeepEqual(expected, second.expect, 'the probes tell a sum from the last value');
        assert.deepEqual(Object.keys(got).sort(), [...expected].sort());
        if (field.published.countedOnce) assert.equal(Object.values(got).reduce((a, b) => a + b, 0), 1, 'the day\'s counts add up to its one instance');
        assert.ok(field.published.countedOnce ? /once a day, by (its last (report|snapshot)|the sum of its reports of the day)/.test(text) : /under each of its values/.test(text), text);
      });

      if (field.published.total !== null) {
        it(`sums the fleet total ${field.published.total} over the instances that sent it`, () => {
          const total = field.published.total!;
          if (total.includes('<type>')) {
            const day = rolled(sentWith(field, ['crash', 'crash', 'start']));
            const sums = Object.fromEntries(day.sums.map((s) => [s.metric, s.total]));
            assert.deepEqual([sums[total.replace('<type>', 'crash')], sums[total.replace('<type>', 'start')]], [2, 1]);
          } else if (total.includes('<action>')) {
            const [a, b] = ['a'.repeat(32), 'b'.repeat(32)];
            const day = rolled(sentWith(field, { 'core:search': 2, other: 1 }, a), sentWith(field, { 'core:search': 4 }, a), sentWith(field, { 'core:search': 3 }, b));
            const sums = Object.fromEntries(day.sums.map((s) => [s.metric, s.total]));
            assert.deepEqual([sums[total.replace('<action>', 'core:search')], sums[total.replace('<action>', 'other')]], [9, 1], 'every report of every instance, summed per action');
          } else {
            const day = rolled(sentWith(field, 3, 'a'.repeat(32)), sentWith(field, 9, 'a'.repeat(32)), sentWith(field, 4, 'b'.repeat(32)));
            const summed = field.published.text.includes('by the sum of its reports of the day');
            assert.equal(day.sums.find((s) => s.metric === total)?.total, summed ? 16 : 13, summed ? 'every report of each instance, summed' : 'the last snapshot of each instance, summed');
          }
        });
      }
    });
  }
});

describe('GET /api/v1/fields: what it says is not published changes no count', () => {
  /** Another value for each field said not to be published (a list's fields vary in every item). */
  const OTHER_VALUES: Record<string, unknown> = {
    instanceId: 'ffffffffffffffffffffffffffffffff',
    'os.release': '5.15.0-91-generic',
    'lifecycle.events[].day': '2026-11-01',
    'lifecycle.events[].graph': { tabs: 9, disabledTabs: 9, subflows: 9, subflowInstances: 9, nodes: 9, configNodes: 9, groups: 9, junctions: 9, wires: 9 },
  };
  const unpublished = answerWith().fields.filter((f) => f.published.dimension === null && f.schema?.type !== 'array');

  it('has another value to try for each of them', () => {
    assert.deepEqual(unpublished.map((f) => f.path).sort(), Object.keys(OTHER_VALUES).sort());
  });

  for (const field of unpublished) {
    it(`${field.path}: ${field.published.text}`, () => {
      const [list, name] = listOf(field.path) ?? [null, null];
      const other: Sent = list
        ? { report: exampleReport({ [list]: kindsOf(list).map((kind) => itemOf(list, kind, (field.onlyIn ?? [kind]).includes(kind) ? { [name]: OTHER_VALUES[field.path] } : {})) }) }
        : sentWith(field, OTHER_VALUES[field.path]);
      assert.notDeepEqual(other.report, exampleReport());
      assert.deepEqual(rolled(other), rolled({ report: exampleReport() }));
    });
  }

  it('a list is published by its items\' fields, each of which the answer lists', () => {
    for (const list of answerWith().fields.filter((f) => f.schema?.type === 'array')) {
      assert.ok(answerWith().fields.some((f) => f.path.startsWith(`${list.path}[].`) && f.published.dimension !== null), list.path);
    }
  });

  it('the sender\'s address: not published while the country setting is off, counted by country while it is on', () => {
    const off = answerWith({ country: false }).fields.find((f) => f.path === 'address')!;
    assert.equal(off.published.dimension, null);
    assert.match(off.published.text, /`country` setting is off/);
    assert.deepEqual(valuesIn(rolled({ report: exampleReport(), country: null }), 'country'), {});
    assert.deepEqual(valuesIn(rolled({ report: exampleReport(), country: 'FR' }), 'country'), { FR: 1 });
  });

  it('an operator\'s declared field: listed, and not counted', () => {
    const answer = answerWith({ extraFields: { fleet: 'string', racks: 'number' } });
    const extras = answer.fields.filter((f) => f.group === 'extra');
    assert.deepEqual(extras.map((f) => [f.path, f.type, f.published.dimension]), [['fleet', 'string', null], ['racks', 'number', null]]);
    assert.ok(answer.groups.some((g) => g.id === 'extra'));
    assert.ok(!answerWith().groups.some((g) => g.id === 'extra'), 'no such group without declared fields');
    const extraFields = { fleet: 'string' } as const;
    assert.deepEqual(rolled({ report: { ...exampleReport(), fleet: 'north' }, extraFields }), rolled({ report: { ...exampleReport(), fleet: 'south' }, extraFields }));
  });
});
