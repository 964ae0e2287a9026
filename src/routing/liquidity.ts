/**
 * What the sender knows of each channel direction's unknown liquidity, learned from its own
 * payments, and the success probability that follows from it.
 *
 * The model (after LDK's ProbabilisticScorer and Pickhardt-Richter's uniform model): a
 * direction's liquidity L is uniformly distributed on [lo, hi], where at first lo = 0 and
 * hi = the capacity. A part of `a` msat crosses if L >= a + f, f being what we already have in
 * flight on it, so P = (hi - (a + f) + 1) / (hi - lo + 1), clamped to [0, 1].
 * - A failure of `a` at a hop means L < a there: hi drops to a - 1.
 * - A success (or a failure further down the route) of `a` means L >= a at each hop that
 *   passed it on: lo rises to a.
 * - Knowledge decays back towards the prior: lo and (capacity - hi) halve every `halfLifeMs`
 *   (6 hours by default), since balances move as others pay.
 * Time is passed in by the caller (milliseconds); nothing here reads a clock.
 */
import type { CompactGraphView } from '../graph/index.ts';

interface Known {
  /** Learned lower and upper bounds, msat, as of `at`. */
  lo: number;
  hi: number;
  /** The capacity they were learned against, msat. */
  cap: number;
  at: number;
}

/** A serialisable copy of the knowledge, for persistence across restarts. */
export interface LiquiditySnapshot {
  version: 1;
  halfLifeMs: number;
  /** [scid (decimal string), direction, lo, hi, capacity, at] per known direction. */
  entries: [string, number, number, number, number, number][];
}

/** Per-edge arrays for one search over one view: effective bounds and what is in flight. */
export interface PreparedLiquidity {
  lo: Float64Array;
  hi: Float64Array;
  inFlight: Float64Array;
}

export interface LiquidityOptions {
  /** How fast learned bounds relax back to [0, capacity]. */
  halfLifeMs?: number;
}

export const DEFAULT_HALF_LIFE_MS = 6 * 3600_000;

/** knowledgeKey is the internal key of a direction. */
function keyOf(scid: bigint, direction: number): string {
  return `${scid}/${direction}`;
}

export class LiquidityKnowledge {
  readonly halfLifeMs: number;
  private known = new Map<string, Known>();
  private flight = new Map<string, number>();
  private prepared = new WeakMap<CompactGraphView, { cap: Float64Array; out: PreparedLiquidity }>();

  constructor(o: LiquidityOptions = {}) {
    this.halfLifeMs = o.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
  }

  /** How many directions we know something about. */
  get size(): number {
    return this.known.size;
  }

  /** bounds gives a direction's effective [lo, hi] at `now` (msat). */
  bounds(scid: bigint, direction: number, capacityMsat: number, now: number): { lo: number; hi: number } {
    const k = this.known.get(keyOf(scid, direction));
    if (!k) return { lo: 0, hi: capacityMsat };
    return this.decayed(k, capacityMsat, now);
  }

  /** probability that a part of `amountMsat` crosses the direction now (counting what we have in flight). */
  probability(scid: bigint, direction: number, capacityMsat: number, amountMsat: number, now: number): number {
    const { lo, hi } = this.bounds(scid, direction, capacityMsat, now);
    return uniformProbability(lo, hi, amountMsat + (this.flight.get(keyOf(scid, direction)) ?? 0));
  }

  /** recordFailure: the direction could not carry `amountMsat` (the failing hop of a temporary_channel_failure). */
  recordFailure(scid: bigint, direction: number, capacityMsat: number, amountMsat: number, now: number): void {
    const cur = this.bounds(scid, direction, capacityMsat, now);
    // What is in flight on it was there too: the liquidity was below amount + in flight.
    const hi = Math.max(0, Math.min(cur.hi, amountMsat + (this.flight.get(keyOf(scid, direction)) ?? 0) - 1));
    this.known.set(keyOf(scid, direction), { lo: Math.min(cur.lo, hi), hi, cap: capacityMsat, at: now });
  }

  /** recordSuccess: the direction carried `amountMsat` (a hop before a failure, or every hop of a success). */
  recordSuccess(scid: bigint, direction: number, capacityMsat: number, amountMsat: number, now: number): void {
    const cur = this.bounds(scid, direction, capacityMsat, now);
    const lo = Math.min(capacityMsat, Math.max(cur.lo, amountMsat));
    this.known.set(keyOf(scid, direction), { lo, hi: Math.max(cur.hi, lo), cap: capacityMsat, at: now });
  }

  /** addInFlight counts a part we sent over the direction and that has not resolved yet. */
  addInFlight(scid: bigint, direction: number, amountMsat: number): void {
    const k = keyOf(scid, direction);
    this.flight.set(k, (this.flight.get(k) ?? 0) + amountMsat);
  }

  /** removeInFlight forgets a part once it resolved (either way). */
  removeInFlight(scid: bigint, direction: number, amountMsat: number): void {
    const k = keyOf(scid, direction);
    const v = (this.flight.get(k) ?? 0) - amountMsat;
    if (v > 0) this.flight.set(k, v);
    else this.flight.delete(k);
  }

  /** clearInFlight forgets every part in flight (a simulator starting a new payment). */
  clearInFlight(): void {
    this.flight.clear();
  }

  /**
   * prepare lays the knowledge out per edge of a view for one search: O(edges) copying of
   * the capacities plus O(known) for what was learned. The arrays are reused by the next
   * `prepare` on the same view (a search is synchronous): copy them to keep them.
   */
  prepare(view: CompactGraphView, now: number): PreparedLiquidity {
    const E = 2 * view.channelCount;
    let cached = this.prepared.get(view);
    if (!cached) {
      const cap = new Float64Array(E);
      for (let e = 0; e < E; e++) cap[e] = edgeCapacityMsat(view, e);
      cached = { cap, out: { lo: new Float64Array(E), hi: new Float64Array(E), inFlight: new Float64Array(E) } };
      this.prepared.set(view, cached);
    }
    const { lo, hi, inFlight } = cached.out;
    lo.fill(0);
    hi.set(cached.cap);
    inFlight.fill(0);
    if (this.known.size > 0 || this.flight.size > 0) {
      const scidIndex = scidIndexOf(view);
      for (const [key, k] of this.known) {
        const e = edgeOfKey(scidIndex, key);
        if (e < 0) continue;
        const b = this.decayed(k, hi[e]!, now);
        lo[e] = b.lo;
        hi[e] = b.hi;
      }
      for (const [key, f] of this.flight) {
        const e = edgeOfKey(scidIndex, key);
        if (e >= 0) inFlight[e] = f;
      }
    }
    return cached.out;
  }

  /** snapshot copies the knowledge for the store (in-flight parts are not kept: they are re-read from the payments). */
  snapshot(): LiquiditySnapshot {
    const entries: LiquiditySnapshot['entries'] = [];
    for (const [key, k] of this.known) {
      const [scid, dir] = key.split('/');
      entries.push([scid!, Number(dir), k.lo, k.hi, k.cap, k.at]);
    }
    return { version: 1, halfLifeMs: this.halfLifeMs, entries };
  }

  /** restore rebuilds knowledge from a snapshot; entries that are not well-formed are skipped. */
  static restore(s: LiquiditySnapshot, o: LiquidityOptions = {}): LiquidityKnowledge {
    const k = new LiquidityKnowledge({ halfLifeMs: o.halfLifeMs ?? s.halfLifeMs });
    for (const e of s.entries ?? []) {
      if (!Array.isArray(e) || e.length !== 6 || !/^\d+$/.test(String(e[0])) || (e[1] !== 0 && e[1] !== 1)) continue;
      const [scid, dir, lo, hi, cap, at] = e;
      if (![lo, hi, cap, at].every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0) || lo > hi) continue;
      k.known.set(keyOf(BigInt(scid), dir), { lo, hi, cap, at });
    }
    return k;
  }

  private decayed(k: Known, capacityMsat: number, now: number): { lo: number; hi: number } {
    const f = now <= k.at ? 1 : Math.pow(0.5, (now - k.at) / this.halfLifeMs);
    const cap = capacityMsat > 0 ? capacityMsat : k.cap;
    const lo = Math.min(cap, k.lo * f);
    const hi = Math.max(lo, cap - Math.max(0, cap - k.hi) * f);
    return { lo, hi };
  }
}

/** uniformProbability is P(L >= x) for L uniform on the integers [lo, hi]. */
export function uniformProbability(lo: number, hi: number, x: number): number {
  if (x <= lo) return 1;
  if (x > hi) return 0;
  return (hi - x + 1) / (hi - lo + 1);
}

/** edgeCapacityMsat is what a direction can carry at most: its capacity, or its htlc_maximum_msat when the capacity is unknown. */
export function edgeCapacityMsat(view: CompactGraphView, e: number): number {
  const cap = view.capacitySat[e >>> 1]! * 1000;
  return cap > 0 ? cap : view.htlcMaximumMsat[e]!;
}

const scidCache = new WeakMap<CompactGraphView, Map<string, number>>();

function scidIndexOf(view: CompactGraphView): Map<string, number> {
  let m = scidCache.get(view);
  if (!m) {
    m = new Map();
    for (let c = 0; c < view.channelCount; c++) m.set(String(view.scids[c]), c);
    scidCache.set(view, m);
  }
  return m;
}

function edgeOfKey(index: Map<string, number>, key: string): number {
  const slash = key.indexOf('/');
  const c = index.get(key.slice(0, slash));
  return c === undefined ? -1 : 2 * c + Number(key.slice(slash + 1));
}
