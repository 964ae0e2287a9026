/**
 * BOLT #3 "Commitment Transaction Construction": a plain description of a commitment
 * (balances, HTLCs, keys, feerate) in, the transaction and what each output is out. The
 * channel state machine builds both its own and the counterparty's commitment with this.
 */
import { compareBytes, msatToSat, sat, type Msat, type Sat } from '../lib/index.ts';
import { p2wpkhScript, prevoutsBytes, txidAndSigHashCache, type Tx, type TxOut, type TxSigHashCache } from '../bitcoin/index.ts';
import { hash160, sha256, sha256d } from '../crypto/index.ts';
import type { CommitmentKeys } from '../keys/index.ts';
import {
  ANCHOR_OUTPUT_VALUE,
  commitmentFee,
  isHtlcTrimmed,
  type CommitmentType,
  type HtlcDirection,
} from './commitment-fees.ts';
import {
  anchorScript,
  fundingScript,
  offeredHtlcScript,
  receivedHtlcScript,
  toLocalScript,
  toRemoteAnchorsScript,
  htlcScriptBuilder,
  type HtlcScriptKeys,
} from './scripts.ts';

/** An HTLC committed to, seen from the commitment owner's side. */
export interface CommitmentHtlc {
  direction: HtlcDirection;
  amount: Msat;
  paymentHash: Uint8Array;
  cltvExpiry: number;
}

/** The funding outpoint: txid in internal byte order, as in a TxIn. */
export interface Outpoint {
  txid: Uint8Array;
  vout: number;
}

/** Everything that determines one commitment transaction. "local" means its owner. */
export interface CommitmentInput {
  type: CommitmentType;
  funding: Outpoint;
  fundingAmount: Sat;
  localFundingPubkey: Uint8Array;
  remoteFundingPubkey: Uint8Array;
  keys: CommitmentKeys;
  /** Owner's balance before fees, anchors and in-flight HTLCs are taken out. */
  toLocal: Msat;
  /** Counterparty's balance before fees and anchors. */
  toRemote: Msat;
  /** Whether the owner opened (funded) the channel and so pays the fee and anchors. */
  localIsFunder: boolean;
  feeratePerKw: number;
  /** The delay on the owner's outputs (the counterparty's `to_self_delay`). */
  toSelfDelay: number;
  /** The owner's `dust_limit_satoshis`. */
  dustLimit: Sat;
  htlcs: readonly CommitmentHtlc[];
  /** 0 for the first commitment, counting up (at most 2^48 - 1). */
  commitmentNumber: bigint;
  /** The 48-bit obscuring factor (see obscuringFactor in keys/). */
  obscuringFactor: bigint;
}

/** What one commitment output pays to. */
export type CommitmentOutputKind = 'to_local' | 'to_remote' | 'local_anchor' | 'remote_anchor' | 'htlc';

/** One output of a built commitment, aligned with tx.outputs. */
export interface CommitmentOutput {
  kind: CommitmentOutputKind;
  value: Sat;
  /** The P2WSH witness script; null for a static_remotekey `to_remote` (a P2WPKH output). */
  witnessScript: Uint8Array | null;
  /** For HTLC outputs: the index into CommitmentInput.htlcs. */
  htlcIndex?: number;
}

/** An untrimmed HTLC's output, in transaction output order (the order of `htlc_signatures`). */
export interface CommitmentHtlcOutput {
  outputIndex: number;
  htlcIndex: number;
  htlc: CommitmentHtlc;
  witnessScript: Uint8Array;
  value: Sat;
}

/** A built commitment transaction and its metadata. */
export interface Commitment {
  tx: Tx;
  txid: Uint8Array;
  outputs: CommitmentOutput[];
  htlcOutputs: CommitmentHtlcOutput[];
  /** Indices into CommitmentInput.htlcs of trimmed (dust) HTLCs. */
  trimmedHtlcs: number[];
  /** The funder's base fee (BOLT #3 "Fee Calculation"). */
  baseFee: Sat;
  /** Everything not paid to an output: base fee plus trimmed amounts and rounding. */
  actualFee: Sat;
  fundingWitnessScript: Uint8Array;
  /**
   * BIP143 hashPrevouts / hashSequence / hashOutputs of `tx`, computed with the txid from the
   * same serialization, for signing or verifying the funding input without re-hashing.
   * Valid only for `tx` as built (witness data may be added; nothing else may change).
   */
  sighashCache: TxSigHashCache;
}

/** p2wsh builds `OP_0 <SHA256(witnessScript)>` into one exactly-sized array. */
function p2wsh(witnessScript: Uint8Array): Uint8Array {
  const s = new Uint8Array(34);
  s[1] = 32;
  s.set(sha256(witnessScript), 2);
  return s;
}

/**
 * The funding script and BIP143 hashPrevouts of the funding outpoint are channel constants:
 * memoised per key / txid object (weakly: nothing outlives the channel), with the other
 * half of each key checked so a different pair or outpoint is never served a stale value.
 */
const fundingScripts = new WeakMap<Uint8Array, { other: Uint8Array; script: Uint8Array }>();
function cachedFundingScript(a: Uint8Array, b: Uint8Array): Uint8Array {
  const hit = fundingScripts.get(a);
  if (hit !== undefined && hit.other === b) return hit.script;
  const script = fundingScript(a, b);
  fundingScripts.set(a, { other: b, script });
  return script;
}
const fundingPrevouts = new WeakMap<Uint8Array, { vout: number; txid: Uint8Array; hash: Uint8Array }>();
function cachedHashPrevouts(tx: Tx): Uint8Array {
  const input = tx.inputs[0]!;
  const hit = fundingPrevouts.get(input.txid);
  // The txid bytes are compared too, in case the caller reused and rewrote the array.
  if (hit !== undefined && hit.vout === input.vout && equal32(hit.txid, input.txid)) return hit.hash;
  const hash = sha256d(prevoutsBytes(tx));
  fundingPrevouts.set(input.txid, { vout: input.vout, txid: Uint8Array.from(input.txid), hash });
  return hash;
}
function equal32(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Outputs that depend only on channel-constant keys (anchors, `to_remote`) are the same on
 * every commitment of a channel; memoising them per key object (the channel passes the same
 * basepoint arrays each time) saves re-hashing them. Weak keys: nothing outlives the channel.
 */
type ConstantOutput = { witnessScript: Uint8Array | null; script: Uint8Array };
type ConstantKind = 'to_remote_anchors' | 'to_remote' | 'anchor';
const constantOutputs: Record<ConstantKind, WeakMap<Uint8Array, ConstantOutput>> = {
  to_remote_anchors: new WeakMap(),
  to_remote: new WeakMap(),
  anchor: new WeakMap(),
};
function buildConstantOutput(kind: ConstantKind, pubkey: Uint8Array): ConstantOutput {
  if (kind === 'to_remote') return { witnessScript: null, script: p2wpkhScript(hash160(pubkey)) };
  const ws = kind === 'anchor' ? anchorScript(pubkey) : toRemoteAnchorsScript(pubkey);
  return { witnessScript: ws, script: p2wsh(ws) };
}
function constantOutput(kind: ConstantKind, pubkey: Uint8Array): ConstantOutput {
  const m = constantOutputs[kind];
  let v = m.get(pubkey);
  if (v === undefined) {
    v = buildConstantOutput(kind, pubkey);
    m.set(pubkey, v);
  }
  return v;
}

const LOCKTIME_TAG = 0x20;
const SEQUENCE_TAG = 0x80;
const MASK_24 = 0xffffffn;
const MASK_48 = 0xffffffffffffn;

/**
 * commitmentLocktimeAndSequence hides the commitment number in the input's nSequence and the
 * transaction's nLockTime.
 *
 * BOLT #3: "locktime: upper 8 bits are 0x20, lower 24 bits are the lower 24 bits of the
 * obscured commitment number" and "`txin[0]` sequence: upper 8 bits are 0x80, lower 24
 * bits are upper 24 bits of the obscured commitment number"
 */
export function commitmentLocktimeAndSequence(commitmentNumber: bigint, obscuringFactor: bigint): { locktime: number; sequence: number } {
  if (commitmentNumber < 0n || commitmentNumber > MASK_48) throw new RangeError('commitment number must fit in 48 bits');
  const obscured = (commitmentNumber ^ obscuringFactor) & MASK_48;
  return {
    locktime: ((LOCKTIME_TAG << 24) | Number(obscured & MASK_24)) >>> 0,
    sequence: ((SEQUENCE_TAG << 24) | Number(obscured >> 24n)) >>> 0,
  };
}

/**
 * commitmentNumberFromTx recovers the commitment number of a commitment transaction seen
 * on chain (BOLT #5 uses this to find which state was broadcast).
 */
export function commitmentNumberFromTx(tx: Tx, obscuringFactor: bigint): bigint | null {
  const input = tx.inputs[0];
  if (tx.inputs.length !== 1 || input === undefined) return null;
  if (tx.locktime >>> 24 !== LOCKTIME_TAG || input.sequence >>> 24 !== SEQUENCE_TAG) return null;
  const obscured = (BigInt(input.sequence & 0xffffff) << 24n) | BigInt(tx.locktime & 0xffffff);
  return obscured ^ (obscuringFactor & MASK_48);
}

/**
 * compareOutputs is BIP 69 plus the CLTV tie-break.
 *
 * BOLT #3: "first according to their value, smallest first (in whole satoshis, note that
 * for HTLC outputs, the millisatoshi part must be ignored)", "followed by `scriptpubkey`,
 * comparing the common-length prefix lexicographically as if by `memcmp`, then selecting
 * the shorter script (if they differ in length)", "finally, for HTLC outputs, in increasing
 * `cltv_expiry` order."
 */
export function compareOutputs(a: { out: TxOut; cltv: number }, b: { out: TxOut; cltv: number }): number {
  if (a.out.value !== b.out.value) return a.out.value < b.out.value ? -1 : 1;
  const c = compareBytes(a.out.script, b.out.script);
  if (c !== 0) return c;
  return a.cltv - b.cltv;
}

/** htlcWitnessScript builds the witness script of a committed HTLC (BOLT #3 "Offered/Received HTLC Outputs"). */
export function htlcWitnessScript(htlc: CommitmentHtlc, keys: HtlcScriptKeys, type: CommitmentType): Uint8Array {
  const anchors = type === 'anchors';
  return htlc.direction === 'offered'
    ? offeredHtlcScript(keys, htlc.paymentHash, anchors)
    : receivedHtlcScript(keys, htlc.paymentHash, htlc.cltvExpiry, anchors);
}

/**
 * buildCommitment builds a commitment transaction (unsigned: the funding witness is left
 * empty) following BOLT #3 "Commitment Transaction Construction" steps 1 to 9.
 */
export function buildCommitment(input: CommitmentInput): Commitment {
  const { type, keys, feeratePerKw, dustLimit } = input;
  const anchors = type === 'anchors';
  if (!Number.isInteger(feeratePerKw) || feeratePerKw < 0) throw new RangeError('feerate_per_kw must be a non-negative integer');
  let htlcTotal = 0n;
  for (const h of input.htlcs) {
    if (h.paymentHash.length !== 32) throw new RangeError('payment_hash must be 32 bytes');
    if (!Number.isInteger(h.cltvExpiry) || h.cltvExpiry < 0 || h.cltvExpiry > 0xffffffff) throw new RangeError('cltv_expiry must be a u32');
    if (h.amount <= 0n) throw new RangeError('HTLC amounts must be positive');
    htlcTotal += h.amount;
  }
  if (input.toLocal < 0n || input.toRemote < 0n) throw new RangeError('balances must not be negative');
  if (input.toLocal + input.toRemote + htlcTotal !== input.fundingAmount * 1000n) {
    throw new RangeError('to_local + to_remote + HTLCs must equal the funding amount');
  }

  // 1. Initialize the commitment transaction input and locktime.
  const { locktime, sequence } = commitmentLocktimeAndSequence(input.commitmentNumber, input.obscuringFactor);

  // 1. Calculate which committed HTLCs need to be trimmed.
  const trimmedHtlcs: number[] = [];
  const untrimmed: number[] = [];
  input.htlcs.forEach((h, i) => {
    (isHtlcTrimmed(h.direction, h.amount, feeratePerKw, dustLimit, type) ? trimmedHtlcs : untrimmed).push(i);
  });

  // 2. Calculate the base commitment transaction fee.
  const baseFee = commitmentFee(feeratePerKw, untrimmed.length, type);

  // 3. Subtract this base fee (and with anchors, two anchors) from the funder.
  const funderCost = (baseFee + (anchors ? 2n * ANCHOR_OUTPUT_VALUE : 0n)) * 1000n;
  let toLocal: bigint = input.toLocal;
  let toRemote: bigint = input.toRemote;
  if (input.localIsFunder) toLocal = toLocal > funderCost ? toLocal - funderCost : 0n;
  else toRemote = toRemote > funderCost ? toRemote - funderCost : 0n;

  type Pending = { out: TxOut; cltv: number; meta: CommitmentOutput };
  const pending: Pending[] = [];

  // 4 and 5. HTLC outputs.
  const scripts = untrimmed.length > 0 ? htlcScriptBuilder(keys, anchors) : null;
  for (const i of untrimmed) {
    const h = input.htlcs[i]!;
    const ws = h.direction === 'offered' ? scripts!.offered(h.paymentHash) : scripts!.received(h.paymentHash, h.cltvExpiry);
    const value = msatToSat(h.amount);
    pending.push({ out: { value, script: p2wsh(ws) }, cltv: h.cltvExpiry, meta: { kind: 'htlc', value, witnessScript: ws, htlcIndex: i } });
  }

  // 6. to_local, if at least the dust limit.
  const toLocalSat = msatToSat(toLocal as Msat);
  const hasToLocal = toLocalSat >= dustLimit;
  if (hasToLocal) {
    const ws = toLocalScript(keys.revocationPubkey, input.toSelfDelay, keys.localDelayedPubkey);
    pending.push({ out: { value: toLocalSat, script: p2wsh(ws) }, cltv: 0, meta: { kind: 'to_local', value: toLocalSat, witnessScript: ws } });
  }

  // 7. to_remote, if at least the dust limit.
  const toRemoteSat = msatToSat(toRemote as Msat);
  const hasToRemote = toRemoteSat >= dustLimit;
  if (hasToRemote) {
    const o = constantOutput(anchors ? 'to_remote_anchors' : 'to_remote', keys.remotePaymentPubkey);
    pending.push({ out: { value: toRemoteSat, script: o.script }, cltv: 0, meta: { kind: 'to_remote', value: toRemoteSat, witnessScript: o.witnessScript } });
  }

  // 8. Anchors.
  if (anchors) {
    // BOLT #3: "if `to_local` exists or there are untrimmed HTLCs, add a [`to_local_anchor` output]"
    if (hasToLocal || untrimmed.length > 0) {
      const o = constantOutput('anchor', input.localFundingPubkey);
      pending.push({ out: { value: ANCHOR_OUTPUT_VALUE, script: o.script }, cltv: 0, meta: { kind: 'local_anchor', value: ANCHOR_OUTPUT_VALUE, witnessScript: o.witnessScript } });
    }
    // BOLT #3: "if `to_remote` exists or there are untrimmed HTLCs, add a [`to_remote_anchor` output]"
    if (hasToRemote || untrimmed.length > 0) {
      const o = constantOutput('anchor', input.remoteFundingPubkey);
      pending.push({ out: { value: ANCHOR_OUTPUT_VALUE, script: o.script }, cltv: 0, meta: { kind: 'remote_anchor', value: ANCHOR_OUTPUT_VALUE, witnessScript: o.witnessScript } });
    }
  }

  // 9. Sort the outputs into BIP 69+CLTV order (stable, so identical HTLCs keep input order).
  pending.sort(compareOutputs);

  const tx: Tx = {
    version: 2,
    inputs: [{ txid: input.funding.txid, vout: input.funding.vout, scriptSig: new Uint8Array(0), sequence, witness: [] }],
    outputs: pending.map((p) => p.out),
    locktime,
  };
  const outputs = pending.map((p) => p.meta);
  const htlcOutputs: CommitmentHtlcOutput[] = [];
  outputs.forEach((o, outputIndex) => {
    if (o.kind === 'htlc') {
      const htlcIndex = o.htlcIndex!;
      htlcOutputs.push({ outputIndex, htlcIndex, htlc: input.htlcs[htlcIndex]!, witnessScript: o.witnessScript!, value: o.value });
    }
  });
  const { txid, cache: sighashCache } = txidAndSigHashCache(tx, cachedHashPrevouts(tx));
  let paid = 0n;
  for (const o of tx.outputs) paid += o.value;
  // BOLT #2 keeps the funder able to pay for the anchors; if it cannot, the transaction
  // would spend more than the funding output, so refuse rather than build it.
  if (paid > input.fundingAmount) throw new RangeError('the funder cannot pay for the anchor outputs');
  return {
    tx,
    txid,
    outputs,
    htlcOutputs,
    trimmedHtlcs,
    baseFee,
    actualFee: sat(input.fundingAmount - paid),
    fundingWitnessScript: cachedFundingScript(input.localFundingPubkey, input.remoteFundingPubkey),
    sighashCache,
  };
}
