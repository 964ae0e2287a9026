/**
 * Bitcoin's CompactSize (Core's WriteCompactSize/ReadCompactSize): the little-endian
 * variable-length count in front of every vector of a transaction or block. This is its one
 * implementation: the Writer form, the in-place buffer form used by the digest hot paths,
 * and one strict decoder (canonical encodings only, at most Core's MAX_SIZE).
 */
import { DecodeError, type Reader, type Writer } from '../lib/index.ts';

/** Bitcoin Core's MAX_SIZE: the largest CompactSize a deserializer accepts. */
export const MAX_COMPACT_SIZE = 0x02000000;

const TWO_32 = 0x1_0000_0000;

/** compactSizeLength returns how many bytes the CompactSize of n takes. */
export function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/** putU32le writes a 32-bit little-endian value at `p` and returns the position after it. */
export function putU32le(buf: Uint8Array, p: number, v: number): number {
  buf[p] = v & 0xff;
  buf[p + 1] = (v >>> 8) & 0xff;
  buf[p + 2] = (v >>> 16) & 0xff;
  buf[p + 3] = (v >>> 24) & 0xff;
  return p + 4;
}

/** putCompactSize writes the CompactSize of n into `buf` at `p` and returns the position after it. */
export function putCompactSize(buf: Uint8Array, p: number, n: number): number {
  if (n < 0xfd) {
    buf[p] = n;
    return p + 1;
  }
  if (n <= 0xffff) {
    buf[p] = 0xfd;
    buf[p + 1] = n & 0xff;
    buf[p + 2] = n >>> 8;
    return p + 3;
  }
  if (n <= 0xffffffff) {
    buf[p] = 0xfe;
    return putU32le(buf, p + 1, n);
  }
  buf[p] = 0xff;
  p = putU32le(buf, p + 1, n % TWO_32);
  return putU32le(buf, p, Math.floor(n / TWO_32));
}

/** encodeCompactSize returns the CompactSize of n as its own byte array. */
export function encodeCompactSize(n: number): Uint8Array {
  const out = new Uint8Array(compactSizeLength(n));
  putCompactSize(out, 0, n);
  return out;
}

const SCRATCH = new Uint8Array(9);

/** writeCompactSize appends the CompactSize of n to w. */
export function writeCompactSize(w: Writer, n: number): void {
  w.bytes(SCRATCH.subarray(0, putCompactSize(SCRATCH, 0, n)));
}

/**
 * readCompactSizeAt reads a canonical CompactSize at `pos` of `buf` and returns
 * [value, position after it], as Core's ReadCompactSize does: "non-canonical
 * ReadCompactSize()" and "ReadCompactSize(): size too large" (above `max`) are DecodeErrors,
 * and so is running out of data.
 */
export function readCompactSizeAt(buf: Uint8Array, pos: number, max = MAX_COMPACT_SIZE): [number, number] {
  const end = (n: number): void => {
    if (pos + n > buf.length) throw new DecodeError(`unexpected end of data reading a compact size at offset ${pos}`);
  };
  end(1);
  const first = buf[pos]!;
  let n: number;
  let next: number;
  if (first < 0xfd) {
    n = first;
    next = pos + 1;
  } else if (first === 0xfd) {
    end(3);
    n = buf[pos + 1]! | (buf[pos + 2]! << 8);
    if (n < 0xfd) throw new DecodeError('non-canonical compact size');
    next = pos + 3;
  } else if (first === 0xfe) {
    end(5);
    n = (buf[pos + 1]! | (buf[pos + 2]! << 8) | (buf[pos + 3]! << 16) | (buf[pos + 4]! << 24)) >>> 0;
    if (n < 0x10000) throw new DecodeError('non-canonical compact size');
    next = pos + 5;
  } else {
    end(9);
    const hi = (buf[pos + 5]! | (buf[pos + 6]! << 8) | (buf[pos + 7]! << 16) | (buf[pos + 8]! << 24)) >>> 0;
    if (hi === 0) throw new DecodeError('non-canonical compact size');
    // At least 2^32: more than MAX_COMPACT_SIZE and more than any buffer we could hold.
    throw new DecodeError('compact size too large');
  }
  if (n > max) throw new DecodeError('compact size too large');
  return [n, next];
}

/** readCompactSize reads a canonical CompactSize from a Reader (see readCompactSizeAt). */
export function readCompactSize(r: Reader, max = MAX_COMPACT_SIZE): number {
  const [n, next] = readCompactSizeAt(r.buf, r.pos, max);
  r.pos = next;
  return n;
}
