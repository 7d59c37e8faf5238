import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CollectorProcess } from '../../collector/test/helpers/collector-process';
import { FakeRegistry, packument, PublishedVersion } from '../../collector/test/helpers/packument';
import { rowsOf } from '../../collector/test/helpers/tables';

/**
 * Node-RED's own telemetry client (4.1+, core's module unmodified) against
 * the real collector process serving HTTPS on 127.0.0.1, for every kind of
 * answer the collector gives. Core compares versions without a guard and
 * red.js exits on the resulting rejection, so each case asserts that core
 * finished cleanly and raised `update-available` exactly when it should.
 */
const DRIVER = path.join(__dirname, 'core-telemetry-driver.js');

interface CoreRun {
  code: number | null;
  stdout: string;
  stderr: string;
  events: Array<{ id: string; payload: { version: string } }>;
  logs: Array<{ level: string; msg: string }>;
}

/** A certificate for telemetry.nodered.org, made for this run; it is also its own CA. */
function certificate(): { cert: string; key: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nrt-core-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=telemetry.nodered.org',
    '-addext', 'subjectAltName=DNS:telemetry.nodered.org',
  ], { stdio: 'ignore' });
  return { cert, key };
}

let runs = 0;

/** Runs core's module once, as a Node-RED of `coreVersion` with a new instance id, against TLS port `port`. */
function runCore(port: number, coreVersion: string, ca: string): Promise<CoreRun> {
  const instanceId = `a1b2c3d4${(++runs).toString(16).padStart(8, '0')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DRIVER], {
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: ca, COLLECTOR_TLS_PORT: String(port), CORE_VERSION: coreVersion, INSTANCE_ID: instanceId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const result = code === 0 ? (JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { emitted: CoreRun['events']; logs: CoreRun['logs'] }) : { emitted: [], logs: [] };
      resolve({ code, stdout, stderr, events: result.emitted, logs: result.logs });
    });
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** A Node.js range the Node.js running this test does not satisfy. */
const NEWER_NODE = `>=${Number(process.versions.node.split('.')[0]) + 1}`;

/** Versions in the fake registry: 4.x and the 5.0 pre-release run here; 5.0.7 needs a newer Node.js. */
const RELEASES: Record<string, PublishedVersion> = {
  '4.1.0': { node: '>=18.5' },
  '4.1.2': { node: '>=18.5' },
  '5.0.0-beta.1': { node: '>=18.5' },
  '5.0.7': { node: NEWER_NODE },
};

describe('Node-RED\'s own telemetry client against the collector (core module unmodified, over TLS)', function () {
  this.timeout(60_000);
  let tlsFiles: { cert: string; key: string };
  const running: Array<{ stop(): Promise<unknown> }> = [];

  before(() => {
    tlsFiles = certificate();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
  });

  async function collector(args: string[]): Promise<CollectorProcess> {
    const started = await CollectorProcess.start({ store: 'sqlite', args: ['--tls-cert', tlsFiles.cert, '--tls-key', tlsFiles.key, ...args] });
    running.push(started);
    assert.match(started.url, /^https:\/\//);
    return started;
  }

  async function registry(tags: Record<string, string>): Promise<FakeRegistry> {
    const started = await new FakeRegistry(packument(RELEASES, tags)).start();
    running.push(started);
    return started;
  }

  /** Waits until the collector has polled the registry, so the answer is not the one before the first poll. */
  async function polled(c: CollectorProcess): Promise<void> {
    await c.waitForLog((e) => e.msg === 'node-red versions updated from the registry' || e.msg === 'registry poll failed; keeping the last known versions');
  }

  /** Core, as a Node-RED of `coreVersion`, against a collector that polled a registry with these tags. */
  async function coreAgainstRegistry(tags: Record<string, string>, coreVersion: string): Promise<CoreRun> {
    const r = await registry(tags);
    const c = await collector(['--registry', r.url]);
    await polled(c);
    const run = await runCore(portOf(c.url), coreVersion, tlsFiles.cert);
    assertClean(run);
    return run;
  }

  const updates = (run: CoreRun) => run.events.filter((e) => e.id === 'update-available').map((e) => e.payload.version);

  function assertClean(run: CoreRun): void {
    assert.equal(run.code, 0, `core's telemetry client did not finish cleanly:\n${run.stderr}`);
    assert.ok(run.logs.some((l) => l.msg.startsWith('Telemetry response')), `no answer reached core: ${JSON.stringify(run.logs)}`);
  }

  it('control: the answer that used to be given with no versions known crashes core, and this harness sees it', async () => {
    const server = https.createServer({ cert: readFileSync(tlsFiles.cert), key: readFileSync(tlsFiles.key) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"node-red":{}}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const run = await runCore((server.address() as net.AddressInfo).port, '4.1.0', tlsFiles.cert);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /TypeError: Invalid version[\s\S]*at report \(.*@node-red\/runtime\/lib\/telemetry\/index\.js/);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('registry down: no versions known, core is told nothing and carries on; its report is stored as node-red-core', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((r) => closed.close(r));
    const c = await collector(['--registry', `http://127.0.0.1:${port}`]);
    await polled(c);
    const run = await runCore(portOf(c.url), '4.1.0', tlsFiles.cert);
    assertClean(run);
    assert.deepEqual(updates(run), []);
    assert.ok(run.logs.some((l) => l.msg === 'Telemetry response: {}'));
    const rows = await rowsOf({ dataDir: c.dataDir }, 'reports');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].client, 'node-red-core');
    assert.match(String(rows[0].instance_id), /^[0-9a-f]{16}$/);
  });

  it('registry without next: core older than latest is offered latest', async () => {
    const run = await coreAgainstRegistry({ latest: '4.1.2' }, '4.1.0');
    assert.deepEqual(updates(run), ['4.1.2']);
  });

  it('core newer than latest, registry without next: no offer, no crash', async () => {
    const run = await coreAgainstRegistry({ latest: '4.1.2' }, '4.2.0');
    assert.deepEqual(updates(run), []);
  });

  it('core on a pre-release between latest and next is offered next', async () => {
    const run = await coreAgainstRegistry({ latest: '4.1.2', next: '5.0.0-beta.1' }, '5.0.0-beta.0');
    assert.deepEqual(updates(run), ['5.0.0-beta.1']);
  });

  it('a newer release core\'s Node.js cannot run is not offered', async () => {
    const run = await coreAgainstRegistry({ latest: '5.0.7' }, '4.1.0');
    assert.deepEqual(updates(run), ['4.1.2']);
  });

  it('fixed versions: latest alone, and latest with next', async () => {
    const alone = await collector(['--latest', '4.1.2']);
    const first = await runCore(portOf(alone.url), '4.2.0', tlsFiles.cert);
    assertClean(first);
    assert.deepEqual(updates(first), [], 'newer than the fixed latest: next is latest, so no offer and no crash');
    const both = await collector(['--latest', '4.1.2', '--next', '5.0.0-beta.1']);
    for (const [version, expected] of [['4.1.0', ['4.1.2']], ['5.0.0-beta.0', ['5.0.0-beta.1']], ['5.0.0', []]] as const) {
      const run = await runCore(portOf(both.url), version, tlsFiles.cert);
      assertClean(run);
      assert.deepEqual(updates(run), expected, version);
    }
  });
});
