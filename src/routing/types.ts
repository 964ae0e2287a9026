/**
 * Types of the pathfinder: what a route request asks, what a route is. Amounts inside the
 * pathfinder are numbers of millisatoshis (exact below 2^53 msat, about 90,000 BTC, far above
 * any channel); the route handed out carries them as bigints too.
 */

/** One hop of a route: the channel direction taken and what the hop's node receives. */
export interface RouteHop {
  /** Direction index in the graph view (2 * channel + direction). */
  edge: number;
  /** The short_channel_id of the channel. */
  scid: bigint;
  /** 0 or 1: the channel_update direction bit of this hop. */
  direction: 0 | 1;
  /** Node index in the view of the node this hop delivers to. */
  nodeIndex: number;
  /** The node id this hop delivers to. */
  nodeId: Uint8Array;
  /** What this hop's outgoing HTLC carries (what `nodeId` receives), msat. */
  amountMsat: number;
  /** The CLTV expiry of that HTLC, as an offset from the current height (before the height is added). */
  delay: number;
}

/** A route: `hops[0]` leaves the payer, the last hop reaches the payee. */
export interface Route {
  hops: RouteHop[];
  /** What the payer sends into the first hop (amount plus every fee), msat. */
  amountMsat: number;
  /** What the payee receives, msat. */
  deliveredMsat: number;
  /** Fees paid to intermediaries, msat. */
  feeMsat: number;
  /** The first hop's CLTV delay (the route's total, including the final CLTV and shadow margin). */
  totalDelay: number;
  /** The route's success probability under the model that chose it (1 when none). */
  probability: number;
}

/** An extra edge the graph does not have: a route hint from an invoice, or a private channel of ours. */
export interface ExtraEdge {
  scid: bigint;
  direction: 0 | 1;
  /** Source and target node ids (33-byte keys). */
  from: Uint8Array;
  to: Uint8Array;
  feeBaseMsat: number;
  feeProportionalMillionths: number;
  cltvExpiryDelta: number;
  htlcMinimumMsat: number;
  htlcMaximumMsat: number;
  /** What it can carry at most (a hint's htlc_maximum_msat, or our own channel's spendable_msat). */
  capacityMsat: number;
  /** True when `capacityMsat` is exactly what it carries now (our own channel): certain below, impossible above. */
  exact?: boolean;
}

/** Limits every route respects. Defaults are Core Lightning's where it has them. */
export interface RouteLimits {
  /** Most intermediaries plus one: BOLT 4's onion holds 20 hops. */
  maxHops: number;
  /** Largest total CLTV delay (Core Lightning's `maxdelay`: 2016 blocks by default). */
  maxTotalCltv: number;
  /** Largest total fee in msat (Infinity for none). */
  maxFeeMsat: number;
  /** Channel directions (scid:direction) and channels (scid) never to use. */
  excludeEdges?: ReadonlySet<string>;
  excludeChannels?: ReadonlySet<bigint>;
  /** Node ids (lower-case hex) never to route through. */
  excludeNodes?: ReadonlySet<string>;
}

export const DEFAULT_LIMITS: RouteLimits = { maxHops: 20, maxTotalCltv: 2016, maxFeeMsat: Infinity };

/** edgeKey names a channel direction for exclusion sets and knowledge: `scid/direction`. */
export function edgeKey(scid: bigint, direction: number): string {
  return `${scid}/${direction}`;
}
