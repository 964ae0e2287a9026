/**
 * BOLT #3 witness stacks for every spend of a funding, commitment or HTLC transaction
 * output. Signatures come in as 64-byte compact signatures from the Signer plus their
 * sighash type; here they become Bitcoin's DER-plus-sighash-byte form. The witness script
 * is always the last item (BOLT #3 "Use of Segwit").
 */
import { compareBytes } from '../lib/index.ts';
import { signatureToDer } from '../crypto/index.ts';
import { SIGHASH_ALL } from '../bitcoin/index.ts';
import type { TxSignature } from '../keys/index.ts';

const EMPTY = new Uint8Array(0);

/** witnessSignature encodes a compact signature for a witness: DER, then the sighash byte. */
export function witnessSignature(s: TxSignature | Uint8Array): Uint8Array {
  const { sig, sighashType } = s instanceof Uint8Array ? { sig: s, sighashType: SIGHASH_ALL } : s;
  const der = signatureToDer(sig);
  const out = new Uint8Array(der.length + 1);
  out.set(der);
  out[der.length] = sighashType;
  return out;
}

/**
 * fundingSpendWitness spends the funding 2-of-2 (commitment, closing and splice
 * transactions), putting the signatures in funding-key order.
 *
 * BOLT #3: "`txin[0]` witness: `0 <signature_for_pubkey1> <signature_for_pubkey2>`"
 */
export function fundingSpendWitness(
  pubkeyA: Uint8Array,
  sigA: TxSignature | Uint8Array,
  pubkeyB: Uint8Array,
  sigB: TxSignature | Uint8Array,
  fundingWitnessScript: Uint8Array,
): Uint8Array[] {
  const a = witnessSignature(sigA);
  const b = witnessSignature(sigB);
  const [first, second] = compareBytes(pubkeyA, pubkeyB) <= 0 ? [a, b] : [b, a];
  return [EMPTY, first, second, fundingWitnessScript];
}

/**
 * toLocalDelayedWitness claims a `to_local` output (or an HTLC transaction's output) after
 * `to_self_delay`; the spending input's nSequence must be at least `to_self_delay`.
 *
 * BOLT #3: "The output is spent by an input with `nSequence` field set to `to_self_delay`
 * [...] and witness: `<local_delayedsig> <>`"
 */
export function toLocalDelayedWitness(sig: TxSignature | Uint8Array, toLocalWitnessScript: Uint8Array): Uint8Array[] {
  return [witnessSignature(sig), EMPTY, toLocalWitnessScript];
}

/**
 * toLocalRevokedWitness is the penalty spend of a revoked `to_local` (or HTLC transaction)
 * output with the revocation private key.
 *
 * BOLT #3: "the other party can spend this output immediately with the following witness:
 * `<revocation_sig> 1`"
 */
export function toLocalRevokedWitness(revocationSig: TxSignature | Uint8Array, toLocalWitnessScript: Uint8Array): Uint8Array[] {
  return [witnessSignature(revocationSig), Uint8Array.of(1), toLocalWitnessScript];
}

/** toRemoteP2wpkhWitness spends a static_remotekey `to_remote` (P2WPKH): `<sig> <remotepubkey>`. */
export function toRemoteP2wpkhWitness(sig: TxSignature | Uint8Array, remotePubkey: Uint8Array): Uint8Array[] {
  return [witnessSignature(sig), remotePubkey];
}

/**
 * toRemoteAnchorsWitness spends an anchors `to_remote` output; the input's nSequence must be 1.
 *
 * BOLT #3: "The output is spent by an input with `nSequence` field set to `1` and witness:
 * `<remote_sig>`"
 */
export function toRemoteAnchorsWitness(sig: TxSignature | Uint8Array, toRemoteWitnessScript: Uint8Array): Uint8Array[] {
  return [witnessSignature(sig), toRemoteWitnessScript];
}

/** anchorOwnerWitness spends an anchor with its funding key: BOLT #3 "`<local_sig/remote_sig>`". */
export function anchorOwnerWitness(sig: TxSignature | Uint8Array, anchorWitnessScript: Uint8Array): Uint8Array[] {
  return [witnessSignature(sig), anchorWitnessScript];
}

/**
 * anchorAnyoneWitness sweeps an anchor without a key; the input's nSequence must be at
 * least 16.
 *
 * BOLT #3: "After 16 blocks, anyone can sweep the anchor with witness: `<>`"
 */
export function anchorAnyoneWitness(anchorWitnessScript: Uint8Array): Uint8Array[] {
  return [EMPTY, anchorWitnessScript];
}

/**
 * htlcTimeoutTxWitness completes an HTLC-timeout transaction (the owner's offered HTLC).
 *
 * BOLT #3: "`0 <remotehtlcsig> <localhtlcsig> <>` for HTLC-timeout"
 */
export function htlcTimeoutTxWitness(remoteSig: TxSignature, localSig: TxSignature | Uint8Array, offeredHtlcWitnessScript: Uint8Array): Uint8Array[] {
  return [EMPTY, witnessSignature(remoteSig), witnessSignature(localSig), EMPTY, offeredHtlcWitnessScript];
}

/**
 * htlcSuccessTxWitness completes an HTLC-success transaction (the owner's received HTLC).
 *
 * BOLT #3: "`0 <remotehtlcsig> <localhtlcsig>  <payment_preimage>` for HTLC-success"
 */
export function htlcSuccessTxWitness(
  remoteSig: TxSignature,
  localSig: TxSignature | Uint8Array,
  paymentPreimage: Uint8Array,
  receivedHtlcWitnessScript: Uint8Array,
): Uint8Array[] {
  return [EMPTY, witnessSignature(remoteSig), witnessSignature(localSig), paymentPreimage, receivedHtlcWitnessScript];
}

/**
 * offeredHtlcPreimageWitness claims an HTLC the commitment owner offered, from the other
 * side, with the preimage (with anchors the input's nSequence must be 1).
 *
 * BOLT #3: "The remote node can redeem the HTLC with the witness: `<remotehtlcsig> <payment_preimage>`"
 */
export function offeredHtlcPreimageWitness(sig: TxSignature | Uint8Array, paymentPreimage: Uint8Array, offeredHtlcWitnessScript: Uint8Array): Uint8Array[] {
  return [witnessSignature(sig), paymentPreimage, offeredHtlcWitnessScript];
}

/**
 * receivedHtlcTimeoutWitness reclaims an HTLC the commitment owner received, from the other
 * side, once nLockTime reaches `cltv_expiry` (with anchors the input's nSequence must be 1).
 *
 * BOLT #3: "To timeout the HTLC, the remote node spends it with the witness: `<remotehtlcsig> <>`"
 */
export function receivedHtlcTimeoutWitness(sig: TxSignature | Uint8Array, receivedHtlcWitnessScript: Uint8Array): Uint8Array[] {
  return [witnessSignature(sig), EMPTY, receivedHtlcWitnessScript];
}

/**
 * htlcRevokedWitness is the penalty spend of either kind of HTLC output on a revoked
 * commitment.
 *
 * BOLT #3: "If a revoked commitment transaction is published, the remote node can spend
 * this output immediately with the following witness: `<revocation_sig> <revocationpubkey>`"
 */
export function htlcRevokedWitness(revocationSig: TxSignature | Uint8Array, revocationPubkey: Uint8Array, htlcWitnessScript: Uint8Array): Uint8Array[] {
  return [witnessSignature(revocationSig), revocationPubkey, htlcWitnessScript];
}
