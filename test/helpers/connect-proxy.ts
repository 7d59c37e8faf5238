import http from 'node:http';
import net from 'node:net';

/**
 * A real CONNECT proxy on loopback: it tunnels to whatever host:port it is asked
 * for, and tells `seen` each CONNECT request first. Close it with closeAllConnections + close.
 */
export async function startConnectProxy(seen: (req: http.IncomingMessage) => void): Promise<http.Server> {
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
    seen(req);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return proxy;
}
