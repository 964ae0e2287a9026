import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pathfinder, type CostOptions, type SearchRequest } from '../../src/routing/index.ts';
import { GraphBuilder, nodeId } from './fixtures.ts';

const FEES_ONLY: CostOptions = { riskFactor: 0, failureBaseMsat: 0, failurePpm: 0, combine: 'log' };

function req(view: ReturnType<GraphBuilder['view']>, from: string, to: string, amountMsat: number, more: Partial<SearchRequest> = {}): SearchRequest {
  return { source: nodeId(from), target: nodeId(to), amountMsat, finalCltvDelta: 18, cost: FEES_ONLY, ...more };
}

test('fees compound from the payee back, the payer pays no fee on its own channel, CLTV deltas add up', () => {
  // A -> B -> C -> D. B charges 1000 + 100 ppm, C charges 2000 + 2000 ppm.
  const view = new GraphBuilder()
    .chan('A', 'B', 1, 1_000_000, { base: 9999, ppm: 9999, cltv: 99 })
    .chan('B', 'C', 2, 1_000_000, { base: 1000, ppm: 100, cltv: 40 })
    .chan('C', 'D', 3, 1_000_000, { base: 2000, ppm: 2000, cltv: 30 })
    .view();
  const r = new Pathfinder(view).findRoute(req(view, 'A', 'D', 50_000_000))!;
  assert.ok(r);
  // C forwards 50,000,000 to D: fee 2000 + floor(50e6 * 2000 / 1e6) = 102,000.
  // B forwards 50,102,000 to C: fee 1000 + floor(50,102,000 * 100 / 1e6) = 1000 + 5010 = 6010.
  assert.deepEqual(
    r.hops.map((h) => [Number(h.scid), h.amountMsat, h.delay]),
    [
      [1, 50_108_010, 18 + 30 + 40],
      [2, 50_102_000, 18 + 30],
      [3, 50_000_000, 18],
    ],
  );
  assert.equal(r.amountMsat, 50_108_010);
  assert.equal(r.feeMsat, 108_010);
  assert.equal(r.totalDelay, 88);
  assert.equal(r.deliveredMsat, 50_000_000);
});

test('the cheaper of two paths wins; exclusions and disabled directions force the other', () => {
  const b = new GraphBuilder()
    .chan('A', 'B', 1, 1_000_000)
    .chan('B', 'D', 2, 1_000_000, { base: 1000, ppm: 0 })
    .chan('A', 'C', 3, 1_000_000)
    .chan('C', 'D', 4, 1_000_000, { base: 5000, ppm: 0 });
  const view = b.view();
  const pf = new Pathfinder(view);
  assert.deepEqual(pf.findRoute(req(view, 'A', 'D', 1_000_000))!.hops.map((h) => Number(h.scid)), [1, 2]);
  assert.deepEqual(pf.findRoute(req(view, 'A', 'D', 1_000_000, { limits: { excludeChannels: new Set([2n]) } }))!.hops.map((h) => Number(h.scid)), [3, 4]);
  const hexB = Buffer.from(nodeId('B')).toString('hex');
  assert.deepEqual(pf.findRoute(req(view, 'A', 'D', 1_000_000, { limits: { excludeNodes: new Set([hexB]) } }))!.hops.map((h) => Number(h.scid)), [3, 4]);
  // Direction B->D disabled: only the other way round is left.
  const v2 = new GraphBuilder()
    .chan('A', 'B', 1, 1_000_000)
    .chan('B', 'D', 2, 1_000_000, { base: 1000, ppm: 0, disabled: true })
    .chan('A', 'C', 3, 1_000_000)
    .chan('C', 'D', 4, 1_000_000, { base: 5000, ppm: 0 })
    .view();
  assert.deepEqual(new Pathfinder(v2).findRoute(req(v2, 'A', 'D', 1_000_000))!.hops.map((h) => Number(h.scid)), [3, 4]);
});

test('htlc_minimum_msat, htlc_maximum_msat and capacity are respected per hop amount', () => {
  const view = new GraphBuilder()
    .chan('A', 'B', 1, 1_000_000)
    .chan('B', 'D', 2, 1_000_000, { base: 0, ppm: 0, max: 2_000_000 })
    .chan('A', 'C', 3, 1_000_000)
    .chan('C', 'D', 4, 1_000, { base: 100, ppm: 0 }) // 1,000 sat capacity
    .chan('A', 'E', 5, 1_000_000)
    .chan('E', 'D', 6, 1_000_000, { base: 9000, ppm: 0, min: 3_000_000 })
    .view();
  const pf = new Pathfinder(view);
  assert.deepEqual(pf.findRoute(req(view, 'A', 'D', 900_000))!.hops.map((h) => Number(h.scid)), [1, 2]);
  // 1.5M msat: above C->D's capacity (1M msat), within B->D's maximum.
  assert.deepEqual(pf.findRoute(req(view, 'A', 'D', 1_500_000))!.hops.map((h) => Number(h.scid)), [1, 2]);
  // 2.5M: above B->D's maximum and C->D's capacity, so E->D (minimum 3M) is too small as well: none.
  assert.equal(pf.findRoute(req(view, 'A', 'D', 2_500_000)), null);
  assert.deepEqual(pf.findRoute(req(view, 'A', 'D', 3_000_000))!.hops.map((h) => Number(h.scid)), [5, 6]);
});

test('the total CLTV cap, the fee cap and the hop cap each rule a route out', () => {
  const view = new GraphBuilder()
    .chan('A', 'B', 1, 1_000_000)
    .chan('B', 'C', 2, 1_000_000, { base: 1000, ppm: 0, cltv: 1000 })
    .chan('C', 'D', 3, 1_000_000, { base: 1000, ppm: 0, cltv: 1000 })
    .view();
  const pf = new Pathfinder(view);
  const r = pf.findRoute(req(view, 'A', 'D', 1_000_000, { limits: { maxTotalCltv: 2018 } }))!;
  assert.equal(r.totalDelay, 2018);
  assert.equal(pf.findRoute(req(view, 'A', 'D', 1_000_000, { limits: { maxTotalCltv: 2017 } })), null);
  assert.equal(pf.findRoute(req(view, 'A', 'D', 1_000_000, { limits: { maxFeeMsat: 1999, maxTotalCltv: 3000 } })), null);
  assert.equal(pf.findRoute(req(view, 'A', 'D', 1_000_000, { limits: { maxFeeMsat: 2000, maxTotalCltv: 3000 } }))!.feeMsat, 2000);
  assert.equal(pf.findRoute(req(view, 'A', 'D', 1_000_000, { limits: { maxHops: 2, maxTotalCltv: 3000 } })), null);
  assert.ok(pf.findRoute(req(view, 'A', 'D', 1_000_000, { limits: { maxHops: 3, maxTotalCltv: 3000 } })));
  // The default cap is 2016 blocks (Core Lightning's maxdelay): 2018 is over it.
  assert.equal(pf.findRoute(req(view, 'A', 'D', 1_000_000)), null);
  // The shadow margin is added to the final CLTV.
  assert.equal(pf.findRoute(req(view, 'A', 'D', 1_000_000, { shadowCltv: 7, limits: { maxTotalCltv: 3000 } }))!.totalDelay, 2025);
});

test('a route hint reaches a private payee the graph does not know', () => {
  const view = new GraphBuilder().chan('A', 'B', 1, 1_000_000).view();
  const pf = new Pathfinder(view);
  assert.equal(pf.findRoute(req(view, 'A', 'P', 10_000)), null);
  const r = pf.findRoute(
    req(view, 'A', 'P', 10_000, {
      extraEdges: [{ scid: 77n, direction: 0, from: nodeId('B'), to: nodeId('P'), feeBaseMsat: 500, feeProportionalMillionths: 1000, cltvExpiryDelta: 144, htlcMinimumMsat: 1, htlcMaximumMsat: 1e12, capacityMsat: 1e12 }],
    }),
  )!;
  assert.deepEqual(r.hops.map((h) => Number(h.scid)), [1, 77]);
  assert.equal(r.amountMsat, 10_000 + 500 + 10); // 500 + floor(10,000 * 1000 / 1e6)
  assert.equal(r.totalDelay, 18 + 144);
  assert.deepEqual(r.hops[1]!.nodeId, nodeId('P'));
});

test('our own channels are certain below their spendable amount and impossible above', () => {
  const view = new GraphBuilder()
    .chan('A', 'B', 1, 1_000_000)
    .chan('B', 'D', 2, 1_000_000, { base: 0, ppm: 0 })
    .chan('A', 'C', 3, 1_000_000)
    .chan('C', 'D', 4, 1_000_000, { base: 5000, ppm: 0 })
    .view();
  const pf = new Pathfinder(view);
  // Direction A->B of channel 1 is edge 2*c + d; find it through the view.
  const a = view.indexOf(nodeId('A'));
  const out = [...view.outEdge.subarray(view.outStart[a]!, view.outStart[a + 1]!)];
  const eAB = out.find((e) => view.scids[e >>> 1] === 1n)!;
  const local = new Map([[eAB, 500_000]]);
  assert.deepEqual(pf.findRoute(req(view, 'A', 'D', 400_000, { localLiquidity: local }))!.hops.map((h) => Number(h.scid)), [1, 2]);
  assert.deepEqual(pf.findRoute(req(view, 'A', 'D', 600_000, { localLiquidity: local }))!.hops.map((h) => Number(h.scid)), [3, 4]);
});

test('the failure price makes a likelier path win over a slightly cheaper one', () => {
  const view = new GraphBuilder()
    .chan('A', 'B', 1, 10_000_000)
    .chan('B', 'D', 2, 10_000, { base: 0, ppm: 0 }) // small: 5,000 sat of 10,000 is a coin flip
    .chan('A', 'C', 3, 10_000_000)
    .chan('C', 'D', 4, 10_000_000, { base: 10, ppm: 0 })
    .view();
  const pf = new Pathfinder(view);
  const capOf = (e: number): number => view.capacitySat[e >>> 1]! * 1000;
  const probability = (e: number, x: number): number => Math.max(0, (capOf(e) - x + 1) / (capOf(e) + 1));
  const cheap = pf.findRoute(req(view, 'A', 'D', 5_000_000))!;
  assert.deepEqual(cheap.hops.map((h) => Number(h.scid)), [1, 2]);
  const likely = pf.findRoute(req(view, 'A', 'D', 5_000_000, { cost: { riskFactor: 0, failureBaseMsat: 1000, failurePpm: 1000, combine: 'log', probability } }))!;
  assert.deepEqual(likely.hops.map((h) => Number(h.scid)), [3, 4]);
  assert.ok(likely.probability > 0.9 && likely.probability < 1);
});
