/**
 * Bech32 (BIP-173) for BOLT 11, written for speed: invoices are decoded on every payment and
 * the checksum, case rules and 5-bit conversions are all done with integer tables. Only
 * bech32 (constant 1) is accepted, not bech32m, and there is no 90-character limit.
 *
 * BOLT #11: "MUST parse the address as Bech32, as specified in BIP-0173 (also without the
 * character limit)."
 */
import { InvoiceError } from './errors.ts';

/** The bech32 alphabet: word value i is CHARSET[i]. */
export const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** charCode (lower case) -> 5-bit value, or -1. Upper-case letters map too (case is checked separately). */
const CHAR_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < CHARSET.length; i++) {
  CHAR_VALUE[CHARSET.charCodeAt(i)] = i;
  const up = CHARSET[i].toUpperCase().charCodeAt(0);
  if (up !== CHARSET.charCodeAt(i)) CHAR_VALUE[up] = i;
}

const BECH32_CONST = 1;
const BECH32M_CONST = 0x2bc830a3;

const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** GEN_TABLE[b] is the XOR of the generator terms selected by the 5 bits shifted out. */
const GEN_TABLE = new Uint32Array(32);
for (let b = 0; b < 32; b++) {
  let x = 0;
  for (let i = 0; i < 5; i++) if ((b >> i) & 1) x ^= GEN[i];
  GEN_TABLE[b] = x >>> 0;
}

/** CHAR_CASE: 1 for a-z, 2 for A-Z, 4 for characters outside printable ASCII 33..126. */
const CHAR_CASE = new Uint8Array(128).fill(0);
for (let c = 0; c < 128; c++) {
  if (c < 33 || c > 126) CHAR_CASE[c] = 4;
  else if (c >= 97 && c <= 122) CHAR_CASE[c] = 1;
  else if (c >= 65 && c <= 90) CHAR_CASE[c] = 2;
}

function polymodStep(pre: number): number {
  return (((pre & 0x1ffffff) << 5) ^ GEN_TABLE[pre >>> 25]) >>> 0;
}

/** polymod of the expanded hrp (already lower case). */
function hrpPolymod(hrp: string): number {
  let chk = 1;
  for (let i = 0; i < hrp.length; i++) chk = polymodStep(chk) ^ (hrp.charCodeAt(i) >> 5);
  chk = polymodStep(chk);
  for (let i = 0; i < hrp.length; i++) chk = polymodStep(chk) ^ (hrp.charCodeAt(i) & 31);
  return chk;
}

/** A decoded bech32 string: lower-case human-readable part and data words without the checksum. */
export interface Bech32Decoded {
  hrp: string;
  words: Uint8Array;
}

/**
 * decodeBech32 parses a bech32 string of any length, accepting all-lower or all-upper case
 * (BIP-173: "Decoders MUST NOT accept strings where some characters are uppercase and some
 * are lowercase"). It throws InvoiceError naming what is wrong.
 */
export function decodeBech32(str: string): Bech32Decoded {
  const len = str.length;
  if (len < 8) throw new InvoiceError('bech32', `bech32 string is too short (${len} characters)`);
  const sep = str.lastIndexOf('1');
  let cases = 0;
  for (let i = 0; i < (sep === -1 ? len : sep); i++) {
    const c = str.charCodeAt(i);
    cases |= c < 128 ? CHAR_CASE[c] : 4;
  }
  if (sep === -1) {
    if (cases & 4) throw new InvoiceError('bech32', 'bech32 string has a character outside printable ASCII');
    throw new InvoiceError('bech32', 'bech32 string has no separator "1"');
  }
  if (sep === 0) throw new InvoiceError('bech32', 'bech32 human-readable part is empty');
  if (len - sep - 1 < 6) throw new InvoiceError('bech32', 'bech32 data part is shorter than the 6-character checksum');
  if (cases & 4) throw new InvoiceError('bech32', 'bech32 human-readable part has a character outside printable ASCII');
  const n = len - sep - 1;
  const words = new Uint8Array(n);
  // The hrp is lower-cased for the checksum only if the string is upper case; decide that
  // from the hrp's own letters, then verify the data part agrees (mixed case is rejected).
  const hrp = cases & 2 ? str.slice(0, sep).toLowerCase() : str.slice(0, sep);
  let chk = hrpPolymod(hrp);
  let bad = -1;
  for (let i = 0; i < n; i++) {
    const c = str.charCodeAt(sep + 1 + i);
    const v = c < 128 ? CHAR_VALUE[c] : -1;
    if (v < 0) {
      bad = i;
      break;
    }
    cases |= CHAR_CASE[c];
    words[i] = v;
    chk = (((chk & 0x1ffffff) << 5) ^ GEN_TABLE[chk >>> 25] ^ v) >>> 0;
  }
  if (bad >= 0) {
    for (let i = bad; i < n; i++) {
      const c = str.charCodeAt(sep + 1 + i);
      cases |= c < 128 ? CHAR_CASE[c] : 0;
    }
  }
  // BIP-173: "Decoders MUST NOT accept strings where some characters are uppercase and some
  // are lowercase".
  if ((cases & 3) === 3) throw new InvoiceError('bech32', 'bech32 string mixes upper and lower case (mixed case is not allowed)');
  if (bad >= 0) throw new InvoiceError('bech32', `bech32 data part has a character outside the bech32 alphabet at position ${sep + 1 + bad}: ${JSON.stringify(str[sep + 1 + bad])}`);
  if (chk !== BECH32_CONST) {
    if (chk === BECH32M_CONST) throw new InvoiceError('bech32', 'bech32 checksum is bech32m, but BOLT 11 invoices use bech32');
    throw new InvoiceError('bech32', 'bech32 checksum is invalid');
  }
  return { hrp, words: words.subarray(0, n - 6) };
}

/** encodeBech32 writes a lower-case bech32 string (no length limit). hrp must be lower case. */
export function encodeBech32(hrp: string, words: Uint8Array): string {
  let chk = hrpPolymod(hrp);
  let out = hrp + '1';
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w > 31) throw new RangeError(`bech32 word out of range: ${w}`);
    chk = polymodStep(chk) ^ w;
    out += CHARSET[w];
  }
  for (let i = 0; i < 6; i++) chk = polymodStep(chk);
  chk ^= BECH32_CONST;
  for (let i = 0; i < 6; i++) out += CHARSET[(chk >>> (5 * (5 - i))) & 31];
  return out;
}

/**
 * wordsToBytes is the one 5-to-8-bit conversion: it packs words[start..end) into bytes and
 * returns the bytes and the leftover bits (fewer than 8) that did not fill a byte.
 */
function wordsToBytes(words: Uint8Array, start: number, end: number, out: Uint8Array): { acc: number; bits: number } {
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = start; i < end; i++) {
    acc = ((acc << 5) | words[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return { acc, bits };
}

/**
 * wordsToBytesPadded packs 5-bit words into bytes, appending zero bits to a byte boundary.
 * BOLT #11 signs "the data part (excluding the signature), with 0 bits appended to pad to a
 * byte boundary".
 */
export function wordsToBytesPadded(words: Uint8Array, start = 0, end = words.length): Uint8Array {
  const out = new Uint8Array(Math.ceil(((end - start) * 5) / 8));
  const { acc, bits } = wordsToBytes(words, start, end, out);
  if (bits > 0) out[out.length - 1] = (acc << (8 - bits)) & 0xff;
  return out;
}

/**
 * wordsToBytesExact unpacks data words into bytes where the writer padded with fewer than 5
 * zero bits (BOLT #11: "MUST pad field data to a multiple of 5 bits, using 0s"). Returns null
 * when the padding is not zero or is a whole word or more (not a canonical encoding).
 */
export function wordsToBytesExact(words: Uint8Array, start: number, end: number): Uint8Array | null {
  const nbits = (end - start) * 5;
  const out = new Uint8Array(nbits >> 3);
  if (nbits - out.length * 8 >= 5) return null;
  const { acc, bits } = wordsToBytes(words, start, end, out);
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

/** bytesToWords splits bytes into 5-bit words, padding the last word with zero bits. */
export function bytesToWords(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil((bytes.length * 8) / 5));
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = ((acc << 8) | bytes[i]) & 0x1fff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out[j++] = (acc >> bits) & 31;
    }
  }
  if (bits > 0) out[j] = (acc << (5 - bits)) & 31;
  return out;
}

/** wordsToString renders words in the bech32 alphabet (for listing unknown fields). */
export function wordsToString(words: Uint8Array): string {
  let s = '';
  for (const w of words) s += CHARSET[w];
  return s;
}

/** stringToWords is the inverse of wordsToString; it throws InvoiceError on a bad character. */
export function stringToWords(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? CHAR_VALUE[c] : -1;
    if (v === -1) throw new InvoiceError('input', `not a bech32 character: ${JSON.stringify(s[i])}`);
    out[i] = v;
  }
  return out;
}
