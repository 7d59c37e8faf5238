import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One version as a packument lists it: its `engines.node`, and whether it is deprecated. */
export interface PublishedVersion {
  node?: string;
  deprecated?: string;
}

/**
 * A node-red packument shaped like the registry's: Node-RED 3 runs on Node 14,
 * 4.x on Node 18, 5.x needs Node 22.9, with a deprecated 4.1.1 and a 5.1
 * pre-release under `next`.
 */
export const NODE_RED_RELEASES: Record<string, PublishedVersion> = {
  '3.1.15': { node: '>=14' },
  '4.0.9': { node: '>=18.5' },
  '4.1.0': { node: '>=18.5' },
  '4.1.1': { node: '>=18.5', deprecated: 'use 4.1.2' },
  '4.1.2': { node: '>=18.5' },
  '5.0.0-beta.1': { node: '>=22.9' },
  '5.0.7': { node: '>=22.9' },
  '5.1.0-beta.2': { node: '>=22.9' },
};

/** The abbreviated packument (`application/vnd.npm.install-v1+json`) for these versions and tags. */
export function packument(versions: Record<string, PublishedVersion>, distTags: Record<string, string>): object {
  return {
    name: 'node-red',
    modified: '2026-11-20T00:00:00.000Z',
    'dist-tags': distTags,
    versions: Object.fromEntries(
      Object.entries(versions).map(([version, v]) => [
        version,
        {
          name: 'node-red',
          version,
          ...(v.node ? { engines: { node: v.node } } : {}),
          ...(v.deprecated ? { deprecated: v.deprecated } : {}),
          dist: { tarball: `http://registry.invalid/node-red/-/node-red-${version}.tgz` },
        },
      ]),
    ),
  };
}

/** A registry on 127.0.0.1 answering `GET /node-red` with a packument the test can change or withdraw. */
export class FakeRegistry {
  readonly requests: Array<{ url: string; accept: string | undefined }> = [];
  body: object | null;
  private readonly server: http.Server;

  constructor(body: object | null) {
    this.body = body;
    this.server = http.createServer((req, res) => {
      this.requests.push({ url: req.url ?? '', accept: req.headers.accept });
      if (req.url !== '/node-red' || this.body === null) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/vnd.npm.install-v1+json' }).end(JSON.stringify(this.body));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
