/**
 * Signing a commitment for `commitment_signed` (BOLT #2): the counterparty's commitment
 * transaction plus one signature per untrimmed HTLC, in commitment output order.
 */
import { hashSequence } from '../bitcoin/index.ts';
import type { ChannelSigner, TxSignature } from '../keys/index.ts';
import { buildCommitment, type Commitment, type CommitmentInput } from './commitment.ts';
import { buildHtlcTxs, htlcCounterpartySighashType, type HtlcTx } from './htlc-tx.ts';

/** A built and signed commitment: what `commitment_signed` carries, plus the transactions. */
export interface SignedCommitment {
  commitment: Commitment;
  htlcTxs: HtlcTx[];
  signature: TxSignature;
  /** BOLT #2 `htlc_signatures`: one per HTLC transaction, in output order. */
  htlcSignatures: TxSignature[];
}

/**
 * signCounterpartyCommitment builds the counterparty's commitment described by `input`
 * (whose "local" is the counterparty) and signs it and its HTLC transactions with our
 * funding and HTLC keys. The HTLC signatures use SIGHASH_ALL, or with anchors
 * SIGHASH_SINGLE|SIGHASH_ANYONECANPAY (BOLT #3 "HTLC-Timeout and HTLC-Success Transactions").
 */
export function signCounterpartyCommitment(signer: ChannelSigner, input: CommitmentInput): SignedCommitment {
  const commitment = buildCommitment(input);
  const htlcTxs = buildHtlcTxs(commitment, input.keys, input.toSelfDelay, input.feeratePerKw, input.type);
  const signature = signer.signCommitment({
    tx: commitment.tx,
    inputIndex: 0,
    witnessScript: commitment.fundingWitnessScript,
    amount: input.fundingAmount,
    sighashCache: commitment.sighashCache,
  });
  // Every HTLC transaction has one input with the same nSequence, so BIP143's hashSequence
  // (only used with SIGHASH_ALL) is the same for all of them: hash it once.
  // (With anchors, SIGHASH_SINGLE|SIGHASH_ANYONECANPAY commits to no other input's sequence.)
  const first = htlcTxs[0];
  const sighashCache = first && input.type !== 'anchors' ? { hashSequence: hashSequence(first.tx) } : undefined;
  const htlcSignatures = signer.signHtlcs(
    htlcTxs.map((h) => ({ tx: h.tx, inputIndex: 0, witnessScript: h.inputWitnessScript, amount: h.inputValue, sighashCache })),
    input.keys.perCommitmentPoint,
    htlcCounterpartySighashType(input.type),
  );
  return { commitment, htlcTxs, signature, htlcSignatures };
}
