/**
 * A big flow configuration in Node-RED's flow-file format, for the big-flow
 * benchmark: tabs, nodes wired in chains, a few config nodes, groups and a
 * subflow with instances, with the properties real nodes carry (names,
 * positions, a function's code), so that anything that walks or copies the
 * configuration pays what it would pay for a real one.
 */

const TYPES = ['inject', 'debug', 'function', 'change', 'switch', 'template', 'delay', 'mqtt in', 'mqtt out', 'http in', 'http response', 'json', 'split', 'join', 'trigger', 'rbe', 'node-red-contrib-x'];

export function flowSet(tabs: number, nodesPerTab: number, revision: number): unknown[] {
  const flows: unknown[] = [
    { id: 'broker', type: 'mqtt-broker', name: 'broker', broker: 'localhost', port: '1883' },
    { id: 'global', type: 'global-config', env: [] },
    { id: 'sf', type: 'subflow', name: 'helper', in: [{ x: 40, y: 40, wires: [{ id: 'sf-fn' }] }], out: [] },
    { id: 'sf-fn', type: 'function', z: 'sf', name: 'inside', func: 'return msg;', outputs: 1, wires: [[]] },
  ];
  for (let t = 0; t < tabs; t++) {
    const z = `tab${t}`;
    flows.push({ id: z, type: 'tab', label: `Flow ${t}`, disabled: t % 10 === 9, info: '' });
    flows.push({ id: `${z}-group`, type: 'group', z, name: 'a group', nodes: [`${z}-n0`, `${z}-n1`] });
    for (let n = 0; n < nodesPerTab; n++) {
      const id = `${z}-n${n}`;
      const next = n + 1 < nodesPerTab ? [[`${z}-n${n + 1}`]] : [[]];
      const type = n % 25 === 24 ? 'subflow:sf' : TYPES[(t + n) % TYPES.length];
      const node: Record<string, unknown> = { id, type, z, name: `node ${n} rev ${revision}`, x: 100 + (n % 10) * 150, y: 40 + Math.floor(n / 10) * 60, wires: next };
      if (type === 'function') node.func = `// step ${n}\nmsg.payload = (msg.payload || 0) + ${n};\nreturn msg;`;
      flows.push(node);
    }
  }
  return flows;
}
