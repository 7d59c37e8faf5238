/** A response body as undici hands it: chunks, and a way to stop reading. */
export interface BodyStream extends AsyncIterable<Uint8Array> {
  destroy(): unknown;
}

export type CappedRead = { ok: true; text: string } | { ok: false; problem: 'too-large' | 'unreadable' };

/**
 * Reads a body as UTF-8 text, but never more than `maxBytes` of it: a larger
 * one is cut off (the stream destroyed) instead of filling memory. Used by the
 * plugin for the collector's answer and by the collector for the registry's.
 */
export async function readCapped(body: BodyStream, maxBytes: number): Promise<CappedRead> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBytes) {
        body.destroy();
        return { ok: false, problem: 'too-large' };
      }
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    }
  } catch {
    return { ok: false, problem: 'unreadable' };
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}
