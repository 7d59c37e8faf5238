import { isIPv4 } from 'node:net';

function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return isIPv4(hostname) && hostname.startsWith('127.');
}

/**
 * `telemetry.url` checked: an http(s) URL, and plain http only to this machine
 * unless `telemetry.allowInsecure` says otherwise.
 */
export function collectorUrl(value: unknown, allowInsecure: boolean): { url: URL } | { problem: 'not-url' | 'insecure-url' } {
  let url: URL | null = null;
  try {
    url = typeof value === 'string' ? new URL(value) : null;
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return { problem: 'not-url' };
  if (url.protocol === 'http:' && !allowInsecure && !isLoopbackHost(url.hostname)) return { problem: 'insecure-url' };
  return { url };
}

/** The URL as it may be shown in logs and the editor: never with credentials. */
export function displayUrl(url: URL | null): string | null {
  if (!url) return null;
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  return shown.href;
}
