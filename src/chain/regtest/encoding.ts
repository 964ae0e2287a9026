/**
 * Little-endian helpers for Bitcoin's own serialization (CompactSize counts, u32/u64 LE),
 * used by the block and transaction scanners of the embedded chain.
 */
import { DecodeError } from '../../lib/index.ts';

/** readCompactSize reads Bitcoin's CompactSize at `pos`; returns [value, newPos]. Rejects non-canonical forms. */
export function readCompactSize(buf: Uint8Array, pos: number): [number, number] {
  if (pos >= buf.length) throw new DecodeError('unexpected end of data reading a CompactSize');
  const b = buf[pos];
  if (b < 0xfd) return [b, pos + 1];
  if (b === 0xfd) {
    if (pos + 3 > buf.length) throw new DecodeError('unexpected end of data reading a CompactSize');
    const v = buf[pos + 1] | (buf[pos + 2] << 8);
    if (v < 0xfd) throw new DecodeError('non-canonical CompactSize');
    return [v, pos + 3];
  }
  if (b === 0xfe) {
    if (pos + 5 > buf.length) throw new DecodeError('unexpected end of data reading a CompactSize');
    const v = readU32le(buf, pos + 1);
    if (v < 0x10000) throw new DecodeError('non-canonical CompactSize');
    return [v, pos + 5];
  }
  if (pos + 9 > buf.length) throw new DecodeError('unexpected end of data reading a CompactSize');
  const lo = readU32le(buf, pos + 1);
  const hi = readU32le(buf, pos + 5);
  if (hi === 0) throw new DecodeError('non-canonical CompactSize');
  // Anything this large is bigger than any buffer we could hold.
  throw new DecodeError(`CompactSize too large (${hi * 2 ** 32 + lo})`);
}

/** compactSizeLength is the number of bytes CompactSize(n) occupies. */
export function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/** writeCompactSize encodes n as a CompactSize. */
export function writeCompactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  const out = new Uint8Array(5);
  out[0] = 0xfe;
  writeU32le(out, 1, n);
  return out;
}

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

/** outpointKey makes a Map key for an outpoint without going through hex. */
export function outpointKey(txid: Uint8Array, vout: number): string {
  return String.fromCharCode.apply(null, txid as unknown as number[]) + '/' + vout;
}

/** txidKey makes a Map key for a txid (same alphabet as outpointKey, without the index). */
export function txidKey(txid: Uint8Array): string {
  return String.fromCharCode.apply(null, txid as unknown as number[]);
}

/** parseOutpointKey inverts outpointKey. */
export function parseOutpointKey(key: string): { txid: Uint8Array; vout: number } {
  const txid = new Uint8Array(32);
  for (let i = 0; i < 32; i++) txid[i] = key.charCodeAt(i);
  return { txid, vout: Number(key.slice(33)) };
}
