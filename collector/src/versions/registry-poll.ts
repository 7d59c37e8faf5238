import { request } from 'undici';
import type { Logger } from 'pino';
import { readCapped } from '@node-red-telemetry/protocol';
import { ANSWER_KEY } from '@node-red-telemetry/protocol';
import { Catalog, catalogFromPackument, chooseAnswer, CompleteAnswer, fixedAnswer, FixedVersions } from './choice';

/** How long one registry request may take, and how much of its answer is read. */
const REQUEST_TIMEOUT_MS = 30_000;
/** node-red's abbreviated packument is about 0.5 MB today; room for years of releases. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
/** Distinct Node.js versions whose answer is remembered between polls; reporters use a few dozen. */
const MAX_CACHED_ANSWERS = 1024;

/** The abbreviated packument carries `engines` and is a fraction of the full one. */
const PACKUMENT_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8';

/**
 * The collector's answer body in Node-RED's format: a `node-red` object with
 * both versions, or no `node-red` object at all. Node-RED's own client calls
 * `semver.lt` on both without a guard, so a half-filled object would crash it.
 */
export function answerBody(answer: CompleteAnswer | null): Record<string, CompleteAnswer> {
  return answer ? { [ANSWER_KEY]: answer } : {};
}

/**
 * The Node-RED versions to offer: fixed by configuration, or chosen per
 * reporter's Node.js from the npm registry's packument, polled on an interval.
 * A failed poll keeps the last good catalog, so a registry outage never turns
 * into "no update" or an error for reporting instances.
 */
export class Versions {
  private catalog: Catalog | undefined;
  private readonly answers = new Map<string, CompleteAnswer | null>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /** Milliseconds since 1970: when polling started, when a poll last succeeded, and whether the last one did; read by /metrics. */
  readonly pollStatus: { startedAt?: number; lastSuccessAt?: number; lastOk?: boolean } = {};

  constructor(
    private readonly options: { fixed?: FixedVersions; registry: string; interval: number; log: Logger },
  ) {}

  /** Whether the answer is fixed by configuration, so that the registry is never polled. */
  get fixed(): boolean {
    return this.options.fixed !== undefined;
  }

  /** What to answer an instance that reported running Node.js `nodejs`; null while nothing is known. */
  answerFor(nodejs: string): CompleteAnswer | null {
    if (this.options.fixed) return fixedAnswer(this.options.fixed);
    if (!this.catalog) return null;
    let answer = this.answers.get(nodejs);
    if (answer === undefined) {
      answer = chooseAnswer(this.catalog, nodejs);
      if (this.answers.size >= MAX_CACHED_ANSWERS) this.answers.clear();
      this.answers.set(nodejs, answer);
    }
    return answer;
  }

  /** Starts polling (unless fixed); resolves after the first attempt, whatever its outcome. */
  async start(): Promise<void> {
    if (this.options.fixed) {
      this.options.log.info({ versions: fixedAnswer(this.options.fixed) }, 'answering fixed versions');
      return;
    }
    this.pollStatus.startedAt = Date.now();
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
    const url = `${this.options.registry}/node-red`;
    try {
      const res = await request(url, {
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
        headers: { accept: PACKUMENT_ACCEPT },
      });
      const read = await readCapped(res.body, MAX_ANSWER_BYTES);
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      if (!read.ok) throw new Error(read.problem === 'too-large' ? `answer larger than ${MAX_ANSWER_BYTES} bytes` : 'answer unreadable');
      const catalog = catalogFromPackument(JSON.parse(read.text));
      if (!catalog) throw new Error('no valid version in the packument');
      this.catalog = catalog;
      this.answers.clear();
      this.pollStatus.lastSuccessAt = Date.now();
      this.pollStatus.lastOk = true;
      this.options.log.info(
        { latest: catalog.latest, next: catalog.next, releases: catalog.releases.length },
        'node-red versions updated from the registry',
      );
    } catch (err) {
      this.pollStatus.lastOk = false;
      this.options.log.warn(
        {
          registry: this.options.registry,
          reason: err instanceof Error ? err.message : String(err),
          kept: this.catalog ? { latest: this.catalog.latest, next: this.catalog.next } : null,
        },
        'registry poll failed; keeping the last known versions',
      );
    }
  }
}
