/**
 * bench/graph: `graph.load_2024`, loading the 2024-09-22 mainnet snapshot
 * (../shared/data/ln-graph) into a NetworkGraph: gunzip, decode, node map parse, graph build.
 * The xz node map is decompressed beforehand by the system `xz` (not timed: Node has no xz).
 *
 * Baseline, measured in the same run: gunzip plus decodeSnapshot alone (the file decoded
 * into arrays, no graph), best of 3 like the value. ratio = value / baseline (lower is
 * better; 1.0 would mean the graph costs nothing beyond reading the file). Also reported:
 * the first (cold) load's ms, the heap the loaded graph retains (after a GC), and the time
 * to build the compact pathfinding view.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { report } from './harness.ts';
import { NetworkGraph, decodeSnapshot, loadSnapshot, parseNodeMap } from '../src/graph/index.ts';
import { gunzip, readNodeMapText, readSnapshotGzip } from '../test/graph/snapshot-files.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / (1 << 20);
}

export async function run(): Promise<void> {
  const gz = readSnapshotGzip('2024-09-22');
  const mapText = readNodeMapText('2024-09-22');

  const decodeOnly = (): number => {
    const t0 = performance.now();
    const s = decodeSnapshot(gunzip(gz));
    if (s.channelCount === 0) throw new Error('empty');
    return performance.now() - t0;
  };
  const load = (): { ms: number; graph: NetworkGraph } => {
    const t0 = performance.now();
    const nodes = parseNodeMap(mapText);
    const snap = decodeSnapshot(gunzip(gz), nodes.length);
    const graph = new NetworkGraph();
    loadSnapshot(graph, snap, nodes, { timestamp: 1_727_000_000 });
    return { ms: performance.now() - t0, graph };
  };

  // The first (cold) load gives the heap and the cold time; value and baseline are both warm (best of 3).
  const base0 = heapMb();
  const cold = load();
  const heap = heapMb() - base0;
  const t0 = performance.now();
  const view = cold.graph.view();
  const viewMs = performance.now() - t0;
  const channels = cold.graph.channelCount;
  const nodes = cold.graph.nodeCount;
  const decodeMs = Math.min(decodeOnly(), decodeOnly(), decodeOnly());
  const warm = Math.min(load().ms, load().ms, load().ms);
  report({
    name: 'graph.load_2024',
    value: warm,
    unit: 'ms',
    baseline: 'gunzip + decodeSnapshot of the same file (best of 3, warm, like the value)',
    baseline_value: decodeMs,
    cold_load_ms: Math.round(cold.ms),
    heap_mb: Math.round(heap * 10) / 10,
    view_build_ms: Math.round(viewMs),
    channels,
    nodes,
    view_edges: view.outEdge.length,
  });
}
