import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectEnvironment, diskFreeGiB, EnvironmentProbe, piModelOf, uptimeBucket } from '../../../src/insight/environment';

/** A fake filesystem root with the given files, so detection is tested without root or a container. */
function root(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nrt-env-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

function probe(files: Record<string, string>, env: Record<string, string> = {}): EnvironmentProbe {
  return { root: root(files), env, cpus: () => 4, totalMemory: () => 7.6 * 1024 ** 3 };
}

describe('insight: environment detection from fixture files', () => {
  it('a bare machine: no container, no Kubernetes, no CI, no Pi; memory rounded to GiB', () => {
    assert.deepEqual(detectEnvironment(probe({ 'proc/self/cgroup': '0::/user.slice/user-1000.slice/session-2.scope\n' })), {
      cpus: 4,
      memoryGiB: 8,
      container: 'none',
      kubernetes: false,
      ci: false,
      officialDockerImage: false,
      piModel: 'none',
    });
  });

  const containers: Array<[string, Record<string, string>, Record<string, string>, string]> = [
    ['/.dockerenv', { '.dockerenv': '' }, {}, 'docker'],
    ['a docker cgroup (cgroup v1)', { 'proc/self/cgroup': '12:pids:/docker/3f2a9c\n' }, {}, 'docker'],
    ['a docker scope (systemd cgroup driver)', { 'proc/self/cgroup': '0::/system.slice/docker-3f2a9c.scope\n' }, {}, 'docker'],
    ['/run/.containerenv', { 'run/.containerenv': 'engine="podman-4.9"\n' }, {}, 'podman'],
    ['a libpod cgroup', { 'proc/self/cgroup': '0::/machine.slice/libpod-7d1e.scope\n' }, {}, 'podman'],
    ['container=podman', {}, { container: 'podman' }, 'podman'],
    ['container=lxc', {}, { container: 'lxc' }, 'lxc'],
    ['/dev/.lxc-boot-id', { 'dev/.lxc-boot-id': 'x' }, {}, 'lxc'],
    ['an lxc cgroup', { 'proc/self/cgroup': '0::/lxc.payload.web/init.scope\n' }, {}, 'lxc'],
  ];
  for (const [label, files, env, expected] of containers) {
    it(`container: ${label} -> ${expected}`, () => {
      assert.equal(detectEnvironment(probe(files, env)).container, expected);
    });
  }

  it('Kubernetes: from KUBERNETES_SERVICE_HOST or the service account mount', () => {
    assert.equal(detectEnvironment(probe({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).kubernetes, true);
    assert.equal(detectEnvironment(probe({ 'var/run/secrets/kubernetes.io/serviceaccount/token': 't' })).kubernetes, true);
    assert.equal(detectEnvironment(probe({})).kubernetes, false);
  });

  it('CI: CI=true, JENKINS_URL, TF_BUILD; CI=false is not CI', () => {
    assert.equal(detectEnvironment(probe({}, { CI: 'true' })).ci, true);
    assert.equal(detectEnvironment(probe({}, { JENKINS_URL: 'http://j' })).ci, true);
    assert.equal(detectEnvironment(probe({}, { TF_BUILD: 'True' })).ci, true);
    assert.equal(detectEnvironment(probe({}, { CI: 'false' })).ci, false);
  });

  it('the official Node-RED image: /usr/src/node-red/package.json named node-red-docker', () => {
    assert.equal(detectEnvironment(probe({ 'usr/src/node-red/package.json': '{"name":"node-red-docker","version":"4.1.15"}' })).officialDockerImage, true);
    assert.equal(detectEnvironment(probe({ 'usr/src/node-red/package.json': '{"name":"my-image"}' })).officialDockerImage, false);
    assert.equal(detectEnvironment(probe({ 'usr/src/node-red/package.json': 'not json' })).officialDockerImage, false);
  });

  it('the Raspberry Pi family from /proc/device-tree/model (NUL-terminated)', () => {
    assert.equal(detectEnvironment(probe({ 'proc/device-tree/model': 'Raspberry Pi 4 Model B Rev 1.4\0' })).piModel, '4');
    const models: Array<[string, string]> = [
      ['Raspberry Pi 5 Model B Rev 1.0', '5'],
      ['Raspberry Pi 3 Model B Plus Rev 1.3', '3'],
      ['Raspberry Pi Zero 2 W Rev 1.0', 'zero'],
      ['Raspberry Pi 400 Rev 1.0', '400'],
      ['Raspberry Pi 500 Rev 1.0', '500'],
      ['Raspberry Pi Compute Module 4 Rev 1.0', 'compute-module'],
      ['Raspberry Pi Model B Rev 2', '1'],
      ['Raspberry Pi 2 Model B Rev 1.1', '2'],
      ['Raspberry Pi 9 Model Q', 'other'],
      ['Pine64 RockPro64 v2.1', 'none'],
      ['', 'none'],
    ];
    for (const [model, family] of models) assert.equal(piModelOf(model), family, model);
  });

  it('uptime in buckets, and free disk of a real directory in whole GiB', () => {
    assert.deepEqual([0, 3599, 3600, 86399, 86400, 7 * 86400, 30 * 86400].map(uptimeBucket), ['<1h', '<1h', '1h-1d', '1h-1d', '1d-7d', '7d-30d', '>30d']);
    const free = diskFreeGiB(os.tmpdir());
    assert.ok(Number.isInteger(free) && (free as number) >= 0);
    assert.equal(diskFreeGiB(path.join(os.tmpdir(), 'no-such-dir-nrt')), undefined);
    assert.equal(diskFreeGiB(undefined), undefined);
  });
});
