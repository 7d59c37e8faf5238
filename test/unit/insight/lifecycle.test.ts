import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventQueue, QUEUE_FILE } from '../../../src/insight/event-queue';
import { crashEvent, crashModule, deployEvent, errorName } from '../../../src/insight/lifecycle';
import { BUILTIN_ERROR_NAMES, LifecycleEvent, MAX_LIFECYCLE_EVENTS, reportableErrorName } from '@node-red-telemetry/protocol';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-11-26T12:00:00Z');

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'nrt-queue-'));
}

describe('insight: lifecycle queue on disk', () => {
  it('keeps what was appended across instances (a restart), oldest first', () => {
    const dir = tmp();
    new EventQueue(dir, () => NOW).append({ type: 'start', day: '2026-11-26' });
    new EventQueue(dir, () => NOW).append({ type: 'stop', day: '2026-11-26' });
    assert.deepEqual(new EventQueue(dir, () => NOW).snapshot().events, [
      { type: 'start', day: '2026-11-26' },
      { type: 'stop', day: '2026-11-26' },
    ]);
  });

  it(`never carries more than ${MAX_LIFECYCLE_EVENTS} events, dropping the oldest; the file stays bounded`, () => {
    const dir = tmp();
    const queue = new EventQueue(dir, () => NOW);
    for (let i = 0; i < 450; i++) queue.append({ type: 'crash', day: '2026-11-26', error: 'Error', module: `m${i}` });
    const { events } = queue.snapshot();
    assert.equal(events.length, MAX_LIFECYCLE_EVENTS);
    assert.equal((events[0] as { module: string }).module, 'm350');
    assert.equal((events[99] as { module: string }).module, 'm449');
    const lines = readFileSync(queue.file, 'utf8').split('\n').filter(Boolean).length;
    assert.ok(lines <= 2 * MAX_LIFECYCLE_EVENTS, `${lines} lines on disk`);
  });

  it('drops events older than 7 days', () => {
    const dir = tmp();
    const queue = new EventQueue(dir, () => NOW);
    queue.append({ type: 'start', day: new Date(NOW - 8 * DAY).toISOString().slice(0, 10) });
    queue.append({ type: 'start', day: new Date(NOW - 7 * DAY).toISOString().slice(0, 10) });
    queue.append({ type: 'stop', day: '2026-11-26' });
    assert.deepEqual(queue.snapshot().events.map((e) => e.day), ['2026-11-19', '2026-11-26']);
  });

  it('acknowledging a delivered snapshot keeps what arrived meanwhile', () => {
    const dir = tmp();
    const queue = new EventQueue(dir, () => NOW);
    queue.append({ type: 'start', day: '2026-11-26' });
    const snap = queue.snapshot();
    queue.append({ type: 'stop', day: '2026-11-26' });
    queue.acknowledge(snap);
    assert.deepEqual(queue.snapshot().events, [{ type: 'stop', day: '2026-11-26' }]);
  });

  it('a torn or edited line is dropped, never sent; a missing file is an empty queue', () => {
    const dir = tmp();
    const queue = new EventQueue(dir, () => NOW);
    assert.deepEqual(queue.snapshot(), { events: [], lines: 0 });
    queue.append({ type: 'start', day: '2026-11-26' });
    appendFileSync(queue.file, '{"type":"crash","day":"2026-11-26","error":"E","module":"/home/me/secret.js"}\n{"type":"sto');
    appendFileSync(queue.file, '\n{"type":"start","day":"2026-11-26","message":"boom"}\n');
    assert.deepEqual(queue.snapshot().events, [{ type: 'start', day: '2026-11-26' }, { type: 'start', day: '2026-11-26' }]);
  });

  it('an unwritable user directory does not throw', () => {
    const queue = new EventQueue(path.join(tmp(), 'missing', 'dir'), () => NOW);
    assert.equal(queue.append({ type: 'start', day: '2026-11-26' }), false);
  });
});

describe('insight: crash attribution', () => {
  /** A fake install: node_modules with Node-RED core and a contrib module, plus a project package. */
  function tree(): string {
    const dir = tmp();
    const pkg = (rel: string, name: string): void => {
      mkdirSync(path.join(dir, rel), { recursive: true });
      writeFileSync(path.join(dir, rel, 'package.json'), JSON.stringify({ name }));
    };
    pkg('node_modules/node-red', 'node-red');
    pkg('node_modules/@node-red/runtime', '@node-red/runtime');
    pkg('node_modules/node-red-contrib-x', 'node-red-contrib-x');
    pkg('node_modules/@acme/node-red-y', '@acme/node-red-y');
    return dir;
  }

  it('names the package of the top frame that is neither Node.js nor Node-RED', () => {
    const dir = tree();
    const stack = [
      'TypeError: Cannot read properties of undefined (reading \'secret\')',
      '    at listOnTimeout (node:internal/timers:573:17)',
      `    at Node.emit (${dir}/node_modules/@node-red/runtime/lib/nodes/Node.js:10:5)`,
      `    at Timeout._onTimeout (${dir}/node_modules/node-red-contrib-x/lib/x.js:42:11)`,
      `    at ${dir}/node_modules/@acme/node-red-y/index.js:1:1`,
    ].join('\n');
    assert.equal(crashModule(stack), 'node-red-contrib-x');
  });

  it('a scoped package, a file:// frame, and a bare "at file:line:col" frame', () => {
    const dir = tree();
    assert.equal(crashModule(`Error: x\n    at file://${dir}/node_modules/@acme/node-red-y/index.mjs:3:9`), '@acme/node-red-y');
    assert.equal(crashModule(`Error: x\n    at ${dir}/node_modules/node-red-contrib-x/a.js:1:1`), 'node-red-contrib-x');
  });

  it('unknown when only Node.js and Node-RED frames, or no stack', () => {
    const dir = tree();
    assert.equal(crashModule(`Error: x\n    at f (node:internal/x:1:1)\n    at g (${dir}/node_modules/node-red/red.js:1:1)`), 'unknown');
    assert.equal(crashModule(undefined), 'unknown');
    assert.equal(crashModule('Error: x\n    at eval (eval at <anonymous>, <anonymous>:1:1)'), 'unknown');
  });

  it("the user's own code is local, never its package name: the user directory's project, a local node, a linked package, a loose file", () => {
    const dir = tree();
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'acme-plant7-secret-project' }));
    mkdirSync(path.join(dir, 'nodes', 'mine'), { recursive: true });
    // A local node, even one with a package.json of its own: not installed by npm.
    writeFileSync(path.join(dir, 'nodes', 'mine', 'package.json'), JSON.stringify({ name: 'acme-secret-local-node' }));
    const top = (file: string): string => `AcmeError: x\n    at Timeout.boom (${file}:3:11)\n    at listOnTimeout (node:internal/timers:573:17)`;
    assert.equal(crashModule(top(path.join(dir, 'nodes', 'mine', 'node.js')), dir), 'local');
    assert.equal(crashModule(top(path.join(dir, 'nodes', 'loose.js')), dir), 'local');
    assert.equal(crashModule(top(path.join(dir, 'settings.js')), dir), 'local');
    // The user directory itself, even were it inside a node_modules folder.
    const nested = path.join(dir, 'node_modules', 'node-red-contrib-x');
    assert.equal(crashModule(top(path.join(nested, 'a.js')), nested), 'local');
    // A package linked from outside node_modules (Node.js reports its real path).
    mkdirSync(path.join(dir, 'work', 'acme-linked'), { recursive: true });
    writeFileSync(path.join(dir, 'work', 'acme-linked', 'package.json'), JSON.stringify({ name: 'acme-linked' }));
    assert.equal(crashModule(top(path.join(dir, 'work', 'acme-linked', 'index.js')), dir), 'local');
    assert.equal(crashModule(`Error: x\n    at f (${dir}/loose.js:1:1)`, dir, () => null), 'local');
  });

  it("a Function node's code is local: its script name carries the node's id and name", () => {
    const stack = 'AcmeSecretPaymentError: x\n    at Timeout._onTimeout (Function node:8f2a1b3c4d5e6f70 [Acme Secret Billing]:4:15)\n    at listOnTimeout (node:internal/timers:573:17)';
    assert.equal(crashModule(stack, '/tmp/x'), 'local');
    assert.equal(crashModule('Error: x\n    at Function node setup:8f2a [Secret (billing)]:1:7', '/tmp/x'), 'local');
  });

  it('a package name that is not a valid npm name is never passed on', () => {
    const installed = (): { name: string; root: string } => ({ name: '/home/me/Secret Project', root: '/x/node_modules/y' });
    assert.equal(crashModule('Error\n    at f (/x/node_modules/y/y.js:1:1)', undefined, installed), 'unknown');
  });

  it('the event carries the constructor name and module, never the message or a path', () => {
    const dir = tree();
    const err = new RangeError('password=hunter2 at /home/me/flows.json');
    err.stack = `RangeError: password=hunter2\n    at f (${dir}/node_modules/node-red-contrib-x/x.js:1:1)`;
    const event = crashEvent(err, NOW, dir);
    assert.deepEqual(event, { type: 'crash', day: '2026-11-26', error: 'RangeError', module: 'node-red-contrib-x' });
    assert.ok(!JSON.stringify(event).includes('hunter2') && !JSON.stringify(event).includes(dir));
  });

  it('a class the user wrote is "other"; built-in error constructors keep their name', () => {
    class AcmeSecretPaymentError extends Error {}
    class QuotaExceeded extends TypeError {}
    assert.equal(errorName(new AcmeSecretPaymentError('x')), 'other');
    assert.equal(errorName(new QuotaExceeded('x')), 'other');
    for (const err of [new Error(), new TypeError(), new RangeError(), new SyntaxError(), new ReferenceError(), new EvalError(), new URIError(), new AggregateError([])]) {
      assert.equal(errorName(err), err.constructor.name);
    }
    assert.equal(errorName(new DOMException('x', 'AbortError')), 'DOMException');
    try {
      assert.equal(1, 2);
    } catch (err) {
      assert.equal(errorName(err), 'AssertionError');
    }
    for (const name of BUILTIN_ERROR_NAMES) assert.equal(reportableErrorName(name), name);
    assert.equal(reportableErrorName('AcmeSecretPaymentError'), 'other');
  });

  it('what was thrown when it is not an Error', () => {
    assert.equal(errorName('a string'), 'string');
    assert.equal(errorName(null), 'object');
    assert.equal(errorName({ a: 1 }), 'Object');
    assert.equal(errorName(Object.create(null)), 'Error');
    assert.equal(errorName({ constructor: { name: 'evil name; rm -rf' } }), 'Error');
    assert.equal(errorName({ constructor: { name: 'AcmeCustomer' } }), 'other');
  });

  it('a queue written by an older version never sends a custom class or the project name', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'acme-plant7-secret-project' }));
    appendFileSync(path.join(dir, QUEUE_FILE), `${JSON.stringify({ type: 'crash', day: '2026-11-26', error: 'AcmeSecretPaymentError', module: 'acme-plant7-secret-project' })}\n`);
    appendFileSync(path.join(dir, QUEUE_FILE), `${JSON.stringify({ type: 'crash', day: '2026-11-26', error: 'TypeError', module: 'node-red-contrib-x' })}\n`);
    assert.deepEqual(new EventQueue(dir, () => NOW).snapshot().events, [
      { type: 'crash', day: '2026-11-26', error: 'other', module: 'local' },
      { type: 'crash', day: '2026-11-26', error: 'TypeError', module: 'node-red-contrib-x' },
    ]);
  });

  it('a deploy carries its kind and the graph counts only', () => {
    const flows = [{ id: 't', type: 'tab', label: 'secret' }, { id: 'n', type: 'inject', z: 't', wires: [['d']] }, { id: 'd', type: 'debug', z: 't', wires: [] }];
    const event = deployEvent('nodes', flows, NOW) as Extract<LifecycleEvent, { type: 'deploy' }>;
    assert.deepEqual(event, {
      type: 'deploy',
      day: '2026-11-26',
      deploy: 'nodes',
      graph: { tabs: 1, disabledTabs: 0, subflows: 0, subflowInstances: 0, nodes: 2, configNodes: 0, groups: 0, junctions: 0, wires: 1 },
    });
    assert.equal(deployEvent('reload', flows, NOW), null);
  });
});
