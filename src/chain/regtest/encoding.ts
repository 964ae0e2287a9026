/**
 * Little-endian helpers for Bitcoin's own serialization (u32/u64 LE), used by the block and
 * transaction scanners of the embedded chain. CompactSize is bitcoin/compact-size.ts.
 */

/** readU32le reads an unsigned 32-bit little-endian integer. */
export function readU32le(buf: Uint8Array, pos: number): number {
  return (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24)) >>> 0;
}

/** writeU32le writes an unsigned 32-bit little-endian integer into `buf` at `pos`. */
export function writeU32le(buf: Uint8Array, pos: number, v: number): void {
  buf[pos] = v & 0xff;
  buf[pos + 1] = (v >>> 8) & 0xff;
  buf[pos + 2] = (v >>> 16) & 0xff;
  buf[pos + 3] = (v >>> 24) & 0xff;
}

/** writeU64le writes a 64-bit little-endian integer (two's complement for negatives). */
export function writeU64le(buf: Uint8Array, pos: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  writeU32le(buf, pos, Number(u & 0xffffffffn));
  writeU32le(buf, pos + 4, Number(u >> 32n));
}

/**
 * Map keys for outpoints and txids: the one outpoint key of bitcoin/ (`<display txid>:<vout>`)
 * and the display-order txid.
 */
export { outpointKey, parseOutpointKey, hashToHex as txidKey } from '../../bitcoin/index.ts';
