import http, { ClientRequest, IncomingMessage } from 'node:http';
import { isIP, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { portOf, Proxy } from './transport-proxy';

// TLS is loaded for an https:// collector or proxy only: Node-RED has node:http loaded already, and
// a collector on plain http (on the same host, or a test) costs nothing more.
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */
const https = (): typeof import('node:https') => require('node:https') as typeof import('node:https');
const tls = (): typeof import('node:tls') => require('node:tls') as typeof import('node:tls');
/* eslint-enable @typescript-eslint/no-require-imports */

/** A failure this transport names itself; its message is what the log shows ("proxy answered HTTP 403"). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface RequestSpec {
  method: 'POST' | 'DELETE';
  url: URL;
  body: string | undefined;
  headers: Record<string, string>;
  /** Tunnel through this proxy with CONNECT, or connect directly. */
  proxy: Proxy | null;
  /** Limit of establishing the connection: DNS, TCP, a proxy's CONNECT and TLS together. */
  connectTimeoutMs: number;
}

type Closable = { destroy(error?: Error): unknown; on(event: 'error', listener: (err: Error) => void): unknown };

/**
 * Everything one attempt opened (the request, a tunnel, a TLS session), torn
 * down together: when the attempt's signal aborts, whatever stage it is in,
 * and when the caller is done with the answer.
 */
export class Opened {
  private readonly items = new Set<Closable>();
  private closed = false;
  private closedWith: Error | null = null;

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  private readonly onAbort = (): void => this.close(reasonOf(this.signal));

  track<T extends Closable>(item: T): T {
    // Each stage awaits its own errors; one raised after that (a stream torn down here) has nobody
    // left to tell, and unheard it would be an uncaught exception in Node-RED.
    item.on('error', () => undefined);
    if (this.closed) item.destroy(this.closedWith ?? undefined);
    else this.items.add(item);
    return item;
  }

  /** Tears everything down: with `error` while a stage may still be waiting (an abort), quietly when done. */
  close(error?: Error): void {
    if (!this.closed) this.closedWith = error ?? null;
    this.closed = true;
    this.signal.removeEventListener('abort', this.onAbort);
    for (const item of this.items) item.destroy(error);
    this.items.clear();
  }
}

/** The abort's reason as an Error: the attempt's own timeout error, or the caller's. */
function reasonOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new TransportError('aborted');
}

/** Settles with the stream's first `event`, or rejects with its error or its closing first. */
function ready(stream: Duplex | ClientRequest, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => reject(err);
    const closed = (): void => reject(new TransportError('closed', 'ECONNRESET'));
    stream.once(event, () => {
      stream.removeListener('error', fail);
      stream.removeListener('close', closed);
      resolve();
    });
    stream.once('error', fail);
    stream.once('close', closed);
  });
}

/** `host:port` as CONNECT names its target; an IPv6 literal keeps its brackets. */
function authorityOf(url: URL): string {
  return `${url.hostname}:${portOf(url)}`;
}

/** Opens a tunnel to `target` through `proxy` (RFC 9110 §9.3.6); any answer but 2xx is the proxy refusing. */
async function tunnel(proxy: Proxy, target: URL, opened: Opened): Promise<Socket> {
  const authority = authorityOf(target);
  const client = proxy.protocol === 'https:' ? https() : http;
  const req = opened.track(
    client.request({
      host: proxy.hostname,
      port: proxy.port,
      method: 'CONNECT',
      path: authority,
      agent: false,
      headers: { host: authority, ...(proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}) },
    }),
  );
  const answered = new Promise<Socket>((resolve, reject) => {
    req.once('connect', (res: IncomingMessage, socket: Socket, head: Buffer) => {
      opened.track(socket);
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) return reject(new TransportError(`proxy answered HTTP ${status}`));
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('error', reject);
    req.once('close', () => reject(new TransportError('proxy closed the connection', 'ECONNRESET')));
  });
  req.end();
  return answered;
}

/** TLS over an open tunnel, checked as a direct connection is: the system's CAs, the host's name (SNI). */
async function secure(socket: Socket, target: URL, opened: Opened): Promise<TLSSocket> {
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const secured = opened.track(tls().connect({ socket, host, servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] }));
  await ready(secured, 'secureConnect');
  return secured;
}

/**
 * Sends one request and resolves with the answer's head; the caller reads
 * the body, then closes `opened`. Connecting (through a proxy too) is bounded
 * by `connectTimeoutMs`; everything is bounded by the signal `opened` watches.
 */
export async function sendRequest(spec: RequestSpec, opened: Opened): Promise<IncomingMessage> {
  const { url } = spec;
  const timer = setTimeout(() => opened.close(new TransportError('connect timeout', 'ETIMEDOUT')), spec.connectTimeoutMs);
  const connected = (): void => clearTimeout(timer);
  const headers = {
    host: url.host,
    ...spec.headers,
    ...(spec.body !== undefined ? { 'content-length': String(Buffer.byteLength(spec.body)) } : {}),
  };
  const path = `${url.pathname}${url.search}`;
  try {
    let req: ClientRequest;
    if (spec.proxy) {
      const tunnelled = await tunnel(spec.proxy, url, opened);
      const stream: Duplex = url.protocol === 'https:' ? await secure(tunnelled, url, opened) : tunnelled;
      connected();
      // No agent: an agent would open a connection of its own instead of using the tunnel.
      req = http.request({ method: spec.method, path, headers, createConnection: () => stream });
    } else {
      const client = url.protocol === 'https:' ? https() : http;
      req = client.request(url, { method: spec.method, headers, agent: false });
      req.once('socket', (socket: Socket) => {
        // With agent: false every socket is new; TLS is connected once its handshake is done.
        socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
      });
    }
    opened.track(req);
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
    });
    req.end(spec.body);
    return await answered;
  } finally {
    // Connected or failed: either way this timer has nothing left to bound.
    clearTimeout(timer);
  }
}
