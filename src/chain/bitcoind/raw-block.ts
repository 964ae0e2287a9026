/**
 * Splits a serialized block (`getblock <hash> 0`) into its 80-byte header and the byte ranges
 * of its transactions, so each one can be handed to the bitcoin layer's `parseTx`. This is
 * cheaper than asking for `getblock <hash> 2` (JSON for every input and output).
 */
import { DecodeError, Reader } from '../../lib/index.ts';
import { BLOCK_HEADER_SIZE, parseBlockHeader, readCompactSize, type BlockHeader } from '../../bitcoin/index.ts';
import { sha256d } from '../../crypto/index.ts';

/** Parsed header fields of a block (hashes in internal byte order) and its hash. */
export interface RawBlockHeader extends BlockHeader {
  hash: Uint8Array;
}

/** parseRawBlockHeader reads the 80-byte header of a block (bitcoin/'s codec) and hashes it. */
export function parseRawBlockHeader(block: Uint8Array): RawBlockHeader {
  const header = parseBlockHeader(block);
  return { ...header, hash: sha256d(block.subarray(0, BLOCK_HEADER_SIZE)) };
}

/**
 * splitBlock returns the header and one byte slice per transaction of a serialized block.
 * It walks the BIP144 layout (marker/flag, witness stacks) only to find where each
 * transaction ends; full parsing is the bitcoin layer's job.
 */
export function splitBlock(raw: Uint8Array): { header: RawBlockHeader; txs: Uint8Array[] } {
  const header = parseRawBlockHeader(raw);
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
