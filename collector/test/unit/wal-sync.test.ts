import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DurabilityLost, WalSync } from '../../src/store/wal-sync';

/**
 * The sync that makes a SQLite batch durable, on real files. A disk that
 * fails a sync cannot be made here; /dev/null can: Linux refuses to sync it
 * (EINVAL), through the same call.
 */
describe('the write-ahead log sync', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nrt-wal-sync-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** This process's open descriptors on `file`. */
  function descriptorsOn(file: string): number {
    return readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false; // closed while listed (the listing's own descriptor)
      }
    }).length;
  }

  it('syncs a real file as often as asked, through the one handle it opened, which close releases', async () => {
    const file = path.join(dir, 'collector.sqlite-wal');
    writeFileSync(file, 'frames');
    const sync = new WalSync(file);
    await sync.open();
    assert.equal(descriptorsOn(file), 1);
    for (let i = 0; i < 3; i++) {
      appendFileSync(file, `frame ${i}`);
      await sync.sync();
    }
    assert.equal(descriptorsOn(file), 1);
    assert.equal(sync.broken, undefined);
    await sync.close();
    assert.equal(descriptorsOn(file), 0);
  });

  it('a file that cannot be synced: the failure names the file and the cause, and every later call fails the same', async () => {
    const sync = new WalSync('/dev/null');
    try {
      await sync.open();
      const first = await sync.sync().then(
        () => assert.fail('/dev/null was synced'),
        (err: unknown) => err,
      );
      assert.ok(first instanceof DurabilityLost);
      assert.match(first.message, /\/dev\/null/);
      assert.match(first.message, /EINVAL/);
      assert.match(first.message, /restarted/);
      assert.equal((first.cause as NodeJS.ErrnoException).code, 'EINVAL');
      assert.equal(sync.broken, first);
      await assert.rejects(sync.sync(), (err) => err === first);
    } finally {
      await sync.close();
    }
  });

  it('a log that is not there: opening says so (the store is not opened), and a sync fails too, also once the file appears', async () => {
    const file = path.join(dir, 'collector.sqlite-wal');
    const sync = new WalSync(file);
    try {
      await assert.rejects(sync.open(), (err) => err instanceof DurabilityLost && /cannot open the database's write-ahead log/.test(err.message) && (err.cause as NodeJS.ErrnoException).code === 'ENOENT');
      writeFileSync(file, 'frames');
      await assert.rejects(sync.sync(), (err) => err instanceof DurabilityLost && err === sync.broken);
    } finally {
      await sync.close();
    }
  });

  it('a failure found elsewhere ends durability too, and the first cause is the one kept', async () => {
    const file = path.join(dir, 'collector.sqlite-wal');
    writeFileSync(file, 'frames');
    const sync = new WalSync(file);
    try {
      await sync.open();
      const lost = sync.fail('setting the database connection back to synchronous=FULL failed', new Error('cannot change safety level inside a transaction'));
      assert.match(lost.message, /synchronous=FULL failed \(cannot change safety level inside a transaction\)/);
      assert.equal(sync.fail('later', new Error('another')), lost);
      await assert.rejects(sync.sync(), (err) => err === lost);
    } finally {
      await sync.close();
    }
  });
});
