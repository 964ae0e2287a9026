/**
 * Signature and public-key encoding rules of the script interpreter: BIP66 strict DER, the
 * lax DER parser consensus falls back on (Core's ecdsa_signature_parse_der_lax), low-S,
 * defined hash types and public-key shapes (STRICTENC, WITNESS_PUBKEYTYPE).
 */
import { bigIntToBytes } from '../lib/bytes.ts';
import { CURVE_ORDER } from '../crypto/index.ts';
import { SIGHASH_ANYONECANPAY, SIGHASH_ALL, SIGHASH_SINGLE } from './sighash-flags.ts';

/**
 * isValidSignatureEncoding is BIP66's IsValidSignatureEncoding: a strict DER signature
 * followed by one hash-type byte. BIP66: "Format: 0x30 [total-length] 0x02 [R-length] [R]
 * 0x02 [S-length] [S] [sighash]".
 */
export function isValidSignatureEncoding(sig: Uint8Array): boolean {
  const n = sig.length;
  if (n < 9 || n > 73) return false;
  if (sig[0] !== 0x30) return false;
  if (sig[1] !== n - 3) return false;
  const lenR = sig[3];
  if (5 + lenR >= n) return false;
  const lenS = sig[5 + lenR];
  if (lenR + lenS + 7 !== n) return false;
  if (sig[2] !== 0x02) return false;
  if (lenR === 0) return false;
  if (sig[4] & 0x80) return false; // negative R
  if (lenR > 1 && sig[4] === 0x00 && !(sig[5] & 0x80)) return false; // excess padding
  if (sig[lenR + 4] !== 0x02) return false;
  if (lenS === 0) return false;
  if (sig[lenR + 6] & 0x80) return false;
  if (lenS > 1 && sig[lenR + 6] === 0x00 && !(sig[lenR + 7] & 0x80)) return false;
  return true;
}

const ZERO64 = new Uint8Array(64);

/**
 * parseDerLax parses a DER-ish signature (no hash-type byte) the permissive way consensus has
 * always accepted (Core's ecdsa_signature_parse_der_lax). Returns null when even the lax
 * parser rejects it; returns an all-zero (never valid) signature when R or S overflows.
 */
export function parseDerLax(input: Uint8Array): Uint8Array | null {
  const len = input.length;
  let pos = 0;
  if (pos === len || input[pos] !== 0x30) return null;
  pos++;
  if (pos === len) return null;
  let lenbyte = input[pos++];
  if (lenbyte & 0x80) {
    lenbyte -= 0x80;
    if (lenbyte > len - pos) return null;
    pos += lenbyte;
  }
  const readInt = (): [number, number] | null => {
    if (pos === len || input[pos] !== 0x02) return null;
    pos++;
    if (pos === len) return null;
    let lb = input[pos++];
    let ilen: number;
    if (lb & 0x80) {
      lb -= 0x80;
      if (lb > len - pos) return null;
      while (lb > 0 && input[pos] === 0) {
        pos++;
        lb--;
      }
      if (lb >= 4) return null;
      ilen = 0;
      while (lb > 0) {
        ilen = ilen * 256 + input[pos];
        pos++;
        lb--;
      }
    } else ilen = lb;
    if (ilen > len - pos) return null;
    const start = pos;
    pos += ilen;
    return [start, ilen];
  };
  const r = readInt();
  if (!r) return null;
  const s = readInt();
  if (!s) return null;
  const out = new Uint8Array(64);
  let overflow = false;
  for (const [k, [p0, l0]] of [r, s].entries()) {
    let p = p0;
    let l = l0;
    while (l > 0 && input[p] === 0) {
      l--;
      p++;
    }
    if (l > 32) overflow = true;
    else out.set(input.subarray(p, p + l), 32 * k + 32 - l);
  }
  if (!overflow) {
    // secp256k1_ecdsa_signature_parse_compact fails when R or S is not below the order.
    if (!below(out.subarray(0, 32), ORDER_BYTES) || !below(out.subarray(32), ORDER_BYTES)) overflow = true;
  }
  return overflow ? ZERO64 : out;
}

/** below compares two 32-byte big-endian numbers: a < b. */
function below(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

const toBytes32 = (v: bigint): Uint8Array => bigIntToBytes(v, 32);

const ORDER_BYTES = toBytes32(CURVE_ORDER);
const HALF_ORDER_PLUS_ONE = toBytes32((CURVE_ORDER >> 1n) + 1n);

/**
 * isLowDerSignature: the signature (with hash type byte) parses laxly and its S is at most
 * n/2 (BIP62 rule 5, Core's CPubKey::CheckLowS). Assumes the strict encoding was checked.
 */
export function isLowDerSignature(sigWithHashType: Uint8Array): boolean {
  const compact = parseDerLax(sigWithHashType.subarray(0, sigWithHashType.length - 1));
  if (!compact) return false;
  return below(compact.subarray(32), HALF_ORDER_PLUS_ONE);
}

/** isDefinedHashtypeSignature: the last byte, without ANYONECANPAY, is ALL, NONE or SINGLE. */
export function isDefinedHashtypeSignature(sig: Uint8Array): boolean {
  if (sig.length === 0) return false;
  const t = sig[sig.length - 1] & ~SIGHASH_ANYONECANPAY;
  return t >= SIGHASH_ALL && t <= SIGHASH_SINGLE;
}

/** isCompressedOrUncompressedPubKey: 33 bytes starting 02/03, or 65 bytes starting 04. */
export function isCompressedOrUncompressedPubKey(pub: Uint8Array): boolean {
  if (pub.length < 33) return false;
  if (pub[0] === 0x04) return pub.length === 65;
  if (pub[0] === 0x02 || pub[0] === 0x03) return pub.length === 33;
  return false;
}

/** isCompressedPubKey: 33 bytes starting 02 or 03 (BIP143 WITNESS_PUBKEYTYPE). */
export function isCompressedPubKey(pub: Uint8Array): boolean {
  return pub.length === 33 && (pub[0] === 0x02 || pub[0] === 0x03);
}

/**
 * normalizePubKeyForVerify returns a key the crypto facade accepts, or null when Core's
 * CPubKey would be invalid: lengths must match the prefix (33 for 02/03, 65 for 04/06/07)
 * and hybrid keys (06/07) must carry the parity of their Y coordinate, as libsecp256k1's
 * secp256k1_ec_pubkey_parse checks.
 */
export function normalizePubKeyForVerify(pub: Uint8Array): Uint8Array | null {
  if (pub.length === 0) return null;
  const h = pub[0];
  if (h === 0x02 || h === 0x03) return pub.length === 33 ? pub : null;
  if (h === 0x04) return pub.length === 65 ? pub : null;
  if (h === 0x06 || h === 0x07) {
    if (pub.length !== 65) return null;
    if ((pub[64] & 1) !== (h & 1)) return null;
    const out = Uint8Array.from(pub);
    out[0] = 0x04;
    return out;
  }
  return null;
}
