/**
 * BOLT #5 "Unilateral Close Handling: Local Commitment Transaction": our own commitment is
 * on chain. `to_local` waits for `to_self_delay`; each HTLC output is resolved by our
 * second-stage HTLC-timeout (after `cltv_expiry`) or HTLC-success (with the preimage)
 * transaction, signed by the counterparty long ago, whose output is swept after
 * `to_self_delay` in turn; our anchor can bump the commitment (CPFP).
 */
import { equalBytes, sat, toHex, type Sat } from '../lib/index.ts';
import { SIGHASH_ALL, txid as txidOf, type Tx, type TxIn } from '../bitcoin/index.ts';
import {
  buildCommitment,
  buildHtlcTxs,
  htlcCounterpartySighashType,
  htlcSuccessTxWitness,
  htlcSuccessWeight,
  htlcTimeoutTxWitness,
  htlcTimeoutWeight,
  SEGWIT_INPUT_BASE_WEIGHT,
  type CommitmentInput,
  type Outpoint,
} from '../channel/index.ts';
import type { ChannelSigner } from '../keys/index.ts';
import { PreimageBook } from './preimages.ts';
import { dustThreshold, feeForWeight, makeClaim, outputWeight, SEQUENCE_NO_CSV } from './sweep.ts';
import type { Claim, Deadline, HolderHtlcResolution, HtlcRef, OutputResolution, ResolutionPlan } from './types.ts';

/** Default: an HTLC we time out should confirm within this many blocks after its `cltv_expiry`. */
export const DEFAULT_TIMEOUT_DEADLINE_DELTA = 6;

/** What is needed to resolve our own commitment. */
export interface HolderPlanInput {
  /** Our commitment as BOLT #3 describes it (its "local" is us). */
  commitment: CommitmentInput;
  /** The counterparty's HTLC signatures on it, in output order (`LocalCommit.remoteHtlcSigs`). */
  remoteHtlcSigs: readonly Uint8Array[];
  /** Preimages we may use to claim HTLCs we received (see BOLT #5 on when not to). */
  preimages?: readonly Uint8Array[];
  /** HTLC ids aligned with `commitment.htlcs`, reported back in the plan. */
  htlcIds?: readonly (bigint | undefined)[];
  /** Blocks after `cltv_expiry` by which a timeout should confirm (the incoming HTLC's slack). */
  timeoutDeadlineDelta?: number;
}

/**
 * planHolderCommitment resolves our commitment `tx` (built from `p.commitment`; throws if
 * it is not that transaction) output by output:
 *
 * - `to_local`: BOLT #5 "SHOULD spend the `to_local` output to a convenient address" and
 *   "MUST wait until the `OP_CHECKSEQUENCEVERIFY` delay has passed".
 * - `to_remote` and the counterparty's anchor: "MAY ignore the `to_remote` output."
 * - our offered HTLCs: "MUST *resolve* the output by spending it using the HTLC-timeout
 *   transaction" once timed out.
 * - HTLCs offered to us: with the preimage, "MUST *resolve* the output by spending it, using
 *   the HTLC-success transaction"; without it, wait.
 * - our anchor: "MUST spend any `to_local_anchor` output, providing sufficient fees as
 *   incentive to include the commitment transaction in a block."
 */
export function planHolderCommitment(tx: Tx, p: HolderPlanInput): ResolutionPlan {
  const input = p.commitment;
  const built = buildCommitment(input);
  const id = txidOf(tx);
  if (!equalBytes(id, built.txid)) throw new Error(`planHolderCommitment: ${toHex(id)} is not our commitment ${toHex(built.txid)}`);
  if (p.remoteHtlcSigs.length !== built.htlcOutputs.length) throw new RangeError('one counterparty HTLC signature per HTLC output is needed');
  const anchors = input.type === 'anchors';
  const preimages = new PreimageBook(p.preimages);
  const delta = p.timeoutDeadlineDelta ?? DEFAULT_TIMEOUT_DEADLINE_DELTA;
  const htlcTxs = buildHtlcTxs(built, input.keys, input.toSelfDelay, input.feeratePerKw, input.type);
  const sighashType = htlcCounterpartySighashType(input.type);
  const point = input.keys.perCommitmentPoint;
  const ref = (i: number): HtlcRef => {
    const h = input.htlcs[i]!;
    const r: HtlcRef = { index: i, direction: h.direction, paymentHash: h.paymentHash, cltvExpiry: h.cltvExpiry };
    const hid = p.htlcIds?.[i];
    if (hid !== undefined) r.id = hid;
    return r;
  };

  const outputs: OutputResolution[] = [];
  let anchorIndex = -1;
  let earliestDeadline: number | null = null;
  built.outputs.forEach((o, vout) => {
    const outpoint: Outpoint = { txid: id, vout };
    const base = { vout, value: o.value };
    switch (o.kind) {
      case 'to_local':
        outputs.push({
          ...base,
          kind: 'to_local',
          action: {
            kind: 'sweep',
            claim: makeClaim(
              { kind: 'to_local_delayed', perCommitmentPoint: point },
              { outpoint, value: o.value, scriptPubkey: tx.outputs[vout]!.script, witnessScript: o.witnessScript, csv: input.toSelfDelay, locktime: 0, deadline: null },
            ),
          },
        });
        return;
      case 'to_remote':
        outputs.push({ ...base, kind: 'to_remote', action: { kind: 'none', reason: "the counterparty's output" } });
        return;
      case 'remote_anchor':
        outputs.push({ ...base, kind: 'remote_anchor', action: { kind: 'none', reason: "the counterparty's anchor" } });
        return;
      case 'local_anchor':
        anchorIndex = outputs.length;
        outputs.push({ ...base, kind: 'local_anchor', action: { kind: 'none', reason: 'placeholder' } });
        return;
      case 'htlc': {
        const k = built.htlcOutputs.findIndex((h) => h.outputIndex === vout);
        const htlcTx = htlcTxs[k]!;
        const h = htlcTx.htlcOutput.htlc;
        const timeout = htlcTx.kind === 'timeout';
        const preimage = timeout ? null : preimages.get(h.paymentHash);
        const htlc = ref(htlcTx.htlcOutput.htlcIndex);
        if (!timeout && preimage === null) {
          outputs.push({ ...base, kind: 'htlc', htlc, action: { kind: 'wait', reason: 'received HTLC without its preimage: the counterparty may time it out' } });
          return;
        }
        const deadlineAt = timeout ? h.cltvExpiry + delta : h.cltvExpiry;
        if (earliestDeadline === null || deadlineAt < earliestDeadline) earliestDeadline = deadlineAt;
        const resolution: HolderHtlcResolution = {
          kind: htlcTx.kind,
          htlcTx,
          remoteSig: { sig: p.remoteHtlcSigs[k]!, sighashType },
          perCommitmentPoint: point,
          preimage,
          toSelfDelay: input.toSelfDelay,
          anchors,
          locktime: htlcTx.tx.locktime,
          csv: anchors ? 1 : 0,
          deadline: { height: deadlineAt },
        };
        outputs.push({ ...base, kind: 'htlc', htlc, action: { kind: 'htlc_tx', resolution } });
        return;
      }
    }
  });
  if (anchorIndex >= 0) {
    const o = outputs[anchorIndex]!;
    const deadline: Deadline | null = earliestDeadline === null ? null : { height: earliestDeadline };
    const ws = built.outputs[o.vout]!.witnessScript;
    o.action = {
      kind: 'anchor',
      claim: makeClaim({ kind: 'anchor' }, { outpoint: { txid: id, vout: o.vout }, value: o.value, scriptPubkey: tx.outputs[o.vout]!.script, witnessScript: ws, csv: 0, locktime: 0, deadline }),
    };
  }
  return { txid: id, outputs, htlcsWithoutOutput: built.trimmedHtlcs.map(ref) };
}

/**
 * signHolderHtlcTx completes input 0 of our HTLC transaction: the counterparty's signature
 * we hold plus ours (SIGHASH_ALL), in the BOLT #3 witness. Pass the transaction with fee
 * inputs added (anchors) as `tx`; their witnesses are left to the wallet.
 *
 * BOLT #5: "`SIGHASH_SINGLE|SIGHASH_ANYONECANPAY` MUST be used on the HTLC signatures
 * received from the peer [...] The local signature MUST use `SIGHASH_ALL`".
 */
export function signHolderHtlcTx(res: HolderHtlcResolution, signer: ChannelSigner, tx: Tx = res.htlcTx.tx): Tx {
  const h = res.htlcTx;
  const local = signer.signHtlc({ tx, inputIndex: 0, witnessScript: h.inputWitnessScript, amount: h.inputValue }, res.perCommitmentPoint, SIGHASH_ALL);
  let witness: Uint8Array[];
  if (res.kind === 'timeout') witness = htlcTimeoutTxWitness(res.remoteSig, local, h.inputWitnessScript);
  else {
    if (res.preimage === null) throw new Error('an HTLC-success transaction needs the preimage');
    witness = htlcSuccessTxWitness(res.remoteSig, local, res.preimage, h.inputWitnessScript);
  }
  const inputs: TxIn[] = tx.inputs.map((input, i) => (i === 0 ? { ...input, witness } : input));
  return { ...tx, inputs };
}

/** A wallet output that pays the fee of a zero-fee (anchors) HTLC transaction. */
export interface FeeInput {
  outpoint: Outpoint;
  value: Sat;
  /** Expected witness weight of its spend (109 for P2WPKH). */
  witnessWeight: number;
  sequence?: number;
}

/**
 * addHtlcTxFeeInputs turns our zero-fee anchors HTLC transaction into one paying
 * `feeratePerKw`: wallet inputs are appended after input 0 and a change output after
 * output 0 (SIGHASH_SINGLE ties the counterparty's signature to input 0 and output 0 only).
 * The change is dropped when below its dust threshold; throws when the inputs cannot pay.
 * Sign input 0 with signHolderHtlcTx afterwards and the wallet inputs with the wallet.
 *
 * BOLT #5: "if `option_anchors` applies: MUST combine it with inputs contributing
 * sufficient fee to ensure timely inclusion in a block."
 */
export function addHtlcTxFeeInputs(
  res: HolderHtlcResolution,
  feeInputs: readonly FeeInput[],
  changeScript: Uint8Array,
  feeratePerKw: number,
): { tx: Tx; fee: Sat; expectedWeight: number } {
  if (!res.anchors) throw new Error('only anchors HTLC transactions take fee inputs');
  const base = res.kind === 'timeout' ? htlcTimeoutWeight(true) : htlcSuccessWeight(true);
  let inWeight = 0;
  let total = 0n;
  for (const f of feeInputs) {
    inWeight += SEGWIT_INPUT_BASE_WEIGHT + f.witnessWeight;
    total += f.value;
  }
  // Both counts stay under 253, so the counts' sizes do not change.
  let weight = base + inWeight + outputWeight(changeScript);
  let fee = feeForWeight(feeratePerKw, weight);
  let change: bigint = total - fee;
  if (change < dustThreshold(changeScript)) {
    weight = base + inWeight;
    fee = feeForWeight(feeratePerKw, weight);
    if (total < fee) throw new Error(`fee inputs of ${total} sat cannot pay the ${fee} sat fee`);
    fee = sat(total);
    change = 0n;
  }
  const t = res.htlcTx.tx;
  const tx: Tx = {
    ...t,
    inputs: [
      ...t.inputs,
      ...feeInputs.map((f) => ({ txid: f.outpoint.txid, vout: f.outpoint.vout, scriptSig: new Uint8Array(0), sequence: f.sequence ?? SEQUENCE_NO_CSV, witness: [] })),
    ],
    outputs: change > 0n ? [...t.outputs, { value: change, script: changeScript }] : [...t.outputs],
  };
  return { tx, fee, expectedWeight: weight };
}

/**
 * holderHtlcOutputClaim is the claim on output 0 of our HTLC transaction once `tx` (its
 * final form, with any fee inputs) confirms: our delayed key after `to_self_delay`.
 *
 * BOLT #5: "MUST wait until the `OP_CHECKSEQUENCEVERIFY` delay has passed (as specified by
 * the remote node's `open_channel` `to_self_delay` field) before spending that HTLC-timeout
 * output."
 */
export function holderHtlcOutputClaim(res: HolderHtlcResolution, tx: Tx): Claim {
  const out = tx.outputs[0]!;
  return makeClaim(
    { kind: 'to_local_delayed', perCommitmentPoint: res.perCommitmentPoint },
    { outpoint: { txid: txidOf(tx), vout: 0 }, value: sat(out.value), scriptPubkey: out.script, witnessScript: res.htlcTx.outputWitnessScript, csv: res.toSelfDelay, locktime: 0, deadline: null },
  );
}
