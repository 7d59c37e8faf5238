import assert from 'node:assert/strict';
import { NodeRedOptions, useNodeRed } from '../helpers/node-red';

/**
 * Every row of the precedence table, against a real Node-RED: the decision the
 * admin API reports, the disclosure in the log, and, for every way of saying
 * no, not one TCP connection at the collector.
 */
describe('runtime: where the decision comes from (real Node-RED)', function () {
  this.timeout(60000);
  const { collector, start } = useNodeRed();

  /** A short schedule, so that a report that should not go out would have gone out. */
  const telemetry = (extra: Record<string, unknown> = {}) => ({ url: collector.url, initialDelay: '200ms', interval: '1h', ...extra });
  const storedChoice = (choice: boolean) => ({ 'node-red-telemetry': { instanceId: 'c'.repeat(32), choice } });
  /** `options` over the strongest yes: settings.js says enabled and the editor stored an opt-in. */
  const overOptIn = (options: NodeRedOptions): NodeRedOptions => ({ ...options, settings: { telemetry: telemetry({ enabled: true }) }, runtimeSettings: storedChoice(true) });

  interface Row {
    name: string;
    options: () => NodeRedOptions;
    enabled: boolean | null;
    reason: string;
    logged: RegExp;
  }
  /** A row where telemetry ends up off, for `reason`. */
  const off = (name: string, options: Row['options'], reason: string, logged: RegExp): Row => ({ name, options, enabled: false, reason, logged });
  const rows: Row[] = [
    off('--no-telemetry beats settings.js and a stored opt-in', () => overOptIn({ args: ['--no-telemetry'] }), 'flag', /Anonymous usage telemetry: OFF \(--no-telemetry\)/),
    off('NODE_RED_DISABLE_TELEMETRY beats settings.js and a stored opt-in', () => overOptIn({ env: { NODE_RED_DISABLE_TELEMETRY: 'true' } }), 'env', /OFF \(NODE_RED_DISABLE_TELEMETRY is set\)/),
    off('DO_NOT_TRACK=1 beats settings.js and a stored opt-in', () => overOptIn({ env: { DO_NOT_TRACK: '1' } }), 'do-not-track', /OFF \(DO_NOT_TRACK is set\)/),
    off('the opt-out file beats settings.js and a stored opt-in', () => overOptIn({ files: { '.opt-out-from-anonymous-statistics': '' } }), 'opt-out-file', /OFF \(opt-out file in the user directory\)/),
    off('telemetry.enabled: false beats a stored opt-in', () => ({ settings: { telemetry: telemetry({ enabled: false }) }, runtimeSettings: storedChoice(true) }), 'settings', /OFF \(telemetry.enabled is false in settings.js\)/),
    off('a stored opt-out keeps it off', () => ({ settings: { telemetry: telemetry() }, runtimeSettings: storedChoice(false) }), 'consent', /OFF \(a user declined in the editor\)/),
    {
      name: 'no choice at all sends nothing',
      options: () => ({ settings: { telemetry: telemetry() } }),
      enabled: null,
      reason: 'pending',
      logged: /waiting for a choice in the editor; nothing is sent until someone chooses/,
    },
    // Node-RED >= 4.1's red.js turns telemetry.enabled off for any non-empty value.
    off('NODE_RED_DISABLE_TELEMETRY=false under Node-RED 4.1 is named as the cause', () => overOptIn({ env: { NODE_RED_DISABLE_TELEMETRY: 'false' } }), 'env', /OFF \(NODE_RED_DISABLE_TELEMETRY is set\)/),
    off('a malformed telemetry.enabled counts as off', () => ({ settings: { telemetry: telemetry({ enabled: 'yes' }) }, runtimeSettings: storedChoice(true) }), 'settings', /Setting telemetry.enabled must be true or false, got "yes": telemetry is off/),
  ];

  for (const row of rows) {
    it(`${row.name}: zero connections`, async () => {
      const red = await start(row.options());
      const { status, body } = await red.api('GET', '/telemetry');
      assert.equal(status, 200);
      assert.deepEqual([body.enabled, body.reason, body.nextReportAt], [row.enabled, row.reason, null]);
      await red.waitForLog(row.logged);
      // Five times the initial delay: a report would have gone out by now.
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(collector.connections, 0);
      assert.equal(red.alive, true);
    });
  }

  const on: Array<{ name: string; options: () => NodeRedOptions; reason: string; logged: RegExp }> = [
    {
      name: 'telemetry.enabled: true sends without asking',
      options: () => ({ settings: { telemetry: telemetry({ enabled: true }) }, runtimeSettings: storedChoice(false) }),
      reason: 'settings',
      logged: /ON \(telemetry.enabled is true in settings.js\)/,
    },
    {
      name: 'a stored opt-in sends',
      options: () => ({ settings: { telemetry: telemetry() }, runtimeSettings: storedChoice(true) }),
      reason: 'consent',
      logged: /ON \(a user agreed in the editor\)/,
    },
    {
      name: 'empty NODE_RED_DISABLE_TELEMETRY and DO_NOT_TRACK=0 are not opt-outs',
      options: () => ({ env: { NODE_RED_DISABLE_TELEMETRY: '', DO_NOT_TRACK: '0' }, settings: { telemetry: telemetry({ enabled: true }) } }),
      reason: 'settings',
      logged: /ON \(telemetry.enabled is true in settings.js\)/,
    },
  ];
  for (const row of on) {
    it(`${row.name}: one report arrives`, async () => {
      const red = await start(row.options());
      const { body } = await red.api('GET', '/telemetry');
      assert.deepEqual([body.enabled, body.reason], [true, row.reason]);
      await red.waitForLog(row.logged);
      const [report] = await collector.waitFor(1);
      assert.deepEqual(JSON.parse(report.body), body.preview);
    });
  }

  it('an opt-out file created while running stops the next report', async () => {
    const red = await start({ settings: { telemetry: telemetry({ enabled: true, initialDelay: '1500ms' }) } });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${red.userDir}/.opt-out-from-anonymous-statistics`, '');
    const { body } = await red.api('GET', '/telemetry');
    assert.deepEqual([body.enabled, body.reason, body.nextReportAt], [false, 'opt-out-file', null]);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(collector.connections, 0);
  });
});
