import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { Negotiator } from '@fastify/accept-negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A finished answer: its media type, text and strong validator. */
export interface CachedAnswer {
  type: string;
  body: string;
  etag: string;
  /** Set for CSV, so that a browser saves it under a telling name. */
  filename?: string;
  /** The body as bytes, and compressed: each made on the first request that asks for it, kept with the answer. */
  encoded?: Partial<Record<Encoding, Buffer>>;
}

type Encoding = 'br' | 'gzip' | 'identity';

/** Below this, compressing costs more than it saves. */
const COMPRESS_FROM_BYTES = 1024;
// Preferred first: brotli is smaller, gzip is what every client has.
const encodings = new Negotiator<Encoding>({ supportedValues: ['br', 'gzip', 'identity'] });

/** The body in the encoding the request prefers, computed once per answer (so once per roll-up). */
function encodedBody(request: FastifyRequest, answer: CachedAnswer): { encoding?: Exclude<Encoding, 'identity'>; body: Buffer } {
  answer.encoded ??= {};
  // Kept as bytes too: a large text turned into bytes on every request is most of the cost of sending it.
  const plain = (answer.encoded.identity ??= Buffer.from(answer.body));
  const header = request.headers['accept-encoding'];
  if (!header || plain.length < COMPRESS_FROM_BYTES) return { body: plain };
  const chosen = encodings.negotiate(header);
  if (chosen !== 'br' && chosen !== 'gzip') return { body: plain };
  answer.encoded[chosen] ??=
    chosen === 'br'
      ? brotliCompressSync(answer.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6 } })
      : gzipSync(answer.body, { level: 6 });
  return { encoding: chosen, body: answer.encoded[chosen] };
}

/** Published answers change only when a roll-up is written; a browser or proxy may reuse one for 5 minutes. */
export const CACHE_CONTROL = 'public, max-age=300';

/**
 * Answers computed once per roll-up: entries are kept while the data stamp
 * (see store/published.ts) stays the same, and all dropped when it changes.
 * Concurrent requests for one key share one computation.
 */
export class AnswerCache {
  private stamp = '';
  private readonly entries = new Map<string, Promise<CachedAnswer>>();

  constructor(private readonly maxEntries = 500) {}

  get(stamp: string, key: string, compute: () => Promise<Omit<CachedAnswer, 'etag'>>): Promise<CachedAnswer> {
    if (stamp !== this.stamp) {
      this.entries.clear();
      this.stamp = stamp;
    }
    let entry = this.entries.get(key);
    if (!entry) {
      // Bounded, oldest out first: the keys come from validated parameters, but there are many
      // (a breakdown's `day`), and clearing all would let one client keep every answer uncached.
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      entry = compute().then((answer) => ({ ...answer, etag: etagOf(answer.body) }));
      this.entries.set(key, entry);
      // A failed computation is not kept: the next request tries again.
      entry.catch(() => this.entries.delete(key));
    }
    return entry;
  }
}

export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** True when the request's If-None-Match names this validator (or is "*"). */
export function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/** Sends an answer, or 304 with no body when the client already has it. */
export function sendCached(request: FastifyRequest, reply: FastifyReply, answer: CachedAnswer, cacheControl = CACHE_CONTROL): FastifyReply {
  // One validator for every encoding of the same bytes: a strong ETag names the representation,
  // so the encoded ones carry their own suffix, and caches key them by Accept-Encoding.
  reply.header('cache-control', cacheControl).header('vary', 'accept-encoding');
  const { encoding, body } = encodedBody(request, answer);
  const etag = encoding ? `${answer.etag.slice(0, -1)}-${encoding}"` : answer.etag;
  reply.header('etag', etag);
  if (notModified(request, etag) || (encoding && notModified(request, answer.etag))) return reply.code(304).send();
  reply.header('content-type', answer.type);
  if (encoding) reply.header('content-encoding', encoding);
  if (answer.filename) reply.header('content-disposition', `attachment; filename="${answer.filename}"`);
  return reply.send(body);
}
