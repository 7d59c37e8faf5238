/**
 * What the plugin costs the Node-RED it runs in (issue 28's targets), each
 * figure beside a baseline measured in the same run:
 * - start: start-up time and memory of a real Node-RED with the plugin pending, and with every group on;
 * - memory: memory while reporting, on this Node.js; memory22: the same on the compatibility matrix's Node.js 22;
 * - flows: building reports and deploying with 5,000 nodes on 50 tabs, every group on;
 * - transports: one POST in a fresh process with each HTTP client, the measurement the transport was chosen by.
 * BENCH_ONLY=start,memory,... picks parts; BENCH_PLUGIN_ROOT measures another build of the plugin.
 * All traffic goes to 127.0.0.1; every loop is bounded. Results: BENCHMARKS.md.
 */
import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { bigFlows } from './plugin/big-flows';
import { NODE22, PLUGIN_ROOT } from './plugin/node-red';
import { reportingMemory, startUp } from './plugin/starts';
import { transports } from './plugin/transports';

const PARTS = ['start', 'memory', 'memory22', 'flows', 'transports'] as const;
const only = (process.env.BENCH_ONLY ?? PARTS.join(',')).split(',');

async function main(): Promise<void> {
  console.log(`plugin benchmarks: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, plugin from ${PLUGIN_ROOT}`);
  if (only.includes('start')) await startUp();
  if (only.includes('memory')) await reportingMemory(undefined, `Node.js ${process.versions.node}`);
  if (only.includes('memory22')) {
    if (existsSync(NODE22)) await reportingMemory(NODE22, 'Node.js 22 (test/compat/runtimes/node22)');
    else console.log(`\nNode.js 22 not installed at ${NODE22}: run npm run test:compat once to install it.`);
  }
  if (only.includes('flows')) await bigFlows();
  if (only.includes('transports')) await transports();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
