import { createHmac, randomBytes } from 'node:crypto';

/**
 * Keyed hashes of sender addresses. A plain SHA-256 of an IPv4 address is
 * reversed by trying all 2^32 of them; an HMAC under a random daily secret
 * cannot be, and once the secret is deleted the hash links to nothing.
 */

/** A new daily secret: 256 random bits. */
export function newSecret(): string {
  return randomBytes(32).toString('base64');
}

/** One spelling per address: an IPv4 address seen through an IPv6 socket hashes as itself. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (mapped ? mapped[1] : address).toLowerCase();
}

/** The stored form of an address: HMAC-SHA256 under the day's secret. */
export function hashAddress(secret: string, address: string): string {
  return createHmac('sha256', secret).update(normalizeAddress(address)).digest('hex');
}
