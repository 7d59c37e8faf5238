import { FileHandle, open } from 'node:fs/promises';
import path from 'node:path';

/**
 * The store can no longer promise that what it writes is durable: it refuses
 * every write until the collector is restarted. What it committed last may
 * or may not be on disk.
 */
export class DurabilityLost extends Error {
  override readonly name = 'DurabilityLost';
}

/**
 * Makes what SQLite has written to its write-ahead log durable, with an
 * `fdatasync` on libuv's thread pool instead of inside the commit: while the
 * disk takes its time, the event loop reads and checks the next reports
 * (BENCHMARKS.md). SQLite keeps the `-wal` file, the same file, for as long
 * as a connection to the database is open, so one handle serves every sync;
 * it is opened with the store, so that a later write-back error is reported
 * to it, and a log that cannot be opened stops the start.
 *
 * Opening also syncs the directory, so that a log SQLite has just created is
 * found after a power cut (its own syncs would have done that). After one
 * failure every later call fails too, without trying: on Linux a failed sync
 * may have dropped the pages it could not write, and a lost frame makes
 * SQLite discard the rest of the log when it recovers, so nothing written
 * after it can be promised durable until the collector restarts.
 */
export class WalSync {
  private handle: Promise<FileHandle> | undefined;
  private failure: DurabilityLost | undefined;
  private closed = false;

  constructor(
    /** The database's `-wal` file. */
    readonly file: string,
  ) {}

  /** The failure that ended durability, if one did. */
  get broken(): DurabilityLost | undefined {
    return this.failure;
  }

  /** Opens the log (and syncs its directory) now rather than at the first sync; a store that cannot is not opened. */
  async open(): Promise<void> {
    if (this.failure) throw this.failure;
    try {
      await this.opened();
    } catch (err) {
      throw new DurabilityLost(`cannot open the database's write-ahead log ${this.file} to sync it (${messageOf(err)})`, { cause: err });
    }
  }

  /** Resolves once everything written to the log before this call is on disk. */
  async sync(): Promise<void> {
    if (this.failure) throw this.failure;
    try {
      await (await this.opened()).datasync();
    } catch (err) {
      throw this.fail(`syncing the database's write-ahead log ${this.file} to disk failed`, err);
    }
  }

  /** Ends durability, for a failed sync or a cause found elsewhere (the connection left unable to wait for the disk). */
  fail(reason: string, cause: unknown): DurabilityLost {
    this.failure ??= new DurabilityLost(`${reason} (${messageOf(cause)}); the collector stores nothing more until it is restarted`, { cause });
    return this.failure;
  }

  async close(): Promise<void> {
    this.closed = true;
    const handle = this.handle;
    this.handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
  }

  private opened(): Promise<FileHandle> {
    if (this.closed) return Promise.reject(new Error(`the write-ahead log ${this.file} was closed with its store`));
    this.handle ??= openDurably(this.file);
    return this.handle;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The file, opened once its entry in the directory is on disk. Windows
 * flushes only a handle that may write, and has no directory to sync (nor
 * does SQLite sync one there).
 */
async function openDurably(file: string): Promise<FileHandle> {
  const windows = process.platform === 'win32';
  const handle = await open(file, windows ? 'r+' : 'r');
  if (windows) return handle;
  try {
    const directory = await open(path.dirname(file), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}
