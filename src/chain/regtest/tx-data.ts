/**
 * TxData: a transaction with the facts the chain needs about it computed once — raw bytes,
 * txid, wtxid, sizes and weight — so validation never re-serializes or re-hashes (BIP141
 * defines weight = base size * 3 + total size).
 */
import { DecodeError, concatBytes } from '../../lib/index.ts';
import { sha256d } from '../../crypto/index.ts';
import { parseTx, readCompactSizeAt, serializeTx, type Tx } from '../../bitcoin/index.ts';

/** A parsed transaction plus its cached identifiers and sizes. */
export interface TxData {
  tx: Tx;
  /** Internal byte order. */
  txid: Uint8Array;
  wtxid: Uint8Array;
  /** Serialization with witness (if any). */
  raw: Uint8Array;
  /** Size without witness (BIP141 "base size"). */
  baseSize: number;
  /** Size with witness. */
  totalSize: number;
  weight: number;
  /** ceil(weight / 4). */
  vsize: number;
  hasWitness: boolean;
}

/** Where the parts of a serialized transaction lie, found without building objects. */
interface TxLayout {
  end: number;
  /** Offset of the input count after the segwit marker/flag, or -1 without witness. */
  segwit: boolean;
  /** Offset where the witness section starts (segwit only). */
  witnessStart: number;
}

/** scanTx walks one serialized transaction starting at `start` and returns its layout. */
export function scanTx(buf: Uint8Array, start: number): TxLayout {
  let p = start + 4;
  if (p > buf.length) throw new DecodeError('truncated transaction');
  let segwit = false;
  if (buf[p] === 0 && p + 1 < buf.length && buf[p + 1] !== 0) {
    segwit = true;
    p += 2;
  }
  let nIn: number;
  [nIn, p] = readCompactSizeAt(buf, p);
  for (let i = 0; i < nIn; i++) {
    p += 36;
    let len: number;
    [len, p] = readCompactSizeAt(buf, p);
    p += len + 4;
    if (p > buf.length) throw new DecodeError('truncated transaction input');
  }
  let nOut: number;
  [nOut, p] = readCompactSizeAt(buf, p);
  for (let i = 0; i < nOut; i++) {
    p += 8;
    let len: number;
    [len, p] = readCompactSizeAt(buf, p);
    p += len;
    if (p > buf.length) throw new DecodeError('truncated transaction output');
  }
  const witnessStart = p;
  if (segwit) {
    for (let i = 0; i < nIn; i++) {
      let items: number;
      [items, p] = readCompactSizeAt(buf, p);
      for (let j = 0; j < items; j++) {
        let len: number;
        [len, p] = readCompactSizeAt(buf, p);
        p += len;
        if (p > buf.length) throw new DecodeError('truncated witness');
      }
    }
  }
  p += 4;
  if (p > buf.length) throw new DecodeError('truncated transaction locktime');
  return { end: p, segwit, witnessStart };
}

/** txDataFromRaw parses one complete serialized transaction (throws DecodeError). */
export function txDataFromRaw(raw: Uint8Array): TxData {
  const layout = scanTx(raw, 0);
  if (layout.end !== raw.length) throw new DecodeError('trailing bytes after transaction');
  const tx = parseTx(raw);
  return finishTxData(tx, raw, layout);
}

/** txDataFromTx serializes a Tx once and computes its identifiers. */
export function txDataFromTx(tx: Tx): TxData {
  const raw = serializeTx(tx);
  return finishTxData(tx, raw, scanTx(raw, 0));
}

/** finishTxData computes hashes and sizes of a transaction whose layout is known. */
export function finishTxData(tx: Tx, raw: Uint8Array, layout: TxLayout): TxData {
  const wtxid = sha256d(raw);
  let txid: Uint8Array;
  let baseSize: number;
  if (layout.segwit) {
    const base = concatBytes(raw.subarray(0, 4), raw.subarray(6, layout.witnessStart), raw.subarray(raw.length - 4));
    txid = sha256d(base);
    baseSize = base.length;
  } else {
    txid = wtxid;
    baseSize = raw.length;
  }
  const weight = baseSize * 3 + raw.length;
  return { tx, txid, wtxid, raw, baseSize, totalSize: raw.length, weight, vsize: Math.ceil(weight / 4), hasWitness: layout.segwit };
}
