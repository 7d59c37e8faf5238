import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CONNECT_TIMEOUT_MS, FIRST_QUERY_TIMEOUT_MS } from '../../src/store/connect';
import { COLLECTOR_BIN, CollectorProcess, freshStore } from '../helpers/collector-process';
import { runCommand } from '../helpers/run-command';

/**
 * What the collector says as it starts, as operators run it (the bin in a
 * child process): its version, the one line of settings in effect, and, when
 * it cannot start, one line naming the setting at fault and its value (a
 * path, a host), never a password, with the exit code.
 */

const VERSION = (JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
const PASSWORD = 'hunter2-never-shown';

interface Exit {
  code: number | null;
  lines: string[];
  ms: number;
}

/** The collector run to its end (asynchronously: this process's servers must answer it meanwhile). */
async function collector(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Exit> {
  const { code, output, ms } = await runCommand(process.execPath, [COLLECTOR_BIN, ...args], env, timeoutMs);
  return { code, lines: output.split('\n').filter(Boolean), ms };
}

/** The one line a failed start prints, parsed: pino's fatal line. */
function fatal(exit: Exit): { reason: string; msg: string } {
  assert.equal(exit.lines.length, 1, `one line:\n${exit.lines.join('\n')}`);
  const line = JSON.parse(exit.lines[0]) as { level: number; reason: string; msg: string };
  assert.equal(line.level, 60);
  assert.equal(line.msg, 'the collector could not start');
  return line;
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'nrt-start-'));

/** A TCP server on loopback that does `onSocket` with each connection; closed by the test. */
async function tcpServer(onSocket: (socket: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const databaseUrl = (port: number) => `postgres://telemetry:${PASSWORD}@127.0.0.1:${port}/telemetry`;

describe('collector start-up: version, settings in effect', function () {
  this.timeout(60_000);

  it('--version prints the version from package.json and exits 0', async () => {
    const exit = await collector(['--version']);
    assert.equal(exit.code, 0);
    assert.deepEqual(exit.lines, [VERSION]);
  });

  it('logs one line of the settings in effect (SQLite: the file), and answers /healthz with the version', async () => {
    const started = await CollectorProcess.start({ store: 'sqlite', args: ['--latest', '4.2.0', '--next', '5.0.0-beta.1', '--threshold', '7', '--dashboard', '/usage/'] });
    try {
      const lines = started.logs().filter((e) => e.msg === `collector ${VERSION}: settings in effect`);
      assert.equal(lines.length, 1);
      const { level, time: _time, service: _service, msg: _msg, ...settings } = lines[0];
      assert.equal(level, 30);
      assert.deepEqual(settings, {
        version: VERSION,
        store: { kind: 'sqlite', file: path.join(started.dataDir, 'collector.sqlite') },
        threshold: 7,
        retentionDays: 90,
        rateLimit: { perInstance: 1, perAddress: 60 },
        trustProxy: 0,
        dashboard: '/usage/',
        versions: { fixed: { latest: '4.2.0', next: '5.0.0-beta.1' } },
        country: 'off',
      });
      assert.deepEqual((await started.request('GET', '/healthz')).body, { status: 'ok', store: 'sqlite', version: VERSION });
    } finally {
      await started.stop();
    }
  });

  it('names PostgreSQL by host, port and database, the registry and its interval, and never a user or password', async () => {
    const files = await freshStore('postgres');
    const url = new URL(files.databaseUrl!);
    const started = await CollectorProcess.start({
      store: files,
      args: ['--registry', 'http://npm-user:npm-secret@127.0.0.1:9/', '--country', 'on'],
      env: { COLLECTOR_VERSIONS_INTERVAL: '30m' },
    });
    try {
      const line = await started.waitForLog((e) => e.msg === `collector ${VERSION}: settings in effect`);
      assert.deepEqual(line.store, { kind: 'postgres', host: url.hostname, port: Number(url.port), database: url.pathname.slice(1) });
      assert.deepEqual(line.versions, { registry: 'http://127.0.0.1:9', intervalSeconds: 1800 });
      assert.equal(line.country, 'on');
      const settings = JSON.stringify(line);
      // The store names no user (its fields are compared whole above), nor a password; the registry keeps neither.
      for (const secret of [url.password, 'npm-secret', 'npm-user']) assert.ok(secret && !settings.includes(secret), `"${secret}" is in the line`);
      assert.ok(!started.lines.join('\n').includes(url.password), 'the database password is nowhere in the log');
    } finally {
      await started.stop();
    }
  });
});

describe('collector start-up errors: one line naming the setting', function () {
  this.timeout(60_000);

  it('a data directory that cannot be made: --data and the path, exit 1', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'file'), 'not a directory');
    const data = path.join(dir, 'file', 'sub');
    const exit = await collector(['--port', '0', '--data', data, '--latest', '4.2.0']);
    assert.equal(exit.code, 1);
    assert.equal(fatal(exit).reason, `--data (COLLECTOR_DATA): cannot create the data directory "${data}" (ENOTDIR: not a directory)`);
  });

  it('a store file that cannot be opened: --data and the file, exit 1', async () => {
    const data = tmp();
    // A directory where the database file should be: unopenable, even for root.
    mkdirSync(path.join(data, 'collector.sqlite'));
    const exit = await collector(['--port', '0', '--latest', '4.2.0'], { COLLECTOR_DATA: data });
    assert.equal(exit.code, 1);
    assert.equal(fatal(exit).reason, `--data (COLLECTOR_DATA): cannot open the SQLite store "${path.join(data, 'collector.sqlite')}" (SQLITE_CANTOPEN: unable to open database file)`);
  });

  for (const [what, answer] of [
    ['an HTTP server', (socket: net.Socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'))],
    ['a server answering garbage', (socket: net.Socket) => socket.end('220 smtp.example ESMTP ready\r\n')],
  ] as const) {
    it(`DATABASE_URL at ${what}: DATABASE_URL, host and port, no password, exit 1`, async () => {
      const server = await tcpServer(answer);
      try {
        const exit = await collector(['--port', '0', '--latest', '4.2.0'], { DATABASE_URL: databaseUrl(server.port) });
        assert.equal(exit.code, 1);
        assert.equal(
          fatal(exit).reason,
          `DATABASE_URL (--database-url): cannot connect to PostgreSQL at 127.0.0.1:${server.port}, database "telemetry" (Connection terminated unexpectedly: is it a PostgreSQL server?)`,
        );
        assert.ok(!exit.lines[0].includes(PASSWORD));
      } finally {
        await server.close();
      }
    });
  }

  it(`DATABASE_URL at a server that accepts and stays silent: gives up after ${CONNECT_TIMEOUT_MS / 1000} s, exit 1`, async () => {
    const server = await tcpServer(() => undefined);
    try {
      const exit = await collector(['--port', '0', '--latest', '4.2.0'], { DATABASE_URL: databaseUrl(server.port) }, CONNECT_TIMEOUT_MS + 15_000);
      assert.equal(exit.code, 1, exit.lines.join('\n'));
      assert.match(
        fatal(exit).reason,
        new RegExp(`^DATABASE_URL \\(--database-url\\): no answer from PostgreSQL at 127\\.0\\.0\\.1:${server.port}, database "telemetry" within ${CONNECT_TIMEOUT_MS / 1000} s of connecting \\(`),
      );
      assert.ok(!exit.lines[0].includes(PASSWORD));
      assert.ok(exit.ms >= CONNECT_TIMEOUT_MS && exit.ms < CONNECT_TIMEOUT_MS + 10_000, `${exit.ms} ms`);
    } finally {
      await server.close();
    }
  });

  it(`DATABASE_URL at a server that connects and never answers a query: gives up after ${FIRST_QUERY_TIMEOUT_MS / 1000} s, exit 1`, async () => {
    // PostgreSQL's start of a session, and nothing after: AuthenticationOk, then ReadyForQuery.
    const server = await tcpServer((socket) =>
      socket.once('data', () => {
        const ok = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]);
        const ready = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);
        socket.write(Buffer.concat([ok, ready]));
      }),
    );
    try {
      const exit = await collector(['--port', '0', '--latest', '4.2.0'], { DATABASE_URL: databaseUrl(server.port) }, FIRST_QUERY_TIMEOUT_MS + 15_000);
      assert.equal(exit.code, 1, exit.lines.join('\n'));
      assert.equal(
        fatal(exit).reason,
        `DATABASE_URL (--database-url): no answer to a first query from PostgreSQL at 127.0.0.1:${server.port}, database "telemetry" within ${FIRST_QUERY_TIMEOUT_MS / 1000} s (Query read timeout)`,
      );
      assert.ok(exit.ms >= FIRST_QUERY_TIMEOUT_MS && exit.ms < FIRST_QUERY_TIMEOUT_MS + 10_000, `${exit.ms} ms`);
    } finally {
      await server.close();
    }
  });

  it('a bad value in the config file is a warning naming the file and key while a flag overrides it, and the error without', async () => {
    const started = await CollectorProcess.start({ store: 'sqlite', args: ['--latest', '4.2.0'], config: { port: 'eighty' } });
    const file = path.join(started.dataDir, 'collector.json');
    try {
      const warnings = started.logs().filter((e) => e.level === 40);
      assert.deepEqual(
        warnings.map((e) => e.msg),
        [`config file ${file} "port": must be an integer from 0 to 65535 (got "eighty"); not in effect while --port overrides it, but it stops the start without that`],
      );
    } finally {
      await started.stop();
    }
    const exit = await collector(['--config', file, '--data', started.dataDir]);
    assert.equal(exit.code, 2);
    assert.deepEqual(exit.lines, ['config file "port": must be an integer from 0 to 65535 (got "eighty")']);
  });

  for (const args of [['--threshold', '-1'], ['--threshold=-1']]) {
    it(`${args.join(' ')}: the range, naming the flag, exit 2`, async () => {
      const exit = await collector([...args, '--data', tmp()]);
      assert.equal(exit.code, 2);
      assert.deepEqual(exit.lines, ['--threshold: must be an integer from 1 to 1000 (got "-1")']);
    });
  }
});
