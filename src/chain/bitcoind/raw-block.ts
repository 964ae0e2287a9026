/**
 * Splits a serialized block (`getblock <hash> 0`) into its 80-byte header and the byte ranges
 * of its transactions, so each one can be handed to the bitcoin layer's `parseTx`. This is
 * cheaper than asking for `getblock <hash> 2` (JSON for every input and output).
 */
import { DecodeError, Reader } from '../../lib/index.ts';
import { sha256d } from '../../crypto/index.ts';

/** Parsed header fields of a block (hashes in internal byte order). */
export interface RawBlockHeader {
  hash: Uint8Array;
  version: number;
  prevHash: Uint8Array;
  merkleRoot: Uint8Array;
  time: number;
  bits: number;
  nonce: number;
}

/** readCompactSize reads Bitcoin's CompactSize (little-endian varint). */
function readCompactSize(r: Reader): number {
  const first = r.u8();
  if (first < 0xfd) return first;
  if (first === 0xfd) return r.bytes(2).reduce((acc, b, i) => acc + b * 2 ** (8 * i), 0);
  if (first === 0xfe) return r.u32le();
  const v = r.u64le();
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError('CompactSize too large');
  return Number(v);
}

/** parseBlockHeader reads the 80-byte header of a block. */
export function parseBlockHeader(header: Uint8Array): RawBlockHeader {
  if (header.length < 80) throw new DecodeError(`block header needs 80 bytes, got ${header.length}`);
  const h = header.subarray(0, 80);
  const r = new Reader(h);
  const version = r.u32le();
  const prevHash = r.bytes(32).slice();
  const merkleRoot = r.bytes(32).slice();
  const time = r.u32le();
  const bits = r.u32le();
  const nonce = r.u32le();
  return { hash: sha256d(h), version, prevHash, merkleRoot, time, bits, nonce };
}

/**
 * splitBlock returns the header and one byte slice per transaction of a serialized block.
 * It walks the BIP144 layout (marker/flag, witness stacks) only to find where each
 * transaction ends; full parsing is the bitcoin layer's job.
 */
export function splitBlock(raw: Uint8Array): { header: RawBlockHeader; txs: Uint8Array[] } {
  const header = parseBlockHeader(raw);
  const r = new Reader(raw);
  r.bytes(80);
  const n = readCompactSize(r);
  const txs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const start = r.pos;
    r.bytes(4); // version
    let nIn = readCompactSize(r);
    let segwit = false;
    if (nIn === 0) {
      const flag = r.u8();
      if (flag !== 1) throw new DecodeError(`unknown transaction flag ${flag}`);
      segwit = true;
      nIn = readCompactSize(r);
    }
    for (let j = 0; j < nIn; j++) {
      r.bytes(36);
      r.bytes(readCompactSize(r));
      r.bytes(4);
    }
    const nOut = readCompactSize(r);
    for (let j = 0; j < nOut; j++) {
      r.bytes(8);
      r.bytes(readCompactSize(r));
    }
    if (segwit) {
      for (let j = 0; j < nIn; j++) {
        const items = readCompactSize(r);
        for (let k = 0; k < items; k++) r.bytes(readCompactSize(r));
      }
    }
    r.bytes(4); // locktime
    txs.push(raw.subarray(start, r.pos));
  }
  if (!r.done()) throw new DecodeError(`${r.remaining} trailing bytes after the block's transactions`);
  return { header, txs };
}
