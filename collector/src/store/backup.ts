import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { SQLITE_FILE } from './connect';

/** What a backup wrote. */
export interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
  ms: number;
}

/** A backup not attempted, for a reason the operator can fix (exit code 2); any other failure is an Error. */
export class BackupRefused extends Error {}

/** Pages copied per step of SQLite's backup: all of them, see backupSqlite. */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies the SQLite store in `dataDir` to a new file, `destination`, with
 * SQLite's online backup API (better-sqlite3's `backup`), while a collector
 * may be serving and writing it. The copy is one consistent snapshot: all
 * pages are copied in one step, inside one read transaction, which in WAL
 * mode neither waits for the collector's writes nor holds them up (a copy
 * made in several steps would start again after every write, and under a
 * steady flow of reports might never finish). The copy is written beside
 * `destination`, switched to a rollback journal (so it is one self-contained
 * file), checked with `pragma quick_check`, synced, and only then given its
 * name; an existing file is never overwritten. It is readable by its owner
 * only, and holds no address-hash secret: the day's secret is deleted from
 * the copy (its `salts`), so that a backup kept for months cannot turn that
 * day's hashes back into addresses, as the store itself cannot once the day
 * is over. A collector restored from it makes a new secret, which only
 * restarts the address rate limits of the rest of that day.
 */
export async function backupSqlite(dataDir: string, destination: string): Promise<BackupResult> {
  const started = Date.now();
  const source = path.join(dataDir, SQLITE_FILE);
  const target = path.resolve(destination);
  if (!existsSync(source)) throw new BackupRefused(`--data (COLLECTOR_DATA): there is no SQLite store at "${source}"`);
  if (existsSync(target)) throw new BackupRefused(`"${target}" already exists: name a new file (a backup never overwrites one)`);
  if (!existsSync(path.dirname(target))) throw new BackupRefused(`the directory "${path.dirname(target)}" does not exist`);
  const partial = `${target}.${process.pid}.partial`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the native driver is loaded only for the store in use: a PostgreSQL collector never loads SQLite's, nor the reverse.
  const SQLite = require('better-sqlite3') as typeof import('better-sqlite3');
  try {
    // Made first, so that the copy is never readable by others, not even while it is written.
    closeSync(openSync(partial, 'wx', 0o600));
    const db = new SQLite(source, { fileMustExist: true });
    let pages: number;
    try {
      db.pragma('busy_timeout = 5000');
      ({ totalPages: pages } = await db.backup(partial, { progress: () => ALL_PAGES }));
    } finally {
      db.close();
    }
    const copy = new SQLite(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
      copy.pragma('secure_delete = ON');
      copy.prepare('delete from salts').run();
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy fails SQLite's quick_check: ${String(check)}`);
    } finally {
      copy.close();
    }
    syncFile(partial);
    publish(partial, target);
    syncFile(path.dirname(target));
    return { file: target, bytes: statSync(target).size, pages, ms: Date.now() - started };
  } finally {
    for (const leftover of [partial, `${partial}-journal`, `${partial}-wal`, `${partial}-shm`]) {
      if (existsSync(leftover)) unlinkSync(leftover);
    }
  }
}

/** Gives the finished copy its name, unless a file took that name meanwhile. */
function publish(partial: string, target: string): void {
  try {
    linkSync(partial, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new BackupRefused(`"${target}" already exists: name a new file (a backup never overwrites one)`);
    // A file system without hard links: a rename, checked just before.
    if (existsSync(target)) throw new BackupRefused(`"${target}" already exists: name a new file (a backup never overwrites one)`);
    renameSync(partial, target);
  }
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
