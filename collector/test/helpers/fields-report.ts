import { FIELD_CATALOGUE, schemaFields } from '@node-red-telemetry/protocol';

/**
 * Reports made from the field catalogue's examples: one field of each, and, for a list of
 * items of several kinds (lifecycle events), one item of each kind. So a test that sends it,
 * or rolls it up, sees every field the schema has, with the values the docs show.
 */
type Json = Record<string, unknown>;

const FIELDS = schemaFields();

/** The example report, with `overrides` (by field path, as the catalogue names fields) applied. */
export function exampleReport(overrides: Record<string, unknown> = {}): Json {
  const report: Json = {};
  for (const field of FIELDS) {
    if (field.path.includes('[]')) continue;
    const list = field.schema.type === 'array' ? itemsOf(field.path) : undefined;
    setPath(report, field.path, structuredClone(list ?? FIELD_CATALOGUE[field.path].example));
  }
  for (const [path, value] of Object.entries(overrides)) setPath(report, path, structuredClone(value));
  return report;
}

/** The kinds of item a list field holds (the values of its items' `type`), or [''] when its items are of one kind. */
export function kindsOf(list: string): string[] {
  const kind = FIELDS.find((f) => f.path === `${list}[].type`);
  return kind?.schema.enum ? kind.schema.enum.map(String) : [''];
}

/** One item of `kind` for the list field `list`, from the examples of its fields, with `values` over them. */
export function itemOf(list: string, kind: string, values: Record<string, unknown> = {}): Json {
  const item: Json = {};
  for (const field of FIELDS.filter((f) => f.path.startsWith(`${list}[].`))) {
    const name = field.path.slice(list.length + 3);
    if (field.onlyIn && !field.onlyIn.includes(kind)) continue;
    item[name] = name === 'type' ? kind : structuredClone(FIELD_CATALOGUE[field.path].example);
  }
  return { ...item, ...values };
}

function itemsOf(list: string): Json[] {
  return kindsOf(list).map((kind) => itemOf(list, kind));
}

/** Sets `path` (`os.type`, `flows.types`, `env.node-red`) in `target`, making the objects on the way. */
function setPath(target: Json, path: string, value: unknown): void {
  const names = path.split('.');
  let at = target;
  for (const name of names.slice(0, -1)) at = (at[name] ??= {}) as Json;
  at[names[names.length - 1]] = value;
}
