/**
 * The multi-part splitter. When one path is unlikely to carry the whole amount, the payment
 * is split: parts are found one after the other, each seeing the ones before it as in flight
 * (so they spread over different channels where that is cheaper), a part is halved while its
 * route's success probability stays below the target, and the last allowed part carries
 * whatever remains. Every part goes under the one payment_secret and total_msat (BOLT #4
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
 * splitPayment plans the parts that deliver `amountMsat`. `reserve` is called with each
 * accepted part (to count it in flight for the next searches) and `release` with each part
 * given back when the plan fails as a whole. Returns the parts, or null when no set of
 * parts within the limits can deliver the amount.
 */
export function splitPayment(amountMsat: number, search: PartSearch, reserve: (r: Route) => void, release: (r: Route) => void, o: SplitOptions = DEFAULT_SPLIT): Route[] | null {
  const first = search(amountMsat);
  if (first && (first.probability >= o.targetProbability || o.maxParts <= 1 || amountMsat < 2 * o.minPartMsat)) {
    reserve(first);
    return [first];
  }
  const parts: Route[] = [];
  let remaining = amountMsat;
  let chunk = amountMsat;
  // The first route, when there was one, is a fallback for the whole amount.
  const fallback = first;
  let searches = 0;
  const maxSearches = o.maxParts * 8;
  while (remaining > 0) {
    if (++searches > maxSearches) break;
    const last = parts.length >= o.maxParts - 1;
    const want = last ? remaining : Math.min(chunk, remaining);
    const r = search(want);
    const canHalve = !last && Math.floor(want / 2) >= o.minPartMsat;
    if ((!r || r.probability < o.targetProbability) && canHalve) {
      chunk = Math.floor(want / 2);
      continue;
    }
    if (!r) break;
    parts.push(r);
    reserve(r);
    remaining -= r.deliveredMsat;
  }
  if (remaining > 0) {
    for (const p of parts) release(p);
    if (fallback) {
      reserve(fallback);
      return [fallback];
    }
    return null;
  }
  if (fallback && productProbability(parts) < fallback.probability) {
    for (const p of parts) release(p);
    reserve(fallback);
    return [fallback];
  }
  return parts;
}

/** productProbability is the chance that every part succeeds, the parts being priced independently. */
export function productProbability(parts: readonly Route[]): number {
  return parts.reduce((a, r) => a * r.probability, 1);
}
