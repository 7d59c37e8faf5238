import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './fresh-copy';

/**
 * better-sqlite3 installs with prebuild-install, which downloads a prebuilt binary from GitHub and
 * compiles SQLite from source (about two minutes on two cores) when it cannot. This machine reaches
 * no GitHub, so the install tests hand prebuild-install what it would have downloaded: a tarball of
 * the binary this checkout's own install built, named as prebuild-install names it, in the folder
 * its `local-prebuilds` setting points at (read before any download). The binary is of the same
 * better-sqlite3 version, for the same Node.js ABI, platform and libc, as the download would be.
 * Should the registry resolve another version (a newer 12.x), nothing matches and npm compiles as
 * on any machine without GitHub: slower, never wrong.
 *
 * Returns the environment to install with, or nothing when this checkout has no build to offer.
 */
export function sqlitePrebuildEnv(folder: string): Record<string, string> {
  const pkgDir = path.join(REPO_ROOT, 'node_modules', 'better-sqlite3');
  const binary = path.join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(binary)) return {};
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  // prebuild-install's own template; libc is '' on glibc, 'musl' on Alpine.
  const musl = process.platform === 'linux' && !(process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}${musl ? 'musl' : ''}-${process.arch}.tar.gz`;
  execFileSync('tar', ['-czf', path.join(folder, name), '-C', pkgDir, 'build/Release/better_sqlite3.node']);
  return { npm_config_better_sqlite3_local_prebuilds: folder };
}
