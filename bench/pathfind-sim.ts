/**
 * The success-rate harness of bench/pathfind.bench.ts: payments simulated on a mainnet graph
 * snapshot with seeded balances (the liquidity model of ../shared/data/ln-graph/README.md),
 * for Kite's pathfinder and three references. Not a benchmark file itself (no `.bench.ts`).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { NetworkGraph, decodeSnapshot, parseNodeMap, loadSnapshot, DIR_FLAGS, type CompactGraphView, type GraphSnapshot, type SnapshotNode } from '../src/graph/index.ts';
import { LiquidityKnowledge, Pathfinder, splitPayment, edgeKey, type CostOptions, type Route, type SearchRequest } from '../src/routing/index.ts';

export interface LoadedGraph {
  view: CompactGraphView;
  snap: GraphSnapshot;
  nodes: SnapshotNode[];
  /** View node index of each snapshot node index. */
  viewIndexOfMapIndex: Int32Array;
}

/** loadGraph reads a snapshot of ../shared/data/ln-graph into a graph and its compact view. */
export function loadGraph(name: '2024-09-22' | '2026-02-03'): LoadedGraph {
  const path = (f: string): string => fileURLToPath(new URL(`../../shared/data/ln-graph/${f}`, import.meta.url));
  const snap = decodeSnapshot(new Uint8Array(gunzipSync(readFileSync(path(`gossip-store-${name}.compressed`)))));
  const nodes = parseNodeMap(execFileSync('xz', ['-dc', path(`gossip-store-${name}-node-map.xz`)], { maxBuffer: 64 << 20 }).toString('utf8'));
  const graph = new NetworkGraph();
  loadSnapshot(graph, snap, nodes, { timestamp: 1_800_000_000 });
  const view = graph.view();
  const viewIndexOfMapIndex = new Int32Array(nodes.length).fill(-1);
  for (const n of nodes) viewIndexOfMapIndex[n.index] = view.indexOf(n.nodeId);
  return { view, snap, nodes, viewIndexOfMapIndex };
}

/**
 * seededBalances: the README's model. Direction 0 of snapshot channel i holds
 * H(seed, i) mod capacity (H: SHA-256 of the seed and the index, first 8 bytes), direction 1
 * the rest. `bimodal` instead puts most of it on one side (the hash picks the side and a
 * share below 10%). Returned per view edge, in msat.
 */
export function seededBalances(g: LoadedGraph, seed: number, bimodal = false): Float64Array {
  const { view, snap } = g;
  const bal = new Float64Array(2 * view.channelCount);
  const buf = Buffer.alloc(8);
  for (let c = 0; c < view.channelCount; c++) {
    const i = Number(view.scids[c]);
    const cap = view.capacitySat[c]! * 1000;
    buf.writeUInt32BE(seed, 0);
    buf.writeUInt32BE(i, 4);
    const h = createHash('sha256').update(buf).digest();
    const r = h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11);
    let b0: number;
    if (!bimodal) b0 = r % Math.max(1, cap);
    else {
      const small = (r % 100_000) / 1_000_000; // below 10%
      b0 = Math.floor(cap * ((r >> 3) % 2 === 0 ? small : 1 - small));
    }
    const swapped = g.viewIndexOfMapIndex[snap.node1[i]!] !== view.channelNode1[c];
    bal[2 * c + (swapped ? 1 : 0)] = b0;
    bal[2 * c + (swapped ? 0 : 1)] = cap - b0;
  }
  return bal;
}

/** An xorshift generator, seeded, for reproducible cases. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** reachable marks the nodes a payer can reach over usable, enabled directions (amounts ignored). */
export function reachableFrom(view: CompactGraphView, source: number): number[] {
  const seen = new Uint8Array(view.nodeCount);
  const out: number[] = [];
  const queue = [source];
  seen[source] = 1;
  const need = DIR_FLAGS.USABLE | DIR_FLAGS.ENABLED;
  while (queue.length > 0) {
    const u = queue.pop()!;
    for (let i = view.outStart[u]!; i < view.outStart[u + 1]!; i++) {
      const e = view.outEdge[i]!;
      if ((view.dirFlags[e]! & need) !== need) continue;
      const v = view.edgeTarget[e]!;
      if (seen[v]) continue;
      seen[v] = 1;
      out.push(v);
      queue.push(v);
    }
  }
  return out;
}

/** bestConnected is the node with the most usable outgoing directions. */
export function bestConnected(view: CompactGraphView): number {
  let best = 0;
  let deg = -1;
  for (let v = 0; v < view.nodeCount; v++) {
    const d = view.outStart[v + 1]! - view.outStart[v]!;
    if (d > deg) {
      deg = d;
      best = v;
    }
  }
  return best;
}

/** The outcome of one simulated payment. */
export interface PayOutcome {
  ok: boolean;
  attempts: number;
  feeMsat: number;
}

/** A payment strategy: given the world, pays `amountMsat` to `target` and learns what it may. */
export interface Strategy {
  name: string;
  pay(world: World, target: number, amountMsat: number): PayOutcome;
}

/** The simulated network: true balances, what this payment holds, the time. */
export class World {
  held: Float64Array;
  heldList: number[] = [];
  now = 1_800_000_000_000;
  constructor(
    readonly view: CompactGraphView,
    readonly balance: Float64Array,
    readonly source: number,
    readonly finder: Pathfinder,
  ) {
    this.held = new Float64Array(balance.length);
  }

  /** startPayment starts from the seeded balances (nothing held). */
  startPayment(): void {
    for (const e of this.heldList) this.held[e] = 0;
    this.heldList.length = 0;
    this.now += 10_000;
  }

  /** localLiquidity: the payer knows its own channels' balances exactly. */
  localLiquidity(): Map<number, number> {
    const m = new Map<number, number>();
    const v = this.view;
    for (let i = v.outStart[this.source]!; i < v.outStart[this.source + 1]!; i++) {
      const e = v.outEdge[i]!;
      m.set(e, this.balance[e]! - this.held[e]!);
    }
    return m;
  }

  /**
   * send walks a part along its route: the first hop without the liquidity fails it (as a
   * temporary_channel_failure from that hop would say); a part that arrives is held by the
   * payee until the whole payment is there. Returns the failing hop's position, or -1.
   */
  send(r: Route): number {
    this.now += 1000;
    for (let k = 0; k < r.hops.length; k++) {
      const h = r.hops[k]!;
      if (this.balance[h.edge]! - this.held[h.edge]! < h.amountMsat) return k;
    }
    for (const h of r.hops) {
      if (this.held[h.edge] === 0) this.heldList.push(h.edge);
      this.held[h.edge]! += h.amountMsat;
    }
    return -1;
  }

  /** release gives back the liquidity a held part took (the payment as a whole failed). */
  release(r: Route): void {
    for (const h of r.hops) this.held[h.edge]! -= h.amountMsat;
  }
}

/** Core Lightning's pay fee cap: 0.5%, with fees up to 5 sat always allowed. */
export function feeCapMsat(amountMsat: number): number {
  return Math.max(Math.floor(amountMsat * 0.005), 5000);
}

export const MAX_ATTEMPTS = 30;
const FINAL_CLTV = 18;

function request(world: World, target: number, amountMsat: number, paymentAmount: number, cost: CostOptions, maxFee: number, extra: Partial<SearchRequest> = {}): SearchRequest {
  return {
    source: world.source,
    target,
    amountMsat,
    paymentAmountMsat: paymentAmount,
    finalCltvDelta: FINAL_CLTV,
    limits: { maxFeeMsat: maxFee, ...extra.limits },
    localLiquidity: world.localLiquidity(),
    cost,
    ...extra,
  };
}

/** The naive node: cheapest fee, each failed channel excluded for the rest of the payment, one part. */
export function naiveStrategy(): Strategy {
  const cost: CostOptions = { riskFactor: 0, failureBaseMsat: 0, failurePpm: 0, combine: 'log' };
  return {
    name: 'naive',
    pay(world, target, amount) {
      const excludeChannels = new Set<bigint>();
      let attempts = 0;
      while (attempts < MAX_ATTEMPTS) {
        const r = world.finder.findRoute({ ...request(world, target, amount, amount, cost, feeCapMsat(amount)), limits: { maxFeeMsat: feeCapMsat(amount), excludeChannels } });
        if (!r) break;
        attempts++;
        const k = world.send(r);
        if (k < 0) return { ok: true, attempts, feeMsat: r.feeMsat };
        excludeChannels.add(r.hops[k]!.scid);
      }
      return { ok: false, attempts, feeMsat: 0 };
    },
  };
}

/**
 * LND's apriori estimator with its published defaults: a hop never tried succeeds with 0.6;
 * one that failed for an amount is penalised for that amount and above, the penalty halving
 * every hour; one that succeeded for an amount is 0.95 up to it (prevSuccessProbability);
 * the path's cost is fee + time-lock penalty + attempt cost / path probability, the attempt
 * cost being 100 sat + 1000 ppm. The apriori weight (0.5) mixes in the node's other results;
 * here a node's results are its channels' results, so the mix is kept as LND computes it:
 * weight 0.5 between the prior and the mean of the node's other recent results.
 * Splitting: when no route is found for an amount, it is halved (LND's split-on-no-route).
 */
export function lndStrategy(): Strategy {
  const failures = new Map<number, { amount: number; at: number }>();
  const successes = new Map<number, { amount: number; at: number }>();
  const HALF_LIFE = 3600_000;
  const PRIOR = 0.6;
  const WEIGHT = 0.5;
  const prob = (now: number) => (e: number, x: number): number => {
    const s = successes.get(e);
    if (s && x <= s.amount) return 0.95;
    const f = failures.get(e);
    let p = PRIOR;
    if (f && x >= f.amount) p = PRIOR * (1 - Math.pow(0.5, (now - f.at) / HALF_LIFE));
    // The apriori weight blends the hop prior with what the node's other channels showed.
    return WEIGHT * PRIOR + (1 - WEIGHT) * p;
  };
  return {
    name: 'lnd-apriori',
    pay(world, target, amount) {
      const cost: CostOptions = { riskFactor: 0.0789, failureBaseMsat: 100_000, failurePpm: 1000, combine: 'attempt', probability: prob(world.now) };
      let attempts = 0;
      let remaining = amount;
      let shard = amount;
      let fees = 0;
      const held: Route[] = [];
      const cap = feeCapMsat(amount);
      while (remaining > 0 && attempts < MAX_ATTEMPTS) {
        cost.probability = prob(world.now);
        const want = Math.min(shard, remaining);
        const r = world.finder.findRoute(request(world, target, want, amount, cost, Math.max(0, ((cap - fees) * want) / remaining)));
        if (!r) {
          if (want / 2 >= 10_000_000 && held.length < 15) {
            shard = Math.floor(want / 2);
            continue;
          }
          break;
        }
        attempts++;
        const k = world.send(r);
        if (k < 0) {
          held.push(r);
          remaining -= want;
          fees += r.feeMsat;
          for (const h of r.hops) successes.set(h.edge, { amount: h.amountMsat, at: world.now });
        } else {
          failures.set(r.hops[k]!.edge, { amount: r.hops[k]!.amountMsat, at: world.now });
          for (let j = 0; j < k; j++) successes.set(r.hops[j]!.edge, { amount: r.hops[j]!.amountMsat, at: world.now });
        }
      }
      if (remaining === 0) return { ok: true, attempts, feeMsat: fees };
      for (const r of held) world.release(r);
      return { ok: false, attempts, feeMsat: 0 };
    },
  };
}

/** The oracle: sees every true balance and takes the cheapest feasible route, split only when no single one exists. */
export function oracleStrategy(): Strategy {
  return {
    name: 'oracle',
    pay(world, target, amount) {
      const cost: CostOptions = { riskFactor: 0, failureBaseMsat: 0, failurePpm: 0, combine: 'log', probability: (e, x) => (e < world.balance.length && world.balance[e]! - world.held[e]! >= x ? 1 : 0) };
      const cap = feeCapMsat(amount);
      let remaining = amount;
      let shard = amount;
      let fees = 0;
      let parts = 0;
      const held: Route[] = [];
      while (remaining > 0 && parts < 32) {
        const want = Math.min(shard, remaining);
        const r = world.finder.findRoute(request(world, target, want, amount, cost, Math.max(0, ((cap - fees) * want) / remaining)));
        if (!r) {
          if (want / 2 >= 1_000_000) {
            shard = Math.floor(want / 2);
            continue;
          }
          break;
        }
        parts++;
        if (world.send(r) >= 0) throw new Error('oracle route failed: the harness is inconsistent');
        held.push(r);
        remaining -= want;
        fees += r.feeMsat;
      }
      if (remaining === 0) return { ok: true, attempts: parts, feeMsat: fees };
      for (const r of held) world.release(r);
      return { ok: false, attempts: parts, feeMsat: 0 };
    },
  };
}

/** Kite's cost parameters (docs/routing.md explains the choice). */
export const KITE_COST = { riskFactor: 10, failureBaseMsat: 20_000, failurePpm: 1_000 };

/**
 * Kite: the uniform liquidity model with learned bounds (LiquidityKnowledge), priced
 * additively (fee + risk - ln P * price), multi-part by splitPayment, retried with what each
 * failure taught until the amount is there, the attempts run out or no route remains.
 */
export function kiteStrategy(knowledge = new LiquidityKnowledge()): Strategy & { knowledge: LiquidityKnowledge } {
  return {
    name: 'kite',
    knowledge,
    pay(world, target, amount) {
      const view = world.view;
      const capOf = (e: number): number => view.capacitySat[e >>> 1]! * 1000;
      const scidOf = (e: number): bigint => view.scids[e >>> 1]!;
      const feeCap = feeCapMsat(amount);
      let attempts = 0;
      let remaining = amount;
      let fees = 0;
      const held: Route[] = [];
      knowledge.clearInFlight();
      const reserve = (r: Route): void => {
        for (const h of r.hops) knowledge.addInFlight(scidOf(h.edge), h.edge & 1, h.amountMsat);
      };
      const unreserve = (r: Route): void => {
        for (const h of r.hops) knowledge.removeInFlight(scidOf(h.edge), h.edge & 1, h.amountMsat);
      };
      while (remaining > 0 && attempts < MAX_ATTEMPTS) {
        const prepared = knowledge.prepare(view, world.now);
        const cost: CostOptions = {
          ...KITE_COST,
          combine: 'log',
          liquidity: prepared,
        };
        const local = world.localLiquidity();
        const budget = remaining;
        const feeLeft = feeCap - fees;
        const search = (want: number): Route | null =>
          world.finder.findRoute({ ...request(world, target, want, amount, cost, Math.max(0, (feeLeft * want) / budget)), localLiquidity: local });
        const parts = splitPayment(
          remaining,
          search,
          (r) => {
            for (const h of r.hops) {
              prepared.inFlight[h.edge]! += h.amountMsat;
              if (local.has(h.edge)) local.set(h.edge, local.get(h.edge)! - h.amountMsat);
            }
          },
          (r) => {
            for (const h of r.hops) {
              prepared.inFlight[h.edge]! -= h.amountMsat;
              if (local.has(h.edge)) local.set(h.edge, local.get(h.edge)! + h.amountMsat);
            }
          },
          { maxParts: Math.max(1, 16 - held.length), minPartMsat: 10_000_000, targetProbability: 0.6 },
        );
        if (!parts) break;
        for (const r of parts) {
          if (attempts >= MAX_ATTEMPTS) break;
          attempts++;
          const k = world.send(r);
          if (k < 0) {
            held.push(r);
            reserve(r);
            remaining -= r.deliveredMsat;
            fees += r.feeMsat;
            for (const h of r.hops) knowledge.recordSuccess(scidOf(h.edge), h.edge & 1, capOf(h.edge), h.amountMsat, world.now);
          } else {
            for (let j = 0; j < k; j++) knowledge.recordSuccess(scidOf(r.hops[j]!.edge), r.hops[j]!.edge & 1, capOf(r.hops[j]!.edge), r.hops[j]!.amountMsat, world.now);
            const f = r.hops[k]!;
            knowledge.recordFailure(scidOf(f.edge), f.edge & 1, capOf(f.edge), f.amountMsat, world.now);
          }
        }
      }
      for (const r of held) unreserve(r);
      if (remaining === 0) return { ok: true, attempts, feeMsat: fees };
      for (const r of held) world.release(r);
      return { ok: false, attempts, feeMsat: 0 };
    },
  };
}

/** Summary of one strategy at one amount. */
export interface Summary {
  successPct: number;
  medianAttempts: number;
  meanFeeSat: number;
}

export function summarise(outcomes: PayOutcome[]): Summary {
  const ok = outcomes.filter((o) => o.ok);
  const att = outcomes.map((o) => o.attempts).sort((a, b) => a - b);
  return {
    successPct: (100 * ok.length) / Math.max(1, outcomes.length),
    medianAttempts: att.length === 0 ? 0 : att[Math.floor(att.length / 2)]!,
    meanFeeSat: ok.length === 0 ? 0 : ok.reduce((a, o) => a + o.feeMsat, 0) / ok.length / 1000,
  };
}

export { edgeKey };
