import { setTimeout as delay } from 'node:timers/promises';
import { Agent, Dispatcher, EnvHttpProxyAgent, request } from 'undici';
import { readCapped } from './read-capped';

export interface TransportOptions {
  userAgent: string;
  connectTimeoutMs: number;
  /** Upper bound for one attempt, from connecting to the last byte of the answer. */
  attemptTimeoutMs: number;
  /** Retries after the first attempt, on network errors, 5xx and 429 only. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this ends the attempt; the schedule tries again later. */
  maxRetryAfterMs: number;
  maxAnswerBytes: number;
  /** Source of jitter, in [0, 1). */
  random: () => number;
}

export const DEFAULT_TRANSPORT_OPTIONS: Omit<TransportOptions, 'userAgent'> = {
  connectTimeoutMs: 10_000,
  attemptTimeoutMs: 30_000,
  maxRetries: 3,
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 10 * 60_000,
  maxAnswerBytes: 64 * 1024,
  random: Math.random,
};

/** Why an answer to an accepted report could not be read; the report itself counts as sent. */
export type AnswerProblem = 'empty' | 'not-json' | 'too-large' | 'unreadable';

export type SendOutcome =
  | { ok: true; status: number; attempts: number; answer: unknown; answerProblem?: AnswerProblem }
  | { ok: false; attempts: number; status?: number; error: string };

type AttemptResult =
  | { kind: 'accepted'; status: number; answer: unknown; answerProblem?: AnswerProblem }
  | { kind: 'rejected'; status: number; retryAfterMs?: number }
  | { kind: 'network'; error: string };

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with jitter, so that many instances do not retry in step. */
export function backoffDelay(retry: number, options: Pick<TransportOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling * (0.5 + options.random() / 2));
}

function describeError(err: unknown): string {
  if (err && typeof err === 'object') {
    const { code, name, cause } = err as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    if (cause) return describeError(cause);
    if (typeof name === 'string' && name !== 'Error') return name;
  }
  return String(err);
}

function usesProxy(env: NodeJS.ProcessEnv): boolean {
  return ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'].some((name) => Boolean(env[name]));
}

/**
 * Sends reports over HTTP(S). Never throws: every failure becomes an outcome
 * the caller logs, so nothing reaches Node-RED as an exception.
 */
export class Transport {
  private readonly options: TransportOptions;
  private readonly dispatcher: Dispatcher;

  constructor(options: Partial<TransportOptions> & Pick<TransportOptions, 'userAgent'>) {
    this.options = { ...DEFAULT_TRANSPORT_OPTIONS, ...options };
    const agentOptions = { connect: { timeout: this.options.connectTimeoutMs } };
    // EnvHttpProxyAgent prints an "experimental" warning when created, so only
    // pay that when a proxy is actually configured.
    this.dispatcher = usesProxy(process.env) ? new EnvHttpProxyAgent(agentOptions) : new Agent(agentOptions);
  }

  async send(url: URL, payload: unknown, signal: AbortSignal): Promise<SendOutcome> {
    const body = JSON.stringify(payload);
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(url, body, signal);
      if (result.kind === 'accepted') {
        const { status, answer, answerProblem } = result;
        return { ok: true, status, attempts: attempt, answer, ...(answerProblem ? { answerProblem } : {}) };
      }
      const status = result.kind === 'rejected' ? result.status : undefined;
      const failure: SendOutcome = {
        ok: false,
        attempts: attempt,
        ...(status !== undefined ? { status } : {}),
        error: signal.aborted ? 'aborted' : result.kind === 'rejected' ? `HTTP ${result.status}` : result.error,
      };
      const retryable = result.kind === 'network' || (status !== undefined && (status >= 500 || status === 429));
      if (signal.aborted || !retryable || attempt > this.options.maxRetries) return failure;
      const retryAfter = result.kind === 'rejected' ? result.retryAfterMs : undefined;
      if (retryAfter !== undefined && retryAfter > this.options.maxRetryAfterMs) return failure;
      try {
        await delay(retryAfter ?? backoffDelay(attempt, this.options), undefined, { signal, ref: false });
      } catch {
        return { ...failure, error: 'aborted' };
      }
    }
  }

  private async attempt(url: URL, body: string, signal: AbortSignal): Promise<AttemptResult> {
    const attemptSignal = AbortSignal.any([signal, AbortSignal.timeout(this.options.attemptTimeoutMs)]);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': this.options.userAgent },
        dispatcher: this.dispatcher,
        signal: attemptSignal,
      });
    } catch (err) {
      return { kind: 'network', error: describeError(err) };
    }
    const { statusCode, headers } = response;
    if (statusCode < 200 || statusCode >= 300) {
      await response.body.dump().catch(() => undefined);
      return { kind: 'rejected', status: statusCode, retryAfterMs: parseRetryAfter(headers['retry-after'], Date.now()) };
    }
    // From here the collector has the report: a bad answer must not cause a resend.
    const read = await this.readAnswer(response);
    return { kind: 'accepted', status: statusCode, ...read };
  }

  private async readAnswer(response: Dispatcher.ResponseData): Promise<{ answer: unknown; answerProblem?: AnswerProblem }> {
    const read = await readCapped(response.body, this.options.maxAnswerBytes);
    if (!read.ok) return { answer: undefined, answerProblem: read.problem };
    if (read.text.trim() === '') return { answer: undefined, answerProblem: 'empty' };
    try {
      return { answer: JSON.parse(read.text) as unknown };
    } catch {
      return { answer: undefined, answerProblem: 'not-json' };
    }
  }

  /** Drops open connections; in-flight sends end through their abort signal. */
  async close(): Promise<void> {
    await this.dispatcher.destroy().catch(() => undefined);
  }
}
