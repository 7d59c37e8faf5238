import semver from 'semver';
import type { NodeRequirement, VersionAnswer } from '@node-red-telemetry/protocol';

/** One published Node-RED version and the Node.js range its `engines.node` states, if any. */
export interface Release {
  version: string;
  node?: string;
}

/** What the registry says about Node-RED: its dist-tags and every usable release. */
export interface Catalog {
  latest?: string;
  next?: string;
  releases: Release[];
}

/** The versions an operator fixed with --latest (and --next): answered as given, to everyone. */
export interface FixedVersions {
  latest: string;
  next?: string;
}

/** An answer with both versions, as every client may rely on; `requires` only when it says something. */
export type CompleteAnswer = Required<Pick<VersionAnswer, 'latest' | 'next'>> & Pick<VersionAnswer, 'requires'>;

/**
 * Pure: the catalog in a registry packument (full or abbreviated), or null
 * when it holds no valid version. Deprecated versions are left out: nobody
 * should be offered one.
 */
export function catalogFromPackument(body: unknown): Catalog | null {
  if (!isObject(body) || !isObject(body.versions)) return null;
  const releases: Release[] = [];
  for (const [key, manifest] of Object.entries(body.versions)) {
    const version = semver.valid(key);
    if (!version || !isObject(manifest) || typeof manifest.deprecated === 'string') continue;
    const engines = isObject(manifest.engines) ? manifest.engines : {};
    const node = typeof engines.node === 'string' && semver.validRange(engines.node) ? engines.node.trim() : undefined;
    releases.push(node ? { version, node } : { version });
  }
  if (releases.length === 0) return null;
  releases.sort((a, b) => semver.rcompare(a.version, b.version));
  const tags = isObject(body['dist-tags']) ? body['dist-tags'] : {};
  const catalog: Catalog = { releases };
  for (const key of ['latest', 'next'] as const) {
    const value = typeof tags[key] === 'string' ? semver.valid(tags[key]) : null;
    if (value) catalog[key] = value;
  }
  return catalog;
}

/** Pure: the answer for operator-fixed versions; `next` falls back to `latest`. */
export function fixedAnswer(fixed: FixedVersions): CompleteAnswer {
  return { latest: fixed.latest, next: fixed.next ?? fixed.latest };
}

/**
 * Pure: what to answer an instance running Node.js `nodejs` (as it reported
 * it), or null when no release it can run is known.
 *
 * `latest` is the newest stable release, up to the registry's `latest` tag,
 * whose `engines.node` admits that Node.js; `next` the newest release of any
 * kind up to the `next` tag that admits it, never older than `latest`. A newer
 * release the instance cannot run is named under `requires` with the range it
 * needs. An unreadable Node.js version gets the tags as they are.
 */
export function chooseAnswer(catalog: Catalog, nodejs: string | undefined): CompleteAnswer | null {
  const node = nodeVersion(nodejs);
  const admits = (release: Release) => !node || !release.node || semver.satisfies(node, release.node, { includePrerelease: true });
  const newestStable = catalog.latest ?? catalog.releases.find((r) => !semver.prerelease(r.version))?.version;
  if (!newestStable) return null;

  const latest = catalog.releases.find(
    (r) => !semver.prerelease(r.version) && semver.lte(r.version, newestStable) && admits(r),
  )?.version;
  if (!latest) return null;

  let next = latest;
  const newestNext = catalog.next;
  if (newestNext && semver.gt(newestNext, latest)) {
    const candidate = catalog.releases.find((r) => semver.lte(r.version, newestNext) && admits(r))?.version;
    if (candidate && semver.gt(candidate, latest)) next = candidate;
  }

  const requires: Record<string, NodeRequirement> = {};
  for (const [tagged, chosen] of [[newestStable, latest], [newestNext, next]] as const) {
    if (!tagged || !semver.gt(tagged, chosen)) continue;
    const release = catalog.releases.find((r) => r.version === tagged);
    if (release?.node && !admits(release)) requires[tagged] = { node: release.node };
  }
  return Object.keys(requires).length > 0 ? { latest, next, requires } : { latest, next };
}

/** A reported Node.js version ("20.11.1", "v22.9.0") as semver, or undefined. */
function nodeVersion(reported: string | undefined): string | undefined {
  if (!reported) return undefined;
  return semver.valid(semver.clean(reported) ?? '') ?? undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
