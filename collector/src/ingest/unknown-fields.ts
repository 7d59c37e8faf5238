/**
 * Pure: drops what a report carries beyond the schema, before it is validated.
 *
 * A newer client (Node-RED's own 4.1+ client, which this collector serves as a
 * drop-in, or a newer plugin) may add a field any day; refusing the whole
 * report would lose every report it sends. An unknown field is therefore
 * dropped, never stored or published, and the report goes on to validation: a
 * known field of the wrong type is still refused. The same allow-list rule as
 * FlowFuse's collector keeps.
 */

/** The slice of JSON Schema the report's schema uses. */
interface SchemaNode {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  const?: unknown;
  enum?: readonly unknown[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The branch of a `oneOf` whose `type` property the value's `type` matches (lifecycle events), or null. */
function branchFor(value: Record<string, unknown>, branches: readonly SchemaNode[]): SchemaNode | null {
  for (const branch of branches) {
    const discriminator = branch.properties?.type;
    if (!discriminator) continue;
    if (discriminator.const !== undefined ? discriminator.const === value.type : discriminator.enum?.includes(value.type)) return branch;
  }
  return null;
}

/** Drops unknown keys in place, counting them; what has the wrong shape is left for the validator to refuse. */
function prune(value: unknown, schema: SchemaNode | undefined, depth: number): number {
  if (!schema || depth > 16) return 0;
  if (Array.isArray(value)) return schema.items ? value.reduce((n: number, item) => n + prune(item, schema.items, depth + 1), 0) : 0;
  if (!isPlainObject(value)) return 0;
  if (schema.oneOf) return prune(value, branchFor(value, schema.oneOf) ?? undefined, depth + 1);
  let dropped = 0;
  for (const key of Object.keys(value)) {
    const known = schema.properties && Object.prototype.hasOwnProperty.call(schema.properties, key) ? schema.properties[key] : undefined;
    if (known) dropped += prune(value[key], known, depth + 1);
    else if (schema.additionalProperties === false && schema.properties) {
      delete value[key];
      dropped++;
    } else if (isPlainObject(schema.additionalProperties)) dropped += prune(value[key], schema.additionalProperties, depth + 1);
  }
  return dropped;
}

/**
 * Removes every field the schema does not declare from a parsed report body,
 * in place, and says how many were removed. Closed objects only (those with
 * `additionalProperties: false`); a metric provider's own fields (`ext`) are
 * open by design and checked by their own rules.
 */
export function dropUnknownFields(body: unknown, schema: object): number {
  return prune(body, schema, 0);
}
