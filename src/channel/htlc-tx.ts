/**
 * BOLT #3 "HTLC-Timeout and HTLC-Success Transactions": the second-stage transactions that
 * spend a commitment's HTLC outputs into a delayed (revocable) output.
 */
import { msatToSat, sat, type Sat } from '../lib/index.ts';
import { p2wshScript, SIGHASH_ALL, SIGHASH_ANYONECANPAY, SIGHASH_SINGLE, type Tx } from '../bitcoin/index.ts';
import type { CommitmentKeys } from '../keys/index.ts';
import { htlcSecondStageFee, type CommitmentType } from './commitment-fees.ts';
import type { Commitment, CommitmentHtlcOutput } from './commitment.ts';
import { toLocalScript } from './scripts.ts';

/** A second-stage HTLC transaction and what it spends. */
export interface HtlcTx {
  kind: 'timeout' | 'success';
  tx: Tx;
  /** The commitment output it spends. */
  htlcOutput: CommitmentHtlcOutput;
  /** The witness script and value of the spent commitment output (for signing). */
  inputWitnessScript: Uint8Array;
  inputValue: Sat;
  /** The witness script of this transaction's single output. */
  outputWitnessScript: Uint8Array;
}

/**
 * htlcCounterpartySighashType is the sighash type of the counterparty's signature on an
 * HTLC transaction (the one carried in `htlc_signatures`).
 *
 * BOLT #3: "if `option_anchors` applies to this commitment transaction,
 * `SIGHASH_SINGLE|SIGHASH_ANYONECANPAY` is used"
 */
export function htlcCounterpartySighashType(type: CommitmentType): number {
  return type === 'anchors' ? SIGHASH_SINGLE | SIGHASH_ANYONECANPAY : SIGHASH_ALL;
}

/**
 * buildHtlcTx builds the HTLC-timeout (offered HTLC) or HTLC-success (received HTLC)
 * transaction for one HTLC output of a commitment, unsigned.
 *
 * BOLT #3: "locktime: `0` for HTLC-success, `cltv_expiry` for HTLC-timeout",
 * "`txin[0]` sequence: `0` (set to `1` for `option_anchors`)", "`txout[0]` amount: the HTLC
 * `amount_msat` divided by 1000 (rounding down) minus fees in satoshis".
 */
export function buildHtlcTx(
  commitmentTxid: Uint8Array,
  htlcOutput: CommitmentHtlcOutput,
  keys: CommitmentKeys,
  toSelfDelay: number,
  feeratePerKw: number,
  type: CommitmentType,
  output?: { witnessScript: Uint8Array; script: Uint8Array },
): HtlcTx {
  const { htlc } = htlcOutput;
  const timeout = htlc.direction === 'offered';
  const fee = htlcSecondStageFee(htlc.direction, feeratePerKw, type);
  const value = msatToSat(htlc.amount) - fee;
  if (value < 0n) throw new RangeError('HTLC amount does not cover the HTLC transaction fee (it should have been trimmed)');
  // All HTLC transactions of a commitment share this output script; callers may pass it in.
  const outputWitnessScript = output?.witnessScript ?? toLocalScript(keys.revocationPubkey, toSelfDelay, keys.localDelayedPubkey);
  const outputScript = output?.script ?? p2wshScript(outputWitnessScript);
  const tx: Tx = {
    version: 2,
    inputs: [
      {
        txid: commitmentTxid,
        vout: htlcOutput.outputIndex,
        scriptSig: new Uint8Array(0),
        sequence: type === 'anchors' ? 1 : 0,
        witness: [],
      },
    ],
    outputs: [{ value, script: outputScript }],
    locktime: timeout ? htlc.cltvExpiry : 0,
  };
  return {
    kind: timeout ? 'timeout' : 'success',
    tx,
    htlcOutput,
    inputWitnessScript: htlcOutput.witnessScript,
    inputValue: sat(htlcOutput.value),
    outputWitnessScript,
  };
}

/**
 * buildHtlcTxs builds the HTLC transactions of every untrimmed HTLC of a commitment, in
 * commitment output order — the order `htlc_signatures` are sent in (BOLT #2).
 */
export function buildHtlcTxs(commitment: Commitment, keys: CommitmentKeys, toSelfDelay: number, feeratePerKw: number, type: CommitmentType): HtlcTx[] {
  if (commitment.htlcOutputs.length === 0) return [];
  const witnessScript = toLocalScript(keys.revocationPubkey, toSelfDelay, keys.localDelayedPubkey);
  const output = { witnessScript, script: p2wshScript(witnessScript) };
  return commitment.htlcOutputs.map((o) => buildHtlcTx(commitment.txid, o, keys, toSelfDelay, feeratePerKw, type, output));
}
