/**
 * BIP143 (segwit v0) signature hashes and the transaction digests around them: the
 * non-witness serialization (for the txid), `hashPrevouts`, `hashSequence`, `hashOutputs`.
 *
 * This is on the signing hot path: `commitment_signed` makes one signature per HTLC, and with
 * hundreds of HTLCs a Writer-based digest (growable buffers, bigint arithmetic per field)
 * cost about a third of an ECDSA signature each. Every digest here is written into one
 * exactly-sized buffer, and work is shared (the serialized outputs serve both the txid and
 * `hashOutputs`). Results are property-tested against serializeTx/txid and a spelled-out
 * BIP143 preimage in test/bitcoin/tx-digest.test.ts, and checked by Core's script tests.
 */
import { sha256, sha256d } from '../crypto/index.ts';
import { SIGHASH_ANYONECANPAY, SIGHASH_NONE, SIGHASH_SINGLE, type TxSigHashCache } from './sighash-flags.ts';
import { compactSizeLength, putCompactSize, putU32le } from './compact-size.ts';
import type { Tx, TxOut } from './tx.ts';

const ZERO32: Uint8Array = new Uint8Array(32);
const TWO_32 = 0x1_0000_0000;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Writes a 64-bit little-endian value, wrapping like BigInt.asUintN(64, v) as Core's int64 does. */
function putU64le(buf: Uint8Array, p: number, v: bigint): number {
  if (v >= 0n && v <= MAX_SAFE) {
    // Number arithmetic is exact below 2^53 and avoids bigint shifts for every amount.
    const n = Number(v);
    p = putU32le(buf, p, n % TWO_32);
    return putU32le(buf, p, Math.floor(n / TWO_32));
  }
  const u = BigInt.asUintN(64, v);
  p = putU32le(buf, p, Number(u & 0xffffffffn));
  return putU32le(buf, p, Number(u >> 32n));
}

function outputsLength(outs: readonly TxOut[]): number {
  let n = 0;
  for (const o of outs) n += 8 + compactSizeLength(o.script.length) + o.script.length;
  return n;
}

function putOutput(buf: Uint8Array, p: number, o: TxOut): number {
  p = putU64le(buf, p, o.value);
  p = putCompactSize(buf, p, o.script.length);
  buf.set(o.script, p);
  return p + o.script.length;
}

/**
 * serializeOutputs is the BIP143 serialization of outputs (value || compact size || script,
 * concatenated) — what `hashOutputs` hashes.
 */
export function serializeOutputs(outs: readonly TxOut[]): Uint8Array {
  const buf = new Uint8Array(outputsLength(outs));
  let p = 0;
  for (const o of outs) p = putOutput(buf, p, o);
  return buf;
}

/** A transaction's non-witness serialization and where its outputs lie within it. */
export interface LegacyTxBytes {
  bytes: Uint8Array;
  /** bytes.subarray(outputsStart, outputsEnd) is serializeOutputs(tx.outputs). */
  outputsStart: number;
  outputsEnd: number;
}

/** serializeTxNoWitness is bitcoin/'s serializeTx(tx, { witness: false }) written in one pass into an exactly-sized buffer. */
export function serializeTxNoWitness(tx: Tx): LegacyTxBytes {
  let len = 4 + compactSizeLength(tx.inputs.length) + compactSizeLength(tx.outputs.length) + outputsLength(tx.outputs) + 4;
  for (const i of tx.inputs) len += 36 + compactSizeLength(i.scriptSig.length) + i.scriptSig.length + 4;
  const buf = new Uint8Array(len);
  let p = putU32le(buf, 0, tx.version >>> 0);
  p = putCompactSize(buf, p, tx.inputs.length);
  for (const i of tx.inputs) {
    if (i.txid.length !== 32) throw new RangeError('txid must be 32 bytes');
    buf.set(i.txid, p);
    p = putU32le(buf, p + 32, i.vout >>> 0);
    p = putCompactSize(buf, p, i.scriptSig.length);
    buf.set(i.scriptSig, p);
    p = putU32le(buf, p + i.scriptSig.length, i.sequence >>> 0);
  }
  p = putCompactSize(buf, p, tx.outputs.length);
  const outputsStart = p;
  for (const o of tx.outputs) p = putOutput(buf, p, o);
  const outputsEnd = p;
  putU32le(buf, p, tx.locktime >>> 0);
  return { bytes: buf, outputsStart, outputsEnd };
}

/**
 * txidAndSigHashCache computes a transaction's txid together with the BIP143 hashes a
 * signer of any of its inputs reuses (hashPrevouts, hashSequence, hashOutputs), serializing
 * the outputs only once. `hashPrevouts` may be passed in when already known (a commitment's
 * funding outpoint never changes). The cache must not be used after the transaction changes.
 */
export function txidAndSigHashCache(tx: Tx, hashPrevouts?: Uint8Array): { txid: Uint8Array; cache: TxSigHashCache } {
  const { bytes, outputsStart, outputsEnd } = serializeTxNoWitness(tx);
  return {
    txid: sha256d(bytes),
    cache: {
      hashPrevouts: hashPrevouts ?? sha256d(prevoutsBytes(tx)),
      hashSequence: hashSequence(tx),
      hashOutputs: sha256d(bytes.subarray(outputsStart, outputsEnd)),
    },
  };
}

/** prevoutsBytes is the BIP143 serialization of every input's outpoint. */
export function prevoutsBytes(tx: Tx): Uint8Array {
  const buf = new Uint8Array(tx.inputs.length * 36);
  let p = 0;
  for (const i of tx.inputs) {
    buf.set(i.txid, p);
    p = putU32le(buf, p + 32, i.vout >>> 0);
  }
  return buf;
}

/**
 * Single-input hashSequence by nSequence value. Commitment transactions keep the upper 24
 * bits of the obscured commitment number there, so it changes once in 2^24 commitments;
 * HTLC transactions use 0 or 1. A value-keyed memo is always correct; it is bounded.
 */
const singleSequenceHashes = new Map<number, Uint8Array>();

/** hashSequence is BIP143's hashSequence: the double SHA-256 of every input's nSequence. */
export function hashSequence(tx: Tx): Uint8Array {
  const only = tx.inputs.length === 1 ? tx.inputs[0]!.sequence >>> 0 : -1;
  if (only >= 0) {
    const hit = singleSequenceHashes.get(only);
    if (hit !== undefined) return hit;
  }
  const h = sha256d(sequencesBytes(tx));
  if (only >= 0) {
    if (singleSequenceHashes.size >= 256) singleSequenceHashes.clear();
    singleSequenceHashes.set(only, h);
  }
  return h;
}

/** sequencesBytes is the BIP143 serialization of every input's nSequence. */
export function sequencesBytes(tx: Tx): Uint8Array {
  const buf = new Uint8Array(tx.inputs.length * 4);
  let p = 0;
  for (const i of tx.inputs) p = putU32le(buf, p, i.sequence >>> 0);
  return buf;
}

/**
 * segwitV0SigHash is the BIP143 signature hash for segwit v0 inputs. `scriptCode` is used as
 * given (for P2WPKH, the P2PKH script of the key hash; for P2WSH, the witness script from
 * the last executed OP_CODESEPARATOR). `amount` is the spent output's value in satoshis.
 * `cache` (see precomputeTxData) saves rehashing per input. One extra use of it: for
 * SIGHASH_SINGLE on input 0 of a one-output transaction, BIP143's hashOutputs (the double
 * SHA-256 of the output at the input's index) is the same as SIGHASH_ALL's.
 */
export function segwitV0SigHash(
  tx: Tx,
  inputIndex: number,
  scriptCode: Uint8Array,
  amount: bigint,
  hashType: number,
  cache?: TxSigHashCache,
): Uint8Array {
  const input = tx.inputs[inputIndex];
  if (!input) throw new RangeError(`input index ${inputIndex} out of range`);
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const base = hashType & 0x1f;
  const singleOrNone = base === SIGHASH_SINGLE || base === SIGHASH_NONE;
  let hashPrevouts: Uint8Array = ZERO32;
  let hashSeq: Uint8Array = ZERO32;
  let hashOutputs: Uint8Array = ZERO32;
  if (!anyoneCanPay) hashPrevouts = cache?.hashPrevouts ?? sha256d(prevoutsBytes(tx));
  if (!anyoneCanPay && !singleOrNone) hashSeq = cache?.hashSequence ?? hashSequence(tx);
  if (!singleOrNone) {
    hashOutputs = cache?.hashOutputs ?? sha256d(serializeOutputs(tx.outputs));
  } else if (base === SIGHASH_SINGLE && inputIndex < tx.outputs.length) {
    hashOutputs =
      inputIndex === 0 && tx.outputs.length === 1 && cache?.hashOutputs !== undefined
        ? cache.hashOutputs
        : sha256d(serializeOutputs([tx.outputs[inputIndex]!]));
  }
  const sc = scriptCode.length;
  const buf = new Uint8Array(4 + 32 + 32 + 36 + compactSizeLength(sc) + sc + 8 + 4 + 32 + 4 + 4);
  let p = putU32le(buf, 0, tx.version >>> 0);
  buf.set(hashPrevouts, p);
  buf.set(hashSeq, p + 32);
  buf.set(input.txid, p + 64);
  p = putU32le(buf, p + 96, input.vout >>> 0);
  p = putCompactSize(buf, p, sc);
  buf.set(scriptCode, p);
  p = putU64le(buf, p + sc, amount);
  p = putU32le(buf, p, input.sequence >>> 0);
  buf.set(hashOutputs, p);
  p = putU32le(buf, p + 32, tx.locktime >>> 0);
  putU32le(buf, p, hashType >>> 0);
  return sha256(sha256(buf));
}
