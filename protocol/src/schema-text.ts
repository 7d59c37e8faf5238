/**
 * Pure: a field's JSON Schema in words, as `GET /api/v1/fields` and the docs
 * show it ("integer from 0 to 1,000,000", "`docker`, `podman`, `lxc` or
 * `none`"). Made from the schema, so the words cannot drift from what the
 * collector accepts; a pattern is named when it is one of the protocol's own.
 */
import { ERROR_NAME_PATTERN, NPM_NAME_PATTERN, PROVIDER_FIELD_PATTERN, PROVIDER_ID_PATTERN } from './insight';
import { DAY_PATTERN } from './insight-schemas';
import { INSTANCE_ID_PATTERN, TEXT_PATTERN } from './patterns';
import type { SchemaNode } from './schema-fields';

/** The protocol's patterns in words; `bounded` when the words say the length too. */
const PATTERNS: ReadonlyMap<string, { text: string; bounded: boolean }> = new Map([
  [INSTANCE_ID_PATTERN, { text: '8 to 64 letters, digits, `-` or `_`', bounded: true }],
  [DAY_PATTERN, { text: 'a UTC day, `YYYY-MM-DD`', bounded: true }],
  [NPM_NAME_PATTERN, { text: 'an npm package name', bounded: false }],
  [ERROR_NAME_PATTERN, { text: 'a JavaScript identifier', bounded: false }],
  [PROVIDER_ID_PATTERN, { text: 'letters, digits, `@`, `/`, `.`, `_` or `-`, first a letter, digit or `@`', bounded: false }],
  [PROVIDER_FIELD_PATTERN, { text: 'letters, digits, `_`, `.` or `-`, first a letter or `_`', bounded: false }],
]);

/** The most names of an object's members said one by one; a longer list is counted. */
const LONGEST_NAME_LIST = 60;

/** What a field may hold, in words. */
export function allowedText(node: SchemaNode): string {
  if (node.const !== undefined) return code(node.const);
  if (node.enum) return either(node.enum.map(code));
  if (node.oneOf) return node.oneOf.map(allowedText).join('; or ');
  switch (node.type) {
    case 'boolean':
      return '`true` or `false`';
    case 'null':
      return '`null`';
    case 'integer':
    case 'number':
      return numberText(node);
    case 'string':
      return stringText(node);
    case 'array':
      return node.maxItems !== undefined ? `list of at most ${node.maxItems} items` : 'list';
    case 'object':
      return objectText(node);
  }
  // Every node of the report's schema has a type, an enumeration or variants; this says so if one has not.
  throw new Error(`no words for the schema ${JSON.stringify(node)}`);
}

/** The JSON type(s) a field holds: `integer`, `string`, or variants joined by `|`. */
export function typeText(node: SchemaNode): string {
  if (node.const !== undefined || node.enum) return [...new Set([...(node.enum ?? [node.const])].map((v) => typeof v))].join('|');
  if (node.oneOf) return [...new Set(node.oneOf.map(typeText))].join('|');
  return node.type ?? 'any';
}

function code(value: unknown): string {
  return `\`${String(value)}\``;
}

function either(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function numeral(n: number): string {
  return n.toLocaleString('en-US');
}

function numberText(node: SchemaNode): string {
  const kind = node.type === 'integer' ? 'integer' : 'number';
  if (node.minimum !== undefined && node.maximum !== undefined) return `${kind} from ${numeral(node.minimum)} to ${numeral(node.maximum)}`;
  if (node.minimum !== undefined) return `${kind}, at least ${numeral(node.minimum)}`;
  if (node.maximum !== undefined) return `${kind}, at most ${numeral(node.maximum)}`;
  return kind;
}

function lengthText(node: SchemaNode): string | null {
  if (node.maxLength === undefined) return node.minLength !== undefined ? `at least ${node.minLength} characters` : null;
  return node.minLength !== undefined && node.minLength > 0 ? `${node.minLength} to ${node.maxLength} characters` : `at most ${node.maxLength} characters`;
}

function stringText(node: SchemaNode): string {
  const length = lengthText(node);
  if (node.pattern === TEXT_PATTERN) return `text${length ? ` of ${length}` : ''}, no control characters`;
  const known = node.pattern !== undefined ? PATTERNS.get(node.pattern) : undefined;
  if (known?.bounded) return known.text;
  const what = known ? known.text : node.pattern !== undefined ? `string matching \`${node.pattern}\`` : 'string';
  return length ? `${what}, ${length}` : what;
}

function objectText(node: SchemaNode): string {
  const children = Object.entries(node.properties ?? {});
  const open = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
  if (open) {
    const size = node.maxProperties !== undefined ? ` of at most ${node.maxProperties} entries` : '';
    const names = node.propertyNames ? ` (names: ${stringText({ type: 'string', ...node.propertyNames })})` : '';
    return `object${size}${names}, each ${allowedText(open)}`;
  }
  if (children.length === 0) return 'object';
  const required = node.required ?? [];
  const which = required.length === children.length ? 'all required' : required.length === 0 ? 'each optional' : `${required.map(code).join(', ')} required`;
  const same = children.every(([, child]) => JSON.stringify(child) === JSON.stringify(children[0][1]));
  // A list as long as the editor's core actions would fill a page: its schema lists them.
  const names = children.length > LONGEST_NAME_LIST ? `${children.length} names its schema lists, ${code(children[0][0])} to ${code(children[children.length - 1][0])}` : children.map(([name]) => code(name)).join(', ');
  if (same) return `object of ${names} (${which}), each ${allowedText(children[0][1])}`;
  return `object (${which}) of ${children.map(([name, child]) => `${code(name)}: ${allowedText(child)}`).join('; ')}`;
}
