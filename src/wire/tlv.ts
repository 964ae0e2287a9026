/**
 * TLV streams (BOLT #1 "Type-Length-Value Format"): a sequence of (BigSize type, BigSize
 * length, value) records, strictly increasing by type. This is the generic layer; typed
 * records are described by schemas on top of it.
 */
import { DecodeError } from '../lib/errors.ts';
import { Reader, Writer } from '../lib/reader.ts';
import { readBigSize, writeBigSize } from '../lib/bigsize.ts';

/** One raw TLV record. */
export interface TlvRecord {
  type: bigint;
  value: Uint8Array;
}

/**
 * readTlvStream parses a whole TLV stream from r (to its end).
 *
 * BOLT #1: "if decoded `type`s are not strictly-increasing (including situations when two
 * or more occurrences of the same `type` are met): MUST fail to parse the `tlv_stream`."
 * `isKnown` decides the it's-OK-to-be-odd rule: an unknown even type fails the parse, an
 * unknown odd type is kept so that it can be passed on or ignored.
 */
export function readTlvStream(r: Reader, isKnown: (type: bigint) => boolean = () => false): TlvRecord[] {
  const out: TlvRecord[] = [];
  let last = -1n;
  while (!r.done()) {
    const type = readBigSize(r);
    const len = readBigSize(r);
    if (len > BigInt(r.remaining)) throw new DecodeError(`tlv record type ${type} length ${len} exceeds remaining ${r.remaining} bytes`);
    const value = r.bytes(Number(len));
    if (type <= last) throw new DecodeError(`tlv types not strictly increasing (${type} after ${last})`);
    if (!isKnown(type) && type % 2n === 0n) throw new DecodeError(`unknown even tlv type ${type}`);
    last = type;
    out.push({ type, value });
  }
  return out;
}

/** writeTlvStream appends records, sorted by type, rejecting duplicates. */
export function writeTlvStream(w: Writer, records: TlvRecord[]): void {
  const sorted = [...records].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].type === sorted[i - 1].type) throw new RangeError(`duplicate tlv type ${sorted[i].type}`);
  }
  for (const rec of sorted) {
    writeBigSize(w, rec.type);
    writeBigSize(w, rec.value.length);
    w.bytes(rec.value);
  }
}

/** encodeTlvStream is writeTlvStream into fresh bytes. */
export function encodeTlvStream(records: TlvRecord[]): Uint8Array {
  const w = new Writer();
  writeTlvStream(w, records);
  return w.finish();
}

/** decodeTlvStream is readTlvStream over a whole byte array. */
export function decodeTlvStream(b: Uint8Array, isKnown?: (type: bigint) => boolean): TlvRecord[] {
  return readTlvStream(new Reader(b), isKnown);
}

/**
 * Truncated unsigned integers (BOLT #1 tu16/tu32/tu64): big-endian with leading zero bytes
 * omitted; a non-minimal encoding is a decode error.
 */
export function encodeTu64(v: bigint | number): Uint8Array {
  let n = BigInt(v);
  if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError('tu64 out of range');
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return Uint8Array.from(bytes);
}

/** decodeTu64 decodes a truncated integer of at most maxBytes bytes. */
export function decodeTu64(b: Uint8Array, maxBytes = 8): bigint {
  if (b.length > maxBytes) throw new DecodeError(`truncated integer longer than ${maxBytes} bytes`);
  if (b.length > 0 && b[0] === 0) throw new DecodeError('truncated integer is not minimal');
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}
