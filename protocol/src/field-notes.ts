/**
 * The shape of what the field catalogue says of each field beyond its schema:
 * why it is collected, how the instance derives it, and how the collector
 * publishes it. The collector's `GET /api/v1/fields` joins these notes to the
 * schema (schema-fields.ts) and to its roll-up.
 */

/**
 * How the roll-up turns a field into the values of its dimension:
 * - `value`: the value sent;
 * - `version`: the version in semver's clean form, or `invalid`;
 * - `count-bucket`, `size-bucket`: the bucket the number falls in (the roll-up's own buckets);
 * - `true-false`: `true` or `false`;
 * - `each-key`: each key the object has (with a count above 0, for an object of counts);
 * - `each-value`: each distinct value among the instance's list items of the day;
 * - `derived`: what the collector makes of it, as `note` says (the request's own fields).
 */
export const PUBLISHED_FORMS = ['value', 'version', 'count-bucket', 'size-bucket', 'true-false', 'each-key', 'each-value', 'derived'] as const;
export type PublishedForm = (typeof PUBLISHED_FORMS)[number];

/** A field published as a dimension of the daily counts (`/api/v1/breakdown/<dimension>`). */
export interface PublishedAs {
  dimension: string;
  form: PublishedForm;
  /** The values published, when the roll-up folds some of those the schema allows into one. */
  values?: readonly string[];
  /** The fleet total summed from it: a metric name (`<type>`, `<action>`: one total per value of its dimension). */
  total?: string;
  /** What more the roll-up does with it, in words. */
  note?: string;
  /** A collector setting that must be on for it to be published... */
  setting?: string;
  /** ...and what is done with it while that setting is off. */
  otherwise?: string;
}

/** A field never published, and what it is used for instead. */
export interface NotPublished {
  dimension: null;
  note: string;
}

export interface FieldNotes {
  /** A value the field may hold, as a report carries it. */
  example: unknown;
  /** Why it is collected. */
  why: string;
  /** How the instance derives it. */
  derived: string;
  published: PublishedAs | NotPublished;
}

/** What the collector takes from the request itself, beside the report: no schema, so its allowed values in words. */
export interface RequestNotes extends FieldNotes {
  type: string;
  allowed: string;
}

/** One part of a report, as the catalogue introduces it. */
export interface GroupNotes {
  title: string;
  /** Whether a report may leave it out (the opt-in groups and providers). */
  optional: boolean;
  what: string;
}
