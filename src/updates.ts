import semver from 'semver';
import { ANSWER_KEY, VersionAnswer } from './schema';

/**
 * Reads a collector's answer. Returns null for anything that is not Node-RED's
 * format with at least one valid version, so garbage never becomes an offer.
 */
export function parseAnswer(body: unknown): VersionAnswer | null {
  if (!body || typeof body !== 'object') return null;
  const entry = (body as Record<string, unknown>)[ANSWER_KEY];
  if (!entry || typeof entry !== 'object') return null;
  const answer: VersionAnswer = {};
  for (const key of ['latest', 'next'] as const) {
    const value = (entry as Record<string, unknown>)[key];
    const version = typeof value === 'string' ? semver.valid(value) : null;
    if (version) answer[key] = version;
  }
  return answer.latest || answer.next ? answer : null;
}

/**
 * The version to offer to someone running `running`: `latest` when older than
 * it, or `next` when running a pre-release between `latest` and `next`.
 */
export function offerUpdate(running: string, answer: VersionAnswer): string | null {
  const current = semver.valid(running);
  if (!current) return null;
  if (answer.latest && semver.lt(current, answer.latest)) return answer.latest;
  if (answer.next && semver.prerelease(current) && semver.lt(current, answer.next)) {
    return answer.latest === undefined || semver.gt(current, answer.latest) ? answer.next : null;
  }
  return null;
}

/** A kept offer goes stale once the user has upgraded to it or past it. */
export function isStillNewer(running: string, offered: string): boolean {
  const current = semver.valid(running);
  const version = semver.valid(offered);
  return Boolean(current && version && semver.lt(current, version));
}
