import type { IncomingMessage } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { readCapped } from '@node-red-telemetry/protocol/read-capped';
import { proxyFor } from './transport-proxy';
import { Opened, sendRequest, TransportError } from './transport-request';

export interface TransportOptions {
  userAgent: string;
  connectTimeoutMs: number;
  /** Upper bound for one attempt, from connecting (through a proxy too) to the last byte of the answer. */
  attemptTimeoutMs: number;
  /** Retries after the first attempt, on network errors, 5xx and 429 only. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this ends the report; the schedule tries again later. */
  maxRetryAfterMs: number;
  maxAnswerBytes: number;
  /** Source of jitter, in [0, 1). */
  random: () => number;
  /** Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY are read from, at each attempt; `process.env` as it is then by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_TRANSPORT_OPTIONS: Omit<TransportOptions, 'userAgent'> = {
  connectTimeoutMs: 10_000,
  attemptTimeoutMs: 30_000,
  maxRetries: 3,
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 60_000,
  maxAnswerBytes: 64 * 1024,
  random: Math.random,
};

export type TimeLimits = Pick<TransportOptions, 'attemptTimeoutMs' | 'maxRetries' | 'maxDelayMs' | 'maxRetryAfterMs'>;

/**
 * The longest one report can take, all retries included: every attempt at its
 * limit and every wait at its longest. The README states it; `send` enforces it.
 */
export function reportTimeLimit(limits: TimeLimits): number {
  const longestWait = Math.max(limits.maxDelayMs, limits.maxRetryAfterMs);
  return (limits.maxRetries + 1) * limits.attemptTimeoutMs + limits.maxRetries * longestWait;
}

/** Why an answer to an accepted report could not be read; the report itself counts as sent. */
export type AnswerProblem = 'empty' | 'not-json' | 'too-large' | 'unreadable' | 'timeout';

export type SendOutcome =
  | { ok: true; status: number; attempts: number; answer: unknown; answerProblem?: AnswerProblem }
  | { ok: false; attempts: number; status?: number; error: string };

/**
 * What the service and the erasure need of a transport. The plugin loads
 * {@link Transport} only when it first sends (src/index.ts): import this type with `import type`.
 */
export interface Sender {
  send(url: URL, payload: unknown, signal: AbortSignal, limits: { attemptTimeoutMs: number }): Promise<SendOutcome>;
  /** DELETE of what the collector holds for the instance at `url`. */
  erase(url: URL, signal: AbortSignal, limits: { attemptTimeoutMs: number }): Promise<SendOutcome>;
  close(): Promise<void>;
}

type AttemptResult =
  | { kind: 'accepted'; status: number; answer: unknown; answerProblem?: AnswerProblem }
  | { kind: 'rejected'; status: number; retryAfterMs?: number }
  /** `final`: retrying cannot help (a proxy setting that cannot be used, a transport closed). */
  | { kind: 'network'; error: string; final?: boolean };

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
  if (err instanceof TransportError) return err.message;
  if (err && typeof err === 'object') {
    const { code, name, cause } = err as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    if (cause) return describeError(cause);
    if (typeof name === 'string' && name !== 'Error') return name;
  }
  return String(err);
}

/**
 * Sends reports over HTTP(S) with Node.js's own `node:http` and `node:https`,
 * which cost a Node-RED about 1 MiB where an HTTP client library costs 15 to
 * 25 MiB (BENCHMARKS.md), tunnelling through a proxy from the environment
 * when one applies. Never throws: every failure becomes an outcome the
 * caller logs, so nothing reaches Node-RED as an exception.
 */
export class Transport implements Sender {
  private readonly options: TransportOptions;
  /** Attempts under way, so that close() can end them. */
  private readonly inFlight = new Set<Opened>();
  private closed = false;

  constructor(options: Partial<TransportOptions> & Pick<TransportOptions, 'userAgent'>) {
    this.options = { ...DEFAULT_TRANSPORT_OPTIONS, ...options };
  }

  /**
   * Sends one report: the first attempt and up to `maxRetries` more, each
   * ended at `attemptTimeoutMs`, the whole within {@link reportTimeLimit}.
   * `attemptTimeoutMs` given here (the `timeout` setting) wins over the constructor's.
   */
  async send(url: URL, payload: unknown, signal: AbortSignal, limits: Partial<Pick<TransportOptions, 'attemptTimeoutMs'>> = {}): Promise<SendOutcome> {
    return this.exchange('POST', url, JSON.stringify(payload), signal, limits);
  }

  /**
   * Asks the collector to delete what it holds for an instance
   * (`DELETE <url>/<instanceId>`), bounded and retried exactly like a report.
   */
  async erase(url: URL, signal: AbortSignal, limits: Partial<Pick<TransportOptions, 'attemptTimeoutMs'>> = {}): Promise<SendOutcome> {
    return this.exchange('DELETE', url, undefined, signal, limits);
  }

  private async exchange(
    method: 'POST' | 'DELETE',
    url: URL,
    body: string | undefined,
    signal: AbortSignal,
    limits: Partial<Pick<TransportOptions, 'attemptTimeoutMs'>>,
  ): Promise<SendOutcome> {
    const options = { ...this.options, ...limits };
    const deadline = Date.now() + reportTimeLimit(options);
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(method, url, body, signal, Math.min(options.attemptTimeoutMs, deadline - Date.now()));
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
      const retryable = (result.kind === 'network' && !result.final) || (status !== undefined && (status >= 500 || status === 429));
      if (signal.aborted || !retryable || attempt > options.maxRetries) return failure;
      const retryAfter = result.kind === 'rejected' ? result.retryAfterMs : undefined;
      if (retryAfter !== undefined && retryAfter > options.maxRetryAfterMs) return failure;
      const wait = retryAfter ?? backoffDelay(attempt, options);
      // The bound holds even if timers ran late: no attempt starts that could not finish in time.
      if (Date.now() + wait >= deadline) return failure;
      try {
        await delay(wait, undefined, { signal, ref: false });
      } catch {
        return { ...failure, error: 'aborted' };
      }
    }
  }

  /**
   * One attempt, ended by its own timer whatever stage it is in: connecting,
   * a proxy's CONNECT, TLS, waiting for headers, or reading a trickled answer.
   */
  private async attempt(method: 'POST' | 'DELETE', url: URL, body: string | undefined, signal: AbortSignal, limitMs: number): Promise<AttemptResult> {
    if (signal.aborted) return { kind: 'network', error: 'aborted' };
    if (this.closed) return { kind: 'network', error: 'transport closed', final: true };
    // Read at each attempt: the proxy in force is the one the environment names now.
    const proxy = proxyFor(url, this.options.env ?? process.env);
    if (proxy && 'problem' in proxy) return { kind: 'network', error: proxy.problem, final: true };
    const limit = Math.max(1, Math.floor(limitMs));
    const controller = new AbortController();
    const forward = (): void => controller.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    // A plain timer rather than AbortSignal.timeout(): combined through
    // AbortSignal.any(), Node 20 may collect the timeout signal and never fire it.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new TransportError('attempt timed out'));
    }, limit);
    const opened = new Opened(controller.signal);
    this.inFlight.add(opened);
    try {
      let response: IncomingMessage;
      try {
        const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.options.userAgent };
        if (body !== undefined) headers['content-type'] = 'application/json';
        response = await sendRequest({ method, url, body, headers, proxy, connectTimeoutMs: this.options.connectTimeoutMs }, opened);
      } catch (err) {
        return { kind: 'network', error: timedOut ? 'timeout' : describeError(err), final: this.closed };
      }
      const status = response.statusCode ?? 0;
      // Nothing in a refusal is used, and no connection is kept for another request: it is not read.
      if (status < 200 || status >= 300) return { kind: 'rejected', status, retryAfterMs: parseRetryAfter(response.headers['retry-after'], Date.now()) };
      // From here the collector has the report: a bad or late answer must not cause a resend.
      const read = await this.readAnswer(response);
      if (timedOut) return { kind: 'accepted', status, answer: undefined, answerProblem: 'timeout' };
      return { kind: 'accepted', status, ...read };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', forward);
      this.inFlight.delete(opened);
      opened.close();
    }
  }

  private async readAnswer(response: IncomingMessage): Promise<{ answer: unknown; answerProblem?: AnswerProblem }> {
    const read = await readCapped(response, this.options.maxAnswerBytes);
    if (!read.ok) return { answer: undefined, answerProblem: read.problem };
    if (read.text.trim() === '') return { answer: undefined, answerProblem: 'empty' };
    try {
      return { answer: JSON.parse(read.text) as unknown };
    } catch {
      return { answer: undefined, answerProblem: 'not-json' };
    }
  }

  /** Ends the attempts under way (their sends fail, not retried) and refuses new ones; no connection outlives its report anyway. */
  close(): Promise<void> {
    this.closed = true;
    for (const opened of this.inFlight) opened.close(new TransportError('transport closed'));
    this.inFlight.clear();
    return Promise.resolve();
  }
}
