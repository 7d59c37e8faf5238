/**
 * A collector on HTTPS for the memory benchmark: real reports go over TLS,
 * and TLS is what a Node-RED without the plugin may never have loaded. Its
 * certificate is the tests' (test/fixtures/tls), trusted by the Node-REDs the
 * benchmark starts through NODE_EXTRA_CA_CERTS, with and without the plugin alike.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../../test/helpers/node-red';

export const TLS_CERT = path.join(REPO_ROOT, 'test', 'fixtures', 'tls', 'cert.pem');

export class TlsCollector {
  /** Request bodies received, in order. */
  readonly received: string[] = [];
  private readonly server = https.createServer({ cert: readFileSync(TLS_CERT), key: readFileSync(path.join(path.dirname(TLS_CERT), 'key.pem')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"node-red":{"latest":"4.1.15","next":"4.1.15"}}');
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/ping`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
