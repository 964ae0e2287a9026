/**
 * Bitcoin transactions: the in-memory shape, the (BIP144 segwit) serialization, txid/wtxid
 * and weight. Parsing is strict in the way Bitcoin Core's UnserializeTransaction is: compact
 * sizes must be canonical, unknown optional-data flags and superfluous witness records are
 * rejected, and trailing bytes are an error.
 */
import { DecodeError, Reader, Writer } from '../lib/index.ts';
import { sha256d } from '../crypto/index.ts';
import { readCompactSize, writeCompactSize } from './compact-size.ts';
import { hashToHex } from './hash-hex.ts';

/** One transaction input. `txid` is in internal (serialized, little-endian) byte order. */
export interface TxIn {
  txid: Uint8Array;
  vout: number;
  scriptSig: Uint8Array;
  sequence: number;
  witness: Uint8Array[];
}

/** One transaction output; `value` is in satoshis. */
export interface TxOut {
  value: bigint;
  script: Uint8Array;
}

/** A transaction. `version` is an unsigned 32-bit integer, as in Bitcoin Core since v28. */
export interface Tx {
  version: number;
  inputs: TxIn[];
  outputs: TxOut[];
  locktime: number;
}

function readVarBytes(r: Reader): Uint8Array {
  const n = readCompactSize(r);
  return r.bytes(n);
}

/** A count of items that each take at least `minItem` bytes must fit in what is left. */
function readCount(r: Reader, minItem: number): number {
  const n = readCompactSize(r);
  if (n * minItem > r.remaining) throw new DecodeError(`count ${n} exceeds remaining data`);
  return n;
}

/** hasWitness reports whether any input carries a non-empty witness stack. */
export function hasWitness(tx: Tx): boolean {
  return tx.inputs.some((i) => i.witness.length > 0);
}

/**
 * serializeTx encodes a transaction. With witness data (the default when any input has a
 * witness) it uses the BIP144 extended format: marker 0x00, flag 0x01, then the witnesses
 * after the outputs. `{ witness: false }` gives the legacy form that txid commits to.
 */
export function serializeTx(tx: Tx, opts?: { witness?: boolean }): Uint8Array {
  const withWitness = (opts?.witness ?? true) && hasWitness(tx);
  const w = new Writer(128 + tx.inputs.length * 160 + tx.outputs.length * 48);
  w.u32le(tx.version >>> 0);
  if (withWitness) w.u8(0).u8(1);
  writeCompactSize(w, tx.inputs.length);
  for (const i of tx.inputs) {
    if (i.txid.length !== 32) throw new RangeError('txid must be 32 bytes');
    w.bytes(i.txid).u32le(i.vout >>> 0);
    writeCompactSize(w, i.scriptSig.length);
    w.bytes(i.scriptSig).u32le(i.sequence >>> 0);
  }
  writeCompactSize(w, tx.outputs.length);
  for (const o of tx.outputs) {
    w.u64le(BigInt.asUintN(64, o.value));
    writeCompactSize(w, o.script.length);
    w.bytes(o.script);
  }
  if (withWitness) {
    for (const i of tx.inputs) {
      writeCompactSize(w, i.witness.length);
      for (const item of i.witness) {
        writeCompactSize(w, item.length);
        w.bytes(item);
      }
    }
  }
  w.u32le(tx.locktime >>> 0);
  return w.finish();
}

/**
 * readTx reads one transaction from a reader (for blocks, which hold several). It follows
 * Core's UnserializeTransaction with witness allowed: an empty input vector followed by a
 * non-zero flag byte means the extended format.
 */
export function readTx(r: Reader): Tx {
  const version = r.u32le();
  let flags = 0;
  let inputs = readInputs(r);
  let outputs: TxOut[];
  if (inputs.length === 0) {
    flags = r.u8();
    if (flags !== 0) {
      inputs = readInputs(r);
      outputs = readOutputs(r);
    } else {
      outputs = [];
    }
  } else {
    outputs = readOutputs(r);
  }
  if (flags & 1) {
    flags ^= 1;
    for (const i of inputs) {
      const n = readCount(r, 1);
      const stack: Uint8Array[] = [];
      for (let k = 0; k < n; k++) stack.push(readVarBytes(r).slice());
      i.witness = stack;
    }
    if (!inputs.some((i) => i.witness.length > 0)) throw new DecodeError('superfluous witness record');
  }
  if (flags) throw new DecodeError('unknown transaction optional data');
  const locktime = r.u32le();
  return { version, inputs, outputs, locktime };
}

function readInputs(r: Reader): TxIn[] {
  const n = readCount(r, 41);
  const out: TxIn[] = [];
  for (let k = 0; k < n; k++) {
    const txid = r.bytes(32).slice();
    const vout = r.u32le();
    const scriptSig = readVarBytes(r).slice();
    const sequence = r.u32le();
    out.push({ txid, vout, scriptSig, sequence, witness: [] });
  }
  return out;
}

function readOutputs(r: Reader): TxOut[] {
  const n = readCount(r, 9);
  const out: TxOut[] = [];
  for (let k = 0; k < n; k++) {
    const value = BigInt.asIntN(64, r.u64le());
    const script = readVarBytes(r).slice();
    out.push({ value, script });
  }
  return out;
}

/** parseTx decodes exactly one transaction; any malformation or trailing byte is a DecodeError. */
export function parseTx(bytes: Uint8Array): Tx {
  const r = new Reader(bytes);
  const tx = readTx(r);
  if (!r.done()) throw new DecodeError(`${r.remaining} trailing bytes after transaction`);
  return tx;
}

/** txid is sha256d of the non-witness serialization, in internal byte order. */
export function txid(tx: Tx): Uint8Array {
  return sha256d(serializeTx(tx, { witness: false }));
}

/** txidHex is the txid as people display it (byte-reversed hex). */
export function txidHex(tx: Tx): string {
  return hashToHex(txid(tx));
}

/** wtxid is sha256d of the full (BIP144) serialization; equal to txid without witnesses. */
export function wtxid(tx: Tx): Uint8Array {
  return sha256d(serializeTx(tx));
}

/** txWeight is BIP141 weight: base size * 3 + total size. */
export function txWeight(tx: Tx): number {
  const base = serializeTx(tx, { witness: false }).length;
  const total = hasWitness(tx) ? serializeTx(tx).length : base;
  return base * 3 + total;
}

/** txVsize is BIP141 virtual size: weight / 4 rounded up. */
export function txVsize(tx: Tx): number {
  return Math.ceil(txWeight(tx) / 4);
}

/** cloneTx deep-copies a transaction so it can be changed without touching the original. */
export function cloneTx(tx: Tx): Tx {
  return {
    version: tx.version,
    locktime: tx.locktime,
    inputs: tx.inputs.map((i) => ({
      txid: i.txid.slice(),
      vout: i.vout,
      scriptSig: i.scriptSig.slice(),
      sequence: i.sequence,
      witness: i.witness.map((w) => w.slice()),
    })),
    outputs: tx.outputs.map((o) => ({ value: o.value, script: o.script.slice() })),
  };
}

/** isCoinbaseTx reports whether tx has the coinbase shape: one input spending the null outpoint. */
export function isCoinbaseTx(tx: Tx): boolean {
  return tx.inputs.length === 1 && tx.inputs[0].vout === 0xffffffff && tx.inputs[0].txid.every((b) => b === 0);
}
