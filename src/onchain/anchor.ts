/**
 * Child-pays-for-parent through our anchor (BOLT #3 "`to_local_anchor` and
 * `to_remote_anchor` Output (option_anchors)"): a child spending our anchor and wallet
 * inputs so that the commitment and the child together reach a target feerate.
 */
import { sat, type Sat } from '../lib/index.ts';
import type { Tx } from '../bitcoin/index.ts';
import { SEGWIT_INPUT_BASE_WEIGHT } from '../channel/index.ts';
import type { ChannelSigner } from '../keys/index.ts';
import type { FeeInput } from './holder.ts';
import { claimInputWeight, claimWitness, dustThreshold, feeForWeight, SEQUENCE_NO_CSV, sweepTxWeight } from './sweep.ts';
import type { Claim } from './types.ts';

/** The unconfirmed parent being bumped: its weight and the fee it already pays. */
export interface CpfpParent {
  weight: number;
  fee: Sat;
}

/** An unsigned anchor spend: input 0 is the anchor, then the fee inputs; one change output. */
export interface AnchorCpfp {
  tx: Tx;
  /** The child's own fee. */
  fee: Sat;
  expectedWeight: number;
}

/**
 * buildAnchorCpfp builds a child spending our anchor `anchor` plus `feeInputs`, paying the
 * change to `changeScript`, with a fee such that parent and child together pay
 * `feeratePerKw` on their combined weight. Throws when the inputs cannot pay it or the
 * change would be dust (add a larger fee input).
 *
 * BOLT #5: "MUST spend any `to_local_anchor` output, providing sufficient fees as incentive
 * to include the commitment transaction in a block."
 */
export function buildAnchorCpfp(anchor: Claim, parent: CpfpParent, feeInputs: readonly FeeInput[], changeScript: Uint8Array, feeratePerKw: number): AnchorCpfp {
  if (anchor.kind !== 'anchor') throw new Error('buildAnchorCpfp spends an anchor claim');
  const weight = sweepTxWeight([claimInputWeight(anchor), ...feeInputs.map((f) => SEGWIT_INPUT_BASE_WEIGHT + f.witnessWeight)], [changeScript]);
  const packageFee = feeForWeight(feeratePerKw, parent.weight + weight);
  const fee = packageFee > parent.fee ? packageFee - parent.fee : feeForWeight(feeratePerKw, weight);
  let total: bigint = anchor.value;
  for (const f of feeInputs) total += f.value;
  const change = total - fee;
  if (change < dustThreshold(changeScript)) throw new Error(`inputs of ${total} sat cannot pay a ${fee} sat fee and leave a change output`);
  const tx: Tx = {
    version: 2,
    inputs: [
      { txid: anchor.outpoint.txid, vout: anchor.outpoint.vout, scriptSig: new Uint8Array(0), sequence: anchor.sequence, witness: [] },
      ...feeInputs.map((f) => ({ txid: f.outpoint.txid, vout: f.outpoint.vout, scriptSig: new Uint8Array(0), sequence: f.sequence ?? SEQUENCE_NO_CSV, witness: [] })),
    ],
    outputs: [{ value: change, script: changeScript }],
    locktime: 0,
  };
  return { tx, fee: sat(fee), expectedWeight: weight };
}

/** signAnchorCpfp signs the anchor input (input 0); the wallet signs the others. */
export function signAnchorCpfp(cpfp: AnchorCpfp, anchor: Claim, signer: ChannelSigner): Tx {
  const witness = claimWitness(cpfp.tx, 0, anchor, signer);
  return { ...cpfp.tx, inputs: cpfp.tx.inputs.map((i, k) => (k === 0 ? { ...i, witness } : i)) };
}
