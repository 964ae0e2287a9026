import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiquidityKnowledge, uniformProbability, splitPayment, Pathfinder, type Route } from '../../src/routing/index.ts';
import { GraphBuilder, nodeId } from './fixtures.ts';

const HOUR = 3600_000;

test('uniform probability: certain below the lower bound, impossible above the upper, linear between', () => {
  assert.equal(uniformProbability(100, 1000, 50), 1);
  assert.equal(uniformProbability(100, 1000, 1001), 0);
  assert.equal(uniformProbability(0, 999, 500), 500 / 1000);
});

test('a failure lowers the upper bound, a success raises the lower bound, both decay back to the prior', () => {
  const k = new LiquidityKnowledge({ halfLifeMs: HOUR });
  const cap = 1_000_000_000;
  assert.equal(k.probability(1n, 0, cap, 600_000_000, 0), (cap - 600_000_000 + 1) / (cap + 1));
  k.recordFailure(1n, 0, cap, 600_000_000, 0);
  assert.deepEqual(k.bounds(1n, 0, cap, 0), { lo: 0, hi: 599_999_999 });
  assert.equal(k.probability(1n, 0, cap, 600_000_000, 0), 0);
  // The other direction is unaffected.
  assert.deepEqual(k.bounds(1n, 1, cap, 0), { lo: 0, hi: cap });
  k.recordSuccess(1n, 0, cap, 200_000_000, 0);
  assert.deepEqual(k.bounds(1n, 0, cap, 0), { lo: 200_000_000, hi: 599_999_999 });
  assert.equal(k.probability(1n, 0, cap, 150_000_000, 0), 1);
  // One half-life later both bounds are halfway back to [0, capacity].
  const b = k.bounds(1n, 0, cap, HOUR);
  assert.equal(b.lo, 100_000_000);
  assert.equal(Math.round(b.hi), Math.round(cap - (cap - 599_999_999) / 2));
  // Long after, the prior again.
  const far = k.bounds(1n, 0, cap, 100 * HOUR);
  assert.ok(far.lo < 1 && far.hi > cap - 1);
});

test('parts in flight count against a direction\'s liquidity', () => {
  const k = new LiquidityKnowledge();
  const cap = 1_000_000;
  k.recordSuccess(5n, 1, cap, 600_000, 0);
  assert.equal(k.probability(5n, 1, cap, 500_000, 0), 1);
  k.addInFlight(5n, 1, 300_000);
  assert.ok(k.probability(5n, 1, cap, 500_000, 0) < 1);
  k.removeInFlight(5n, 1, 300_000);
  assert.equal(k.probability(5n, 1, cap, 500_000, 0), 1);
});

test('knowledge survives a snapshot and restore; malformed entries are skipped', () => {
  const k = new LiquidityKnowledge({ halfLifeMs: 2 * HOUR });
  k.recordFailure(123456789012345678n, 1, 5_000_000, 3_000_000, 1000);
  const snap = JSON.parse(JSON.stringify(k.snapshot()));
  snap.entries.push(['x', 0, 1, 2, 3, 4], ['1', 2, 0, 1, 1, 1], ['2', 0, 5, 1, 9, 0]);
  const r = LiquidityKnowledge.restore(snap);
  assert.equal(r.size, 1);
  assert.equal(r.halfLifeMs, 2 * HOUR);
  assert.deepEqual(r.bounds(123456789012345678n, 1, 5_000_000, 1000), k.bounds(123456789012345678n, 1, 5_000_000, 1000));
});

test('prepare lays learned bounds and in-flight amounts onto the view\'s edges', () => {
  const view = new GraphBuilder().chan('A', 'B', 9, 1000).view();
  const k = new LiquidityKnowledge();
  k.recordFailure(9n, 0, 1_000_000, 400_000, 0);
  k.addInFlight(9n, 1, 7);
  const p = k.prepare(view, 0);
  assert.equal(p.hi[0], 399_999);
  assert.equal(p.hi[1], 1_000_000);
  assert.equal(p.inFlight[1], 7);
});

test('the splitter spreads a payment too large for one likely path over several, and keeps a likely single path whole', () => {
  // A reaches D over three parallel paths of 1,000,000 sat each.
  const b = new GraphBuilder();
  for (const [i, mid] of ['B', 'C', 'E'].entries()) b.chan('A', mid, 10 + i, 1_000_000).chan(mid, 'D', 20 + i, 1_000_000, { base: 0, ppm: 0 });
  const view = b.view();
  const pf = new Pathfinder(view);
  const inFlight = new Float64Array(2 * view.channelCount);
  const capOf = (e: number): number => view.capacitySat[e >>> 1]! * 1000;
  const probability = (e: number, x: number): number => Math.max(0, (capOf(e) - (x + inFlight[e]!) + 1) / (capOf(e) + 1));
  const search = (want: number): Route | null =>
    pf.findRoute({ source: nodeId('A'), target: nodeId('D'), amountMsat: want, paymentAmountMsat: 1_800_000_000, finalCltvDelta: 18, cost: { riskFactor: 0, failureBaseMsat: 1000, failurePpm: 1000, combine: 'log', probability } });
  const move = (r: Route, s: number): void => {
    for (const h of r.hops) inFlight[h.edge]! += s * h.amountMsat;
  };
  const parts = splitPayment(1_800_000_000, search, (r) => move(r, 1), (r) => move(r, -1), { maxParts: 8, minPartMsat: 10_000_000, targetProbability: 0.6 })!;
  assert.ok(parts.length >= 3, `expected a split over the three paths, got ${parts.length}`);
  assert.equal(parts.reduce((a, r) => a + r.deliveredMsat, 0), 1_800_000_000);
  const middles = new Set(parts.map((r) => Number(r.hops[0]!.scid)));
  assert.equal(middles.size, 3);
  // Reserved parts are in flight; a small amount stays one part.
  inFlight.fill(0);
  const one = splitPayment(1_000_000, search, (r) => move(r, 1), (r) => move(r, -1))!;
  assert.equal(one.length, 1);
  // More than the three paths hold together: no plan, and nothing left reserved.
  inFlight.fill(0);
  assert.equal(splitPayment(3_100_000_000, search, (r) => move(r, 1), (r) => move(r, -1), { maxParts: 8, minPartMsat: 10_000_000, targetProbability: 0.6 }), null);
  assert.ok(inFlight.every((x) => x === 0));
});
