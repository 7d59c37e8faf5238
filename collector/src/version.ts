import { readFileSync } from 'node:fs';
import path from 'node:path';

let version: string | undefined;

/**
 * The collector's own version, read at run time from its package.json: one
 * folder up from this file both in the sources (src/) and as installed
 * (dist/), so that the version shown is the version installed.
 */
export function collectorVersion(): string {
  version ??= (JSON.parse(readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
