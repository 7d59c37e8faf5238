/**
 * Pure: the fields a report's JSON Schema accepts, named as the field
 * catalogue, the collector's `GET /api/v1/fields` and the docs name them.
 * Walking the schema itself (not a list kept beside it) is what lets a test
 * say that every field the collector accepts is documented, and nothing else.
 */
import { INSIGHT_GROUPS, InsightGroup } from './insight';
import { REPORT_JSON_SCHEMA } from './report';

/** The slice of JSON Schema (draft-07) the report's schema uses. */
export interface SchemaNode {
  type?: string;
  enum?: readonly unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  maxItems?: number;
  maxProperties?: number;
  required?: readonly string[];
  properties?: Readonly<Record<string, SchemaNode>>;
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
  oneOf?: readonly SchemaNode[];
}

/** Where a field belongs: the base report, one of the opt-in groups, or metric providers' `ext`. */
export type FieldGroup = 'base' | InsightGroup | 'ext';

/** One field a report may carry. */
export interface SchemaField {
  /** Its JSON path: `os.type`, `flows.types`, `lifecycle.events[].type` (a field of each item of a list), `ext`. */
  path: string;
  group: FieldGroup;
  /** Its JSON Schema; for a field of several kinds of list item (lifecycle events), their forms merged. */
  schema: SchemaNode;
  /** Whether whatever holds it (the report, its group, an item that has it) must carry it. */
  required: boolean;
  /** The kinds of list item (their `type`) that carry it, when not every kind does; otherwise null. */
  onlyIn: string[] | null;
}

/**
 * Every field of `schema` (the report's by default), in payload order. The
 * base report's objects (`os`, `env`) are walked into; a group is walked into
 * one level, and into the items of its lists; any other object (`flows.types`,
 * a deploy's `graph`, the open map `ext`) is one field whose value is an object.
 */
export function schemaFields(schema: object = REPORT_JSON_SCHEMA): SchemaField[] {
  const root = schema as SchemaNode;
  const fields: SchemaField[] = [];
  for (const [name, node] of Object.entries(root.properties ?? {})) {
    const group = groupOf(name);
    const required = (root.required ?? []).includes(name);
    if (isClosedObject(node)) fields.push(...membersOf(node, name, group));
    else fields.push(...fieldAndItems(name, group, node, required));
  }
  return fields;
}

function groupOf(name: string): FieldGroup {
  if ((INSIGHT_GROUPS as readonly string[]).includes(name)) return name as InsightGroup;
  return name === 'ext' ? 'ext' : 'base';
}

function isClosedObject(node: SchemaNode): boolean {
  return node.type === 'object' && node.properties !== undefined && node.additionalProperties === false;
}

/** The members of a closed object, each a field (and, for a list, its items' fields). */
function membersOf(node: SchemaNode, prefix: string, group: FieldGroup): SchemaField[] {
  return Object.entries(node.properties ?? {}).flatMap(([name, child]) => fieldAndItems(`${prefix}.${name}`, group, child, (node.required ?? []).includes(name)));
}

/** A field, then, for a list of objects, each field its items have (across every kind of item, merged). */
function fieldAndItems(path: string, group: FieldGroup, node: SchemaNode, required: boolean): SchemaField[] {
  const fields: SchemaField[] = [{ path, group, schema: node, required, onlyIn: null }];
  if (node.type !== 'array' || !node.items) return fields;
  const variants = node.items.oneOf ?? [node.items];
  const names = [...new Set(variants.flatMap((v) => Object.keys(v.properties ?? {})))];
  for (const name of names) {
    const carriers = variants.filter((v) => v.properties?.[name] !== undefined);
    fields.push({
      path: `${path}[].${name}`,
      group,
      schema: merged(carriers.map((v) => v.properties![name])),
      required: carriers.every((v) => (v.required ?? []).includes(name)),
      onlyIn: carriers.length === variants.length ? null : carriers.flatMap(kindsOf),
    });
  }
  return fields;
}

/** The values of an item's `type`, which says what kind of item it is. */
function kindsOf(variant: SchemaNode): string[] {
  const kind = variant.properties?.type;
  if (!kind) return [];
  return (kind.const !== undefined ? [kind.const] : [...(kind.enum ?? [])]).map(String);
}

/** One schema for a field several kinds of item carry: the same one, or every enumerated value of theirs. */
function merged(nodes: SchemaNode[]): SchemaNode {
  if (nodes.every((n) => JSON.stringify(n) === JSON.stringify(nodes[0]))) return nodes[0];
  if (nodes.every((n) => n.const !== undefined || n.enum !== undefined)) {
    return { type: 'string', enum: nodes.flatMap((n) => (n.const !== undefined ? [n.const] : [...(n.enum ?? [])])) };
  }
  return { oneOf: nodes };
}
