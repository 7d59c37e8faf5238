import type { FastifyBodyParser, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { Refusal } from './errors';

// fatal: a body that is not UTF-8 is refused, not stored with U+FFFD in place of what was sent.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The parser for the only body the collector reads: JSON in UTF-8, sent as
 * is, then parsed by fastify's own (prototype-poisoning-safe) JSON parser.
 * fastify's defaults would read any declared charset as UTF-8 and ignore
 * Content-Encoding.
 */
export function readJsonBody(parseJson: FastifyBodyParser<string>): FastifyBodyParser<Buffer> {
  return (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    const refusal = encodingRefusal(request.headers) ?? charsetRefusal(request.headers['content-type']);
    if (refusal) return done(refusal, undefined);
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      return done(new Refusal('invalid_json', 'the body is not valid UTF-8'), undefined);
    }
    void parseJson(request, text, done);
  };
}

/** The codings listed in one header, lower-cased; Node joins repeated headers with ", ". */
function codings(value: string | string[] | undefined): string[] {
  return (Array.isArray(value) ? value.join(',') : (value ?? ''))
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);
}

/** Compressed bodies are refused: inflating them is a cost (and a bomb) a 300-byte report never needs. */
function encodingRefusal(headers: IncomingHttpHeaders): Refusal | undefined {
  if (codings(headers['content-encoding']).some((c) => c !== 'identity')) {
    return new Refusal('unsupported_encoding', 'send the report uncompressed, without Content-Encoding');
  }
  // Node decodes chunked itself and passes any other transfer coding through undecoded.
  if (codings(headers['transfer-encoding']).some((c) => c !== 'chunked' && c !== 'identity')) {
    return new Refusal('unsupported_encoding', 'send the report uncompressed, with no transfer coding but chunked');
  }
  return undefined;
}

function charsetRefusal(contentType: string | undefined): Refusal | undefined {
  for (const parameter of (contentType ?? '').split(';').slice(1)) {
    const [name = '', ...rest] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = rest.join('=').trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      return new Refusal('unsupported_charset', `send the report in UTF-8, not charset ${JSON.stringify(charset.slice(0, 40))}`);
    }
  }
  return undefined;
}
