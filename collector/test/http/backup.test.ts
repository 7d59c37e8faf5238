import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { addDays, dayOf } from '../../src/days';
import { COLLECTOR_BIN, CollectorProcess, postReport, report, startInProcess, StoreKind } from '../helpers/collector-process';
import { dumpServer, DumpServer } from '../helpers/pg-tools';
import { rowsOf, StoreFiles } from '../helpers/tables';
import { CommandRun, runCommand } from '../helpers/run-command';

/**
 * Backup and restore as collector/README.md ("Backup and restore") tells an
 * operator to do them: `backup <file>` on a live SQLite store, pg_dump and
 * pg_restore on PostgreSQL, and a collector started on the copy.
 */

const run = runCommand;

const cli = (args: string[]) => run(process.execPath, [COLLECTOR_BIN, ...args]);

const tmp = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), prefix));

/** The command-line arguments that name `files` as the store. */
const storeArgs = (files: StoreFiles) => ['--data', files.dataDir, ...(files.databaseUrl ? ['--database-url', files.databaseUrl] : [])];

/** Published answers, each compared byte for byte between a collector and its restored copy. */
function published(yesterday: string): string[] {
  return [
    '/api/v1/summary',
    '/api/v1/instances?range=30',
    '/api/v1/instances?range=all&format=csv',
    '/api/v1/series/node-red?range=30',
    '/api/v1/series/nodejs?range=all',
    '/api/v1/breakdown/os',
    `/api/v1/breakdown/node-red?day=${yesterday}`,
    `/api/v1/breakdown/node-red?day=${addDays(yesterday, -7)}`,
    '/api/usage?days=30',
  ];
}

/**
 * Fills `files` with a rolled-up history: `demo-data` up to the day before
 * yesterday, then real reports received yesterday (by a collector whose clock
 * says so), rolled up by `aggregate`.
 */
async function rolledUpHistory(files: StoreFiles, yesterday: string): Promise<void> {
  const demo = await cli(['demo-data', ...storeArgs(files), '--days', '30', '--instances', '200', '--end', addDays(yesterday, -1)]);
  assert.equal(demo.code, 0, demo.stderr);
  const noon = new Date(`${yesterday}T12:00:00Z`);
  const live = await startInProcess({ store: files, config: { latest: '4.2.0' }, options: { now: () => noon } });
  try {
    for (let i = 1; i <= 8; i++) assert.equal(await postReport(live.url, report({}, i)), 200);
  } finally {
    await live.stop();
  }
  const aggregate = await cli(['aggregate', '--day', yesterday, ...storeArgs(files)]);
  assert.equal(aggregate.code, 0, aggregate.stderr);
  assert.match(aggregate.stdout, new RegExp(`"status":"aggregated","day":"${yesterday}","instances":8`));
}

/** Asserts that two collectors publish the same answers, and that those include yesterday's roll-up. */
async function assertSamePublished(original: CollectorProcess, restored: CollectorProcess, yesterday: string): Promise<void> {
  for (const url of published(yesterday)) {
    const [a, b] = await Promise.all([original.request('GET', url), restored.request('GET', url)]);
    assert.equal(a.status, 200, `${url}: ${a.text}`);
    assert.equal(b.status, 200, `${url}: ${b.text}`);
    assert.equal(b.text, a.text, url);
  }
  const summary = (await restored.request('GET', '/api/v1/summary')).body as { lastDay: string; daysAggregated: number; lastDayTotals: { instances: number } };
  assert.equal(summary.lastDay, yesterday);
  assert.equal(summary.daysAggregated, 31);
  assert.equal(summary.lastDayTotals.instances, 8);
}

describe('collector backup and restore', function () {
  this.timeout(120_000);

  it('backup copies a live SQLite store consistently while reports are being ingested', async () => {
    const collector = await CollectorProcess.start({ store: 'sqlite', args: ['--latest', '4.2.0'], config: { rateLimit: { perAddress: 1_000_000 } } });
    const file = path.join(tmp('nrt-backup-'), 'collector-backup.sqlite');
    const acked: string[] = [];
    const sent: string[] = [];
    const refused: number[] = [];
    let stop = false;
    let next = 1;
    const deadline = Date.now() + 60_000;
    // Four senders at a time, bounded in count and time, until told to stop.
    const sender = async () => {
      while (!stop && next <= 20_000 && Date.now() < deadline) {
        const i = next++;
        const id = report({}, i).instanceId;
        sent.push(id);
        const answer = await collector.request('POST', '/ping', report({}, i));
        if (answer.status === 200) acked.push(id);
        else refused.push(answer.status);
      }
    };
    const load = Promise.all([sender(), sender(), sender(), sender()]);
    const until = async (condition: () => boolean) => {
      while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    let backup: CommandRun;
    let ackedBefore: Set<string>;
    let sentBy: Set<string>;
    let ackedWhile: number;
    try {
      await until(() => acked.length >= 200);
      ackedBefore = new Set(acked);
      backup = await cli(['backup', file, '--data', collector.dataDir]);
      sentBy = new Set(sent);
      ackedWhile = acked.length - ackedBefore.size;
      const target = acked.length + 50;
      await until(() => acked.length >= target);
    } finally {
      stop = true;
      await load;
    }
    assert.deepEqual(refused, [], 'every report was stored');
    assert.equal(backup.code, 0, backup.stderr);
    assert.ok(ackedWhile > 0, 'reports were stored while the backup ran');
    const written = JSON.parse(backup.stdout.trim().split('\n').at(-1)!) as { file: string; bytes: number };
    assert.equal(written.file, file);
    assert.equal(statSync(file).size, written.bytes);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only');

    const copy = new SQLite(file, { readonly: true });
    try {
      assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal(copy.pragma('journal_mode', { simple: true }), 'delete', 'one self-contained file');
      assert.deepEqual(copy.prepare('select * from salts').all(), [], "no address-hash secret in a backup");
    } finally {
      copy.close();
    }
    assert.equal((await rowsOf({ dataDir: collector.dataDir }, 'salts')).length, 1, 'the live store keeps its secret');

    // Restored as the README says: the backup as collector.sqlite in a data directory of its own.
    const restoredDir = tmp('nrt-restored-');
    copyFileSync(file, path.join(restoredDir, 'collector.sqlite'));
    const inBackup = new Set((await rowsOf({ dataDir: restoredDir }, 'reports')).map((r) => String(r.instance_id)));
    const lost = [...ackedBefore].filter((id) => !inBackup.has(id));
    assert.deepEqual(lost, [], 'every report acknowledged before the backup started is in it');
    const unknown = [...inBackup].filter((id) => !sentBy.has(id));
    assert.deepEqual(unknown, [], 'the backup holds only reports sent before it ended');
    assert.ok(inBackup.size >= ackedBefore.size && inBackup.size <= sentBy.size, `${inBackup.size} reports in the backup`);

    await collector.stop();
    const restored = await CollectorProcess.start({ store: { dataDir: restoredDir }, args: ['--latest', '4.2.0'] });
    try {
      assert.equal((await restored.request('GET', '/healthz')).status, 200);
      assert.equal((await restored.request('POST', '/ping', report({}, 50_001))).status, 200, 'the restored store takes reports (with a new secret)');
    } finally {
      await restored.stop();
    }

    const again = await cli(['backup', file, '--data', restoredDir]);
    assert.equal(again.code, 2);
    assert.equal(again.stderr, `backup: "${file}" already exists: name a new file (a backup never overwrites one)\n`);
  });

  const STORES: StoreKind[] = ['sqlite', 'postgres'];
  for (const kind of STORES) {
    it(`a collector restored from a ${kind === 'sqlite' ? '`backup`' : 'pg_dump / pg_restore'} copy publishes the same numbers (${kind})`, async () => {
      const yesterday = addDays(dayOf(new Date()), -1);
      let server: DumpServer | undefined;
      try {
        const files: StoreFiles = { dataDir: tmp('nrt-original-') };
        if (kind === 'postgres') {
          server = await dumpServer();
          files.databaseUrl = await server.fresh();
        }
        await rolledUpHistory(files, yesterday);
        const original = await CollectorProcess.start({ store: files, args: ['--latest', '4.2.0'] });
        const restoredFiles: StoreFiles = { dataDir: tmp('nrt-restored-') };
        const backupFile = path.join(tmp('nrt-backup-'), kind === 'sqlite' ? 'collector.sqlite' : 'collector.dump');

        const backup = await cli(['backup', backupFile, ...storeArgs(files)]);
        if (kind === 'sqlite') {
          assert.equal(backup.code, 0, backup.stderr);
          // README: stop, copy the backup to <data>/collector.sqlite, remove any -wal and -shm, start.
          copyFileSync(backupFile, path.join(restoredFiles.dataDir, 'collector.sqlite'));
        } else {
          // The command refuses PostgreSQL, naming the tool to use and never the password.
          assert.equal(backup.code, 2);
          const password = new URL(files.databaseUrl!).password;
          assert.match(backup.stderr, /^backup: the store is PostgreSQL at 127\.0\.0\.1:\d+, database "\w+" \(DATABASE_URL\), which this command does not copy: use PostgreSQL's pg_dump/);
          assert.equal(backup.stderr.trim().split('\n').length, 1, backup.stderr);
          if (password) assert.ok(!backup.stderr.includes(password), 'no password');
          // README: pg_dump, then pg_restore into a new, empty database.
          const dump = await run(path.join(server!.bin, 'pg_dump'), ['--format=custom', '--exclude-table-data=salts', '--file', backupFile, '--dbname', files.databaseUrl!]);
          assert.equal(dump.code, 0, dump.stderr);
          restoredFiles.databaseUrl = await server!.fresh();
          const restore = await run(path.join(server!.bin, 'pg_restore'), ['--no-owner', '--no-privileges', '--exit-on-error', '--dbname', restoredFiles.databaseUrl, backupFile]);
          assert.equal(restore.code, 0, restore.stderr);
          assert.deepEqual(await rowsOf(restoredFiles, 'salts'), [], 'no address-hash secret in the dump');
        }
        const restored = await CollectorProcess.start({ store: restoredFiles, args: ['--latest', '4.2.0'] });
        await assertSamePublished(original, restored, yesterday);
        await Promise.all([original.stop(), restored.stop()]);
      } finally {
        await server?.stop();
      }
    });
  }
});
