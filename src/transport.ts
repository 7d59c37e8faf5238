import { setTimeout as delay } from 'node:timers/promises';
import { Agent, Dispatcher, EnvHttpProxyAgent, Pool, ProxyAgent, request } from 'undici';
import { readCapped } from '@node-red-telemetry/protocol';

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
    const { code, name, cause, message } = err as { code?: unknown; name?: unknown; cause?: unknown; message?: unknown };
    // undici words a proxy's refusal of CONNECT as an abort; say what happened instead.
    const proxyStatus = typeof message === 'string' ? /^Proxy response \((\d+)\)/.exec(message)?.[1] : undefined;
    if (proxyStatus) return `proxy answered HTTP ${proxyStatus}`;
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
 * Settles with `pending` or rejects as soon as `signal` aborts, for the stages
 * undici does not abort itself (a CONNECT a proxy never answers). An answer
 * that still arrives later is drained so that its connection is freed.
 */
function untilAborted(pending: Promise<Dispatcher.ResponseData>, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      // The abort's reason: the attempt's own timeout error or the caller's AbortError, an Error either way.
      reject(signal.reason as Error);
      pending.then((late) => late.body.dump(), () => undefined).catch(() => undefined);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Sends reports over HTTP(S). Never throws: every failure becomes an outcome
 * the caller logs, so nothing reaches Node-RED as an exception.
 */
export class Transport implements Sender {
  private readonly options: TransportOptions;
  private readonly dispatcher: Dispatcher;

  constructor(options: Partial<TransportOptions> & Pick<TransportOptions, 'userAgent'>) {
    this.options = { ...DEFAULT_TRANSPORT_OPTIONS, ...options };
    const connectTimeoutMs = this.options.connectTimeoutMs;
    const agentOptions = { connect: { timeout: connectTimeoutMs } };
    // EnvHttpProxyAgent prints an "experimental" warning when created, so only
    // pay that when a proxy is actually configured. undici's CONNECT to the
    // proxy ignores the request's abort signal and would wait 300 s for an
    // answer: bound it like a connect.
    // EnvHttpProxyAgent hands its options on to each ProxyAgent; its type does not list clientFactory.
    const proxyOptions: EnvHttpProxyAgent.Options & Pick<ProxyAgent.Options, 'clientFactory'> = {
      ...agentOptions,
      clientFactory: (origin, options) => new Pool(origin, { ...options, headersTimeout: connectTimeoutMs, bodyTimeout: connectTimeoutMs }),
    };
    this.dispatcher = usesProxy(process.env) ? new EnvHttpProxyAgent(proxyOptions) : new Agent(agentOptions);
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
      const retryable = result.kind === 'network' || (status !== undefined && (status >= 500 || status === 429));
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
   * CONNECT to a proxy, waiting for headers, or reading a trickled answer.
   */
  private async attempt(method: 'POST' | 'DELETE', url: URL, body: string | undefined, signal: AbortSignal, limitMs: number): Promise<AttemptResult> {
    if (signal.aborted) return { kind: 'network', error: 'aborted' };
    // undici reads 0 as "no timeout".
    const limit = Math.max(1, Math.floor(limitMs));
    const controller = new AbortController();
    const forward = (): void => controller.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    // A plain timer rather than AbortSignal.timeout(): combined through
    // AbortSignal.any(), Node 20 may collect the timeout signal and never fire it.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('attempt timed out'));
    }, limit);
    try {
      let response: Dispatcher.ResponseData;
      try {
        response = await untilAborted(request(url, {
          method,
          body,
          headers: {
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            accept: 'application/json',
            'user-agent': this.options.userAgent,
          },
          dispatcher: this.dispatcher,
          signal: controller.signal,
          headersTimeout: limit,
          bodyTimeout: limit,
        }), controller.signal);
      } catch (err) {
        return { kind: 'network', error: timedOut ? 'timeout' : describeError(err) };
      }
      const { statusCode, headers } = response;
      if (statusCode < 200 || statusCode >= 300) {
        // Nothing in a refusal is used; the attempt's timer bounds a body that never ends.
        await response.body.dump().catch(() => undefined);
        return { kind: 'rejected', status: statusCode, retryAfterMs: parseRetryAfter(headers['retry-after'], Date.now()) };
      }
      // From here the collector has the report: a bad or late answer must not cause a resend.
      const read = await this.readAnswer(response);
      if (timedOut) return { kind: 'accepted', status: statusCode, answer: undefined, answerProblem: 'timeout' };
      return { kind: 'accepted', status: statusCode, ...read };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', forward);
    }
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
