import { CORE_NODE_TYPES, CoreNodeType, FlowsInsight, GraphCounts, MAX_COUNT } from '@node-red-telemetry/protocol/insight';

const CORE = new Set<string>(CORE_NODE_TYPES);

/** Counts are clamped, never refused: a huge flow still reports, as "at least this many". */
function clamp(n: number): number {
  return Math.min(n, MAX_COUNT);
}

function typeOf(item: unknown): string | null {
  if (!item || typeof item !== 'object') return null;
  const type = (item as { type?: unknown }).type;
  return typeof type === 'string' ? type : null;
}

/**
 * The shape of a flow configuration (Node-RED's flow file: an array of
 * objects). Reads only `type`, `disabled` on tabs and the lengths of `wires`;
 * no name, label, id or property is looked at, so none can leak.
 *
 * - a tab is `type: "tab"` (disabled when `disabled: true`), a subflow definition `type: "subflow"`;
 * - a subflow instance is a node of type `subflow:<id>`;
 * - a config node is any other object without a `wires` array (`mqtt-broker`, `global-config`, non-core ones alike);
 * - every object with a `wires` array is a node, subflow instances and nodes inside subflows included;
 * - wires: every connection of every output port.
 */
export function countGraph(flows: readonly unknown[]): { graph: GraphCounts; types: FlowsInsight['types'] } {
  let counts = counted.get(flows);
  if (!counts) {
    counts = walk(flows);
    counted.set(flows, counts);
  }
  return { graph: { ...counts.graph }, types: { ...counts.types } };
}

/**
 * Counts by configuration: Node-RED hands each deploy's configuration over as
 * a new array and never changes it afterwards, and one deploy asks for its
 * counts several times (the deploy event, each status the editor is sent).
 * Weak, so that a replaced configuration is not kept alive.
 */
const counted = new WeakMap<readonly unknown[], { graph: GraphCounts; types: FlowsInsight['types'] }>();

function walk(flows: readonly unknown[]): { graph: GraphCounts; types: FlowsInsight['types'] } {
  const graph: GraphCounts = { tabs: 0, disabledTabs: 0, subflows: 0, subflowInstances: 0, nodes: 0, configNodes: 0, groups: 0, junctions: 0, wires: 0 };
  const types: Partial<Record<CoreNodeType | 'other', number>> = {};
  for (const item of flows) {
    const type = typeOf(item);
    if (type === null) continue;
    const wires = (item as { wires?: unknown }).wires;
    if (type === 'tab') {
      graph.tabs++;
      if ((item as { disabled?: unknown }).disabled === true) graph.disabledTabs++;
    } else if (type === 'subflow') graph.subflows++;
    else if (type === 'group') graph.groups++;
    else if (type === 'junction') {
      graph.junctions++;
      graph.wires += wireCount(wires);
    } else if (!Array.isArray(wires)) graph.configNodes++;
    else {
      graph.nodes++;
      graph.wires += wireCount(wires);
      if (type.startsWith('subflow:')) graph.subflowInstances++;
      else {
        const key = CORE.has(type) ? (type as CoreNodeType) : 'other';
        types[key] = (types[key] ?? 0) + 1;
      }
    }
  }
  for (const key of Object.keys(graph) as Array<keyof GraphCounts>) graph[key] = clamp(graph[key]);
  for (const key of Object.keys(types) as Array<keyof typeof types>) types[key] = clamp(types[key] ?? 0);
  return { graph, types };
}

function wireCount(wires: unknown): number {
  if (!Array.isArray(wires)) return 0;
  let n = 0;
  for (const port of wires) if (Array.isArray(port)) n += port.length;
  return n;
}

/** The `flows` group from a flow configuration and the number of node modules Node-RED loaded. */
export function flowsInsight(flows: readonly unknown[], modules: number): FlowsInsight {
  const { graph, types } = countGraph(flows);
  return { ...graph, modules: clamp(modules), types };
}
