import net, { AddressInfo } from 'node:net';
import { LoopbackServer } from './loopback';

/**
 * How a misbehaving collector or proxy treats each request. Every one is a
 * real server on 127.0.0.1: a timeout is only proven against a peer that
 * really stays silent.
 */
export type Fault =
  | 'silent' // reads the request, never answers
  | 'trickle-headers' // starts a status line, then one header byte every 200 ms, forever
  | 'trickle-body' // 200 and headers at once, then one body byte every 200 ms, forever
  | 'huge-answer' // 200 with a 10 MB JSON body
  | 'redirect-loop' // 302 to itself
  | 'error-500' // 500 every time
  | 'retry-after-huge' // 429 asking for a wait of a day
  | 'garbage' // 200 with bytes that are not JSON
  | 'proxy-silent' // a proxy that accepts the connection and never answers CONNECT
  | 'proxy-refuses'; // a proxy that answers CONNECT with 403

const TRICKLE_MS = 200;
/** Built once: making 10 MB per request would itself delay the answer on a busy machine. */
const HUGE_BODY = JSON.stringify({ 'node-red': { latest: '99.0.0' }, pad: 'x'.repeat(10 * 1024 * 1024) });

/** A raw HTTP/1.1 server that misbehaves in one chosen way and counts what reaches it. */
export class FaultServer extends LoopbackServer {
  /** Requests (or CONNECTs, for the proxy faults) that arrived: one per attempt. */
  requests = 0;
  protected readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly fault: Fault) {
    super();
    this.server = net.createServer((socket) => this.serve(socket));
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      // One request per head; bodies are small JSON, sent with the head or right after it.
      while (buffered.includes('\r\n\r\n')) {
        const end = buffered.indexOf('\r\n\r\n') + 4;
        const head = buffered.slice(0, end);
        const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + length) return;
        buffered = buffered.slice(end + length);
        this.requests++;
        this.answer(socket, head);
      }
    });
  }

  private trickle(socket: net.Socket, prefix: string): void {
    socket.write(prefix);
    const timer = setInterval(() => {
      if (socket.destroyed) return void clearInterval(timer);
      socket.write('x');
    }, TRICKLE_MS);
    this.timers.add(timer);
    socket.on('close', () => {
      clearInterval(timer);
      this.timers.delete(timer);
    });
  }

  private answer(socket: net.Socket, head: string): void {
    const json = (status: string, body: string, extra = ''): void => {
      socket.write(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`);
    };
    switch (this.fault) {
      case 'silent':
      case 'proxy-silent':
        return;
      case 'trickle-headers':
        return this.trickle(socket, 'HTTP/1.1 200 OK\r\nx-slow: ');
      case 'trickle-body':
        return this.trickle(socket, 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n');
      case 'huge-answer':
        return json('200 OK', HUGE_BODY);
      case 'redirect-loop':
        return json('302 Found', '{}', `location: http://127.0.0.1:${this.port}/ping\r\n`);
      case 'error-500':
        return json('500 Internal Server Error', '{"error":{"code":"internal","message":"down"}}');
      case 'retry-after-huge':
        return json('429 Too Many Requests', '{"error":{"code":"rate_limited","message":"later"}}', 'retry-after: 86400\r\n');
      case 'garbage':
        return json('200 OK', '\u0000<<not json>>\u00ff');
      case 'proxy-refuses':
        if (head.startsWith('CONNECT')) return void socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
        return json('405 Method Not Allowed', '{}');
    }
  }
}

/** A port on 127.0.0.1 that nothing listens on: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
