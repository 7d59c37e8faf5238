/**
 * Load for the collector benchmarks, from this process over loopback with
 * undici's Pool: closed loop (N connections, each sending as soon as it has
 * its answer) for throughput, open loop (a fixed rate whatever the answers)
 * for latency. Open-loop latency is measured from when a request was due, so
 * a stalled server shows as latency, not as fewer requests.
 */
import { Pool } from 'undici';

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  latenciesMs: number[];
  statuses: Record<number, number>;
}

/** One request: path, method and body (a string) for request number `n`. */
export type RequestFor = (n: number) => { method: 'GET' | 'POST'; path: string; body?: string; headers?: Record<string, string> };

async function send(pool: Pool, request: ReturnType<RequestFor>, statuses: Record<number, number>): Promise<void> {
  const res = await pool.request({
    method: request.method,
    path: request.path,
    body: request.body,
    headers: { ...(request.body ? { 'content-type': 'application/json' } : {}), ...request.headers },
  });
  await res.body.dump();
  statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
}

/** `total` requests over `connections` connections, each sent when the previous answer on its connection is in. */
export async function closedLoop(origin: string, connections: number, total: number, requestFor: RequestFor, first = 0): Promise<LoadResult> {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const statuses: Record<number, number> = {};
  const latenciesMs: number[] = [];
  let next = first;
  const end = first + total;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < end) {
        const request = requestFor(next++);
        const t = performance.now();
        await send(pool, request, statuses);
        latenciesMs.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { requests: total, seconds, perSecond: total / seconds, latenciesMs, statuses };
}

/** `rate` requests per second for `seconds`, due at fixed times; latency counted from each due time. */
export async function openLoop(origin: string, rate: number, seconds: number, requestFor: RequestFor, first = 0): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: 64, pipelining: 1 });
  const statuses: Record<number, number> = {};
  const latenciesMs: number[] = [];
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send(pool, requestFor(first + i), statuses).then(() => void latenciesMs.push(performance.now() - due)));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return { requests: total, seconds: elapsed, perSecond: total / elapsed, latenciesMs, statuses };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}
