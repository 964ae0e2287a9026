/**
 * The `9` field: a feature bit vector in 5-bit words, big-endian, bit 0 the least significant
 * (BOLT #11 "Feature Bits"). Kite keeps features as big-endian bytes, the layout BOLT 9 uses
 * in `init` and `node_announcement`, so one set of feature helpers serves both.
 */
import { InvoiceError } from './errors.ts';

/**
 * Even (required) feature bits Kite understands in an invoice (BOLT 9, context `9`):
 * var_onion_optin (8), payment_secret (14), basic_mpp (16), option_payment_metadata (48).
 */
export const INVOICE_KNOWN_FEATURE_BITS: readonly number[] = [8, 14, 16, 48];

/** Invoice feature bit numbers by name (even = required, +1 = optional). */
export const INVOICE_FEATURE = {
  varOnionOptin: 8,
  paymentSecret: 14,
  basicMpp: 16,
  paymentMetadata: 48,
} as const;

/** featureWordsToBytes reads a `9` field's words as a big-endian byte vector without leading zero bytes. */
export function featureWordsToBytes(words: Uint8Array, start = 0, end = words.length): Uint8Array {
  const nbytes = Math.ceil(((end - start) * 5) / 8);
  const bytes = new Uint8Array(nbytes);
  let bit = 0;
  for (let k = end - 1; k >= start; k--) {
    const w = words[k];
    if (w !== 0) {
      for (let b = 0; b < 5; b++) if (w & (1 << b)) bytes[nbytes - 1 - ((bit + b) >> 3)] |= 1 << ((bit + b) & 7);
    }
    bit += 5;
  }
  let i = 0;
  while (i < nbytes && bytes[i] === 0) i++;
  return i === 0 ? bytes : bytes.slice(i);
}

/**
 * featureBytesToWords writes a byte vector as the minimal `9` field data. BOLT #11: "if `9`
 * contains non-zero bits: MUST use the minimum `data_length` possible to encode the non-zero
 * bits with no 0 field-elements at the start."
 */
export function featureBytesToWords(bytes: Uint8Array): Uint8Array {
  const bits = featureBits(bytes);
  if (bits.length === 0) return new Uint8Array(0);
  const top = bits[bits.length - 1];
  const n = Math.floor(top / 5) + 1;
  const words = new Uint8Array(n);
  for (const b of bits) words[n - 1 - Math.floor(b / 5)] |= 1 << (b % 5);
  return words;
}

/** featureBits lists the set bits of a big-endian feature vector, ascending. */
export function featureBits(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = bytes.length - 1; i >= 0; i--) {
    const v = bytes[i];
    if (v === 0) continue;
    for (let b = 0; b < 8; b++) if (v & (1 << b)) out.push((bytes.length - 1 - i) * 8 + b);
  }
  return out;
}

/** featuresFromBits builds a big-endian feature vector with the given bits set. */
export function featuresFromBits(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return new Uint8Array(0);
  for (const b of bits) if (!Number.isInteger(b) || b < 0 || b > 5114) throw new InvoiceError('9', `feature bit ${b} out of range`);
  const top = Math.max(...bits);
  const n = (top >> 3) + 1;
  const out = new Uint8Array(n);
  for (const b of bits) out[n - 1 - (b >> 3)] |= 1 << (b & 7);
  return out;
}

/** hasFeature reports whether bit `bit` is set. */
export function hasFeature(bytes: Uint8Array, bit: number): boolean {
  const i = bytes.length - 1 - (bit >> 3);
  return i >= 0 && (bytes[i] & (1 << (bit & 7))) !== 0;
}

/**
 * unknownRequiredBits returns the set even bits that are not in `known`.
 * BOLT #11: "if the `9` field contains unknown _even_ bits that are non-zero: MUST fail the
 * payment." (Unknown odd bits are ignored.)
 */
export function unknownRequiredBits(bytes: Uint8Array, known: readonly number[] = INVOICE_KNOWN_FEATURE_BITS): number[] {
  const out: number[] = [];
  for (const b of featureBits(bytes)) if (b % 2 === 0 && !known.includes(b)) out.push(b);
  return out;
}
