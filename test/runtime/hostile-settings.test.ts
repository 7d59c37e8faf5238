import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestCollector } from '../helpers/collector';
import { NodeRedProcess } from '../helpers/node-red';

/**
 * Issue 8's "hostile settings": malformed `telemetry` sections and environment
 * values, each against a real Node-RED. settings.js is written as code, so
 * getters and Proxies are real. For every row: exactly one warning, naming the
 * setting and showing the value; a safe outcome; and GET /telemetry answering
 * JSON. Rows start in parallel batches, then each row's `it` judges what was seen.
 */

/** Rows run at once: their Node-REDs start a few at a time (MAX_STARTING in the helper), then mostly wait. */
const BATCH = 7;
/** How long an "off" row is watched for a connection: the base schedule would have sent after 300 ms. */
const WATCH_MS = 900;

interface Expected {
  enabled: boolean | null;
  reason: string;
  /** `collector`: the test collector's url is in use; null: none is. */
  url: 'collector' | null;
  schedule?: { initialDelay: string; firstBy: string; interval: string };
}

interface Row {
  name: string;
  /**
   * JS source run in settings.js, after `settings` (the helper's settings) and
   * `base` (a valid section pointing at the collector, sending after 300 ms) are
   * defined. Default: the section is `base`.
   */
  code?: string;
  env?: Record<string, string>;
  /** Prepares the user directory before Node-RED starts. */
  prepare?: (userDir: string) => void;
  /** The one warning, without its "[warn] [node-red-telemetry] " prefix. */
  warning: RegExp;
  expect: Expected;
}

const telemetry = (section: string): string => `settings.telemetry = ${section};`;
const OPT_OUT = '.opt-out-from-anonymous-statistics';
const known = 'enabled, updateNotification, url, allowInsecure, initialDelay, interval, timeout, include, operator';
const pending = (extra: Partial<Expected> = {}): Expected => ({ enabled: null, reason: 'pending', url: 'collector', ...extra });
const offBySettings: Expected = { enabled: false, reason: 'settings', url: null };
/** An environment value that switches telemetry off, for `reason`; the url stays. */
const offByEnv = (name: string, env: Record<string, string>, reason: string, warning: RegExp): Row => ({
  name,
  env,
  warning,
  expect: { enabled: false, reason, url: 'collector' },
});
/** A url the plugin refuses: no reports, the rest of the section kept. `value` is JS source. */
const refusedUrl = (name: string, value: string, warning: RegExp): Row => ({
  name,
  code: telemetry(`{ ...base, url: ${value} }`),
  warning,
  expect: pending({ url: null }),
});

const rows: Row[] = [
  // ---- sections that cannot be read ----------------------------------------------------------
  {
    name: 'telemetry is a getter that throws',
    code: `Object.defineProperty(settings, 'telemetry', { enumerable: true, get() { throw new Error('vault locked'); } });`,
    warning: /^Reading setting telemetry from settings\.js failed \(vault locked\): telemetry is off\.$/,
    expect: offBySettings,
  },
  {
    name: 'telemetry is a Proxy whose ownKeys trap throws',
    code: telemetry(`new Proxy({ ...base, enabled: true }, { ownKeys() { throw new Error('no keys today'); } })`),
    warning: /^Reading setting telemetry from settings\.js failed \(no keys today\): telemetry is off\.$/,
    expect: offBySettings,
  },
  {
    name: 'telemetry is a revoked Proxy',
    code: `const r = Proxy.revocable({}, {}); r.revoke(); ${telemetry('r.proxy')}`,
    warning: /^Reading setting telemetry from settings\.js failed \(Cannot perform 'IsArray' on a proxy that has been revoked\): telemetry is off\.$/,
    expect: offBySettings,
  },
  {
    name: 'telemetry is a Proxy whose get trap always throws',
    code: telemetry(`new Proxy({}, { get() { throw new Error('trapped'); } })`),
    warning: /^Reading setting telemetry\.enabled from settings\.js failed \(trapped\): telemetry is off\.$/,
    expect: offBySettings,
  },
  {
    name: 'telemetry is a Proxy that answers "yes", then true, then "yes" for enabled',
    code: `let reads = 0; ${telemetry(`new Proxy({}, { get(t, key) { return key === 'enabled' ? (++reads % 2 ? 'yes' : true) : key === 'url' ? collectorUrl : undefined; } })`)}`,
    warning: /^Setting telemetry\.enabled must be true or false, got "yes": telemetry is off\.$/,
    expect: { enabled: false, reason: 'settings', url: 'collector' },
  },
  {
    name: 'telemetry.enabled is a getter that throws',
    code: telemetry(`{ ...base, get enabled() { throw new Error('who knows'); } }`),
    warning: /^Reading setting telemetry\.enabled from settings\.js failed \(who knows\): telemetry is off\.$/,
    expect: offBySettings,
  },
  {
    name: 'telemetry.url is a getter that throws',
    code: telemetry(`{ ...base, enabled: true, get url() { throw new Error('secret store offline'); } }`),
    warning: /^Reading setting telemetry\.url from settings\.js failed \(secret store offline\): no reports will be sent\.$/,
    expect: { enabled: true, reason: 'settings', url: null },
  },
  {
    name: 'telemetry.interval is a getter that throws a string',
    code: telemetry(`{ ...base, get interval() { throw 'not today'; } }`),
    warning: /^Reading setting telemetry\.interval from settings\.js failed \("not today"\): using the default, 24h\.$/,
    expect: pending({ schedule: { initialDelay: '300ms', firstBy: '600ms', interval: '24h' } }),
  },
  {
    name: 'telemetry.updateNotification is a getter that throws a Symbol',
    code: telemetry(`{ ...base, get updateNotification() { throw Symbol('why'); } }`),
    warning: /^Reading setting telemetry\.updateNotification from settings\.js failed \(Symbol\(why\)\): using the default, true\.$/,
    expect: pending(),
  },
  {
    name: 'an unknown key whose getter throws is never read',
    code: telemetry(`{ ...base, get intervall() { throw new Error('read me not'); } }`),
    warning: new RegExp(`^Setting telemetry\\.intervall is not a telemetry setting \\(known: ${known}\\): ignored\\.$`),
    expect: pending(),
  },
  {
    name: 'an unknown key whose name would forge a log line',
    code: telemetry(`{ ...base, ['x\\n[error] [node-red-telemetry] forged']: 1 }`),
    warning: new RegExp(`^Setting telemetry\\["x\\\\n\\[error\\] \\[node-red-telemetry\\] forged"\\] is not a telemetry setting \\(known: ${known}\\): ignored\\.$`),
    expect: pending(),
  },
  // ---- sections of the wrong type ------------------------------------------------------------------
  {
    name: 'telemetry is a function',
    code: telemetry(`function telemetry() { return base; }`),
    warning: /^Setting telemetry must be an object such as .*, got \[Function: telemetry\]: telemetry is off\.$/,
    expect: offBySettings,
  },
  {
    name: 'telemetry is a string',
    code: telemetry(`'on'`),
    warning: /^Setting telemetry must be an object such as .*, got "on": telemetry is off\.$/,
    expect: offBySettings,
  },
  {
    name: 'telemetry is an array',
    code: telemetry(`[base]`),
    warning: /^Setting telemetry must be an object such as .*, got \[ \{ url: 'http:\/\/127\.0\.0\.1:\d+\/ping', .*: telemetry is off\.$/,
    expect: offBySettings,
  },
  // ---- wrong types for every key ---------------------------------------------------------------------
  {
    name: 'enabled is the string "true"',
    code: telemetry(`{ ...base, enabled: 'true' }`),
    warning: /^Setting telemetry\.enabled must be true or false, got "true": telemetry is off\.$/,
    expect: { enabled: false, reason: 'settings', url: 'collector' },
  },
  {
    name: 'enabled is null',
    code: telemetry(`{ ...base, enabled: null }`),
    warning: /^Setting telemetry\.enabled must be true or false, got null: telemetry is off\.$/,
    expect: { enabled: false, reason: 'settings', url: 'collector' },
  },
  {
    name: 'updateNotification is "no"',
    code: telemetry(`{ ...base, updateNotification: 'no' }`),
    warning: /^Setting telemetry\.updateNotification must be true or false, got "no": using the default, true\.$/,
    expect: pending(),
  },
  {
    name: 'allowInsecure is "yes"',
    code: telemetry(`{ ...base, allowInsecure: 'yes' }`),
    warning: /^Setting telemetry\.allowInsecure must be true or false, got "yes": using the default, false\.$/,
    expect: pending(),
  },
  refusedUrl('url is a number', `42`, /^Setting telemetry\.url must be an http\(s\) URL, got 42: no reports will be sent\.$/),
  refusedUrl('url is a URL object, not a string', `new URL(collectorUrl)`, /^Setting telemetry\.url must be an http\(s\) URL, got .*127\.0\.0\.1.*: no reports will be sent\.$/),
  refusedUrl('url uses ftp', `'ftp://collector.example/ping'`, /^Setting telemetry\.url must be an http\(s\) URL, got "ftp:\/\/collector\.example\/ping": no reports will be sent\.$/),
  refusedUrl('url is plain http to another host', `'http://collector.example/ping'`, /^Setting telemetry\.url must use https .*, got "http:\/\/collector\.example\/ping": no reports will be sent\.$/),
  refusedUrl('url looks like an i18n nesting and placeholder', `'$t(runtime.no-url) __setting__'`, /^Setting telemetry\.url must be an http\(s\) URL, got "\$t\(runtime\.no-url\) __setting__": no reports will be sent\.$/),
  // ---- durations ------------------------------------------------------------------------------------------
  {
    name: 'initialDelay is Infinity',
    code: telemetry(`{ ...base, initialDelay: Infinity }`),
    warning: /^Setting telemetry\.initialDelay must be milliseconds or a duration .*, got Infinity: using the default, 30m\.$/,
    expect: pending({ schedule: { initialDelay: '30m', firstBy: '1h', interval: '1h' } }),
  },
  {
    name: 'interval is NaN',
    code: telemetry(`{ ...base, interval: NaN }`),
    warning: /^Setting telemetry\.interval must be milliseconds or a duration .*, got NaN: using the default, 24h\.$/,
    expect: pending({ schedule: { initialDelay: '300ms', firstBy: '600ms', interval: '24h' } }),
  },
  {
    name: 'interval is -0',
    code: telemetry(`{ ...base, interval: -0 }`),
    warning: /^Setting telemetry\.interval is too short \(at least 1s\), got -0: using the default, 24h\.$/,
    expect: pending({ schedule: { initialDelay: '300ms', firstBy: '600ms', interval: '24h' } }),
  },
  {
    name: 'interval is a bigint',
    code: telemetry(`{ ...base, interval: 10n }`),
    warning: /^Setting telemetry\.interval must be milliseconds or a duration .*, got 10n: using the default, 24h\.$/,
    expect: pending({ schedule: { initialDelay: '300ms', firstBy: '600ms', interval: '24h' } }),
  },
  {
    name: 'interval is a Symbol',
    code: telemetry(`{ ...base, interval: Symbol('24h') }`),
    warning: /^Setting telemetry\.interval must be milliseconds or a duration .*, got Symbol\(24h\): using the default, 24h\.$/,
    expect: pending({ schedule: { initialDelay: '300ms', firstBy: '600ms', interval: '24h' } }),
  },
  {
    name: 'interval is an object with non-finite values inside',
    code: telemetry(`{ ...base, interval: { hours: 24, parts: [1, { x: Infinity }] } }`),
    warning: /^Setting telemetry\.interval must be milliseconds or a duration .*, got \{ hours: 24, parts: \[ 1, \{ x: Infinity \} \] \}: using the default, 24h\.$/,
    expect: pending({ schedule: { initialDelay: '300ms', firstBy: '600ms', interval: '24h' } }),
  },
  {
    name: 'interval hides a forged log line after a newline',
    code: telemetry(`{ ...base, interval: '1h\\n[warn] [node-red-telemetry] forged' }`),
    warning: /^Setting telemetry\.interval must be milliseconds or a duration .*, got "1h\\n\[warn\] \[node-red-telemetry\] forged": using the default, 24h\.$/,
    expect: pending({ schedule: { initialDelay: '300ms', firstBy: '600ms', interval: '24h' } }),
  },
  {
    name: 'initialDelay is negative',
    code: telemetry(`{ ...base, initialDelay: -5 }`),
    warning: /^Setting telemetry\.initialDelay must be milliseconds or a duration .*, got -5: using the default, 30m\.$/,
    expect: pending({ schedule: { initialDelay: '30m', firstBy: '1h', interval: '1h' } }),
  },
  {
    name: 'initialDelay is huge',
    code: telemetry(`{ ...base, initialDelay: 1e300 }`),
    warning: /^Setting telemetry\.initialDelay is too long \(at most 365d\), got 1e\+300: using the default, 30m\.$/,
    expect: pending({ schedule: { initialDelay: '30m', firstBy: '1h', interval: '1h' } }),
  },
  {
    name: 'timeout is longer than 5 minutes',
    code: telemetry(`{ ...base, timeout: '10m' }`),
    warning: /^Setting telemetry\.timeout is too long \(at most 5m\), got "10m": using the default, 30s\.$/,
    expect: pending(),
  },
  {
    name: 'timeout is 0',
    code: telemetry(`{ ...base, timeout: 0 }`),
    warning: /^Setting telemetry\.timeout is too short \(at least 1s\), got 0: using the default, 30s\.$/,
    expect: pending(),
  },
  // ---- environment ------------------------------------------------------------------------------------------
  offByEnv('NODE_RED_DISABLE_TELEMETRY=no', { NODE_RED_DISABLE_TELEMETRY: 'no' }, 'env', /^Environment variable NODE_RED_DISABLE_TELEMETRY is "no", which counts as set \(only "", "0" and "false" do not\): telemetry is off\.$/),
  offByEnv('NODE_RED_DISABLE_TELEMETRY=false, which Node-RED 4.1 reads as set', { NODE_RED_DISABLE_TELEMETRY: 'false' }, 'env', /^Environment variable NODE_RED_DISABLE_TELEMETRY is "false", and Node-RED 4\.1 and later switch telemetry off for any value that is not empty: telemetry is off\.$/),
  offByEnv('DO_NOT_TRACK=off', { DO_NOT_TRACK: 'off' }, 'do-not-track', /^Environment variable DO_NOT_TRACK is "off", which counts as set \(only "", "0" and "false" do not\): telemetry is off\.$/),
  {
    name: 'DO_NOT_TRACK=" 0 "',
    env: { DO_NOT_TRACK: ' 0 ' },
    warning: /^Environment variable DO_NOT_TRACK is " 0 ", which counts as not set \(it reads as "0" or "false"\): ignored\.$/,
    expect: pending(),
  },
  // ---- the opt-out file ------------------------------------------------------------------------------------
  {
    name: 'the opt-out file is a directory',
    prepare: (userDir) => mkdirSync(path.join(userDir, OPT_OUT)),
    warning: /^There is a directory at the opt-out path \/.*\/\.opt-out-from-anonymous-statistics instead of a file; it still counts as an opt-out: telemetry is off\.$/,
    expect: { enabled: false, reason: 'opt-out-file', url: 'collector' },
  },
  {
    name: 'the opt-out file is a symbolic link to nothing',
    prepare: (userDir) => symlinkSync(path.join(userDir, 'gone'), path.join(userDir, OPT_OUT)),
    warning: /^There is a symbolic link to nothing at the opt-out path \/.*\/\.opt-out-from-anonymous-statistics instead of a file; it still counts as an opt-out: telemetry is off\.$/,
    expect: { enabled: false, reason: 'opt-out-file', url: 'collector' },
  },
];

interface Seen {
  status: number;
  contentType: string | null;
  // any: the JSON the endpoint answered; the row's `it` asserts its shape.
  body: any;
  warnings: string[];
  errors: string[];
  output: string;
  collectorUrl: string;
  connections: number;
  alive: boolean;
}

/**
 * The plugin's lines at one level, judged by where the level stands (right
 * after Node-RED's timestamp), not by a substring: a value shown in a warning
 * may itself contain "[error] [node-red-telemetry]".
 */
function linesAt(output: string, level: 'warn' | 'error'): string[] {
  const start = new RegExp(`^\\d+ \\w+ [\\d:]+ - \\[${level}\\] \\[node-red-telemetry\\] `);
  return output
    .split('\n')
    .filter((line) => start.test(line))
    .map((line) => line.replace(start, ''));
}

/** A real Node-RED whose settings.js is code; `-s` given twice, the last wins (nopt), so the helper's own file is the base. */
async function startWith(row: Row, collector: TestCollector): Promise<NodeRedProcess> {
  const userDir = mkdtempSync(path.join(os.tmpdir(), 'nrt-hostile-'));
  row.prepare?.(userDir);
  const hostile = path.join(userDir, 'hostile-settings.js');
  writeFileSync(
    hostile,
    [
      `'use strict';`,
      `const settings = require('./settings.js');`,
      `const collectorUrl = ${JSON.stringify(collector.url)};`,
      `const base = { url: collectorUrl, initialDelay: '300ms', interval: '1h' };`,
      row.code ?? telemetry('base'),
      `module.exports = settings;`,
    ].join('\n'),
  );
  return NodeRedProcess.start({ userDir, env: row.env, args: ['-s', hostile] });
}

async function observe(row: Row): Promise<Seen> {
  const collector = await new TestCollector().start();
  let red: NodeRedProcess | undefined;
  try {
    red = await startWith(row, collector);
    await red.waitForLog(/\[info\] \[node-red-telemetry\] Anonymous usage telemetry/, 10000);
    const res = await fetch(`${red.baseUrl}/telemetry`);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* asserted below: the answer must be JSON */
    }
    if (row.expect.enabled === false) await new Promise((r) => setTimeout(r, WATCH_MS));
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body,
      warnings: linesAt(red.output, 'warn'),
      errors: linesAt(red.output, 'error'),
      output: red.output,
      collectorUrl: collector.url,
      connections: collector.connections,
      alive: red.alive,
    };
  } finally {
    await red?.stop();
    await collector.stop();
  }
}

describe('runtime: hostile settings (real Node-RED, settings.js as code)', function () {
  this.timeout(120000);
  const seen = new Map<string, Seen | Error>();

  before(async function () {
    this.timeout(150000);
    const started = Date.now();
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      const results = await Promise.allSettled(batch.map((row) => observe(row)));
      results.forEach((result, j) => {
        seen.set(batch[j].name, result.status === 'fulfilled' ? result.value : (result.reason as Error));
      });
    }
    console.log(`      (${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  });

  it('has at least 25 rows', () => assert.ok(rows.length >= 25, `${rows.length} rows`));

  for (const row of rows) {
    it(row.name, () => {
      const result = seen.get(row.name);
      if (!result) assert.fail(`[${row.name}] never ran`);
      if (result instanceof Error) assert.fail(`[${row.name}] Node-RED did not start or answer: ${result.message}`);
      const where = `[${row.name}]\n--- plugin log ---\n${result.output
        .split('\n')
        .filter((l) => l.includes('[node-red-telemetry]'))
        .join('\n')}\n---`;

      assert.equal(result.alive, true, `${where}\nNode-RED died`);
      assert.deepEqual(result.errors, [], `${where}\nerror lines leaked`);
      assert.equal(result.output.includes('    at '), false, `${where}\na stack trace leaked`);
      const forged = result.output.split('\n').filter((line) => /^\s*\[(info|warn|error|debug)\] \[node-red-telemetry\]/.test(line));
      assert.deepEqual(forged, [], `${where}\na value broke a log line in two`);
      assert.equal(result.warnings.length, 1, `${where}\nexpected exactly one warning, got ${result.warnings.length}`);
      assert.match(result.warnings[0], row.warning, `${where}\nthe warning does not name the setting and show the value`);

      assert.equal(result.status, 200, `${where}\nGET /telemetry answered ${result.status}: ${String(result.body).slice(0, 200)}`);
      assert.match(result.contentType ?? '', /^application\/json/, `${where}\nGET /telemetry is not JSON`);
      const body = result.body as Record<string, unknown>;
      assert.deepEqual(
        Object.keys(body).sort(),
        ['covered', 'enabled', 'erasure', 'fieldsUrl', 'include', 'lastReport', 'nextReportAt', 'operator', 'pending', 'preview', 'providers', 'reason', 'schedule', 'update', 'updateNotification', 'url'],
        `${where}\nstatus shape`,
      );
      const url = row.expect.url === 'collector' ? result.collectorUrl : null;
      assert.deepEqual([body.enabled, body.reason, body.url], [row.expect.enabled, row.expect.reason, url], `${where}\noutcome (enabled, reason, url)`);
      if (row.expect.schedule) assert.deepEqual(body.schedule, row.expect.schedule, `${where}\nschedule`);
      if (row.expect.enabled === false) {
        assert.equal(body.nextReportAt, null, `${where}\na report is scheduled while off`);
        assert.equal(result.connections, 0, `${where}\nconnected to the collector while off`);
      }
    });
  }

  it('answers JSON 503 not_running, not an HTML 404, when the service cannot start', async () => {
    const collector = await new TestCollector().start();
    // Node.js claiming to be older than the plugin supports: the plugin's own reason not to start.
    const red = await startWith(
      { name: 'old Node.js', code: `${telemetry('base')} Object.defineProperty(process.versions, 'node', { value: '16.0.0' });`, warning: /./, expect: offBySettings },
      collector,
    );
    try {
      await red.waitForLog(/\[warn\] \[node-red-telemetry\] Telemetry needs Node\.js >=18\.17\.0 and this is 16\.0\.0: telemetry is off\./);
      for (const method of ['GET', 'PUT']) {
        const res = await fetch(`${red.baseUrl}/telemetry`, { method, headers: { 'content-type': 'application/json' }, body: method === 'PUT' ? '{"enabled":true}' : undefined });
        assert.equal(res.status, 503, method);
        assert.match(res.headers.get('content-type') ?? '', /^application\/json/, method);
        assert.deepEqual(await res.json(), { error: { code: 'not_running', message: 'Telemetry is not running.' } }, method);
      }
      assert.deepEqual(red.pluginLines('error'), []);
      assert.equal(collector.connections, 0);
    } finally {
      await red.stop();
      await collector.stop();
    }
  });
});
