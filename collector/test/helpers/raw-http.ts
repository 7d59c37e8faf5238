import net from 'node:net';

/** One HTTP answer as read off a socket, before any client library tidies it up. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent, for failure messages. */
  raw: string;
}

/**
 * Writes `request` byte for byte to a fresh connection and reads one answer.
 * For what an HTTP client refuses to send: malformed framing, oversized
 * headers, undecodable paths. Resolves once a whole answer has arrived or the
 * server has closed; rejects with what was read when neither happens in time.
 */
export function rawExchange(baseUrl: string, request: string | Buffer, timeoutMs = 5_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks).toString('latin1');
      const answer = parseAnswer(raw);
      if (answer) resolve(answer);
      else reject(new Error(`no complete HTTP answer (${error?.message ?? 'connection closed'}); received: ${JSON.stringify(raw)}`));
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const answer = parseAnswer(Buffer.concat(chunks).toString('latin1'));
      if (answer && answer.complete) finish();
    });
    // A reset after the answer was sent still leaves a readable answer in `chunks`.
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish());
    socket.on('connect', () => socket.write(request));
  });
}

function parseAnswer(raw: string): (RawAnswer & { complete: boolean }) | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const bytes = Buffer.from(raw.slice(end + 4), 'latin1');
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const complete = length !== undefined && bytes.length >= length;
  const body = (length === undefined ? bytes : bytes.subarray(0, length)).toString('utf8');
  return { status: Number(match[1]), headers, body, raw, complete };
}
