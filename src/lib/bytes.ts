/**
 * Byte helpers: hex at the edges, Uint8Array inside (DESIGN.md "Types and data").
 */
import { DecodeError } from './errors.ts';

const HEX = '0123456789abcdef';
const HEX_TABLE: number[] = (() => {
  const t = new Array<number>(256).fill(-1);
  for (let i = 0; i < 16; i++) t[HEX.charCodeAt(i)] = i;
  for (let i = 10; i < 16; i++) t['ABCDEF'.charCodeAt(i - 10)] = i;
  return t;
})();

/** toHex renders bytes as lowercase hex. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

/** fromHex parses an even-length hex string; throws DecodeError on anything else. */
export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0) throw new DecodeError('hex string has odd length');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = HEX_TABLE[s.charCodeAt(2 * i)] ?? -1;
    const lo = HEX_TABLE[s.charCodeAt(2 * i + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new DecodeError(`invalid hex character near offset ${2 * i}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** isHex reports whether s is even-length hex, optionally of an exact byte length. */
export function isHex(s: unknown, bytes?: number): s is string {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return false;
  return bytes === undefined || s.length === bytes * 2;
}

/** concatBytes joins byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** equalBytes compares two byte arrays (not constant time; use for public data). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** compareBytes orders byte arrays lexicographically (shorter first on a common prefix). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** reverseBytes returns a reversed copy (txids are displayed byte-reversed). */
export function reverseBytes(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b[b.length - 1 - i];
  return out;
}

/** utf8 encodes a string as UTF-8 bytes. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** xorBytes returns a XOR b over the length of the shorter. */
export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const n = Math.min(a.length, b.length);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** bytesToBigInt reads big-endian bytes as an unsigned integer. */
export function bytesToBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]);
  return v;
}

/** bigIntToBytes writes an unsigned integer as `len` big-endian bytes (32 by default). */
export function bigIntToBytes(v: bigint, len = 32): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
