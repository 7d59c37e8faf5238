import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { SendOutcome, Transport } from '../../src/transport';

const TLS = path.join(__dirname, '..', 'fixtures', 'tls');
/** A certificate for `localhost` and 127.0.0.1, trusted only where NODE_EXTRA_CA_CERTS names it. */
const CERT = path.join(TLS, 'cert.pem');
const KEY = readFileSync(path.join(TLS, 'key.pem'));

const portOf = (server: net.Server): number => (server.address() as AddressInfo).port;
const listen = (server: net.Server): Promise<void> => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const close = (server: http.Server): Promise<void> => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
};

/** The built transport in a fresh Node.js that trusts the test certificate, as a system's CA store would. */
async function sendTrusting(target: string, env: Record<string, string> = {}): Promise<{ outcome: SendOutcome; undici: boolean }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(https?_proxy|no_proxy|node_options)$/i.test(name)));
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(TLS, 'send-once.js')], {
    env: { ...clean, NODE_EXTRA_CA_CERTS: CERT, TARGET: target, ...env },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as { outcome: SendOutcome; undici: boolean };
}

/** Tunnels the proxies opened: no longer the server's to close once CONNECT has been answered. */
const opened = new Set<net.Socket>();

/** Answers CONNECT for any host by connecting to 127.0.0.1, as a proxy that resolves names would. */
function tunnelling<T extends http.Server | https.Server>(server: T, seen: string[]): T {
  server.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
    seen.push(req.url ?? '');
    opened.add(client);
    const upstream = net.connect(Number((req.url ?? '').split(':').pop()), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return server;
}

describe('transport: HTTPS, checked as Node.js checks it, directly and through proxies', function () {
  this.timeout(60_000);
  let collector: https.Server;
  let names: Array<string | false | null>;
  let proxy: http.Server;
  let tlsProxy: https.Server;
  let tunnels: string[];

  before(async () => {
    collector = https.createServer({ cert: readFileSync(CERT), key: KEY }, (req, res) => {
      names.push((req.socket as TLSSocket).servername);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"node-red":{"latest":"4.1.15"}}'));
    });
    proxy = tunnelling(http.createServer((_req, res) => res.writeHead(405).end()), (tunnels = []));
    tlsProxy = tunnelling(https.createServer({ cert: readFileSync(CERT), key: KEY }, (_req, res) => res.writeHead(405).end()), tunnels);
    await Promise.all([listen(collector), listen(proxy), listen(tlsProxy)]);
  });
  beforeEach(() => {
    names = [];
    tunnels.length = 0;
  });
  after(() => {
    for (const socket of opened) socket.destroy();
    return Promise.all([close(collector), close(proxy), close(tlsProxy)]);
  });

  it('refuses a collector whose certificate is not trusted', async () => {
    const sender = new Transport({ userAgent: 'test', maxRetries: 0, env: {} });
    const outcome = await sender.send(new URL(`https://127.0.0.1:${portOf(collector)}/ping`), {}, new AbortController().signal);
    assert.equal(outcome.ok, false);
    assert.match((outcome as { error: string }).error, /SELF_SIGNED|UNABLE_TO_VERIFY/);
    assert.deepEqual(names, [], 'no request reached the collector');
  });

  it('reaches a collector whose certificate is trusted, without loading undici', async () => {
    const { outcome, undici } = await sendTrusting(`https://127.0.0.1:${portOf(collector)}/ping`);
    assert.deepEqual(outcome, { ok: true, status: 200, attempts: 1, answer: { 'node-red': { latest: '4.1.15' } } });
    assert.equal(undici, false);
  });

  it('tunnels through HTTPS_PROXY, with TLS to the collector checked against the collector’s name (SNI)', async () => {
    const { outcome } = await sendTrusting(`https://localhost:${portOf(collector)}/ping`, { HTTPS_PROXY: `http://127.0.0.1:${portOf(proxy)}` });
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    assert.deepEqual(tunnels, [`localhost:${portOf(collector)}`]);
    assert.deepEqual(names, ['localhost']);
  });

  it('through a proxy too, refuses a certificate that is not for the collector’s name', async () => {
    const { outcome } = await sendTrusting(`https://collector.invalid:${portOf(collector)}/ping`, { HTTPS_PROXY: `http://127.0.0.1:${portOf(proxy)}` });
    assert.deepEqual(outcome, { ok: false, attempts: 1, error: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    assert.deepEqual(tunnels, [`collector.invalid:${portOf(collector)}`]);
    assert.deepEqual(names, []);
  });

  it('speaks TLS to an https:// proxy, then TLS to the collector inside the tunnel', async () => {
    const { outcome } = await sendTrusting(`https://localhost:${portOf(collector)}/ping`, { HTTPS_PROXY: `https://localhost:${portOf(tlsProxy)}` });
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    assert.deepEqual(tunnels, [`localhost:${portOf(collector)}`]);
    assert.deepEqual(names, ['localhost']);
  });
});
