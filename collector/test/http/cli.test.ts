import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addDays, dayOf } from '../../src/days';
import { COLLECTOR_BIN, postReport, report, startInProcess } from '../helpers/collector-process';
import { rowsOf } from '../helpers/tables';

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [COLLECTOR_BIN, ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('collector command line', function () {
  this.timeout(60_000);

  it('--help lists every required flag and its environment variable', () => {
    const { code, stdout } = cli(['--help']);
    assert.equal(code, 0);
    for (const flag of ['--port', '--host', '--data', '--database-url', '--latest', '--next', '--config']) {
      assert.match(stdout, new RegExp(`${flag} `), flag);
    }
    assert.match(stdout, /DATABASE_URL/);
    assert.match(stdout, /0 picks a free one/);
  });

  it('names every bad setting at once and exits 2 without starting', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nrt-cli-'));
    const file = path.join(dir, 'collector.json');
    writeFileSync(file, JSON.stringify({ retentionDays: -1, extraFields: { os: 'string' }, colour: 'blue' }));
    const { code, stderr } = cli(['--config', file, '--port', 'eighty', '--latest', 'newest'], { DATABASE_URL: 'mysql://x' });
    assert.equal(code, 2);
    for (const problem of [
      /--port: must be an integer from 0 to 65535 \(got "eighty"\)/,
      /--latest: must be a semver version/,
      /DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/,
      /config file "retentionDays": must be an integer from 1 to 3650/,
      /config file "extraFields.os": must be a new top-level name/,
      /config file: unknown setting "colour"/,
    ]) {
      assert.match(stderr, problem);
    }
    assert.doesNotMatch(stderr, /at .*\.js:\d+/, 'no stack trace');
  });

  it('says which config file cannot be read and which flag is unknown', () => {
    assert.match(cli(['--config', '/nonexistent/collector.json']).stderr, /config file \/nonexistent\/collector.json: cannot be read \(ENOENT\)/);
    const unknown = cli(['--prot', '80']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--prot/);
  });

  it('fails to start with one clear log line when the port is taken', async () => {
    const busy = await startInProcess({ config: { latest: '4.2.0' } });
    try {
      const port = new URL(busy.url).port;
      const { code, stdout } = cli(['--port', port, '--data', mkdtempSync(path.join(os.tmpdir(), 'nrt-cli-')), '--latest', '4.2.0']);
      assert.equal(code, 1);
      assert.match(stdout, /"msg":"the collector could not start"/);
      assert.match(stdout, /EADDRINUSE/);
    } finally {
      await busy.stop();
    }
  });

  it('aggregate rolls up a past day the same way every time it is run, and refuses a bad day', async () => {
    const yesterday = addDays(dayOf(new Date()), -1);
    const noon = new Date(`${yesterday}T12:00:00Z`);
    const collector = await startInProcess({ config: { latest: '4.2.0' }, options: { now: () => noon } });
    const data = collector.files.dataDir;
    for (let i = 1; i <= 3; i++) {
      assert.equal(await postReport(collector.url, report({}, i)), 200);
    }
    await collector.stop();

    const first = cli(['aggregate', '--day', yesterday, '--data', data]);
    assert.equal(first.code, 0, first.stderr);
    const outcome = JSON.parse(first.stdout.trim().split('\n').filter((l) => l.startsWith('{"status"'))[0]) as Record<string, unknown>;
    assert.deepEqual(outcome, { status: 'aggregated', day: yesterday, instances: 3, reports: 3 });
    const rows = await rowsOf({ dataDir: data }, 'daily_usage');
    const second = cli(['aggregate', '--day', yesterday, '--data', data]);
    assert.equal(second.code, 0);
    assert.deepEqual(await rowsOf({ dataDir: data }, 'daily_usage'), rows);

    const bad = cli(['aggregate', '--day', '2026-02-30', '--data', data]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--from\/--day: must be a day written YYYY-MM-DD \(got "2026-02-30"\)/);
    const long = cli(['aggregate', '--from', '2000-01-01', '--to', '2026-01-01', '--data', data]);
    assert.equal(long.code, 2);
    assert.match(long.stderr, /--from\/--to: at most 3660 days at once \(got 2000-01-01 to 2026-01-01\)/);
  });
});
