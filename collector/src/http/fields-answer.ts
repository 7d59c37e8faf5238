import {
  allowedText,
  FIELD_CATALOGUE,
  FieldNotes,
  GROUP_CATALOGUE,
  INSIGHT_GROUPS,
  REQUEST_CATALOGUE,
  REPORT_JSON_SCHEMA,
  SchemaField,
  schemaFields,
  SchemaNode,
  typeText,
} from '@node-red-telemetry/protocol';
import type { CollectorConfig } from '../config';
import { CLIENT_KINDS } from '../ingest/client-kind';
import { INVALID_VERSION, reportSchema } from '../ingest/report-rules';
import { countBucket, memoryBucket } from '../rollup/insight-values';
import { countsOncePerInstance } from '../rollup/rules';

/**
 * Pure: the body of `GET /api/v1/fields`, every field this collector accepts
 * in a report, with its schema, the catalogue's notes (protocol/src/
 * field-catalogue.ts) and how the roll-up publishes it. What can be taken from
 * the roll-up itself is: the buckets a number can fall in (its bucket
 * functions over the schema's range), whether an instance counts once or
 * under each value, and the values of the client kind.
 */

/** How a field is published: `dimension` null when it is not. */
export interface PublishedField {
  dimension: string | null;
  /** The values its dimension can hold, or null when any value the field allows can appear (or it is not published). */
  values: string[] | null;
  /** Whether each instance counts under one value of the dimension a day (null when not published). */
  countedOnce: boolean | null;
  /** The fleet total summed from it, or null. */
  total: string | null;
  text: string;
}

export interface FieldEntry {
  path: string;
  group: string;
  type: string;
  required: boolean;
  onlyIn: string[] | null;
  allowed: string;
  /** The field's JSON Schema; null for what is taken from the request. */
  schema: SchemaNode | null;
  example: unknown;
  why: string;
  derived: string;
  published: PublishedField;
}

export interface GroupEntry {
  id: string;
  title: string;
  optional: boolean;
  what: string;
  /** The dimension value an instance that sent the group counts under, or null. */
  published: { dimension: string; value: string } | null;
}

export interface FieldsAnswer {
  threshold: number;
  /** Where the dimensions are served (`<dashboardPath>api/v1/`), or null when this collector publishes nothing. */
  publishedAt: string | null;
  groups: GroupEntry[];
  fields: FieldEntry[];
}

export type FieldsConfig = Pick<CollectorConfig, 'threshold' | 'extraFields' | 'country' | 'dashboardPath'>;

/** The groups that describe a state (not events): the roll-up counts an instance's last one of the day. */
const SNAPSHOT_GROUPS = ['flows', 'features', 'environment'];
/** The groups of counts not sent before: the roll-up sums an instance's reports of the day. */
const SUMMED_GROUPS = ['editor'];
/** Values a dimension holds that the collector, not the schema, decides. */
const DECIDED_VALUES: Readonly<Record<string, readonly string[]>> = { client: CLIENT_KINDS };
const EXTRA_GROUP = {
  id: 'extra',
  title: 'Declared by this collector',
  optional: true,
  what: "Top-level fields this collector's operator declared (`extraFields`); the plugin never sends them.",
  published: null,
};

/** The answer of a collector with this configuration: the schema's fields, the request's, then the operator's. */
export function fieldsAnswer(config: FieldsConfig): FieldsAnswer {
  const fields: FieldEntry[] = schemaFields().map((field) => entryOf(field, notesOf(field.path), config));
  for (const [path, notes] of Object.entries(REQUEST_CATALOGUE)) {
    const { type, allowed, ...rest } = notes;
    fields.push({ path, group: 'request', type, required: false, onlyIn: null, allowed, schema: null, ...describe(rest, null, 'request', config) });
  }
  const extras = extraFields(config);
  fields.push(...extras);
  const groups: GroupEntry[] = Object.entries(GROUP_CATALOGUE).map(([id, notes]) => ({
    id,
    ...notes,
    published: (INSIGHT_GROUPS as readonly string[]).includes(id) ? { dimension: 'insight.groups', value: id } : null,
  }));
  if (extras.length > 0) groups.push(EXTRA_GROUP);
  return { threshold: config.threshold, publishedAt: config.dashboardPath === null ? null : `${config.dashboardPath}api/v1/`, groups, fields };
}

function notesOf(path: string): FieldNotes {
  const notes = FIELD_CATALOGUE[path];
  // A test holds the catalogue to the schema; this says which field a build without it missed.
  if (!notes) throw new Error(`the field catalogue has no entry for ${path}`);
  return notes;
}

function entryOf(field: SchemaField, notes: FieldNotes, config: FieldsConfig): FieldEntry {
  return {
    path: field.path,
    group: field.group,
    type: typeText(field.schema),
    required: field.required,
    onlyIn: field.onlyIn,
    allowed: allowedText(field.schema),
    schema: field.schema,
    ...describe(notes, field.schema, field.group, config),
  };
}

function describe(notes: FieldNotes, schema: SchemaNode | null, group: string, config: FieldsConfig): Pick<FieldEntry, 'example' | 'why' | 'derived' | 'published'> {
  return { example: notes.example, why: notes.why, derived: notes.derived, published: publication(notes.published, schema, group, config) };
}

function publication(claim: FieldNotes['published'], schema: SchemaNode | null, group: string, config: FieldsConfig): PublishedField {
  const none = (text: string): PublishedField => ({ dimension: null, values: null, countedOnce: null, total: null, text });
  if (claim.dimension === null) return none(claim.note);
  if (claim.setting !== undefined && config[claim.setting as keyof FieldsConfig] !== true) {
    return none(claim.otherwise ?? `not published: this collector's \`${claim.setting}\` setting is off`);
  }
  const values = claim.values ? [...claim.values] : valuesOf(claim.form, claim.dimension, schema);
  const countedOnce = countsOncePerInstance(claim.dimension);
  const how = {
    value: 'the value sent',
    derived: claim.note ?? '',
    version: `the version (\`${INVALID_VERSION}\` when it is not semver), exact or by minor or major version`,
    'count-bucket': `its bucket, ${(values ?? []).map(code).join(', ')}`,
    'size-bucket': `its bucket in GiB, ${(values ?? []).map(code).join(', ')}`,
    'true-false': '`true` or `false`',
    'each-key': schema?.properties ? 'each key with a count above 0' : 'each key it has',
    'each-value': 'each value its events of the day have',
  }[claim.form];
  const parts = [`dimension \`${claim.dimension}\`: ${how}`, countingText(group, countedOnce)];
  if (claim.total) parts.push(`fleet total \`${claim.total}\``);
  if (claim.note && claim.form !== 'derived') parts.push(claim.note);
  return { dimension: claim.dimension, values, countedOnce, total: claim.total ?? null, text: parts.join('; ') };
}

/**
 * How an instance counts in a dimension: the base report's by its last report of the day; the
 * snapshot groups by their last snapshot of the day; editor counts by their sum over the day's
 * reports; events and providers by all of the day's.
 */
function countingText(group: string, once: boolean): string {
  if (once && SUMMED_GROUPS.includes(group)) return 'each instance that sent the group once a day, by the sum of its reports of the day';
  if (once) return group === 'base' || group === 'request' ? 'each instance once a day, by its last report' : 'each instance that sent the group once a day, by its last snapshot';
  return SNAPSHOT_GROUPS.includes(group) ? 'an instance counts under each of its values, by its last snapshot' : 'an instance counts under each of its values of the day';
}

/** The values a dimension can hold, from the schema and the roll-up's own bucket functions; null when open. */
function valuesOf(form: string, dimension: string, schema: SchemaNode | null): string[] | null {
  if (DECIDED_VALUES[dimension]) return [...DECIDED_VALUES[dimension]];
  if (form === 'true-false') return ['true', 'false'];
  if (form === 'count-bucket') return bucketsOver(countBucket, schema);
  if (form === 'size-bucket') return bucketsOver(memoryBucket, schema);
  if (form === 'each-key') return schema?.properties ? Object.keys(schema.properties) : null;
  return schema?.enum ? schema.enum.map(String) : null;
}

/**
 * Every bucket a number the schema allows falls in, in order. A bucket is a
 * range, so from each bucket's first number the search gallops to its last,
 * then binary-searches: a few dozen calls where trying each of a million
 * numbers took most of a second.
 */
function bucketsOver(bucket: (n: number) => string, schema: SchemaNode | null): string[] {
  const max = schema?.maximum ?? 0;
  const labels: string[] = [];
  for (let n = schema?.minimum ?? 0; n <= max; ) {
    const label = bucket(n);
    labels.push(label);
    let step = 1;
    while (n + step <= max && bucket(n + step) === label) step *= 2;
    // bucket(n + step / 2) is `label` (or step is 1); find the last n with it below n + step.
    let low = n + Math.floor(step / 2);
    let high = Math.min(n + step, max + 1);
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (bucket(mid) === label) low = mid;
      else high = mid;
    }
    n = low + 1;
  }
  return labels;
}

/** The operator's declared fields: accepted, stored, never published. */
function extraFields(config: FieldsConfig): FieldEntry[] {
  const schema = reportSchema(config.extraFields) as { properties: Record<string, SchemaNode> };
  const own = new Set(Object.keys(REPORT_JSON_SCHEMA.properties));
  return Object.entries(schema.properties)
    .filter(([name]) => !own.has(name))
    .map(([path, node]) => ({
      path,
      group: 'extra',
      type: typeText(node),
      required: false,
      onlyIn: null,
      allowed: allowedText(node),
      schema: node,
      example: null,
      why: "declared by this collector's operator (`extraFields`)",
      derived: 'whatever the sender puts there; the plugin never sends it',
      published: { dimension: null, values: null, countedOnce: null, total: null, text: 'not published; stored with the report until retention deletes it' },
    }));
}

function code(value: string): string {
  return `\`${value}\``;
}
