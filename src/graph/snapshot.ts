/**
 * Reader of the mainnet graph snapshots in `../shared/data/ln-graph/` (Core Lightning's
 * `GOSSMAP_COMPRESSv1` test data, described in that folder's README), and a loader that
 * puts one into a NetworkGraph. The snapshots carry no signatures and no short channel ids:
 * this path trusts its input and must never be used for anything a peer sent.
 *
 * Pure: the caller decompresses (gzip for the graph, xz for the node map) and passes bytes
 * and text.
 */
import { DecodeError, fromHex, type Msat, type Sat, type ShortChannelId } from '../lib/index.ts';
import type { NetworkGraph } from './network-graph.ts';
import { nodeKeyOf } from './node-key.ts';

const MAGIC = 'GOSSMAP_COMPRESSv1';

/** A decoded snapshot: per-channel and per-direction arrays (direction e = 2 * channel + d). */
export interface GraphSnapshot {
  channelCount: number;
  /** Node indices (into the node map) of each channel's first and second node. */
  node1: Uint32Array;
  node2: Uint32Array;
  /** 1 where direction e is disabled. */
  disabled: Uint8Array;
  capacitySat: bigint[];
  htlcMinimumMsat: bigint[];
  /** Resolved: the README's 0 ("the capacity") and 1 ("99% of the capacity") are applied. */
  htlcMaximumMsat: bigint[];
  feeBaseMsat: bigint[];
  feeProportionalMillionths: Uint32Array;
  cltvExpiryDelta: Uint16Array;
}

/** One node map line: `index:pubkey:alias`. */
export interface SnapshotNode {
  index: number;
  nodeId: Uint8Array;
  alias: string;
}

/** A fast BigSize cursor: numbers below 2^53, bigints for the value tables. */
class BigSizeCursor {
  pos: number;
  constructor(
    readonly b: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }
  private need(n: number): void {
    if (this.pos + n > this.b.length) throw new DecodeError(`snapshot truncated at offset ${this.pos}`);
  }
  /** num reads a BigSize as a number (throws above 2^53). */
  num(): number {
    this.need(1);
    const b = this.b;
    const f = b[this.pos++]!;
    if (f < 0xfd) return f;
    if (f === 0xfd) {
      this.need(2);
      const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
      this.pos += 2;
      if (v < 0xfd) throw new DecodeError('snapshot bigsize is not canonical');
      return v;
    }
    if (f === 0xfe) {
      this.need(4);
      const p = this.pos;
      const v = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
      this.pos += 4;
      if (v < 0x10000) throw new DecodeError('snapshot bigsize is not canonical');
      return v;
    }
    const v = this.big(f);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError('snapshot count or index too large');
    return Number(v);
  }
  /** big reads a BigSize as a bigint. */
  bigint(): bigint {
    this.need(1);
    const f = this.b[this.pos]!;
    if (f < 0xff) return BigInt(this.num());
    this.pos++;
    return this.big(f);
  }
  private big(_f: number): bigint {
    this.need(8);
    const p = this.pos;
    const b = this.b;
    const hi = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
    const lo = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
    this.pos += 8;
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    if (v < 0x100000000n) throw new DecodeError('snapshot bigsize is not canonical');
    return v;
  }
}

/** readBlock reads `count K, K values, then n indexes` and returns the values per item. */
function readBlock(c: BigSizeCursor, n: number, what: string): { values: bigint[]; index: Uint32Array } {
  const k = c.num();
  if (k > n && n > 0) throw new DecodeError(`snapshot ${what}: ${k} distinct values for ${n} items`);
  const values = new Array<bigint>(k);
  for (let i = 0; i < k; i++) values[i] = c.bigint();
  const index = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const x = c.num();
    if (x >= k) throw new DecodeError(`snapshot ${what}: index ${x} out of ${k} values`);
    index[i] = x;
  }
  return { values, index };
}

/**
 * decodeSnapshot reads a decompressed `.compressed` file. Throws DecodeError on anything
 * that does not match the format (wrong magic, truncation, indexes out of range, trailing bytes).
 */
export function decodeSnapshot(bytes: Uint8Array, nodeCount?: number): GraphSnapshot {
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) throw new DecodeError('not a GOSSMAP_COMPRESSv1 snapshot');
  if (bytes[MAGIC.length] !== 0) throw new DecodeError('snapshot magic is not NUL-terminated');
  const c = new BigSizeCursor(bytes, MAGIC.length + 1);
  const N = c.num();
  if (N > bytes.length) throw new DecodeError('snapshot channel count exceeds its size');
  const node1 = new Uint32Array(N);
  const node2 = new Uint32Array(N);
  for (let i = 0; i < N; i++) node1[i] = c.num();
  for (let i = 0; i < N; i++) node2[i] = c.num();
  if (nodeCount !== undefined) {
    for (let i = 0; i < N; i++) if (node1[i]! >= nodeCount || node2[i]! >= nodeCount) throw new DecodeError(`snapshot channel ${i} names a node outside the map`);
  }
  const disabled = new Uint8Array(2 * N);
  for (;;) {
    const d = c.num();
    if (d >= 2 * N) break;
    disabled[d] = 1;
  }
  const cap = readBlock(c, N, 'capacity');
  const hmin = readBlock(c, 2 * N, 'htlc_minimum_msat');
  const hmax = readBlock(c, 2 * N, 'htlc_maximum_msat');
  const fbase = readBlock(c, 2 * N, 'fee_base_msat');
  const fppm = readBlock(c, 2 * N, 'fee_proportional_millionths');
  const cltv = readBlock(c, 2 * N, 'cltv_expiry_delta');
  if (c.pos !== bytes.length) throw new DecodeError(`snapshot has ${bytes.length - c.pos} bytes after its last index`);
  const capacitySat = new Array<bigint>(N);
  for (let i = 0; i < N; i++) capacitySat[i] = cap.values[cap.index[i]!]!;
  const htlcMinimumMsat = new Array<bigint>(2 * N);
  const htlcMaximumMsat = new Array<bigint>(2 * N);
  const feeBaseMsat = new Array<bigint>(2 * N);
  const feeProportionalMillionths = new Uint32Array(2 * N);
  const cltvExpiryDelta = new Uint16Array(2 * N);
  let capMsat = 0n;
  for (let e = 0; e < 2 * N; e++) {
    htlcMinimumMsat[e] = hmin.values[hmin.index[e]!]!;
    const m = hmax.values[hmax.index[e]!]!;
    if ((e & 1) === 0) capMsat = capacitySat[e >> 1]! * 1000n;
    htlcMaximumMsat[e] = m === 0n ? capMsat : m === 1n ? (capMsat * 99n) / 100n : m;
    feeBaseMsat[e] = fbase.values[fbase.index[e]!]!;
    feeProportionalMillionths[e] = Number(fppm.values[fppm.index[e]!]!);
    cltvExpiryDelta[e] = Number(cltv.values[cltv.index[e]!]!);
  }
  return { channelCount: N, node1, node2, disabled, capacitySat, htlcMinimumMsat, htlcMaximumMsat, feeBaseMsat, feeProportionalMillionths, cltvExpiryDelta };
}

/** parseNodeMap reads the node map text (`index:pubkey:alias` per line, indexes 0..n-1 in order). */
export function parseNodeMap(text: string): SnapshotNode[] {
  const out: SnapshotNode[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) {
      const a = text.indexOf(':', start);
      const b = a < 0 ? -1 : text.indexOf(':', a + 1);
      if (a < 0 || b < 0 || b > end) throw new DecodeError(`node map line ${out.length + 1} is not index:pubkey:alias`);
      const index = Number(text.slice(start, a));
      if (index !== out.length) throw new DecodeError(`node map line ${out.length + 1} has index ${index}`);
      const hex = text.slice(a + 1, b);
      if (hex.length !== 66) throw new DecodeError(`node map line ${out.length + 1}: not a 33-byte node id`);
      out.push({ index, nodeId: fromHex(hex), alias: text.slice(b + 1, end) });
    }
    start = end + 1;
  }
  return out;
}

/** Options of loadSnapshot. */
export interface LoadSnapshotOptions {
  /** Timestamp given to every policy and channel (UNIX seconds), e.g. now, so nothing is stale at once. */
  timestamp: number;
  /** Keep the README's all-zero policies (default true: the published counts include them). */
  keepZeroPolicies?: boolean;
}

/**
 * loadSnapshot puts a decoded snapshot into a graph. Channel i gets the synthetic
 * short_channel_id i (the snapshots keep none); aliases fill the node announcement's alias
 * (truncated to 32 bytes). Trusted input only: no signature or chain check happens here.
 */
export function loadSnapshot(graph: NetworkGraph, snap: GraphSnapshot, nodes: readonly SnapshotNode[], o: LoadSnapshotOptions): void {
  const ts = o.timestamp;
  const keepZero = o.keepZeroPolicies ?? true;
  const enc = new TextEncoder();
  const keys = nodes.map((n) => nodeKeyOf(n.nodeId));
  const aliases = new Uint8Array(32 * nodes.length);
  const noColor = new Uint8Array(3);
  const noFeatures = new Uint8Array(0);
  graph.bulk(() => {
  for (let i = 0; i < snap.channelCount; i++) {
    const a = nodes[snap.node1[i]!];
    const b = nodes[snap.node2[i]!];
    if (!a || !b) throw new DecodeError(`snapshot channel ${i} names a node outside the map`);
    const scid = BigInt(i) as ShortChannelId;
    const capacity = snap.capacitySat[i]! as Sat;
    // The snapshot's first node is not always the lesser key: direction d of the graph is
    // from node_id_1 (the lesser), so swap when needed.
    const swap = lessThan(b.nodeId, a.nodeId);
    const n1 = swap ? b : a;
    const n2 = swap ? a : b;
    const capMsat = capacity * 1000n;
    graph.addChannel({ scid, nodeId1: n1.nodeId, nodeId2: n2.nodeId, node1Key: keys[n1.index], node2Key: keys[n2.index], capacity, addedAt: ts });
    for (let d = 0; d < 2; d++) {
      const e = 2 * i + (swap ? 1 - d : d);
      const zero =
        snap.feeBaseMsat[e] === 0n && snap.feeProportionalMillionths[e] === 0 && snap.cltvExpiryDelta[e] === 0 && snap.htlcMinimumMsat[e] === 0n;
      const disabled = snap.disabled[e] === 1 || (!keepZero && zero);
      const htlcMax = snap.htlcMaximumMsat[e]!;
      const htlcMin = snap.htlcMinimumMsat[e]!;
      graph.setPolicy(scid, d as 0 | 1, {
        timestamp: ts,
        messageFlags: 1,
        channelFlags: d | (disabled ? 2 : 0),
        cltvExpiryDelta: snap.cltvExpiryDelta[e]!,
        htlcMinimumMsat: htlcMin as Msat,
        feeBaseMsat: snap.feeBaseMsat[e]! as Msat,
        feeProportionalMillionths: snap.feeProportionalMillionths[e]!,
        htlcMaximumMsat: htlcMax as Msat,
        disabled,
        usable: htlcMax >= htlcMin && htlcMax <= capMsat,
        raw: null,
      });
    }
  }
  for (const n of nodes) {
    if (!graph.node(keys[n.index]!)) continue;
    const alias = aliases.subarray(32 * n.index, 32 * n.index + 32);
    enc.encodeInto(n.alias.slice(0, 32), alias);
    graph.setNodeAnnouncement(keys[n.index]!, { timestamp: ts, features: noFeatures, rgbColor: noColor, alias, addresses: [], routable: true, relay: false, raw: null });
  }
  });
}

function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
