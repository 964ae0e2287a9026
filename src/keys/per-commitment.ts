/**
 * BOLT #3 "Per-commitment Secret Requirements": the sender's side of the secret chain.
 * Secrets are derived from one 256-bit seed; the first commitment uses index 2^48 - 1 and
 * each following commitment the next lower index.
 */
import { sha256 } from '../crypto/index.ts';

/** The first secret's index. BOLT #3: "MUST be index 281474976710655" */
export const FIRST_PER_COMMITMENT_INDEX = 0xffffffffffffn;

/** The largest commitment number a channel can reach (2^48 - 1). */
export const MAX_COMMITMENT_NUMBER = 0xffffffffffffn;

function flip(p: Uint8Array, bit: number): void {
  // BOLT #3: "flip(B)" alternates the (B mod 8) bit of the (B div 8) byte of the value.
  p[bit >> 3] ^= 1 << (bit & 7);
}

/**
 * deriveSecret is the spec's generalised derivation: starting from `base` (a secret whose
 * index shares bits `bits`..47 with `index`), it walks bits `bits-1` down to 0.
 *
 * BOLT #3 "Efficient Per-commitment Secret Storage", `derive_secret(base, bits, I)`.
 */
export function deriveSecret(base: Uint8Array, bits: number, index: bigint): Uint8Array {
  let p: Uint8Array = Uint8Array.from(base);
  for (let b = bits - 1; b >= 0; b--) {
    if ((index >> BigInt(b)) & 1n) {
      flip(p, b);
      p = sha256(p);
    }
  }
  return p;
}

/**
 * generateFromSeed returns the I'th per-commitment secret of a seed.
 *
 * BOLT #3 (the I'th secret P): "MUST match the output of this algorithm" — the spec's
 * `generate_from_seed(seed, I)`.
 */
export function generateFromSeed(seed: Uint8Array, index: bigint): Uint8Array {
  if (seed.length !== 32) throw new RangeError('per-commitment seed must be 32 bytes');
  if (index < 0n || index > FIRST_PER_COMMITMENT_INDEX) throw new RangeError('per-commitment index must fit in 48 bits');
  return deriveSecret(seed, 48, index);
}

/**
 * commitmentIndex maps a commitment number (0, 1, 2, ...) to the secret index the spec uses
 * (2^48 - 1, 2^48 - 2, ...).
 */
export function commitmentIndex(commitmentNumber: bigint): bigint {
  if (commitmentNumber < 0n || commitmentNumber > MAX_COMMITMENT_NUMBER) throw new RangeError('commitment number must fit in 48 bits');
  return FIRST_PER_COMMITMENT_INDEX - commitmentNumber;
}

/** perCommitmentSecret returns the secret for commitment number `n` (0 = the first one). */
export function perCommitmentSecret(seed: Uint8Array, commitmentNumber: bigint): Uint8Array {
  return generateFromSeed(seed, commitmentIndex(commitmentNumber));
}
