/**
 * What the gossip checks need from their caller: the chains we follow, the signature check,
 * and the time policy. All of it injected, so the checks stay pure.
 */
import { equalBytes } from '../lib/index.ts';
import { verifyEcdsa } from '../crypto/index.ts';

/** Checks a 64-byte compact signature of a 32-byte digest against a compressed key. */
export type VerifyFn = (sig64: Uint8Array, digest32: Uint8Array, pubkey33: Uint8Array) => boolean;

/**
 * defaultVerify is libsecp256k1 (or the pure fallback) through `crypto/`. High-S signatures
 * are accepted after normalisation: BOLT #7 notes that "ECDSA signatures are malleable. So, an
 * intermediate node who received the `channel_update` message can rebroadcast it just by
 * changing the `s` component of signature with `-s`." Such a copy is then a duplicate, not a
 * forgery.
 */
export const defaultVerify: VerifyFn = (sig, digest, pub) => verifyEcdsa(sig, digest, pub, true);

/** Two weeks in seconds: BOLT #7 "older than two weeks (1209600 seconds)". */
export const TWO_WEEKS_SECONDS = 1_209_600;

/** One day in seconds: our horizon for "unreasonably far in the future". */
export const ONE_DAY_SECONDS = 86_400;

/** GossipContext is what every check is given. */
export interface GossipContext {
  /** The chain_hash values we follow (BOLT #0: genesis hash in internal order). */
  chainHashes: readonly Uint8Array[];
  /** Signature check; defaultVerify unless a test or bench injects its own. */
  verify?: VerifyFn;
  /**
   * How far ahead of now a channel_update timestamp may be before it is discarded (seconds,
   * default ONE_DAY_SECONDS). BOLT #7 gives no figure ("unreasonably far in the future").
   */
  maxFutureSeconds?: number;
  /**
   * How old a channel_update may be and still be taken (seconds, default TWO_WEEKS_SECONDS):
   * an older one would be pruned at once (BOLT #7 "Recommendation on Pruning Stale Entries").
   */
  maxAgeSeconds?: number;
}

/** isKnownChain: one of the chains in the context. */
export function isKnownChain(ctx: GossipContext, chainHash: Uint8Array): boolean {
  for (const c of ctx.chainHashes) if (equalBytes(c, chainHash)) return true;
  return false;
}
