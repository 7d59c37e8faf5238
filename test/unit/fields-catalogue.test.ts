import assert from 'node:assert/strict';
import {
  allowedText,
  FIELD_CATALOGUE,
  GROUP_CATALOGUE,
  INSIGHT_FIELDS,
  INSIGHT_GROUPS,
  PUBLISHED_FORMS,
  REPORT_JSON_SCHEMA,
  REQUEST_CATALOGUE,
  schemaFields,
  SchemaNode,
  TEXT_PATTERN,
  typeText,
} from '@node-red-telemetry/protocol';

/**
 * The field catalogue (protocol/src/field-catalogue.ts) against the report's schema: the same
 * fields, each with why it is collected, how it is derived and how it is published, so a field
 * cannot be added to the schema, or to the catalogue, alone. Pure: no server.
 */
describe('field catalogue', () => {
  const fields = schemaFields();
  const paths = fields.map((f) => f.path);

  it('has an entry for every field the schema accepts', () => {
    assert.ok(paths.length >= 40, paths.join(', '));
    assert.deepEqual(paths.filter((p) => !(p in FIELD_CATALOGUE)), []);
  });

  it('has no entry for a field the schema does not accept', () => {
    assert.deepEqual(Object.keys(FIELD_CATALOGUE).filter((p) => !paths.includes(p)), []);
  });

  it('fails for a field added to the schema without an entry', () => {
    const grown = { ...REPORT_JSON_SCHEMA, properties: { ...REPORT_JSON_SCHEMA.properties, flows: { ...REPORT_JSON_SCHEMA.properties.flows, properties: { ...REPORT_JSON_SCHEMA.properties.flows.properties, lambdas: { type: 'integer' } } } } };
    assert.deepEqual(schemaFields(grown).map((f) => f.path).filter((p) => !(p in FIELD_CATALOGUE)), ['flows.lambdas']);
  });

  it('says, for every field, why, how it is derived and how it is published, in one of the known forms', () => {
    for (const [path, notes] of [...Object.entries(FIELD_CATALOGUE), ...Object.entries(REQUEST_CATALOGUE)]) {
      assert.ok(notes.why.length >= 10, `${path}: why`);
      assert.ok(notes.derived.length >= 5, `${path}: derived`);
      assert.ok(notes.example !== undefined, `${path}: example`);
      const published = notes.published;
      if (published.dimension === null) assert.match(published.note, /^not published/, path);
      else {
        assert.ok((PUBLISHED_FORMS as readonly string[]).includes(published.form), `${path}: ${published.form}`);
        assert.match(published.dimension, /^[A-Za-z0-9._-]{1,64}$/, path);
        if (published.form === 'derived') assert.ok(published.note, `${path}: a derived value says what it is`);
        if (published.setting) assert.match(published.otherwise ?? '', /^not published/, path);
      }
    }
  });

  it('gives every example the JSON type its schema has', () => {
    for (const field of fields) {
      const example = FIELD_CATALOGUE[field.path].example;
      const type = Array.isArray(example) ? 'array' : example === null ? 'null' : Number.isInteger(example) ? 'integer' : typeof example;
      assert.ok(typeText(field.schema).split('|').includes(type), `${field.path}: ${JSON.stringify(example)} is not ${typeText(field.schema)}`);
      if (field.schema.enum) assert.ok(field.schema.enum.includes(example), `${field.path}: ${String(example)}`);
    }
  });

  it('introduces every group a field names, in the order of the report', () => {
    assert.deepEqual(Object.keys(GROUP_CATALOGUE), ['base', ...INSIGHT_GROUPS, 'ext', 'request']);
    assert.deepEqual([...new Set(fields.map((f) => f.group))], ['base', ...INSIGHT_GROUPS, 'ext']);
  });
});

describe('schema fields: the report schema walked as the docs name its fields', () => {
  const byPath = new Map(schemaFields().map((f) => [f.path, f]));

  it('walks into the base report\'s objects, and into every group', () => {
    assert.deepEqual(
      [...byPath.keys()].filter((p) => byPath.get(p)!.group === 'base'),
      ['instanceId', 'os.type', 'os.release', 'os.arch', 'env.nodejs', 'env.node-red'],
    );
    for (const group of INSIGHT_GROUPS) {
      const own = [...byPath.values()].filter((f) => f.group === group && !f.path.includes('[]')).map((f) => f.path);
      assert.deepEqual(own, INSIGHT_FIELDS[group].map((f) => `${group}.${f}`));
    }
  });

  it('keeps an object inside a group whole (flows.types, a deploy\'s graph) and the open map ext as one field', () => {
    assert.equal(byPath.get('flows.types')!.schema.type, 'object');
    assert.equal(byPath.get('lifecycle.events[].graph')!.schema.type, 'object');
    assert.equal(byPath.get('ext')!.group, 'ext');
    assert.ok(![...byPath.keys()].some((p) => p.startsWith('flows.types.') || p.startsWith('ext.')));
  });

  it('merges the kinds of lifecycle event: every type in one enumeration, each kind\'s own fields marked', () => {
    assert.deepEqual(byPath.get('lifecycle.events[].type')!.schema.enum, ['start', 'stop', 'crash', 'deploy']);
    assert.equal(byPath.get('lifecycle.events[].day')!.onlyIn, null);
    assert.deepEqual(byPath.get('lifecycle.events[].error')!.onlyIn, ['crash']);
    assert.deepEqual(byPath.get('lifecycle.events[].graph')!.onlyIn, ['deploy']);
    assert.equal(byPath.get('lifecycle.events[].module')!.required, true);
  });

  it('marks what a report or group may leave out', () => {
    assert.equal(byPath.get('environment.diskFreeGiB')!.required, false);
    assert.equal(byPath.get('environment.cpus')!.required, true);
    assert.equal(byPath.get('ext')!.required, false);
    assert.equal(byPath.get('instanceId')!.required, true);
  });
});

describe('schema text: a field\'s schema in words', () => {
  const words = (node: SchemaNode) => allowedText(node);

  it('says ranges, enumerations, yes/no and lists', () => {
    assert.equal(words({ type: 'integer', minimum: 0, maximum: 1_000_000 }), 'integer from 0 to 1,000,000');
    assert.equal(words({ type: 'number' }), 'number');
    assert.equal(words({ type: 'integer', minimum: 1 }), 'integer, at least 1');
    assert.equal(words({ type: 'string', enum: ['a', 'b', 'c'] }), '`a`, `b` or `c`');
    assert.equal(words({ const: 'crash' }), '`crash`');
    assert.equal(words({ type: 'boolean' }), '`true` or `false`');
    assert.equal(words({ type: 'array', maxItems: 100 }), 'list of at most 100 items');
  });

  it('names the protocol\'s patterns, and shows any other one as it is', () => {
    assert.equal(words({ type: 'string', minLength: 1, maxLength: 64, pattern: TEXT_PATTERN }), 'text of 1 to 64 characters, no control characters');
    assert.equal(words(REPORT_JSON_SCHEMA.properties.instanceId), '8 to 64 letters, digits, `-` or `_`');
    assert.equal(words({ type: 'string', pattern: '^x+$', maxLength: 9 }), 'string matching `^x+$`, at most 9 characters');
  });

  it('says objects: keys that share a schema once, open maps with their size and names', () => {
    assert.equal(
      words({ type: 'object', required: ['a', 'b'], properties: { a: { type: 'boolean' }, b: { type: 'boolean' } } }),
      'object of `a`, `b` (all required), each `true` or `false`',
    );
    assert.equal(
      words({ type: 'object', properties: { a: { type: 'boolean' }, n: { type: 'integer', minimum: 0, maximum: 9 } } }),
      'object (each optional) of `a`: `true` or `false`; `n`: integer from 0 to 9',
    );
    assert.equal(
      words({ type: 'object', maxProperties: 2, propertyNames: { pattern: '^k$' }, additionalProperties: { oneOf: [{ type: 'boolean' }, { type: 'null' }] } }),
      'object of at most 2 entries (names: string matching `^k$`), each `true` or `false`; or `null`',
    );
  });

  it('gives the JSON type, variants joined', () => {
    assert.equal(typeText({ type: 'string', enum: ['a'] }), 'string');
    assert.equal(typeText({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] }), 'string|number|null');
  });

  it('refuses a schema it has no words for, rather than saying something wrong', () => {
    assert.throws(() => words({}), /no words for the schema/);
  });
});
