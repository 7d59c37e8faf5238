import { existsSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvironmentInsight, PI_MODELS, UPTIME_BUCKETS } from '@node-red-telemetry/protocol/insight';

/** Where the detections look; a test points `root` at a fixture directory instead of `/`. */
export interface EnvironmentProbe {
  root: string;
  env: Readonly<Record<string, string | undefined>>;
  cpus(): number;
  totalMemory(): number;
}

export const REAL_PROBE: EnvironmentProbe = {
  root: '/',
  env: process.env,
  cpus: () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length),
  totalMemory: () => os.totalmem(),
};

const GIB = 1024 ** 3;

function read(probe: EnvironmentProbe, file: string, max = 64 * 1024): string {
  try {
    return readFileSync(path.join(probe.root, file), 'utf8').slice(0, max);
  } catch {
    return '';
  }
}

function exists(probe: EnvironmentProbe, file: string): boolean {
  try {
    return existsSync(path.join(probe.root, file));
  } catch {
    return false;
  }
}

/**
 * The container runtime, from the markers each one leaves:
 * Docker `/.dockerenv`; Podman `/run/.containerenv` or `container=podman`;
 * LXC `container=lxc` or `/dev/.lxc-boot-id`; else the cgroup path of this
 * process (`/docker/`, `libpod`, `/lxc/`). `none` when nothing matches.
 */
export function detectContainer(probe: EnvironmentProbe): EnvironmentInsight['container'] {
  const marker = probe.env.container?.toLowerCase();
  if (exists(probe, 'run/.containerenv') || marker === 'podman') return 'podman';
  if (exists(probe, '.dockerenv') || marker === 'docker') return 'docker';
  if (marker === 'lxc' || exists(probe, 'dev/.lxc-boot-id')) return 'lxc';
  const cgroup = read(probe, 'proc/self/cgroup');
  if (/libpod/.test(cgroup)) return 'podman';
  if (/\/docker[/-]/.test(cgroup)) return 'docker';
  if (/\/lxc[/.]/.test(cgroup)) return 'lxc';
  return 'none';
}

/** Kubernetes sets `KUBERNETES_SERVICE_HOST` in every pod, and mounts a service account token unless told not to. */
export function detectKubernetes(probe: EnvironmentProbe): boolean {
  return Boolean(probe.env.KUBERNETES_SERVICE_HOST) || exists(probe, 'var/run/secrets/kubernetes.io/serviceaccount');
}

/** The variables CI services set: `CI` (GitHub, GitLab, CircleCI, Travis, Buildkite...), Jenkins' `JENKINS_URL`, Azure's `TF_BUILD`. */
export function detectCi(probe: EnvironmentProbe): boolean {
  const ci = probe.env.CI;
  if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') return true;
  return Boolean(probe.env.JENKINS_URL || probe.env.TF_BUILD || probe.env.BUILDKITE || probe.env.GITLAB_CI);
}

/** The official image (`nodered/node-red`) runs from `/usr/src/node-red`, whose package.json is named `node-red-docker`. */
export function detectOfficialImage(probe: EnvironmentProbe): boolean {
  try {
    return (JSON.parse(read(probe, 'usr/src/node-red/package.json')) as { name?: unknown }).name === 'node-red-docker';
  } catch {
    return false;
  }
}

/** The family from `/proc/device-tree/model`, e.g. "Raspberry Pi 4 Model B Rev 1.4" → `4`. */
export function piModelOf(model: string): EnvironmentInsight['piModel'] {
  const text = model.replace(/\0/g, '').trim();
  const match = /^Raspberry Pi (.*)$/.exec(text);
  if (!match) return 'none';
  const rest = match[1];
  if (/^Zero/i.test(rest)) return 'zero';
  if (/^Compute Module/i.test(rest)) return 'compute-module';
  const family = /^(\d+)\b/.exec(rest)?.[1];
  if (family && (PI_MODELS as readonly string[]).includes(family)) return family as EnvironmentInsight['piModel'];
  // "Raspberry Pi Model B Rev 2" is the first one.
  if (/^Model [AB]/.test(rest)) return '1';
  return 'other';
}

/** Free space of the filesystem holding the user directory, in whole GiB. */
export function diskFreeGiB(dir: string | undefined): number | undefined {
  if (!dir || typeof statfsSync !== 'function') return undefined;
  try {
    const stats = statfsSync(dir);
    return Math.round((Number(stats.bavail) * Number(stats.bsize)) / GIB);
  } catch {
    return undefined;
  }
}

export function uptimeBucket(seconds: number): EnvironmentInsight['uptime'] {
  const hours = seconds / 3600;
  const bucket = hours < 1 ? 0 : hours < 24 ? 1 : hours < 24 * 7 ? 2 : hours < 24 * 30 ? 3 : 4;
  return UPTIME_BUCKETS[bucket];
}

/** What does not change while Node-RED runs: detected once, at start. */
export type StaticEnvironment = Omit<EnvironmentInsight, 'uptime' | 'diskFreeGiB'>;

/** Reads a handful of small files and variables; no child process, no network. */
export function detectEnvironment(probe: EnvironmentProbe = REAL_PROBE): StaticEnvironment {
  return {
    cpus: Math.min(4096, Math.max(1, Math.floor(probe.cpus()) || 1)),
    memoryGiB: Math.min(65536, Math.max(0, Math.round(probe.totalMemory() / GIB))),
    container: detectContainer(probe),
    kubernetes: detectKubernetes(probe),
    ci: detectCi(probe),
    officialDockerImage: detectOfficialImage(probe),
    piModel: piModelOf(read(probe, 'proc/device-tree/model', 256)),
  };
}

/** The `environment` group: the static part plus what is read at report time (one statfs, the uptime). */
export function environmentInsight(detected: StaticEnvironment, userDir: string | undefined, uptimeSeconds: number): EnvironmentInsight {
  const disk = diskFreeGiB(userDir);
  const { cpus, memoryGiB, container, kubernetes, ci, officialDockerImage, piModel } = detected;
  return {
    cpus,
    memoryGiB,
    ...(disk !== undefined ? { diskFreeGiB: Math.min(disk, 1_000_000) } : {}),
    container,
    kubernetes,
    ci,
    officialDockerImage,
    piModel,
    uptime: uptimeBucket(uptimeSeconds),
  };
}
