import assert from 'node:assert/strict';
import { clientKind } from '../../src/ingest/client-kind';
import { resolveConfig } from '../../src/config';

describe('client kind and answer settings (pure)', () => {
  it('tells Node-RED\'s own telemetry, the plugin and anything else apart by User-Agent', () => {
    const rows: Array<[string | undefined, string]> = [
      ['Node-RED/4.1.15', 'node-red-core'],
      ['Node-RED/5.0.7', 'node-red-core'],
      ['Node-RED/4.1.15 node-red-telemetry/0.1.0', 'node-red-telemetry'],
      ['node-red-telemetry/0.2.0', 'node-red-telemetry'],
      ['Node-RED/4.1.15 (FlowFuse)', 'other'],
      ['got (https://github.com/sindresorhus/got)', 'other'],
      ['curl/8.5.0', 'other'],
      ['Node-RED/', 'other'],
      ['node-red-telemetry/', 'other'],
      ['', 'other'],
      [undefined, 'other'],
    ];
    for (const [agent, kind] of rows) assert.equal(clientKind(agent), kind, String(agent));
  });

  it('refuses --next without --latest, and one TLS file without the other, naming the settings', () => {
    const lone = resolveConfig({ env: {}, flags: { next: '5.0.0-beta.1' } });
    assert.equal(lone.ok, false);
    assert.match(lone.ok ? '' : lone.problems.join('\n'), /--next \(COLLECTOR_NEXT\): needs --latest/);
    const half = resolveConfig({ env: { COLLECTOR_TLS_CERT: '/etc/cert.pem' }, flags: {} });
    assert.match(half.ok ? '' : half.problems.join('\n'), /--tls-cert and --tls-key .*give both, or neither/);
    const both = resolveConfig({ env: {}, flags: { latest: '4.1.2', next: '5.0.0-beta.1', 'tls-cert': 'c.pem', 'tls-key': 'k.pem' } });
    assert.ok(both.ok);
    assert.equal(both.config.tlsKey, 'k.pem');
  });
});
