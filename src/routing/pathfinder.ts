/**
 * The pathfinder: a Dijkstra search from the payee back to the payer over the graph's compact
 * view, so that each hop's amount (what it must forward plus the fees of the hops after it)
 * and CLTV are known when the hop is priced. Every constraint the graph knows is enforced:
 * direction usable and enabled, htlc_minimum_msat / htlc_maximum_msat, capacity, the hop cap,
 * the total CLTV cap, the fee cap, and excluded channels, directions and nodes. Extra edges
 * (invoice route hints, our private channels) join the search as if they were in the graph.
 *
 * Fees compound from the destination back: BOLT #7: "fee_base_msat + ( amount_to_forward *
 * fee_proportional_millionths / 1000000 )" is what a hop charges to forward
 * `amount_to_forward`; the payer's own first channel charges nothing, and its CLTV delta is
 * not added (the payer is not forwarding).
 *
 * An edge's cost (see CostOptions) is its fee, a risk term for the value it locks over its
 * CLTV delta (Core Lightning's riskfactor), and a price on failure from the edge's success
 * probability: either additive, `-ln(p) * price` summed over hops (Kite: the route's cost is
 * then fee + risk - ln(P_route) * price, exactly, since probabilities multiply), or LND's
 * `weight + price / P_route`.
 */
import type { CompactGraphView } from '../graph/index.ts';
import { DIR_FLAGS } from '../graph/index.ts';
import { DEFAULT_LIMITS, type ExtraEdge, type Route, type RouteHop, type RouteLimits } from './types.ts';
import { edgeCapacityMsat, type PreparedLiquidity } from './liquidity.ts';

/** Core Lightning's year of blocks, for the riskfactor (an annual percentage on the amount locked). */
const BLOCKS_PER_YEAR = 52596;

/** How an edge is priced. */
export interface CostOptions {
  /** Annual interest, in percent, on the value locked per block of CLTV (Core Lightning's riskfactor; 10 by default there). */
  riskFactor: number;
  /** Price of a failed attempt: base msat plus millionths of the payment amount. */
  failureBaseMsat: number;
  failurePpm: number;
  /** 'log': sum of -ln(p) * price (Kite); 'attempt': weight + price / product of p (LND). */
  combine: 'log' | 'attempt';
  /** Success probability of sending `amountMsat` over edge `e` (an index of the view, or an extra edge id >= 2 * channelCount). */
  probability?: (edge: number, amountMsat: number) => number;
  /**
   * Learned liquidity laid out per edge (LiquidityKnowledge.prepare): the uniform model's
   * probability, computed inline (faster than `probability`, which it replaces on view edges).
   */
  liquidity?: PreparedLiquidity;
  /** Edges below this probability are not used (default 0: only impossible ones are skipped). */
  minProbability?: number;
}

/** What a search is asked. Node arguments are view indexes (see `indexOf`) or 33-byte ids. */
export interface SearchRequest {
  source: number | Uint8Array;
  target: number | Uint8Array;
  /** What the payee must receive, msat. */
  amountMsat: number;
  /** The payee's min_final_cltv_expiry_delta. */
  finalCltvDelta: number;
  /** Extra blocks added to the final CLTV so the payee's position is not obvious (shadow route). */
  shadowCltv?: number;
  limits?: Partial<RouteLimits>;
  extraEdges?: readonly ExtraEdge[];
  /**
   * What the payer can send over its own channel directions right now (view edge -> msat):
   * these edges are certain below it and impossible above it.
   */
  localLiquidity?: ReadonlyMap<number, number>;
  /** The payment's whole amount, for the failure price (default amountMsat: differs for a part of a multi-part payment). */
  paymentAmountMsat?: number;
  cost: CostOptions;
}

/** Reusable scratch arrays, so a search allocates nothing proportional to the graph. */
class Scratch {
  size = 0;
  dist = new Float64Array(0);
  weight = new Float64Array(0);
  prob = new Float64Array(0);
  amt = new Float64Array(0);
  fee = new Float64Array(0);
  delay = new Float64Array(0);
  hops = new Uint8Array(0);
  next = new Int32Array(0);
  done = new Uint8Array(0);
  banned = new Uint8Array(0);
  touched: number[] = [];
  heapKey = new Float64Array(1024);
  heapNode = new Int32Array(1024);
  heapLen = 0;

  ensure(n: number): void {
    if (this.size >= n) return;
    this.size = n;
    this.dist = new Float64Array(n).fill(Infinity);
    this.weight = new Float64Array(n);
    this.prob = new Float64Array(n);
    this.amt = new Float64Array(n);
    this.fee = new Float64Array(n);
    this.delay = new Float64Array(n);
    this.hops = new Uint8Array(n);
    this.next = new Int32Array(n).fill(-1);
    this.done = new Uint8Array(n);
    this.banned = new Uint8Array(n);
    this.touched = [];
  }

  reset(): void {
    for (const v of this.touched) {
      this.dist[v] = Infinity;
      this.next[v] = -1;
      this.done[v] = 0;
    }
    this.touched.length = 0;
    this.heapLen = 0;
  }

  push(key: number, node: number): void {
    if (this.heapLen === this.heapKey.length) {
      const k = new Float64Array(this.heapLen * 2);
      k.set(this.heapKey);
      const n = new Int32Array(this.heapLen * 2);
      n.set(this.heapNode);
      this.heapKey = k;
      this.heapNode = n;
    }
    let i = this.heapLen++;
    const K = this.heapKey;
    const N = this.heapNode;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (K[p]! <= key) break;
      K[i] = K[p]!;
      N[i] = N[p]!;
      i = p;
    }
    K[i] = key;
    N[i] = node;
  }

  /** pop removes the smallest; returns its node, or -1 when empty. */
  pop(): number {
    if (this.heapLen === 0) return -1;
    const K = this.heapKey;
    const N = this.heapNode;
    const top = N[0]!;
    const lastK = K[--this.heapLen]!;
    const lastN = N[this.heapLen]!;
    let i = 0;
    const len = this.heapLen;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= len) break;
      if (c + 1 < len && K[c + 1]! < K[c]!) c++;
      if (K[c]! >= lastK) break;
      K[i] = K[c]!;
      N[i] = N[c]!;
      i = c;
    }
    K[i] = lastK;
    N[i] = lastN;
    return top;
  }
}

/** The extra edges of one search, laid out like the view's. */
interface Extras {
  count: number;
  /** Extra node ids (hex) beyond the view's nodes, index = nodeCount + j. */
  nodeIds: Uint8Array[];
  from: Int32Array;
  to: Int32Array;
  edges: readonly ExtraEdge[];
  /** Incoming extra edges per node index. */
  incoming: Map<number, number[]>;
}

function hexOf(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

function layoutExtras(view: CompactGraphView, edges: readonly ExtraEdge[]): Extras {
  const nodeIds: Uint8Array[] = [];
  const extraIndex = new Map<string, number>();
  const idx = (id: Uint8Array): number => {
    const v = view.indexOf(id);
    if (v >= 0) return v;
    const h = hexOf(id);
    let j = extraIndex.get(h);
    if (j === undefined) {
      j = view.nodeCount + nodeIds.length;
      extraIndex.set(h, j);
      nodeIds.push(id);
    }
    return j;
  };
  const from = new Int32Array(edges.length);
  const to = new Int32Array(edges.length);
  const incoming = new Map<number, number[]>();
  edges.forEach((x, k) => {
    from[k] = idx(x.from);
    to[k] = idx(x.to);
    const list = incoming.get(to[k]!) ?? [];
    list.push(k);
    incoming.set(to[k]!, list);
  });
  return { count: edges.length, nodeIds, from, to, edges, incoming };
}

/**
 * Pathfinder searches one view. It keeps scratch memory between searches; one instance is
 * not for concurrent use (searches are synchronous, so one per thread is enough).
 */
export class Pathfinder {
  private scratch = new Scratch();

  constructor(readonly view: CompactGraphView) {}

  /** nodeIndex resolves a node argument to its view index, or -1 when the view does not know it. */
  nodeIndex(n: number | Uint8Array): number {
    return typeof n === 'number' ? n : this.view.indexOf(n);
  }

  /** findRoute returns the cheapest route under the request's cost, or null when none satisfies every constraint. */
  findRoute(req: SearchRequest): Route | null {
    const view = this.view;
    const limits: RouteLimits = { ...DEFAULT_LIMITS, ...req.limits };
    const extras = layoutExtras(view, req.extraEdges ?? []);
    const N = view.nodeCount + extras.nodeIds.length;
    const E = 2 * view.channelCount;
    const source = typeof req.source === 'number' ? req.source : resolve(view, extras, req.source);
    const target = typeof req.target === 'number' ? req.target : resolve(view, extras, req.target);
    if (source < 0 || target < 0 || source === target) return null;
    const s = this.scratch;
    s.ensure(N);
    s.reset();
    const banned = s.banned;
    const bannedList: number[] = [];
    if (limits.excludeNodes && limits.excludeNodes.size > 0) {
      for (const h of limits.excludeNodes) {
        const v = view.indexOf(h.toLowerCase());
        if (v >= 0 && v !== source && v !== target) {
          banned[v] = 1;
          bannedList.push(v);
        }
      }
    }
    try {
      return this.search(req, limits, extras, source, target, E);
    } finally {
      for (const v of bannedList) banned[v] = 0;
    }
  }

  private search(req: SearchRequest, limits: RouteLimits, extras: Extras, source: number, target: number, E: number): Route | null {
    const view = this.view;
    const s = this.scratch;
    const { dist, weight, prob, amt, fee, delay, hops, next, done, banned, touched } = s;
    const cost = req.cost;
    const probability = cost.probability;
    const liq = cost.liquidity;
    const liqLo = liq?.lo;
    const liqHi = liq?.hi;
    const liqFlight = liq?.inFlight;
    const minP = cost.minProbability ?? 0;
    const useLog = cost.combine === 'log';
    const payAmount = req.paymentAmountMsat ?? req.amountMsat;
    const price = cost.failureBaseMsat + (cost.failurePpm * payAmount) / 1e6;
    const risk = cost.riskFactor / (BLOCKS_PER_YEAR * 100);
    const local = req.localLiquidity;
    const exChan = limits.excludeChannels;
    const exEdge = limits.excludeEdges;
    const hasExclusions = (exChan !== undefined && exChan.size > 0) || (exEdge !== undefined && exEdge.size > 0);
    const flags = view.dirFlags;
    const need = DIR_FLAGS.USABLE | DIR_FLAGS.ENABLED;

    dist[target] = 0;
    weight[target] = 0;
    prob[target] = 1;
    amt[target] = req.amountMsat;
    fee[target] = 0;
    delay[target] = req.finalCltvDelta + (req.shadowCltv ?? 0);
    hops[target] = 0;
    touched.push(target);
    s.push(0, target);
    if (delay[target]! > limits.maxTotalCltv) return null;

    // relax prices the edge u -> v (view edge or extra) into u.
    const relax = (e: number, u: number, v: number, base: number, ppm: number, cltvDelta: number, hmin: number, hmax: number, cap: number, exact: boolean): void => {
      if (done[u] || banned[u]) return;
      const x = amt[v]!;
      if (x < hmin || x > hmax || x > cap) return;
      const h = hops[v]! + 1;
      if (h > limits.maxHops) return;
      const isSource = u === source;
      let f = 0;
      let d = delay[v]!;
      if (!isSource) {
        f = base + Math.floor((x * ppm) / 1e6);
        d += cltvDelta;
        if (d > limits.maxTotalCltv) return;
      }
      const totalFee = fee[v]! + f;
      if (totalFee > limits.maxFeeMsat) return;
      let p: number;
      const known = isSource && e < E && local !== undefined ? local.get(e) : undefined;
      if (known !== undefined) p = x <= known ? 1 : 0;
      else if (exact) p = x <= cap ? 1 : 0;
      else if (liqLo !== undefined && e < E) {
        const y = x + liqFlight![e]!;
        const lo = liqLo[e]!;
        const hi = liqHi![e]!;
        p = y <= lo ? 1 : y > hi ? 0 : (hi - y + 1) / (hi - lo + 1);
      } else p = probability ? probability(e, x) : 1;
      if (p <= minP || p <= 0) return;
      const w = weight[v]! + f + x * (isSource ? 0 : cltvDelta) * risk;
      let nd: number;
      let np: number;
      if (useLog) {
        np = prob[v]! * p;
        nd = w + (p < 1 ? -Math.log(p) * price : 0);
        nd += dist[v]! - weight[v]!;
      } else {
        np = prob[v]! * p;
        nd = w + price / np;
      }
      if (nd < dist[u]!) {
        if (dist[u] === Infinity) touched.push(u);
        dist[u] = nd;
        weight[u] = w;
        prob[u] = np;
        amt[u] = x + f;
        fee[u] = totalFee;
        delay[u] = d;
        hops[u] = h;
        next[u] = e;
        s.push(nd, u);
      }
    };

    for (;;) {
      const v = s.pop();
      if (v < 0) return null;
      if (done[v]) continue;
      done[v] = 1;
      if (v === source) break;
      if (v < view.nodeCount) {
        for (let i = view.inStart[v]!, end = view.inStart[v + 1]!; i < end; i++) {
          const e = view.inEdge[i]!;
          if ((flags[e]! & need) !== need) continue;
          if (hasExclusions && excluded(view, e, exChan, exEdge)) continue;
          const u = view.edgeSource[e]!;
          relax(e, u, v, view.feeBaseMsat[e]!, view.feeProportionalMillionths[e]!, view.cltvExpiryDelta[e]!, view.htlcMinimumMsat[e]!, view.htlcMaximumMsat[e]!, edgeCapacityMsat(view, e), false);
        }
      }
      const inc = extras.incoming.get(v);
      if (inc) {
        for (const k of inc) {
          const x = extras.edges[k]!;
          if (exChan?.has(x.scid) || exEdge?.has(`${x.scid}/${x.direction}`)) continue;
          relax(E + k, extras.from[k]!, v, x.feeBaseMsat, x.feeProportionalMillionths, x.cltvExpiryDelta, x.htlcMinimumMsat, x.htlcMaximumMsat, x.capacityMsat, x.exact === true);
        }
      }
    }
    return this.build(source, target, extras, E);
  }

  private build(source: number, target: number, extras: Extras, E: number): Route {
    const view = this.view;
    const s = this.scratch;
    const out: RouteHop[] = [];
    let u = source;
    while (u !== target) {
      const e = s.next[u]!;
      let v: number;
      let scid: bigint;
      let direction: 0 | 1;
      if (e < E) {
        v = view.edgeTarget[e]!;
        scid = view.scids[e >>> 1]!;
        direction = (e & 1) as 0 | 1;
      } else {
        const x = extras.edges[e - E]!;
        v = extras.to[e - E]!;
        scid = x.scid;
        direction = x.direction;
      }
      const nodeId = v < view.nodeCount ? view.nodeIds[v]! : extras.nodeIds[v - view.nodeCount]!;
      out.push({ edge: e, scid, direction, nodeIndex: v, nodeId, amountMsat: s.amt[v]!, delay: s.delay[v]! });
      u = v;
    }
    return {
      hops: out,
      amountMsat: s.amt[source]!,
      deliveredMsat: s.amt[target]!,
      feeMsat: s.fee[source]!,
      totalDelay: out[0]!.delay,
      probability: s.prob[source]!,
    };
  }
}

function resolve(view: CompactGraphView, extras: Extras, id: Uint8Array): number {
  const v = view.indexOf(id);
  if (v >= 0) return v;
  const h = hexOf(id);
  const j = extras.nodeIds.findIndex((x) => hexOf(x) === h);
  return j < 0 ? -1 : view.nodeCount + j;
}

function excluded(view: CompactGraphView, e: number, chans: ReadonlySet<bigint> | undefined, edges: ReadonlySet<string> | undefined): boolean {
  const scid = view.scids[e >>> 1]!;
  if (chans && chans.size > 0 && chans.has(scid)) return true;
  return edges !== undefined && edges.size > 0 && edges.has(`${scid}/${e & 1}`);
}
