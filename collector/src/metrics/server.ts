import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** The path Prometheus scrapes by default. */
export const METRICS_PATH = '/metrics';

/** The /metrics listener, once it listens. */
export interface MetricsListener {
  /** The full address of /metrics, such as http://127.0.0.1:9790/metrics. */
  url: string;
  close(): Promise<void>;
}

/**
 * A listener of its own for /metrics, apart from the public one: the public
 * port faces every Node-RED of a fleet (usually through a proxy), while what
 * /metrics tells (request and error rates, the store's state, the process)
 * is for the operator. A plain node:http server: one path, no body to read,
 * nothing of fastify's to configure. Only GET and HEAD /metrics are answered;
 * anything else is 404 (405 for another method on /metrics).
 */
export async function listenMetrics(registry: Registry, port: number, host: string, log: Logger): Promise<MetricsListener> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: this listener serves ${METRICS_PATH} only\n`);
    } else if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' }).end('method not allowed\n');
    } else {
      registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
          response.end(request.method === 'HEAD' ? undefined : text);
        },
        (err: unknown) => {
          log.error({ err }, 'metrics: collecting failed');
          response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('collecting the metrics failed; see the collector log\n');
        },
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException): void => {
      reject(new Error(`--metrics-port: cannot listen on ${host}:${port} (${err.code ?? err.message})`));
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}${METRICS_PATH}`;
  log.info({ url, port: address.port }, `metrics listening on ${url}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // A scraper keeps its connection open between scrapes: it would hold the close for its keep-alive timeout.
        server.closeIdleConnections();
      }),
  };
}
