/**
 * Rate limiting of channel_updates per channel direction: token buckets over injected time.
 * Callers charge only updates whose signature checked out, so a stranger cannot drain the
 * budget of someone else's channel.
 */
import type { UpdateKind } from './channel-update.ts';

/** One bucket's shape: at most `burst` tokens, refilled at `perDay` tokens a day. */
export interface BucketConfig {
  burst: number;
  perDay: number;
}

/** Limits for the two kinds of traffic of one channel direction. */
export interface UpdateRateConfig {
  /** Policy changes (fees, CLTV, HTLC limits) and first updates. Default: burst 10, 4/day. */
  policy: BucketConfig;
  /**
   * Status traffic: disable/enable flips and keep-alives (same content, new timestamp), a
   * separate budget so that a node that spent its policy budget can still say its channel
   * is down, up, or alive. Default: burst 10, 24/day.
   */
  status: BucketConfig;
  /** Most directions tracked; the least recently used is forgotten first. Default 500,000. */
  maxEntries: number;
}

export const DEFAULT_UPDATE_RATE: UpdateRateConfig = {
  policy: { burst: 10, perDay: 4 },
  status: { burst: 10, perDay: 24 },
  maxEntries: 500_000,
};

const DAY = 86_400;

interface DirectionBuckets {
  policy: number;
  policyAt: number;
  status: number;
  statusAt: number;
}

/**
 * UpdateRateLimiter is a token bucket per (channel, direction). Pure: time is passed in
 * (UNIX seconds); memory is bounded by `maxEntries`.
 */
export class UpdateRateLimiter {
  private readonly buckets = new Map<bigint, DirectionBuckets>();
  readonly config: UpdateRateConfig;

  constructor(config: Partial<UpdateRateConfig> = {}) {
    this.config = { ...DEFAULT_UPDATE_RATE, ...config };
  }

  /** tryCharge takes one token for an update of `kind`; false means drop the update. */
  tryCharge(scid: bigint, direction: 0 | 1, kind: UpdateKind, now: number): boolean {
    const key = (scid << 1n) | BigInt(direction);
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { policy: this.config.policy.burst, policyAt: now, status: this.config.status.burst, statusAt: now };
      if (this.buckets.size >= this.config.maxEntries) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
    } else {
      this.buckets.delete(key); // re-insert below: Map order is recency order
    }
    this.buckets.set(key, b);
    const status = kind === 'status' || kind === 'keepalive';
    const cfg = status ? this.config.status : this.config.policy;
    const tokens = status ? b.status : b.policy;
    const at = status ? b.statusAt : b.policyAt;
    const elapsed = Math.max(0, now - at);
    const refilled = Math.min(cfg.burst, tokens + (elapsed * cfg.perDay) / DAY);
    if (refilled < 1) {
      if (status) [b.status, b.statusAt] = [refilled, now];
      else [b.policy, b.policyAt] = [refilled, now];
      return false;
    }
    if (status) [b.status, b.statusAt] = [refilled - 1, now];
    else [b.policy, b.policyAt] = [refilled - 1, now];
    return true;
  }

  /** forget drops the buckets of a channel (when it leaves the graph). */
  forget(scid: bigint): void {
    this.buckets.delete(scid << 1n);
    this.buckets.delete((scid << 1n) | 1n);
  }

  /** size is the number of directions tracked. */
  get size(): number {
    return this.buckets.size;
  }
}
