'use strict';
// One HTTP POST of a report-sized body, alone in a fresh Node.js process, with the client named by
// BENCH_CLIENT; then, BENCH_SETTLE_MS later, RSS after forced collections. `none` sends nothing: the
// baseline. Run by bench/plugin/transports.ts; prints "rss=<bytes> ok=<bool>".
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const { BENCH_CLIENT: client, BENCH_URL: url, BENCH_SETTLE_MS: settle, BENCH_TRANSPORT: transportFile, BENCH_PRELOAD: preload } = process.env;
// Every client alike starts with what the plugin has loaded by then in Node-RED (the parts of the
// shared protocol its start path takes; a list of module files), so that the plugin's transport is
// charged for itself only.
for (const file of (preload ?? '').split(require('node:path').delimiter).filter(Boolean)) require(file);
const body = JSON.stringify({ instanceId: 'd'.repeat(32), os: { type: 'Linux', release: '6.1.0', arch: 'arm64' }, env: { nodejs: process.versions.node, 'node-red': '4.1.15' } });

async function post() {
  switch (client) {
    case 'none':
      return true;
    case 'node:http':
    case 'node:https':
      // Only the module asked for is loaded: https costs more than http, and that is the point.
      return new Promise((resolve) => {
        const req = require(client).request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        });
        req.on('error', () => resolve(false));
        req.end(body);
      });
    // What TLS costs before any byte is sent, step by step: Node.js's TLS code loaded, then a secure
    // context as every HTTPS client makes one (OpenSSL set up, the root certificate store built).
    case 'node:https, loaded only':
      require('node:https');
      return true;
    case 'TLS context, root certificates':
      require('node:tls').createSecureContext();
      return true;
    case 'fetch': {
      const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      await res.text();
      return res.status === 200;
    }
    case 'undici': {
      const res = await require('undici').request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      await res.body.text();
      return res.statusCode === 200;
    }
    case 'plugin transport': {
      const { Transport } = require(transportFile);
      const transport = new Transport({ userAgent: 'bench' });
      const outcome = await transport.send(new URL(url), JSON.parse(body), new AbortController().signal);
      return outcome.ok;
    }
    default:
      throw new Error(`unknown client ${client}`);
  }
}

post().then(
  (ok) =>
    setTimeout(() => {
      gc();
      gc();
      process.stdout.write(`rss=${process.memoryUsage().rss} ok=${ok}\n`);
      process.exit(0);
    }, Number(settle)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
