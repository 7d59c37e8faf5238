import http from 'node:http';
import { LoopbackServer } from './loopback';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How the test collector answers one request; the default is Node-RED's format with no newer version. */
export type Responder = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

export const answerJson =
  (status: number, value: unknown, headers: http.OutgoingHttpHeaders = {}): Responder =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(value));
  };

/**
 * A real HTTP collector on 127.0.0.1 that records every request and counts
 * every TCP connection, so a test can prove that nothing connected at all.
 */
export class TestCollector extends LoopbackServer {
  readonly received: Received[] = [];
  connections = 0;
  protected readonly server: http.Server;
  private readonly responders: Responder[] = [];
  private fallback: Responder = answerJson(200, { 'node-red': { latest: '0.0.1' } });
  private waiters: Array<() => void> = [];

  constructor() {
    super();
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() });
        const responder = this.responders.shift() ?? this.fallback;
        responder(req, res, body);
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    this.server.on('connection', () => {
      this.connections++;
    });
  }

  /** Answers the next requests in order, then falls back to `always` (or the default). */
  respond(...responders: Responder[]): this {
    this.responders.push(...responders);
    return this;
  }

  always(responder: Responder): this {
    this.fallback = responder;
    return this;
  }

  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} request(s) at the collector, got ${this.received.length} in ${timeoutMs}ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received.slice(0, count);
  }

  /** The first report (a POST) that arrived after `since` (ms); rejects after `timeoutMs`. */
  async reportAfter(since: number, timeoutMs = 20000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find((r) => r.at > since && r.method === 'POST');
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no report arrived after ${new Date(since).toISOString()} within ${timeoutMs}ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
