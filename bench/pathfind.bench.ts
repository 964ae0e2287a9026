/**
 * bench/pathfind: Kite's pathfinder on the 2024-09-22 mainnet snapshot (59k channels, 18k
 * nodes; ../shared/data/ln-graph).
 *  - pathfind.route_single / pathfind.route_mpp: time to compute a route (and a multi-part
 *    plan) for 500 seeded (source, destination, amount) cases, p50/p99 in ms; the baseline is
 *    a plain Dijkstra by fee over the same view in the same run (the floor: no constraint,
 *    no probability), ratio = floor p50 / Kite p50.
 *  - pathfind.success.<amount_sat>: payments from the best-connected node to 500 reachable
 *    destinations on the README's seeded balance model (seeds 1, 2, 3; each payment starts
 *    from the seeded balances, knowledge carries over within a seed), against the naive node,
 *    LND's apriori model and the oracle (bench/pathfind-sim.ts). value = Kite's success %,
 *    baseline_value = the better reference's.
 * All-zero policies of the snapshot are kept as the graph has them (its published counts
 * include them): they are free, enabled directions.
 */
import { report } from './harness.ts';
import { DIR_FLAGS, type CompactGraphView } from '../src/graph/index.ts';
import { LiquidityKnowledge, Pathfinder, splitPayment, type CostOptions, type Route } from '../src/routing/index.ts';
import { bestConnected, kiteStrategy, KITE_COST, lndStrategy, loadGraph, naiveStrategy, oracleStrategy, reachableFrom, rng, seededBalances, summarise, World, type PayOutcome, type Summary } from './pathfind-sim.ts';

const CASES = 500;
const DESTINATIONS = 500;
const SEEDS = [1, 2, 3];
const AMOUNTS_SAT = [1_000, 10_000, 100_000, 1_000_000];

/** plainDijkstra: the floor, cheapest fee from target back to source over enabled directions. */
function plainDijkstra(view: CompactGraphView, source: number, target: number, amountMsat: number, dist: Float64Array, done: Uint8Array): number {
  dist.fill(Infinity);
  done.fill(0);
  const heap: number[] = [];
  const keys: number[] = [];
  const push = (k: number, v: number): void => {
    let i = heap.length;
    heap.push(v);
    keys.push(k);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= k) break;
      heap[i] = heap[p]!;
      keys[i] = keys[p]!;
      i = p;
    }
    heap[i] = v;
    keys[i] = k;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const lv = heap.pop()!;
    const lk = keys.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= heap.length) break;
        if (c + 1 < heap.length && keys[c + 1]! < keys[c]!) c++;
        if (keys[c]! >= lk) break;
        heap[i] = heap[c]!;
        keys[i] = keys[c]!;
        i = c;
      }
      heap[i] = lv;
      keys[i] = lk;
    }
    return top;
  };
  dist[target] = 0;
  push(0, target);
  while (heap.length > 0) {
    const v = pop();
    if (done[v]) continue;
    done[v] = 1;
    if (v === source) return dist[v]!;
    for (let i = view.inStart[v]!; i < view.inStart[v + 1]!; i++) {
      const e = view.inEdge[i]!;
      if ((view.dirFlags[e]! & DIR_FLAGS.ENABLED) === 0) continue;
      const u = view.edgeSource[e]!;
      const d = dist[v]! + view.feeBaseMsat[e]! + (amountMsat * view.feeProportionalMillionths[e]!) / 1e6;
      if (d < dist[u]!) {
        dist[u] = d;
        push(d, u);
      }
    }
  }
  return Infinity;
}

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

function timing(): void {
  const g = loadGraph('2024-09-22');
  const view = g.view;
  const hub = bestConnected(view);
  const pool = [hub, ...reachableFrom(view, hub)];
  const R = rng(42);
  const cases: { s: number; t: number; amount: number }[] = [];
  while (cases.length < CASES) {
    const s = pool[Math.floor(R() * pool.length)]!;
    const t = pool[Math.floor(R() * pool.length)]!;
    if (s === t) continue;
    const amount = Math.round(1000 * 10 ** (3 + 3 * R())) ; // 1k to 1M sat, log-uniform, in msat
    cases.push({ s, t, amount });
  }
  const finder = new Pathfinder(view);
  const knowledge = new LiquidityKnowledge();
  const dist = new Float64Array(view.nodeCount);
  const done = new Uint8Array(view.nodeCount);
  const plain: number[] = [];
  const single: number[] = [];
  const mpp: number[] = [];
  let found = 0;
  let mppFound = 0;
  let partsTotal = 0;
  const now = 1_800_000_000_000;
  // Warm-up: JIT both searches.
  for (const c of cases.slice(0, 20)) {
    plainDijkstra(view, c.s, c.t, c.amount, dist, done);
    finder.findRoute({ source: c.s, target: c.t, amountMsat: c.amount, finalCltvDelta: 18, cost: { ...KITE_COST, combine: 'log' } });
  }
  for (const c of cases) {
    let t0 = performance.now();
    plainDijkstra(view, c.s, c.t, c.amount, dist, done);
    plain.push(performance.now() - t0);

    t0 = performance.now();
    const prepared = knowledge.prepare(view, now);
    const cost: CostOptions = {
      ...KITE_COST,
      combine: 'log',
      liquidity: prepared,
    };
    const limits = { maxFeeMsat: Math.max(5000, c.amount * 0.005) };
    const r = finder.findRoute({ source: c.s, target: c.t, amountMsat: c.amount, finalCltvDelta: 18, cost, limits });
    single.push(performance.now() - t0);
    if (r) found++;

    t0 = performance.now();
    const p2 = knowledge.prepare(view, now);
    const cost2: CostOptions = {
      ...cost,
      liquidity: p2,
    };
    const move = (r2: Route, sign: number): void => {
      for (const h of r2.hops) p2.inFlight[h.edge]! += sign * h.amountMsat;
    };
    const parts = splitPayment(
      c.amount,
      (want) => finder.findRoute({ source: c.s, target: c.t, amountMsat: want, paymentAmountMsat: c.amount, finalCltvDelta: 18, cost: cost2, limits: { maxFeeMsat: (limits.maxFeeMsat * want) / c.amount } }),
      (x) => move(x, 1),
      (x) => move(x, -1),
    );
    mpp.push(performance.now() - t0);
    if (parts) {
      mppFound++;
      partsTotal += parts.length;
    }
  }
  const p50Plain = percentile(plain, 0.5);
  report({ name: 'pathfind.route_single', value: percentile(single, 0.5), unit: 'ms p50', baseline: 'plain Dijkstra by fee, p50 ms', baseline_value: p50Plain, ratio: p50Plain / percentile(single, 0.5), p99_ms: round(percentile(single, 0.99)), baseline_p99_ms: round(percentile(plain, 0.99)), cases: CASES, found });
  report({ name: 'pathfind.route_mpp', value: percentile(mpp, 0.5), unit: 'ms p50', baseline: 'plain Dijkstra by fee, p50 ms', baseline_value: p50Plain, ratio: p50Plain / percentile(mpp, 0.5), p99_ms: round(percentile(mpp, 0.99)), cases: CASES, found: mppFound, mean_parts: round(partsTotal / Math.max(1, mppFound)) });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function success(): void {
  const g = loadGraph('2024-09-22');
  const view = g.view;
  const source = bestConnected(view);
  const reach = reachableFrom(view, source);
  const R = rng(2024);
  const picked = new Set<number>();
  while (picked.size < Math.min(DESTINATIONS, reach.length)) picked.add(reach[Math.floor(R() * reach.length)]!);
  const dests = [...picked];
  const finder = new Pathfinder(view);
  const results = new Map<number, Map<string, Summary[]>>();
  for (const seed of SEEDS) {
    const balance = seededBalances(g, seed);
    for (const sat of AMOUNTS_SAT) {
      const bySeed = results.get(sat) ?? new Map<string, Summary[]>();
      results.set(sat, bySeed);
      for (const strategy of [naiveStrategy(), lndStrategy(), oracleStrategy(), kiteStrategy()]) {
        const world = new World(view, balance, source, finder);
        const out: PayOutcome[] = [];
        for (const d of dests) {
          world.startPayment();
          out.push(strategy.pay(world, d, sat * 1000));
        }
        const list = bySeed.get(strategy.name) ?? [];
        list.push(summarise(out));
        bySeed.set(strategy.name, list);
      }
    }
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const sat of AMOUNTS_SAT) {
    const by = results.get(sat)!;
    const avg = (name: string, f: (s: Summary) => number): number => mean(by.get(name)!.map(f));
    const naive = avg('naive', (s) => s.successPct);
    const lnd = avg('lnd-apriori', (s) => s.successPct);
    const better = naive >= lnd ? 'naive' : 'lnd-apriori';
    report({
      name: `pathfind.success.${sat}`,
      value: avg('kite', (s) => s.successPct),
      unit: '% of payments settled',
      baseline: `better of naive Dijkstra-with-exclusion and LND apriori (here: ${better})`,
      baseline_value: Math.max(naive, lnd),
      ratio: avg('kite', (s) => s.successPct) / Math.max(1e-9, Math.max(naive, lnd)),
      oracle: round(avg('oracle', (s) => s.successPct)),
      median_attempts: avg('kite', (s) => s.medianAttempts),
      baseline_median_attempts: avg(better, (s) => s.medianAttempts),
      mean_fee_sat: round(avg('kite', (s) => s.meanFeeSat)),
      baseline_mean_fee_sat: round(avg(better, (s) => s.meanFeeSat)),
      oracle_mean_fee_sat: round(avg('oracle', (s) => s.meanFeeSat)),
      naive_pct: round(naive),
      lnd_pct: round(lnd),
      lnd_mean_fee_sat: round(avg('lnd-apriori', (s) => s.meanFeeSat)),
      per_seed_kite_pct: by.get('kite')!.map((s) => round(s.successPct)),
      per_seed_oracle_pct: by.get('oracle')!.map((s) => round(s.successPct)),
      destinations: dests.length,
      seeds: SEEDS,
    });
  }
}

export async function run(): Promise<void> {
  timing();
  success();
}
