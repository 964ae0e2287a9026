/** Small hand-made graphs for the pathfinder's tests. */
import { NetworkGraph, type CompactGraphView } from '../../src/graph/index.ts';
import type { Msat, Sat, ShortChannelId } from '../../src/lib/units.ts';

/** nodeId makes a distinct 33-byte id from a letter: 02 followed by its char code repeated. */
export function nodeId(name: string): Uint8Array {
  const b = new Uint8Array(33).fill(name.charCodeAt(0));
  b[0] = 2;
  return b;
}

export interface Policy {
  base?: number;
  ppm?: number;
  cltv?: number;
  min?: number;
  max?: number;
  disabled?: boolean;
}

/**
 * A graph builder: `chan('A', 'B', 1, 100_000, policyAtoB, policyBtoA)` adds channel scid 1
 * of 100,000 sat between A and B, with a policy per direction (omit one for none).
 */
export class GraphBuilder {
  readonly graph = new NetworkGraph();

  chan(a: string, b: string, scid: number, capacitySat: number, ab: Policy | null = {}, ba: Policy | null = {}): this {
    const ia = nodeId(a);
    const ib = nodeId(b);
    const aFirst = ia[1]! < ib[1]!;
    const [n1, n2] = aFirst ? [ia, ib] : [ib, ia];
    this.graph.addChannel({ scid: BigInt(scid) as ShortChannelId, nodeId1: n1, nodeId2: n2, capacity: BigInt(capacitySat) as Sat, addedAt: 1_700_000_000 });
    const set = (p: Policy | null, dir: 0 | 1): void => {
      if (!p) return;
      const max = BigInt(p.max ?? capacitySat * 1000);
      const min = BigInt(p.min ?? 1);
      this.graph.setPolicy(BigInt(scid) as ShortChannelId, dir, {
        timestamp: 1_700_000_000,
        messageFlags: 1,
        channelFlags: dir | (p.disabled ? 2 : 0),
        cltvExpiryDelta: p.cltv ?? 40,
        htlcMinimumMsat: min as Msat,
        feeBaseMsat: BigInt(p.base ?? 1000) as Msat,
        feeProportionalMillionths: p.ppm ?? 1,
        htlcMaximumMsat: max as Msat,
        disabled: p.disabled ?? false,
        usable: max >= min && max <= BigInt(capacitySat) * 1000n,
        raw: null,
      });
    };
    set(ab, aFirst ? 0 : 1);
    set(ba, aFirst ? 1 : 0);
    return this;
  }

  view(): CompactGraphView {
    return this.graph.view();
  }
}
