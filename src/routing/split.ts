/**
 * The multi-part splitter. When one path is unlikely to carry the whole amount, the payment
 * is split into equal parts, found one after the other, each seeing the ones before it as in
 * flight (so they spread over different channels where that is likelier or cheaper). Every part goes under the one payment_secret and total_msat (BOLT #4
 * basic multi-part payments); the caller builds the onions.
 */
import type { Route } from './types.ts';

export interface SplitOptions {
  /** Most parts in flight for one payment (Core Lightning and LND stop near 16-32). */
  maxParts: number;
  /** No part smaller than this, msat (unless it is what remains). */
  minPartMsat: number;
  /** A route below this success probability is split further, while parts may be smaller. */
  targetProbability: number;
}

export const DEFAULT_SPLIT: SplitOptions = { maxParts: 16, minPartMsat: 10_000_000, targetProbability: 0.6 };

/**
 * A search for one part: the route delivering `amountMsat`, with every part reserved so far
 * counted as in flight, or null.
 */
export type PartSearch = (amountMsat: number) => Route | null;

/**
 * splitPayment plans the parts that deliver `amountMsat`: it tries 1 part, then 2, 4, 8 ...
 * equal parts up to `maxParts` (none below `minPartMsat`), each plan's parts found one after
 * the other with the earlier ones counted in flight, and keeps the plan whose parts are all
 * likeliest to succeed together, stopping at the first plan whose every part reaches
 * `targetProbability`. `reserve` and `release` count a part in flight and give it back; the
 * returned parts are left reserved. Returns null when no plan within the limits delivers the
 * whole amount.
 */
export function splitPayment(amountMsat: number, search: PartSearch, reserve: (r: Route) => void, release: (r: Route) => void, o: SplitOptions = DEFAULT_SPLIT): Route[] | null {
  let best: Route[] | null = null;
  let bestP = -1;
  const counts: number[] = [];
  for (let k = 1; k < o.maxParts; k *= 2) counts.push(k);
  counts.push(Math.max(1, o.maxParts));
  for (const k of counts) {
    const part = Math.ceil(amountMsat / k);
    if (k > 1 && part < o.minPartMsat) break;
    const plan: Route[] = [];
    let remaining = amountMsat;
    while (remaining > 0) {
      const r = search(Math.min(part, remaining));
      if (!r) break;
      plan.push(r);
      reserve(r);
      remaining -= r.deliveredMsat;
    }
    for (const r of plan) release(r);
    if (remaining > 0) continue;
    const p = productProbability(plan);
    if (p > bestP) {
      best = plan;
      bestP = p;
    }
    if (plan.every((r) => r.probability >= o.targetProbability)) break;
  }
  if (!best) return null;
  for (const r of best) reserve(r);
  return best;
}

/** productProbability is the chance that every part succeeds, the parts being priced independently. */
export function productProbability(parts: readonly Route[]): number {
  return parts.reduce((a, r) => a * r.probability, 1);
}
