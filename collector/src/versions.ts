import semver from 'semver';
import { request } from 'undici';
import type { Logger } from 'pino';
import { readCapped } from '../../src/read-capped';
import { ANSWER_KEY, VersionAnswer } from '../../src/schema';

/** How long one registry request may take, and how much of its answer is read. */
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 64 * 1024;

/** The collector's answer body, in Node-RED's format. */
export function answerBody(versions: VersionAnswer): Record<string, VersionAnswer> {
  return { [ANSWER_KEY]: { ...versions } };
}

/** Pure: the versions in a registry's dist-tags document, or null when it holds none. */
export function fromDistTags(body: unknown): VersionAnswer | null {
  if (!body || typeof body !== 'object') return null;
  const tags = body as Record<string, unknown>;
  const answer: VersionAnswer = {};
  for (const key of ['latest', 'next'] as const) {
    const value = typeof tags[key] === 'string' ? semver.valid(tags[key] as string) : null;
    if (value) answer[key] = value;
  }
  return answer.latest || answer.next ? answer : null;
}

/**
 * The latest Node-RED versions: fixed by configuration, or polled from the npm
 * registry. A failed poll keeps the last good answer, so a registry outage
 * never turns into "no update" or an error for reporting instances.
 */
export class Versions {
  private value: VersionAnswer;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly options: { fixed?: VersionAnswer; registry: string; interval: number; log: Logger },
  ) {
    this.value = options.fixed ? { ...options.fixed } : {};
  }

  current(): VersionAnswer {
    return { ...this.value };
  }

  /** Starts polling (unless fixed); resolves after the first attempt, whatever its outcome. */
  async start(): Promise<void> {
    if (this.options.fixed) {
      this.options.log.info({ versions: this.value }, 'answering fixed versions');
      return;
    }
    this.timer = setInterval(() => void this.poll(), this.options.interval);
    this.timer.unref();
    await this.poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One poll; concurrent callers share it. */
  poll(): Promise<void> {
    this.polling ??= this.fetch().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async fetch(): Promise<void> {
    const url = `${this.options.registry}/-/package/node-red/dist-tags`;
    try {
      const res = await request(url, {
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
        headers: { accept: 'application/json' },
      });
      const read = await readCapped(res.body, MAX_ANSWER_BYTES);
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      if (!read.ok) throw new Error(read.problem === 'too-large' ? `answer larger than ${MAX_ANSWER_BYTES} bytes` : 'answer unreadable');
      const answer = fromDistTags(JSON.parse(read.text));
      if (!answer) throw new Error('no valid "latest" or "next" in the dist-tags');
      this.value = answer;
      this.options.log.info({ versions: answer }, 'node-red versions updated from the registry');
    } catch (err) {
      this.options.log.warn(
        { registry: this.options.registry, reason: err instanceof Error ? err.message : String(err), kept: this.value },
        'registry poll failed; keeping the last known versions',
      );
    }
  }
}
