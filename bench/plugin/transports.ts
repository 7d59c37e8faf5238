/**
 * The measurement the transport was chosen by: one POST alone in a fresh
 * Node.js process with each HTTP client, RSS after forced collections once it
 * has settled, against a process that sends nothing; the plugin's transport
 * also through an HTTP CONNECT proxy (HTTP_PROXY), and over HTTPS beside bare
 * `node:https` (what TLS itself costs). Interleaved rounds, medians.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { startConnectProxy } from '../../test/helpers/connect-proxy';
import path from 'node:path';
import { NODE22, PLUGIN_ROOT } from './node-red';
import { median, percentile, printRows, Row, signedMib } from './stats';
import { existsSync } from 'node:fs';
import { TLS_CERT, TlsCollector } from './tls-collector';

const ROUNDS = Number(process.env.BENCH_TRANSPORT_ROUNDS ?? 3);
const REPORTS = Number(process.env.BENCH_REPORTS ?? 500);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 5000);
const CLIENTS = ['none', 'node:http', 'fetch', 'undici', 'plugin transport', 'plugin transport, via proxy', 'node:https, loaded only', 'TLS context, root certificates', 'node:https, HTTPS', 'plugin transport, HTTPS'];

function run(node: string, client: string, urls: { http: string; https: string }, proxy: string): Promise<{ rss: number; ok: boolean }> {
  const viaProxy = client.endsWith('via proxy');
  const url = client.endsWith('HTTPS') ? urls.https : urls.http;
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_CLIENT: client.replace(/, (via proxy|HTTPS)$/, ''), BENCH_URL: url, BENCH_SETTLE_MS: String(SETTLE_MS) };
  env.BENCH_TRANSPORT = path.join(PLUGIN_ROOT, 'dist', 'transport.js');
  // What the plugin's start path has loaded of the protocol by the time it reports (lazy-loading.test.ts).
  const protocol = path.join(PLUGIN_ROOT, 'dist', 'node_modules', '@node-red-telemetry', 'protocol');
  env.BENCH_PRELOAD = ['durations.js', 'insight.js', 'patterns.js'].map((f) => path.join(protocol, f)).join(path.delimiter);
  for (const name of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'NODE_OPTIONS']) delete env[name];
  if (viaProxy) env.HTTP_PROXY = proxy;
  // Every process alike trusts the HTTPS collector's test certificate.
  env.NODE_EXTRA_CA_CERTS = TLS_CERT;
  const child = spawn(node, [path.join(__dirname, 'one-post.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const match = /rss=(\d+) ok=(true|false)/.exec(out);
      if (code !== 0 || !match) reject(new Error(`${client}: exit ${code}, ${out}`));
      else resolve({ rss: Number(match[1]), ok: match[2] === 'true' });
    }),
  );
}

/** A CONNECT proxy on loopback, as corporate proxies tunnel HTTPS. */
async function connectProxy(): Promise<{ url: string; tunnels: () => number; close: () => Promise<void> }> {
  let tunnels = 0;
  const proxy = await startConnectProxy(() => tunnels++);
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    tunnels: () => tunnels,
    close: () => {
      proxy.closeAllConnections();
      return new Promise((resolve) => proxy.close(() => resolve()));
    },
  };
}

async function collector(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"node-red":{"latest":"4.1.15"}}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Many reports in a row from one transport (this process): time each, and whether the heap grows with their number. */
async function inARow(url: string): Promise<Row> {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- the build under test, chosen at run time */
  const { Transport } = require(path.join(PLUGIN_ROOT, 'dist', 'transport.js')) as typeof import('../../src/transport');
  const transport = new Transport({ userAgent: 'bench' });
  const payload = { instanceId: 'b'.repeat(32), os: { type: 'Linux', release: '6.1.0', arch: 'arm64' }, env: { nodejs: '20.20.2', 'node-red': '4.1.15' } };
  const signal = new AbortController().signal;
  for (let i = 0; i < 20; i++) await transport.send(new URL(url), payload, signal);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const times: number[] = [];
  for (let i = 0; i < REPORTS; i++) {
    const started = process.hrtime.bigint();
    const outcome = await transport.send(new URL(url), payload, signal);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (!outcome.ok) throw new Error(`report ${i} failed: ${outcome.error}`);
  }
  global.gc?.();
  const growth = (process.memoryUsage().heapUsed - heapBefore) / 1024;
  await transport.close();
  return {
    figure: `${REPORTS} reports in a row, one transport`,
    baseline: '',
    value: `median ${median(times).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms; heap growth ${global.gc ? `${growth.toFixed(0)} KiB` : '(run with --expose-gc)'}`,
  };
}

export async function transports(): Promise<void> {
  const target = await collector();
  const secure = await new TlsCollector().start();
  const proxy = await connectProxy();
  try {
    for (const [node, label] of [
      [process.execPath, `Node.js ${process.versions.node}`],
      [NODE22, 'Node.js 22'],
    ] as const) {
      if (!existsSync(node)) continue;
      const results = new Map<string, number[]>(CLIENTS.map((c) => [c, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const client of CLIENTS) {
          const before = proxy.tunnels();
          const { rss, ok } = await run(node, client, { http: target.url, https: secure.url }, proxy.url);
          if (!ok) throw new Error(`${client}: the POST failed`);
          if (client.endsWith('via proxy') && proxy.tunnels() === before) throw new Error(`${client}: the proxy was not used`);
          results.get(client)?.push(rss);
        }
      }
      const base = results.get('none') ?? [];
      const rows: Row[] = CLIENTS.slice(1).map((client) => {
        const diffs = (results.get(client) ?? []).map((rss, i) => rss - base[i]);
        return { figure: client, baseline: `${(median(base) / 1048576).toFixed(1)} MiB (sends nothing)`, value: `${signedMib(median(diffs))} MiB` };
      });
      printRows(`One POST in a fresh process, ${label}: RSS ${SETTLE_MS / 1000} s later, after forced GC (${ROUNDS} interleaved rounds, medians)`, rows);
    }
    printRows('The transport on loopback', [await inARow(target.url)]);
  } finally {
    await proxy.close();
    await target.close();
    await secure.stop();
  }
}
