/**
 * The public keys of one commitment transaction, derived from both sides' basepoints and the
 * owner's per-commitment point (BOLT #3 "Key Derivation"), and the commitment number
 * obscuring factor (BOLT #3 "Commitment Transaction").
 */
import { concatBytes } from '../lib/index.ts';
import { sha256 } from '../crypto/index.ts';
import { derivePubkey, deriveRevocationPubkey } from './derivation.ts';

/** A channel party's public keys, as sent in `open_channel` / `accept_channel`. */
export interface ChannelPublicKeys {
  fundingPubkey: Uint8Array;
  revocationBasepoint: Uint8Array;
  paymentBasepoint: Uint8Array;
  delayedPaymentBasepoint: Uint8Array;
  htlcBasepoint: Uint8Array;
}

/**
 * The per-commitment keys of one commitment transaction, named from its owner's ("local")
 * point of view as BOLT 3 does.
 */
export interface CommitmentKeys {
  perCommitmentPoint: Uint8Array;
  /** From the counterparty's revocation_basepoint: lets the counterparty punish a revoked state. */
  revocationPubkey: Uint8Array;
  /** From the owner's delayed_payment_basepoint: the owner's delayed funds. */
  localDelayedPubkey: Uint8Array;
  /** From the owner's htlc_basepoint. */
  localHtlcPubkey: Uint8Array;
  /** From the counterparty's htlc_basepoint. */
  remoteHtlcPubkey: Uint8Array;
  /** BOLT #3: "The `remotepubkey` is simply the remote node's `payment_basepoint`." */
  remotePaymentPubkey: Uint8Array;
}

/**
 * deriveCommitmentKeys derives the keys of the commitment owned by `owner`, whose
 * per-commitment point is `perCommitmentPoint`, with `counterparty` the other side.
 * Both our own commitment and the counterparty's are built with this one function.
 */
export function deriveCommitmentKeys(owner: ChannelPublicKeys, counterparty: ChannelPublicKeys, perCommitmentPoint: Uint8Array): CommitmentKeys {
  return {
    perCommitmentPoint,
    revocationPubkey: deriveRevocationPubkey(counterparty.revocationBasepoint, perCommitmentPoint),
    localDelayedPubkey: derivePubkey(owner.delayedPaymentBasepoint, perCommitmentPoint),
    localHtlcPubkey: derivePubkey(owner.htlcBasepoint, perCommitmentPoint),
    remoteHtlcPubkey: derivePubkey(counterparty.htlcBasepoint, perCommitmentPoint),
    remotePaymentPubkey: counterparty.paymentBasepoint,
  };
}

/**
 * obscuringFactor is the 48-bit value commitment numbers are XORed with.
 *
 * BOLT #3: "The 48-bit commitment number is obscured by `XOR` with the lower 48 bits of:
 * SHA256(payment_basepoint from open_channel || payment_basepoint from accept_channel)"
 */
export function obscuringFactor(openerPaymentBasepoint: Uint8Array, accepterPaymentBasepoint: Uint8Array): bigint {
  const h = sha256(concatBytes(openerPaymentBasepoint, accepterPaymentBasepoint));
  let v = 0n;
  for (let i = 26; i < 32; i++) v = (v << 8n) | BigInt(h[i]!);
  return v;
}
