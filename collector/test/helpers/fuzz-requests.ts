import { isUtf8 } from 'node:buffer';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { FIELD_LIMITS } from '@node-red-telemetry/protocol';
import type { ErrorCode } from '../../src/http/errors';

/**
 * fast-check generators of requests to the collector, each labelled with the
 * answer it must get: a valid report (must be stored exactly) or a defect
 * (must be refused with one of a few codes). The label comes from how the
 * request was built, not from the collector's own rules.
 */

/** Declared in the fuzzed collector's config, so that extra fields are fuzzed too. */
export const FUZZ_EXTRA_FIELDS = { tabs: 'number', label: 'string', beta: 'boolean' } as const;
const EXTRA_STRING_LIMIT = 256;

export interface FuzzRequest {
  /** How it was built, e.g. "control character U+0000 in os.type". */
  what: string;
  method: 'POST' | 'GET' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Set when the collector must take and store it: the report as JSON.parse reads the body. */
  report?: Record<string, unknown>;
  /** Set when it must be refused: the codes that are right for it. */
  refusedWith?: ErrorCode[];
}

/** How a failing request is shown in fast-check's report: readable, whatever the bytes. */
export function describeRequest(request: FuzzRequest): string {
  const body = request.body === undefined ? '' : ` body(${request.body.length} B)=${showBytes(request.body)}`;
  return `[${request.what}] ${request.method} ${request.path} ${JSON.stringify(request.headers)}${body}`;
}

/** UTF-8 text as a JSON string; anything else as hex, so that every byte is visible. */
function showBytes(bytes: Buffer): string {
  const shown = bytes.length > 2_000 ? bytes.subarray(0, 2_000) : bytes;
  const more = bytes.length > shown.length ? `…(+${bytes.length - shown.length} B)` : '';
  return (isUtf8(shown) ? JSON.stringify(shown.toString('utf8')) : `hex:${shown.toString('hex')}`) + more;
}

/** Shown the same way by fast-check's report and by String() in our own messages. */
function request(fields: FuzzRequest): FuzzRequest {
  const show = () => describeRequest(fields);
  Object.defineProperty(fields, 'toString', { value: show, enumerable: false });
  return Object.defineProperty(fields, fc.toStringMethod, { value: show, enumerable: false });
}

// ---- valid reports ---------------------------------------------------------

/** One code point a report may carry: printable ASCII, the BMP outside surrogates (C1, U+FFFF, U+2028 included), astral. */
const allowedCodePoint = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xffff }).filter((c) => c < 0xd800 || c > 0xdfff) },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }) },
);

/** A string of `min`..`max` code points (the unit ajv's maxLength counts), none refused. */
function text(min: number, max: number): fc.Arbitrary<string> {
  return fc.array(allowedCodePoint, { minLength: min, maxLength: max }).map((cps) => String.fromCodePoint(...cps));
}

const ID_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'];
const instanceId = fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 8, maxLength: 64 });

const version = fc.oneof(
  fc
    .tuple(fc.nat(30), fc.nat(30), fc.nat(30), fc.constantFrom('', 'v', '='), fc.constantFrom('', '-beta.1', '-git', '+build.5'))
    .map(([a, b, c, prefix, suffix]) => `${prefix}${a}.${b}.${c}${suffix}`),
  text(1, 64),
);

const validReport = fc.record(
  {
    instanceId,
    os: fc.record({
      type: text(1, FIELD_LIMITS['os.type']),
      release: text(1, FIELD_LIMITS['os.release']),
      arch: text(1, FIELD_LIMITS['os.arch']),
    }),
    env: fc.record({ nodejs: version, 'node-red': version }),
    tabs: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    label: text(0, EXTRA_STRING_LIMIT),
    beta: fc.boolean(),
  },
  { requiredKeys: ['instanceId', 'os', 'env'] },
);

/** Valid JSON for the same value, spelled differently: compact, indented, or with every non-ASCII escaped. */
const spelling = fc.constantFrom<(value: unknown) => string>(
  (v) => JSON.stringify(v),
  (v) => JSON.stringify(v, null, 2),
  (v) => `\r\n ${JSON.stringify(v, null, '\t')} \n`,
  (v) => JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
);

const jsonType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'APPLICATION/JSON',
  'application/json; charset="utf-8"',
  'application/json; charset=utf8',
);

const valid = fc.tuple(validReport, spelling, jsonType, fc.boolean()).map(([report, spell, type, identity]) => {
  const json = spell(report);
  return request({
    what: 'valid report',
    method: 'POST',
    path: '/ping',
    headers: { 'content-type': type, ...(identity ? { 'content-encoding': 'identity' } : {}) },
    body: Buffer.from(json, 'utf8'),
    report: JSON.parse(json) as Record<string, unknown>,
  });
});

// ---- defects ---------------------------------------------------------------

type Report = Record<string, unknown>;
const TEXT_FIELDS = ['os.type', 'os.release', 'os.arch', 'env.nodejs', 'env.node-red', 'label'] as const;
const STRING_FIELDS = ['instanceId', ...TEXT_FIELDS] as const;
const ALL_FIELDS = [...STRING_FIELDS, 'os', 'env', 'tabs', 'beta'] as const;
const REQUIRED = ['instanceId', 'os', 'env', 'os.type', 'os.release', 'os.arch', 'env.nodejs', 'env.node-red'] as const;

/** A copy with one field set; defined, not assigned, so that a key such as "__proto__" becomes a real key. */
function setField(report: Report, field: string, value: unknown): Report {
  const copy = structuredClone(report);
  const dot = field.indexOf('.');
  const define = (target: Report, key: string, v: unknown) =>
    Object.defineProperty(target, key, { value: v, enumerable: true, writable: true, configurable: true });
  if (dot < 0) define(copy, field, value);
  else define(copy, field.slice(0, dot), define({ ...(copy[field.slice(0, dot)] as Report) }, field.slice(dot + 1), value));
  return copy;
}

function deleteField(report: Report, field: string): Report {
  const copy = structuredClone(report);
  const [head, tail] = field.split('.') as [string, string | undefined];
  if (tail === undefined) delete copy[head];
  else delete (copy[head] as Report)[tail];
  return copy;
}

function post(what: string, body: Buffer | string, refusedWith: ErrorCode[], headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return request({ what, method: 'POST', path: '/ping', headers, body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), refusedWith });
}

/** A JSON value that is not of the type `field` must have. */
function wrongTypeFor(field: string): fc.Arbitrary<unknown> {
  const anyJson = fc.jsonValue({ maxDepth: 3 });
  if (field === 'tabs') return anyJson.filter((v) => typeof v !== 'number');
  if (field === 'beta') return anyJson.filter((v) => typeof v !== 'boolean');
  if (field === 'os' || field === 'env') return anyJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v));
  return anyJson.filter((v) => typeof v !== 'string');
}

const wrongType = fc
  .tuple(validReport, fc.constantFrom(...ALL_FIELDS))
  .chain(([report, field]) => wrongTypeFor(field).map((value) => ({ report, field, value })))
  // jsonValue may use "__proto__" as a key, which the JSON parser refuses before validation.
  .map(({ report, field, value }) => post(`wrong type at ${field}`, JSON.stringify(setField(report, field, value)), ['invalid_report', 'invalid_json', 'body_too_large']));

const missing = fc
  .tuple(validReport, fc.constantFrom(...REQUIRED))
  .map(([report, field]) => post(`missing ${field}`, JSON.stringify(deleteField(report, field)), ['invalid_report']));

const undeclaredKey = fc
  .tuple(validReport, fc.constantFrom('', 'os.', 'env.'), fc.string({ minLength: 0, maxLength: 20 }))
  .filter(([, at, key]) => !['instanceId', 'os', 'env', 'tabs', 'label', 'beta', 'type', 'release', 'arch', 'nodejs', 'node-red'].includes(key) || at !== '')
  .filter(([, at, key]) => !(at === 'os.' && ['type', 'release', 'arch'].includes(key)) && !(at === 'env.' && ['nodejs', 'node-red'].includes(key)))
  .map(([report, at, key]) => {
    const what = `undeclared key ${at}${JSON.stringify(key)}`;
    const body = JSON.stringify(setField(report, `${at}${key}`, 1));
    // "__proto__" is refused by the JSON parser (invalid_json) before the validator sees it; any other
    // unknown field is dropped and the report taken, stored as it would be without the field.
    if (key === '__proto__') return post(what, body, ['invalid_json']);
    return request({ what, method: 'POST', path: '/ping', headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8'), report: JSON.parse(body) as Record<string, unknown> });
  });

/** Keys that have polluted prototypes elsewhere, spelled plainly or with JSON escapes. */
const poisonKey = fc
  .tuple(
    validReport,
    fc.constantFrom('{', '"os":{', '"env":{'),
    fc.constantFrom(
      '"__proto__":{"polluted":1}',
      '"__proto__":null',
      '"\\u005f_proto__":{"polluted":1}',
      '"constructor":{"prototype":{"polluted":1}}',
      '"constructor":1',
      '"prototype":{"polluted":1}',
      '"__proto__":{"__proto__":{"polluted":1}}',
    ),
  )
  .map(([report, at, key]) => {
    const body = JSON.stringify(report).replace(at, `${at}${key},`);
    const what = `poisonous key ${key} after ${at}`;
    // "__proto__" in any spelling, and "constructor" holding a "prototype", are refused by the JSON parser;
    // a plain "constructor" or "prototype" is an unknown field, dropped: the report is taken and stored as
    // it would be without it, polluting nothing.
    if (key.includes('proto__') || key.startsWith('"constructor":{"prototype"')) return post(what, body, ['invalid_json']);
    return request({ what, method: 'POST', path: '/ping', headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8'), report });
  });

const tooLong = fc
  .tuple(validReport, fc.constantFrom(...STRING_FIELDS), fc.integer({ min: 1, max: 300 }), fc.boolean())
  .map(([report, field, over, huge]) => {
    const limit = field === 'label' ? EXTRA_STRING_LIMIT : FIELD_LIMITS[field];
    const value = 'x'.repeat(huge ? 20_000 : limit + over);
    return post(`${huge ? 'huge' : 'over-long'} ${field}`, JSON.stringify(setField(report, field, value)), ['invalid_report', 'body_too_large']);
  });

const empty = fc
  .tuple(validReport, fc.constantFrom(...STRING_FIELDS.filter((f) => f !== 'label')))
  .map(([report, field]) => post(`empty ${field}`, JSON.stringify(setField(report, field, '')), ['invalid_report']));

const deep = fc
  .tuple(validReport, fc.constantFrom('body', ...ALL_FIELDS), fc.integer({ min: 1, max: 6_000 }), fc.constantFrom('[', '{"a":'))
  .map(([report, field, depth, open]) => {
    const close = open === '[' ? ']' : '}';
    const nested = `${open.repeat(depth)}${open === '[' ? '' : '0'}${close.repeat(depth)}`;
    const body = field === 'body' ? nested : JSON.stringify(setField(report, field, 0)).replace(`"${field.split('.').pop()}":0`, `"${field.split('.').pop()}":${nested}`);
    return post(`nested ${depth} deep at ${field}`, body, ['invalid_report', 'body_too_large']);
  });

/** C0 controls, DEL and surrogates that are not part of a pair. */
const refusedCharacter = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.constant('\u007f'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constant('\udc00\ud800'),
);
const hex4 = (s: string) => [...s].map((c) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`).join(' ');

const refusedCharacterEscaped = fc
  .tuple(validReport, fc.constantFrom(...STRING_FIELDS), refusedCharacter, fc.nat(64))
  .map(([report, field, character, at]) => {
    const value = (field === 'instanceId' ? 'abcdefgh' : 'Linux');
    const spliced = value.slice(0, at % (value.length + 1)) + character + value.slice(at % (value.length + 1));
    return post(`${hex4(character)} in ${field}`, JSON.stringify(setField(report, field, spliced)), ['invalid_report']);
  });

/** The same characters written raw into the JSON text: U+0000–U+001F are then not JSON at all, DEL is. */
const refusedCharacterRaw = fc
  .tuple(validReport, fc.constantFrom(...TEXT_FIELDS), fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.constant(0x7f)))
  .map(([report, field, code]) => {
    const body = JSON.stringify(setField(report, field, 'Lin@RAW@ux')).replace('@RAW@', String.fromCharCode(code));
    return post(`raw ${hex4(String.fromCharCode(code))} in ${field}`, body, code === 0x7f ? ['invalid_report'] : ['invalid_json']);
  });

const INVALID_UTF8: number[][] = [
  [0xff], [0xfe], [0x80], [0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3],
];
const invalidUtf8 = fc
  .tuple(valid, fc.constantFrom(...INVALID_UTF8), fc.nat())
  .map(([ok, bytes, at]) => {
    const body = ok.body!;
    const cut = at % (body.length + 1);
    return post(`invalid UTF-8 ${Buffer.from(bytes).toString('hex')} at byte ${cut}`, Buffer.concat([body.subarray(0, cut), Buffer.from(bytes), body.subarray(cut)]), ['invalid_json'], ok.headers);
  })
  .filter((r) => !isUtf8(r.body!));

const wrongContentType = fc
  .tuple(
    valid,
    fc.constantFrom(
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'text/json',
      'application/json-patch+json',
      'application/x-json',
      'application/jsonx',
      'json',
      '*/*',
      undefined,
    ),
  )
  .map(([ok, type]) => post(`content-type ${type ?? '(none)'}`, ok.body!, ['unsupported_media_type'], type === undefined ? {} : { 'content-type': type }));

const CHARSETS = ['utf-16', 'UTF-16LE', 'utf-16be', 'latin1', 'ISO-8859-1', 'us-ascii', 'windows-1252', 'utf-32', 'utf-7', '"utf-16"', 'utf-8x', 'utf_8', 'x'];
const wrongCharset = fc.tuple(validReport, fc.constantFrom(...CHARSETS)).map(([report, charset]) => {
  const json = JSON.stringify(report);
  const body = /16/.test(charset) ? Buffer.from(json, 'utf16le') : /latin|8859|1252/i.test(charset) ? Buffer.from(json, 'latin1') : Buffer.from(json, 'utf8');
  return post(`charset ${charset}`, body, ['unsupported_charset'], { 'content-type': `application/json; charset=${charset}` });
});

const ENCODINGS: Array<[string, (b: Buffer) => Buffer]> = [
  ['gzip', gzipSync], ['x-gzip', gzipSync], ['GZIP', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync],
  ['compress', (b) => b], ['gzip, identity', gzipSync], ['identity, gzip', gzipSync], ['x-unknown', (b) => b], ['zstd', (b) => b],
];
const contentEncoding = fc
  .tuple(valid, fc.constantFrom(...ENCODINGS))
  .map(([ok, [encoding, encode]]) => post(`content-encoding ${encoding}`, encode(ok.body!), ['unsupported_encoding'], { ...ok.headers, 'content-encoding': encoding }));

const notAReport = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => post('a JSON value, not a report', JSON.stringify(v), ['invalid_report', 'invalid_json', 'body_too_large'])),
  fc.uint8Array({ maxLength: 2_000 }).map((bytes) => post('random bytes', Buffer.from(bytes), ['invalid_json', 'invalid_report'])),
  fc.constantFrom('', ' ', '\n\t ', 'null', '[]', '""', '{', '{}}', 'nul', '\ufeff{}').map((t) => post(`body ${JSON.stringify(t)}`, t, ['invalid_json', 'invalid_report'])),
  fc.tuple(validReport, fc.nat()).map(([report, at]) => {
    const whole = JSON.stringify(report);
    return post('truncated report', whole.slice(0, at % whole.length), ['invalid_json']);
  }),
  fc.tuple(validReport, fc.constantFrom('1e400', '-1e400', '1e309')).map(([report, n]) => post(`tabs ${n}`, JSON.stringify({ ...report, tabs: 0 }).replace('"tabs":0', `"tabs":${n}`), ['invalid_report'])),
);

/** Other endpoints, never with an instance id a valid report could have (a DELETE would erase what must stay stored). */
const otherEndpoints = fc.oneof(
  fc.string({ maxLength: 80 }).filter((s) => !/^[A-Za-z0-9_-]{8,64}$/.test(s)).map((id) =>
    request({ what: 'erase a malformed id', method: 'DELETE', path: `/ping/${encodeURIComponent(id)}`, headers: {}, refusedWith: ['invalid_instance_id', 'not_found'] }),
  ),
  fc.string({ maxLength: 12 }).map((days) => request({ what: 'usage query', method: 'GET', path: `/api/usage?days=${encodeURIComponent(days)}`, headers: {}, refusedWith: ['invalid_query'] })),
  fc.string({ maxLength: 40 }).map((p) => request({ what: 'unknown path', method: 'GET', path: `/x${encodeURIComponent(p)}`, headers: {}, refusedWith: ['not_found'] })),
  fc.constantFrom('/%ff', '/ping/%ff', '/%zz', '/%', '/api/%c0%80').map((p) => request({ what: 'undecodable path', method: 'GET', path: p, headers: {}, refusedWith: ['bad_request', 'not_found'] })),
);

/** Every request the fuzz sends: about a quarter valid reports, the rest defects of every kind above. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 28, arbitrary: valid },
  { weight: 6, arbitrary: wrongType },
  { weight: 4, arbitrary: missing },
  { weight: 4, arbitrary: undeclaredKey },
  { weight: 5, arbitrary: poisonKey },
  { weight: 5, arbitrary: tooLong },
  { weight: 2, arbitrary: empty },
  { weight: 4, arbitrary: deep },
  { weight: 8, arbitrary: refusedCharacterEscaped },
  { weight: 4, arbitrary: refusedCharacterRaw },
  { weight: 7, arbitrary: invalidUtf8 },
  { weight: 5, arbitrary: wrongContentType },
  { weight: 5, arbitrary: wrongCharset },
  { weight: 5, arbitrary: contentEncoding },
  { weight: 6, arbitrary: notAReport },
  { weight: 2, arbitrary: otherEndpoints },
);
