#!/usr/bin/env node
'use strict';
// Copies the compiled protocol into a package's build, as dist/node_modules/@node-red-telemetry/protocol:
// Node.js finds it there from every compiled file above it, so the package's tarball carries the
// protocol it was built with and installs alone, while the sources import it by name.
// Usage: node protocol/vendor.js <dist folder> [--types]
const fs = require('node:fs');
const path = require('node:path');

const [target, flag] = process.argv.slice(2);
if (!target) {
  console.error('usage: node protocol/vendor.js <dist folder> [--types]');
  process.exit(2);
}
const from = path.join(__dirname, 'dist');
const to = path.join(target, 'node_modules', '@node-red-telemetry', 'protocol');
fs.rmSync(to, { recursive: true, force: true });
fs.mkdirSync(to, { recursive: true });
const wanted = (file) => file.endsWith('.js') || (flag === '--types' && file.endsWith('.d.ts'));
for (const file of fs.readdirSync(from).filter(wanted)) fs.copyFileSync(path.join(from, file), path.join(to, file));
