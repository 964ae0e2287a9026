/**
 * BOLT #3 "Key Derivation": the per-commitment public and private keys that every
 * commitment transaction uses, derived from a basepoint and a per-commitment point.
 *
 * All public keys are 33-byte compressed; private keys are 32 bytes.
 */
import { concatBytes } from '../lib/index.ts';
import {
  getPublicKey,
  pubCombine,
  pubTweakAdd,
  pubTweakMul,
  privTweakAdd,
  privTweakMul,
  sha256,
} from '../crypto/index.ts';

/**
 * perCommitmentPoint turns a per-commitment secret into its point.
 *
 * BOLT #3: "per_commitment_point = per_commitment_secret * G"
 */
export function perCommitmentPoint(perCommitmentSecret: Uint8Array): Uint8Array {
  return getPublicKey(perCommitmentSecret, true);
}

/**
 * derivePubkey derives `localpubkey`, `local_htlcpubkey`, `remote_htlcpubkey`,
 * `local_delayedpubkey` or `remote_delayedpubkey` from the matching basepoint.
 *
 * BOLT #3: "pubkey = basepoint + SHA256(per_commitment_point || basepoint) * G"
 */
export function derivePubkey(basepoint: Uint8Array, perCommitmentPoint: Uint8Array): Uint8Array {
  const tweak = sha256(concatBytes(perCommitmentPoint, basepoint));
  return pubTweakAdd(basepoint, tweak);
}

/**
 * derivePrivkey is derivePubkey's private counterpart, for the keys whose basepoint secret
 * we hold.
 *
 * BOLT #3: "privkey = basepoint_secret + SHA256(per_commitment_point || basepoint)"
 */
export function derivePrivkey(basepointSecret: Uint8Array, perCommitmentPoint: Uint8Array, basepoint?: Uint8Array): Uint8Array {
  // The caller may pass the basepoint it already knows to save a point multiplication.
  basepoint ??= getPublicKey(basepointSecret, true);
  const tweak = sha256(concatBytes(perCommitmentPoint, basepoint));
  return privTweakAdd(basepointSecret, tweak);
}

/**
 * deriveRevocationPubkey blinds a revocation basepoint with a per-commitment point, so that
 * neither side alone knows the private key until the per-commitment secret is revealed.
 *
 * BOLT #3: "revocationpubkey = revocation_basepoint * SHA256(revocation_basepoint ||
 * per_commitment_point) + per_commitment_point * SHA256(per_commitment_point ||
 * revocation_basepoint)"
 */
export function deriveRevocationPubkey(revocationBasepoint: Uint8Array, perCommitmentPoint: Uint8Array): Uint8Array {
  const t1 = sha256(concatBytes(revocationBasepoint, perCommitmentPoint));
  const t2 = sha256(concatBytes(perCommitmentPoint, revocationBasepoint));
  return pubCombine([pubTweakMul(revocationBasepoint, t1), pubTweakMul(perCommitmentPoint, t2)]);
}

/**
 * deriveRevocationPrivkey computes the revocation private key once the counterparty has
 * revealed the per-commitment secret of a commitment we hold the revocation basepoint for.
 *
 * BOLT #3: "revocationprivkey = revocation_basepoint_secret * SHA256(revocation_basepoint ||
 * per_commitment_point) + per_commitment_secret * SHA256(per_commitment_point ||
 * revocation_basepoint)"
 */
export function deriveRevocationPrivkey(revocationBasepointSecret: Uint8Array, perCommitmentSecret: Uint8Array): Uint8Array {
  const revocationBasepoint = getPublicKey(revocationBasepointSecret, true);
  const point = getPublicKey(perCommitmentSecret, true);
  const t1 = sha256(concatBytes(revocationBasepoint, point));
  const t2 = sha256(concatBytes(point, revocationBasepoint));
  const a = privTweakMul(revocationBasepointSecret, t1);
  const b = privTweakMul(perCommitmentSecret, t2);
  return privTweakAdd(a, b);
}
