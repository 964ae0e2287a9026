/**
 * Replay protection for payment onions (BOLT #4 "Onion Decryption"): "if the onion is for
 * a payment: if `hmac` has previously been received: if the preimage is known: MAY
 * immediately redeem the HTLC using the preimage. otherwise: MUST abort processing the
 * packet and fail."
 *
 * Kite remembers a tag per accepted onion until the HTLC's CLTV expiry has passed: after
 * that, a replayed onion would be refused anyway because its HTLC would have expired. The
 * tag is SHA256 of the shared secret, which is unique to the (ephemeral key, node key) pair
 * and so to the onion, whatever the HMAC or payloads say.
 */
import { sha256 } from '../crypto/index.ts';
import { toHex } from '../lib/index.ts';

/** The store of processed onions. The node plugs a persistent one (SQLite) in later. */
export interface ReplayStore {
  /**
   * checkAndAdd records `tag` until block `expiry` and returns 'fresh', or returns
   * 'replay' without changing anything if the tag is already recorded.
   */
  checkAndAdd(tag: Uint8Array, expiry: number): 'fresh' | 'replay';
  /** has reports whether a tag is recorded. */
  has(tag: Uint8Array): boolean;
  /** prune forgets every tag whose expiry is below `height`; returns how many were removed. */
  prune(height: number): number;
  /** size is the number of tags held. */
  readonly size: number;
}

/** replayTag is the tag recorded for an onion: SHA256 of its shared secret. */
export function replayTag(sharedSecret: Uint8Array): Uint8Array {
  return sha256(sharedSecret);
}

/** MemoryReplayStore keeps tags in a Map: for tests, the simulator and ephemeral nodes. */
export class MemoryReplayStore implements ReplayStore {
  private readonly tags = new Map<string, number>();

  checkAndAdd(tag: Uint8Array, expiry: number): 'fresh' | 'replay' {
    const k = toHex(tag);
    if (this.tags.has(k)) return 'replay';
    this.tags.set(k, expiry);
    return 'fresh';
  }

  has(tag: Uint8Array): boolean {
    return this.tags.has(toHex(tag));
  }

  prune(height: number): number {
    let n = 0;
    for (const [k, exp] of this.tags) {
      if (exp < height) {
        this.tags.delete(k);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.tags.size;
  }
}

/** The typed refusal of an onion seen before. */
export interface ReplayDetected {
  ok: false;
  name: 'replay';
  tag: Uint8Array;
}

/**
 * checkReplay records a peeled onion's shared secret and refuses a second sighting.
 * `cltvExpiry` is the incoming HTLC's expiry: the tag may be pruned once the chain passes it.
 */
export function checkReplay(store: ReplayStore, sharedSecret: Uint8Array, cltvExpiry: number): { ok: true; tag: Uint8Array } | ReplayDetected {
  const tag = replayTag(sharedSecret);
  return store.checkAndAdd(tag, cltvExpiry) === 'fresh' ? { ok: true, tag } : { ok: false, name: 'replay', tag };
}
