import assert from 'node:assert/strict';
import { reportTimeLimit, DEFAULT_TRANSPORT_OPTIONS } from '../../src/transport';
import { closedPort, Fault, FaultServer } from '../helpers/fault-server';
import { NodeRedProcess } from '../helpers/node-red';

/**
 * The trust suite's network half: a real Node-RED with consent given sends to
 * a collector (or through a proxy) that misbehaves in one way per row. Each
 * report must end within the README's bound with the attempts it promises,
 * while the admin API answers and nothing escapes as an unhandled error.
 */

/** The `timeout` setting these rows run with: real silence waited out in seconds, with room for a first attempt that loads undici on a busy machine. */
const TIMEOUT_MS = 3000;
/** With the default backoff (2 s, 4 s, 8 s at most) and no Retry-After: the longest a retried report waits. */
const BACKOFF_MS = 2_000 + 4_000 + 8_000;
/** The README's bound for one report at this timeout: every attempt and every wait at its longest. */
const BOUND_MS = reportTimeLimit({ ...DEFAULT_TRANSPORT_OPTIONS, attemptTimeoutMs: TIMEOUT_MS });
/** Polling the log and a busy 2-core machine running a dozen Node-REDs. */
const SLACK_MS = 4000;

interface Row {
  name: string;
  /** The misbehaving peer; none for a refused connection or a name that does not resolve. */
  fault?: Fault;
  /** Where the report goes when there is no fault server in the way. */
  url?: () => Promise<string>;
  /** The outcome line the plugin logs, and the attempts it names. */
  outcome: RegExp;
  attempts: number;
  /** Whether the waits between attempts are the backoff's (retried rows). */
  retried: boolean;
}

const ROWS: Row[] = [
  { name: 'connection refused', url: async () => `http://127.0.0.1:${await closedPort()}/ping`, outcome: /failed: ECONNREFUSED/, attempts: 4, retried: true },
  { name: 'a server that stays silent', fault: 'silent', outcome: /failed: timeout/, attempts: 4, retried: true },
  { name: 'headers trickled a byte at a time', fault: 'trickle-headers', outcome: /failed: timeout/, attempts: 4, retried: true },
  { name: 'a body trickled a byte at a time', fault: 'trickle-body', outcome: /accepted \(HTTP 200/, attempts: 1, retried: false },
  { name: 'a 10 MB answer', fault: 'huge-answer', outcome: /accepted \(HTTP 200/, attempts: 1, retried: false },
  { name: 'a redirect loop', fault: 'redirect-loop', outcome: /failed: HTTP 302/, attempts: 1, retried: false },
  { name: '500 forever', fault: 'error-500', outcome: /failed: HTTP 500/, attempts: 4, retried: true },
  { name: '429 with a Retry-After of a day', fault: 'retry-after-huge', outcome: /failed: HTTP 429/, attempts: 1, retried: false },
  { name: 'a garbage answer', fault: 'garbage', outcome: /accepted \(HTTP 200/, attempts: 1, retried: false },
  {
    name: 'a host name that cannot resolve',
    // A 64-character label is refused by the resolver itself, so no DNS query leaves this machine.
    url: () => Promise.resolve(`https://${'x'.repeat(64)}.invalid/ping`),
    outcome: /failed: ENOTFOUND/,
    attempts: 4,
    retried: true,
  },
  { name: 'a proxy that refuses', fault: 'proxy-refuses', outcome: /failed: proxy answered HTTP 403/, attempts: 4, retried: true },
  { name: 'a proxy that never answers CONNECT', fault: 'proxy-silent', outcome: /failed: timeout/, attempts: 4, retried: true },
];

interface Run {
  row: Row;
  red: NodeRedProcess;
  server?: FaultServer;
  reportMs: number;
  outcomeLine: string;
  /** The slowest GET /telemetry while the report was under way. */
  slowestApiMs: number;
  apiStatuses: number[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Every fault server started, stopped whatever happens: a trickling one would keep the test process alive. */
const servers: FaultServer[] = [];

async function runRow(row: Row): Promise<Run> {
  const server = row.fault ? await new FaultServer(row.fault).start() : undefined;
  if (server) servers.push(server);
  const viaProxy = row.fault?.startsWith('proxy') ?? false;
  // Through a proxy the collector itself is never reached.
  const url = row.url ? await row.url() : viaProxy ? `http://127.0.0.1:${await closedPort()}/ping` : server!.url;
  const red = await NodeRedProcess.start({
    settings: { telemetry: { enabled: true, url, initialDelay: '1s', interval: '24h', timeout: `${TIMEOUT_MS}ms` } },
    env: viaProxy ? { HTTP_PROXY: `http://127.0.0.1:${server!.port}` } : {},
  });
  await red.waitForLog(/\[debug\] \[node-red-telemetry\] Sending report/, 20_000);
  const started = Date.now();
  let slowestApiMs = 0;
  const apiStatuses: number[] = [];
  let outcomeLine: string | undefined;
  const outcomePattern = /\[info\] \[node-red-telemetry\] Report (sent|to) [^\n]*/;
  while (!outcomeLine) {
    if (Date.now() - started > BOUND_MS + SLACK_MS) break;
    const asked = Date.now();
    const answer = await red.api('GET', '/telemetry');
    slowestApiMs = Math.max(slowestApiMs, Date.now() - asked);
    apiStatuses.push(answer.status);
    outcomeLine = outcomePattern.exec(red.output)?.[0];
    if (!outcomeLine) await sleep(100);
  }
  return { row, red, server, reportMs: Date.now() - started, outcomeLine: outcomeLine ?? '(no outcome logged)', slowestApiMs, apiStatuses };
}

describe('trust: network faults against a real Node-RED with consent given', function () {
  this.timeout(BOUND_MS + 60_000);
  const runs = new Map<string, Run>();

  before(async () => {
    // In parallel: each row waits out real timeouts and backoff, not CPU.
    const results = await Promise.allSettled(ROWS.map((row) => runRow(row)));
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') runs.set(ROWS[i].name, result.value);
      else throw new Error(`row "${ROWS[i].name}" could not run: ${String(result.reason)}`);
    });
  });

  after(async () => {
    await Promise.all([...runs.values()].map(({ red }) => red.stop()));
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  for (const row of ROWS) {
    it(row.name, () => {
      const run = runs.get(row.name);
      assert.ok(run, `row "${row.name}" did not run`);
      const { red, server, reportMs, outcomeLine } = run;
      const context = `\n${row.name}: ${outcomeLine}\n--- Node-RED output ---\n${red.output.split('\n').filter((l) => l.includes('telemetry') || /rror|Unhandled|Uncaught/.test(l)).join('\n')}`;
      assert.match(outcomeLine, row.outcome, `unexpected outcome${context}`);
      assert.match(outcomeLine, new RegExp(`${row.attempts} attempt\\(s\\)`), `the plugin logged other attempts than ${row.attempts}${context}`);
      if (server) assert.equal(server.requests, row.attempts, `the fault server counted ${server.requests} attempts, the README promises ${row.attempts}${context}`);
      assert.ok(reportMs <= BOUND_MS + SLACK_MS, `the report took ${reportMs} ms; the README's bound at this timeout is ${BOUND_MS} ms${context}`);
      if (row.retried) {
        const expected = row.attempts * TIMEOUT_MS + BACKOFF_MS;
        assert.ok(reportMs <= expected + SLACK_MS, `the report took ${reportMs} ms, more than ${row.attempts} attempts of ${TIMEOUT_MS} ms and ${BACKOFF_MS} ms of backoff${context}`);
      } else {
        assert.ok(reportMs <= TIMEOUT_MS + SLACK_MS, `one attempt took ${reportMs} ms${context}`);
      }
      assert.ok(run.apiStatuses.every((s) => s === 200), `GET /telemetry answered ${run.apiStatuses.join(', ')} while the report was under way${context}`);
      assert.ok(run.slowestApiMs < 2000, `GET /telemetry took ${run.slowestApiMs} ms while the report was under way${context}`);
      assert.ok(red.alive, `Node-RED exited${context}`);
      assert.doesNotMatch(red.output, /Unhandled|Uncaught|UnhandledPromiseRejection/, `an error escaped into Node-RED${context}`);
    });
  }
});
