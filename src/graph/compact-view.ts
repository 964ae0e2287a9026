/**
 * CompactGraphView: a read-only, array-based snapshot of the graph for pathfinders. Nodes
 * and channels get dense integer indexes; each direction `e = 2 * channel + direction` has
 * its policy in typed arrays; adjacency is CSR (compressed sparse rows) both ways, so a
 * Dijkstra from the payee walks `inStart/inEdge` without touching a Map or an object.
 */
import type { GraphChannel, GraphNode, NodeKey } from './types.ts';
import { nodeKeyOf } from './node-key.ts';

/** dirFlags bits. */
export const DIR_FLAGS = {
  /** The direction has a channel_update. */
  HAS_POLICY: 1,
  /** Its `disable` bit is clear. */
  ENABLED: 2,
  /** Routing may use it: limits are sane, channel and both nodes carry no unknown even feature, output not spent. */
  USABLE: 4,
} as const;

/** The compact view; every array is indexed as documented on its field. */
export interface CompactGraphView {
  readonly nodeCount: number;
  readonly channelCount: number;
  /** Node index -> node id. */
  readonly nodeIds: readonly Uint8Array[];
  /** Channel index -> short_channel_id. */
  readonly scids: BigUint64Array;
  /** Channel index -> node index of node_id_1 / node_id_2. */
  readonly channelNode1: Uint32Array;
  readonly channelNode2: Uint32Array;
  /** Channel index -> capacity in satoshis (0 when unknown). */
  readonly capacitySat: Float64Array;
  /** Direction e -> source and target node index (direction 0 runs node_id_1 -> node_id_2). */
  readonly edgeSource: Uint32Array;
  readonly edgeTarget: Uint32Array;
  /** Direction e -> policy fields (0 when it has none; check dirFlags). */
  readonly feeBaseMsat: Float64Array;
  readonly feeProportionalMillionths: Uint32Array;
  readonly cltvExpiryDelta: Uint16Array;
  readonly htlcMinimumMsat: Float64Array;
  readonly htlcMaximumMsat: Float64Array;
  /** Update timestamp (UNIX seconds). */
  readonly timestamp: Uint32Array;
  readonly dirFlags: Uint8Array;
  /** Outgoing directions of node v: outEdge[outStart[v] .. outStart[v+1]). Only directions with a policy. */
  readonly outStart: Uint32Array;
  readonly outEdge: Uint32Array;
  /** Incoming directions of node v: inEdge[inStart[v] .. inStart[v+1]). */
  readonly inStart: Uint32Array;
  readonly inEdge: Uint32Array;
  /** indexOf returns a node's index (by id, or key: lower-case hex), or -1. */
  indexOf(id: Uint8Array | NodeKey): number;
}

/** What the compact view is built from: a graph's nodes and channels (the NetworkGraph). */
export interface CompactViewSource {
  nodes(): Iterable<GraphNode>;
  channels(): Iterable<GraphChannel>;
  readonly channelCount: number;
}

/** buildCompactView lays a graph out in arrays (O(nodes + channels)). */
export function buildCompactView(g: CompactViewSource): CompactGraphView {
  const index = new Map<NodeKey, number>();
  const nodeIds: Uint8Array[] = [];
  const nodeRoutable: boolean[] = [];
  for (const n of g.nodes()) {
    index.set(n.key, nodeIds.length);
    nodeIds.push(n.nodeId);
    nodeRoutable.push(n.announcement?.routable ?? true);
  }
  const N = nodeIds.length;
  const C = g.channelCount;
  const scids = new BigUint64Array(C);
  const channelNode1 = new Uint32Array(C);
  const channelNode2 = new Uint32Array(C);
  const capacitySat = new Float64Array(C);
  const E = 2 * C;
  const edgeSource = new Uint32Array(E);
  const edgeTarget = new Uint32Array(E);
  const feeBaseMsat = new Float64Array(E);
  const feePpm = new Uint32Array(E);
  const cltv = new Uint16Array(E);
  const htlcMin = new Float64Array(E);
  const htlcMax = new Float64Array(E);
  const timestamp = new Uint32Array(E);
  const dirFlags = new Uint8Array(E);
  const outDeg = new Uint32Array(N + 1);
  const inDeg = new Uint32Array(N + 1);
  let i = 0;
  for (const c of g.channels()) {
    const a = index.get(c.node1)!;
    const b = index.get(c.node2)!;
    scids[i] = c.scid;
    channelNode1[i] = a;
    channelNode2[i] = b;
    capacitySat[i] = c.capacity === null ? 0 : Number(c.capacity);
    const channelOk = c.routable && c.spentAtHeight === null && nodeRoutable[a]! && nodeRoutable[b]!;
    for (let d = 0; d < 2; d++) {
      const e = 2 * i + d;
      const src = d === 0 ? a : b;
      const dst = d === 0 ? b : a;
      edgeSource[e] = src;
      edgeTarget[e] = dst;
      const p = c.policies[d];
      if (!p) continue;
      feeBaseMsat[e] = Number(p.feeBaseMsat);
      feePpm[e] = p.feeProportionalMillionths;
      cltv[e] = p.cltvExpiryDelta;
      htlcMin[e] = Number(p.htlcMinimumMsat);
      htlcMax[e] = Number(p.htlcMaximumMsat);
      timestamp[e] = p.timestamp;
      dirFlags[e] = DIR_FLAGS.HAS_POLICY | (p.disabled ? 0 : DIR_FLAGS.ENABLED) | (p.usable && channelOk ? DIR_FLAGS.USABLE : 0);
      outDeg[src + 1]!++;
      inDeg[dst + 1]!++;
    }
    i++;
  }
  for (let v = 0; v < N; v++) {
    outDeg[v + 1]! += outDeg[v]!;
    inDeg[v + 1]! += inDeg[v]!;
  }
  const outStart = outDeg;
  const inStart = inDeg;
  const outEdge = new Uint32Array(outStart[N]!);
  const inEdge = new Uint32Array(inStart[N]!);
  const outFill = outStart.slice(0, N);
  const inFill = inStart.slice(0, N);
  for (let e = 0; e < E; e++) {
    if ((dirFlags[e]! & DIR_FLAGS.HAS_POLICY) === 0) continue;
    outEdge[outFill[edgeSource[e]!]!++] = e;
    inEdge[inFill[edgeTarget[e]!]!++] = e;
  }
  return {
    nodeCount: N,
    channelCount: C,
    nodeIds,
    scids,
    channelNode1,
    channelNode2,
    capacitySat,
    edgeSource,
    edgeTarget,
    feeBaseMsat,
    feeProportionalMillionths: feePpm,
    cltvExpiryDelta: cltv,
    htlcMinimumMsat: htlcMin,
    htlcMaximumMsat: htlcMax,
    timestamp,
    dirFlags,
    outStart,
    outEdge,
    inStart,
    inEdge,
    indexOf(id: Uint8Array | NodeKey): number {
      return index.get(typeof id === 'string' ? id : nodeKeyOf(id)) ?? -1;
    },
  };
}
