import semver from 'semver';
import { ANSWER_KEY, NodeRequirement, VersionAnswer } from '@node-red-telemetry/protocol/answer';

export type { NodeRequirement } from '@node-red-telemetry/protocol/answer';

/**
 * The collector's answer as read: `latest` and `next`, and under `requires` the
 * newer versions that need a newer Node.js than some reporters run. Only
 * well-formed entries survive parsing.
 */
export type ParsedAnswer = VersionAnswer;

/** An update offer, as kept, shown in the editor and answered by the admin API. */
export interface Offer {
  version: string;
  /** The oldest Node.js `version` runs on ("22.9"), present only when the running Node.js is older. */
  node?: string;
  /** A version newer than `version` that the running Node.js cannot run, mentioned alongside. */
  newer?: { version: string; node: string };
}

/** How a minimum Node.js version is written in an offer: "22.9", "22.9.1", "23.0.0-rc.1". */
export const NODE_MINIMUM_PATTERN = /^\d{1,9}\.\d{1,9}(\.\d{1,9}(-[0-9A-Za-z.-]{1,40})?)?$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The oldest Node.js a range admits, as people write it: "22.9" for ">=22.9",
 * "22.9.1" for ">=22.9.1". Null for a range that admits nothing.
 */
export function minimumNode(range: string): string | null {
  let min: semver.SemVer | null;
  try {
    min = semver.minVersion(range);
  } catch {
    return null;
  }
  if (!min) return null;
  if (min.prerelease.length > 0 || min.patch !== 0) return min.version;
  return `${min.major}.${min.minor}`;
}

function parseRequires(raw: unknown): Record<string, NodeRequirement> | undefined {
  if (!isPlainObject(raw)) return undefined;
  const requires: Record<string, NodeRequirement> = {};
  let found = false;
  for (const [key, value] of Object.entries(raw)) {
    const version = semver.valid(key);
    const node = isPlainObject(value) ? value.node : undefined;
    // A range must admit some version, or there is nothing to tell the user.
    const range = typeof node === 'string' && node.length <= 256 ? semver.validRange(node) : null;
    if (!version || !range || minimumNode(range) === null) continue;
    requires[version] = { node: range };
    found = true;
  }
  return found ? requires : undefined;
}

/**
 * Reads a collector's answer. Returns null for anything that is not Node-RED's
 * format with at least one valid version, so garbage never becomes an offer;
 * a malformed `requires`, or a malformed entry of it, is dropped on its own.
 */
export function parseAnswer(body: unknown): ParsedAnswer | null {
  if (!isPlainObject(body)) return null;
  const entry = body[ANSWER_KEY];
  if (!isPlainObject(entry)) return null;
  const answer: ParsedAnswer = {};
  for (const key of ['latest', 'next'] as const) {
    const value = entry[key];
    const version = typeof value === 'string' ? semver.valid(value) : null;
    if (version) answer[key] = version;
  }
  const requires = parseRequires(entry.requires);
  if (requires) answer.requires = requires;
  return answer.latest || answer.next || answer.requires ? answer : null;
}

/** A version that could be offered, with the Node.js range it needs when that is known. */
interface Candidate {
  version: string;
  range?: string;
}

function runsOn(nodejs: string, range: string): boolean {
  return semver.satisfies(nodejs, range);
}

/**
 * The newest candidate newer than `current` that runs on this Node.js is the
 * offer; the newest one that does not, and is newer still, is mentioned with
 * what it needs. With no runnable candidate, that one becomes the offer.
 */
function choose(current: string, nodejs: string, candidates: Candidate[]): Offer | null {
  const newest = (list: Candidate[]): Candidate | null => list.reduce<Candidate | null>((a, b) => (a && semver.gte(a.version, b.version) ? a : b), null);
  const live = candidates.filter((c) => semver.lt(current, c.version));
  const compatible = newest(live.filter((c) => !c.range || runsOn(nodejs, c.range)));
  const blocked = newest(live.filter((c) => c.range && !runsOn(nodejs, c.range) && (!compatible || semver.gt(c.version, compatible.version))));
  const needs = blocked?.range ? minimumNode(blocked.range) : null;
  if (compatible) {
    return blocked && needs ? { version: compatible.version, newer: { version: blocked.version, node: needs } } : { version: compatible.version };
  }
  return blocked && needs ? { version: blocked.version, node: needs } : null;
}

/**
 * The offer for someone running Node-RED `running` on Node.js `nodejs`: `latest`
 * when older than it, or `next` when running a pre-release between `latest` and
 * `next`, unless `requires` says this Node.js cannot run it. A version listed in
 * `requires` that this Node.js cannot run is mentioned when newer than the
 * offer, and offered with its requirement when nothing runnable is newer than
 * the running version. Pre-releases are for those already running one.
 */
export function offerUpdate(running: string, answer: ParsedAnswer, nodejs: string = process.versions.node): Offer | null {
  const current = semver.valid(running);
  if (!current) return null;
  const requires = answer.requires ?? {};
  const candidates: Candidate[] = [];
  const base = baseOffer(current, answer);
  if (base) candidates.push({ version: base, range: requires[base]?.node });
  for (const [version, { node: range }] of Object.entries(requires)) {
    if (semver.prerelease(version) && !semver.prerelease(current)) continue;
    // Versions this Node.js can run are the collector's to offer as latest, not ours to promote.
    if (!runsOn(nodejs, range)) candidates.push({ version, range });
  }
  return choose(current, nodejs, candidates);
}

function baseOffer(current: string, answer: VersionAnswer): string | null {
  if (answer.latest && semver.lt(current, answer.latest)) return answer.latest;
  if (answer.next && semver.prerelease(current) && semver.lt(current, answer.next)) {
    return answer.latest === undefined || semver.gt(current, answer.latest) ? answer.next : null;
  }
  return null;
}

/**
 * A kept offer, looked at again after a restart: dropped once the user has
 * upgraded Node-RED to it or past it, and its Node.js requirement dropped (or
 * the newer version promoted) once the user has upgraded Node.js.
 */
export function reviewOffer(running: string, offer: Offer, nodejs: string = process.versions.node): Offer | null {
  const current = semver.valid(running);
  if (!current) return null;
  const candidates: Candidate[] = [{ version: offer.version, range: offer.node ? `>=${offer.node}` : undefined }];
  if (offer.newer) candidates.push({ version: offer.newer.version, range: `>=${offer.newer.node}` });
  return choose(current, nodejs, candidates);
}

/** Two offers say the same thing: nothing to log, store or publish again. */
export function sameOffer(a: Offer | null | undefined, b: Offer | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.version === b.version && a.node === b.node && a.newer?.version === b.newer?.version && a.newer?.node === b.newer?.node;
}

/** A kept offer goes stale once the user has upgraded to it or past it. */
export function isStillNewer(running: string, offered: string): boolean {
  const current = semver.valid(running);
  const version = semver.valid(offered);
  return Boolean(current && version && semver.lt(current, version));
}
