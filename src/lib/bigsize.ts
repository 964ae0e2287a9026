/**
 * BigSize (BOLT #1 Appendix A): the variable-length unsigned integer of TLV streams.
 * Big-endian, and unlike Bitcoin's CompactSize, it must be minimally encoded.
 */
import { DecodeError } from './errors.ts';
import type { Reader, Writer } from './reader.ts';

/** readBigSize reads one minimally-encoded BigSize. */
export function readBigSize(r: Reader): bigint {
  const first = r.u8();
  if (first < 0xfd) return BigInt(first);
  if (first === 0xfd) {
    const v = r.u16();
    if (v < 0xfd) throw new DecodeError('decoded bigsize is not canonical');
    return BigInt(v);
  }
  if (first === 0xfe) {
    const v = r.u32();
    if (v < 0x10000) throw new DecodeError('decoded bigsize is not canonical');
    return BigInt(v);
  }
  const v = r.u64();
  if (v < 0x100000000n) throw new DecodeError('decoded bigsize is not canonical');
  return v;
}

/** writeBigSize appends the minimal BigSize encoding of v. */
export function writeBigSize(w: Writer, v: bigint | number): void {
  const n = BigInt(v);
  if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`bigsize out of range: ${n}`);
  if (n < 0xfdn) w.u8(Number(n));
  else if (n <= 0xffffn) w.u8(0xfd).u16(Number(n));
  else if (n <= 0xffffffffn) w.u8(0xfe).u32(Number(n));
  else w.u8(0xff).u64(n);
}

/** bigSizeLength is the encoded length of v in bytes. */
export function bigSizeLength(v: bigint | number): number {
  const n = BigInt(v);
  return n < 0xfdn ? 1 : n <= 0xffffn ? 3 : n <= 0xffffffffn ? 5 : 9;
}
