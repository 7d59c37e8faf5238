import type { AddressInfo, Server } from 'node:net';

/** A server of a test's own on 127.0.0.1, on a port the system picks, reached at `/ping` as a collector is. */
export abstract class LoopbackServer {
  protected abstract readonly server: Server;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/ping`;
  }
}
