'use strict';
// Preloaded (NODE_OPTIONS=--require) into every Node-RED a plugin benchmark starts, with or without
// the plugin alike: on SIGWINCH it collects garbage and prints the memory, so that every scenario is
// read settled and the same way, instead of at whatever moment the collector last ran. (SIGWINCH, as
// nothing else here uses it: Node-RED stops on SIGUSR2, its restart signal for nodemon.)
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

process.on('SIGWINCH', () => {
  gc();
  gc();
  const m = process.memoryUsage();
  // Linux splits RSS into anonymous memory (heaps, stacks) and file pages (the node binary's code touched).
  let split = '';
  try {
    const status = require('node:fs').readFileSync('/proc/self/status', 'utf8');
    const kib = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) * 1024;
    split = ` anon=${kib('RssAnon')} file=${kib('RssFile')}`;
  } catch {
    /* not Linux */
  }
  process.stdout.write(`BENCH-MEM rss=${m.rss} heap=${m.heapUsed} external=${m.external}${split}\n`);
});
