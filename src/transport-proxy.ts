import { BlockList, isIP } from 'node:net';

/** A proxy to tunnel through, as read from the environment. */
export interface Proxy {
  /** `http:` or `https:` (TLS to the proxy itself). */
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** `Proxy-Authorization` for credentials in the proxy's URL (`http://user:pass@proxy:3128`). */
  authorization?: string;
}

/** Why no proxy could be used although one is configured: the variable is not a URL this transport can use. */
export interface ProxyProblem {
  problem: string;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** The first of these variables that is set, lower case first (as curl and undici read them). */
function variable(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** A host as compared: lower case, without the brackets of an IPv6 literal or a trailing dot. */
function bareHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/** The port a URL connects to, its scheme's default when it names none. */
export function portOf(url: URL): number {
  return url.port ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 0);
}

/**
 * Whether `NO_PROXY` exempts a URL's host, read as curl reads it: entries
 * separated by commas or spaces; `*` exempts every host; `example.com`,
 * `.example.com` and `*.example.com` each exempt the name and its
 * subdomains; an IP address exempts itself and a CIDR block (`10.0.0.0/8`,
 * `fd00::/8`) every address in it; `host:port` exempts that port only.
 */
export function bypassesProxy(noProxy: string, url: URL): boolean {
  const host = bareHost(url.hostname);
  const port = portOf(url);
  const family = isIP(host);
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort = 0;
    // host:port, [v6]:port; a bare IPv6 address has colons but no port.
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (withPort) {
      entry = withPort[1];
      entryPort = Number(withPort[2]);
    }
    if (entryPort !== 0 && entryPort !== port) continue;
    entry = bareHost(entry);
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
    if (cidr && family !== 0 && isIP(cidr[1]) === family) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const prefix = Number(cidr[2]);
      if (prefix > (family === 4 ? 32 : 128)) continue;
      const block = new BlockList();
      block.addSubnet(cidr[1], prefix, type);
      if (block.check(host, type)) return true;
      continue;
    }
    if (isIP(entry) !== 0 || family !== 0) {
      if (entry === host) return true;
      continue;
    }
    const suffix = entry.replace(/^\*?\./, '');
    if (host === suffix || host.endsWith(`.${suffix}`)) return true;
  }
  return false;
}

/**
 * The proxy a request to `url` goes through, from `HTTPS_PROXY` (for https
 * URLs, falling back to `HTTP_PROXY`) or `HTTP_PROXY`, unless `NO_PROXY`
 * exempts the host; null for a direct connection. A proxy written without a
 * scheme is taken as `http://`, as curl does.
 */
export function proxyFor(url: URL, env: Readonly<Record<string, string | undefined>>): Proxy | ProxyProblem | null {
  const httpProxy = variable(env, ['http_proxy', 'HTTP_PROXY']);
  const setting = url.protocol === 'https:' ? (variable(env, ['https_proxy', 'HTTPS_PROXY']) ?? httpProxy) : httpProxy;
  if (!setting) return null;
  if (bypassesProxy(variable(env, ['no_proxy', 'NO_PROXY']) ?? '', url)) return null;
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(setting) ? setting : `http://${setting}`);
  } catch {
    return { problem: 'proxy setting is not a URL' };
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') return { problem: `proxy scheme ${proxy.protocol} is not supported` };
  const user = proxy.username ? decodeURIComponent(proxy.username) : '';
  const password = proxy.password ? decodeURIComponent(proxy.password) : '';
  return {
    protocol: proxy.protocol,
    hostname: bareHost(proxy.hostname),
    port: portOf(proxy),
    ...(user || password ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } : {}),
  };
}
