/**
 * The 80-byte block header (Core's CBlockHeader): its fields, serialization and hash. Used
 * by the embedded chain and by the bitcoind backend's raw-block reader.
 */
import { DecodeError } from '../lib/index.ts';
import { sha256d } from '../crypto/index.ts';

/** The 80-byte block header. Hashes are in internal byte order; `version` is a signed 32-bit integer, as in Core. */
export interface BlockHeader {
  version: number;
  prevHash: Uint8Array;
  merkleRoot: Uint8Array;
  time: number;
  bits: number;
  nonce: number;
}

/** The size of a serialized block header. */
export const BLOCK_HEADER_SIZE = 80;

function u32le(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

function putU32le(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = (v >>> 24) & 0xff;
}

/** serializeBlockHeader encodes the 80-byte header. */
export function serializeBlockHeader(h: BlockHeader): Uint8Array {
  const out = new Uint8Array(BLOCK_HEADER_SIZE);
  putU32le(out, 0, h.version >>> 0);
  out.set(h.prevHash, 4);
  out.set(h.merkleRoot, 36);
  putU32le(out, 68, h.time >>> 0);
  putU32le(out, 72, h.bits >>> 0);
  putU32le(out, 76, h.nonce >>> 0);
  return out;
}

/** parseBlockHeader decodes the 80-byte header at `pos` of `b` (a header or a whole block). */
export function parseBlockHeader(b: Uint8Array, pos = 0): BlockHeader {
  if (b.length - pos < BLOCK_HEADER_SIZE) throw new DecodeError(`block header needs 80 bytes, got ${Math.max(0, b.length - pos)}`);
  return {
    version: u32le(b, pos) | 0,
    prevHash: b.slice(pos + 4, pos + 36),
    merkleRoot: b.slice(pos + 36, pos + 68),
    time: u32le(b, pos + 68),
    bits: u32le(b, pos + 72),
    nonce: u32le(b, pos + 76),
  };
}

/** blockHeaderHash is the block hash: sha256d of the serialized header, internal byte order. */
export function blockHeaderHash(h: BlockHeader): Uint8Array {
  return sha256d(serializeBlockHeader(h));
}
