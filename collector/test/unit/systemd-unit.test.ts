import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const UNIT = path.resolve(__dirname, '../../deploy/node-red-telemetry-collector.service');

/** The systemd unit in collector/deploy/ is one systemd itself accepts, as an operator installs it. */
describe('deployment without a container: the systemd unit', () => {
  it('passes `systemd-analyze verify` without a warning', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nrt-unit-'));
    const copy = path.join(dir, path.basename(UNIT));
    copyFileSync(UNIT, copy);
    const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    assert.equal(result.error, undefined, 'systemd-analyze runs (Debian package systemd)');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(`${result.stdout}${result.stderr}`.trim(), '', 'no warning');
  });

  it('runs the collector as its own user, with its store in the state directory, and drains on SIGTERM', () => {
    const unit = readFileSync(UNIT, 'utf8');
    assert.match(unit, /^User=nrt-collector$/m);
    assert.match(unit, /^StateDirectory=node-red-telemetry$/m);
    assert.match(unit, /^Environment=COLLECTOR_DATA=\/var\/lib\/node-red-telemetry$/m);
    assert.match(unit, /^ExecStart=\/usr\/bin\/env node-red-telemetry-collector serve$/m);
    assert.match(unit, /^KillSignal=SIGTERM$/m);
  });
});
