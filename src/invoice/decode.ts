/**
 * decodeInvoice: BOLT 11 string -> checked Invoice. The hot path is kept lean (one bech32
 * pass, one field pass, one SHA256, one public-key recovery) because every payment and every
 * `kite decode` goes through it.
 */
import { recoverPublicKey, sha256, verifyEcdsa, isLowS, isPublicKey } from '../crypto/index.ts';
import type { NodeId } from '../lib/index.ts';
import { decodeBech32 } from './bech32.ts';
import { InvoiceError } from './errors.ts';
import { INVOICE_KNOWN_FEATURE_BITS, unknownRequiredBits } from './features.ts';
import { readField, tagLetter } from './fields.ts';
import { parseHrp } from './hrp.ts';
import type { Fallback, Invoice, InvoiceNetwork, RouteHintHop, TaggedField } from './types.ts';

/** Words in the timestamp (35 bits). */
export const TIMESTAMP_WORDS = 7;
/** Words in the signature (520 bits: 64-byte R || S + 1-byte recovery id). */
export const SIGNATURE_WORDS = 104;
/** BOLT #11: "Default is 3600 (1 hour) if not specified." */
export const DEFAULT_EXPIRY_SECONDS = 3600;
/** BOLT #11: "Default is 18 if not specified." */
export const DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA = 18;

/** Options for decodeInvoice. */
export interface DecodeInvoiceOptions {
  /** When set, an invoice for another network is rejected. */
  network?: InvoiceNetwork;
  /** Even feature bits the caller understands (default INVOICE_KNOWN_FEATURE_BITS). */
  knownFeatureBits?: readonly number[];
}

/**
 * stripInvoicePrefix removes surrounding white space and a `lightning:` URI scheme.
 * BOLT #11: "use 'lightning:' as a prefix before the BOLT-11 encoding".
 */
export function stripInvoicePrefix(s: string): string {
  let t = s.trim();
  if (t.length >= 10 && t.slice(0, 10).toLowerCase() === 'lightning:') t = t.slice(10);
  return t;
}

/**
 * signingData is what the signature covers. BOLT #11: "the human-readable part (as UTF-8
 * bytes) concatenated with the data part (excluding the signature), with 0 bits appended to
 * pad to a byte boundary."
 */
export function signingData(hrp: string, words: Uint8Array, end: number): Uint8Array {
  const hl = hrp.length;
  const out = new Uint8Array(hl + Math.ceil((end * 5) / 8));
  for (let i = 0; i < hl; i++) out[i] = hrp.charCodeAt(i); // the hrp is printable ASCII (checked by bech32)
  let acc = 0;
  let bits = 0;
  let j = hl;
  for (let i = 0; i < end; i++) {
    acc = ((acc << 5) | words[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0) out[j] = (acc << (8 - bits)) & 0xff;
  return out;
}

/**
 * decodeInvoice parses and checks a BOLT 11 invoice: bech32 (any length, upper or lower
 * case, optional `lightning:` prefix), the human-readable part, every tagged field, and the
 * signature (verified against `n` when present, else by public-key recovery). It throws
 * InvoiceError, with a message naming what is wrong, and nothing else.
 */
export function decodeInvoice(input: string, opts: DecodeInvoiceOptions = {}): Invoice {
  if (typeof input !== 'string') throw new InvoiceError('input', 'invoice must be a string');
  const { hrp, words } = decodeBech32(stripInvoicePrefix(input));
  const { network, currency, amountMsat } = parseHrp(hrp);
  if (opts.network !== undefined && opts.network !== network) {
    throw new InvoiceError('network', `invoice is for ${network}, expected ${opts.network}`);
  }
  if (words.length < TIMESTAMP_WORDS + SIGNATURE_WORDS) {
    throw new InvoiceError('input', `invoice is too short: ${words.length} data words, need at least ${TIMESTAMP_WORDS + SIGNATURE_WORDS} for timestamp and signature`);
  }
  const sigStart = words.length - SIGNATURE_WORDS;
  let timestamp = 0;
  for (let i = 0; i < TIMESTAMP_WORDS; i++) timestamp = timestamp * 32 + words[i];

  const fields: TaggedField[] = [];
  let paymentHash: Uint8Array | undefined;
  let paymentSecret: Uint8Array | undefined;
  let description: string | undefined;
  let descriptionHash: Uint8Array | undefined;
  let expirySeconds: number | undefined;
  let minFinalCltvExpiryDelta: number | undefined;
  let payeeField: NodeId | undefined;
  let features: Uint8Array | undefined;
  let metadata: Uint8Array | undefined;
  const fallbacks: Fallback[] = [];
  const routeHints: RouteHintHop[][] = [];

  let pos = TIMESTAMP_WORDS;
  while (pos < sigStart) {
    if (pos + 3 > sigStart) throw new InvoiceError('tagged-field', 'truncated tagged field header');
    const type = words[pos];
    const len = words[pos + 1] * 32 + words[pos + 2];
    const start = pos + 3;
    if (start + len > sigStart) throw new InvoiceError('tagged-field', `tagged field ${JSON.stringify(tagLetter(type))} runs past the signature (data_length ${len})`);
    const f = readField(type, words, start, len);
    fields.push(f);
    // BOLT #11 (payer): "SHOULD use the first `p` field as the payment hash."; the first of
    // every other single-valued field is used likewise (most preferred first).
    switch (f.tag) {
      case 'p':
        paymentHash ??= f.paymentHash;
        break;
      case 's':
        paymentSecret ??= f.paymentSecret;
        break;
      case 'd':
        description ??= f.description;
        break;
      case 'h':
        descriptionHash ??= f.descriptionHash;
        break;
      case 'x':
        expirySeconds ??= f.expirySeconds;
        break;
      case 'c':
        minFinalCltvExpiryDelta ??= f.minFinalCltvExpiryDelta;
        break;
      case 'n':
        payeeField ??= f.payee;
        break;
      case '9':
        features ??= f.features;
        break;
      case 'm':
        metadata ??= f.metadata;
        break;
      case 'f':
        fallbacks.push(f.fallback);
        break;
      case 'r':
        routeHints.push(f.route);
        break;
      case 'raw':
        break;
    }
    pos = start + len;
  }

  if (paymentHash === undefined) throw new InvoiceError('p', 'missing required p field (payment_hash)');
  // BOLT #11: "if a valid `s` field is not provided: MUST fail the payment."
  if (paymentSecret === undefined) throw new InvoiceError('s', 'missing required s field (payment_secret)');
  // BOLT #11: "MUST fail the payment if neither a `d` field nor a `h` field is present, or if both are present."
  if (description === undefined && descriptionHash === undefined) throw new InvoiceError('d', 'neither a d field (description) nor an h field (description_hash) is present');
  if (description !== undefined && descriptionHash !== undefined) throw new InvoiceError('d', 'both a d field (description) and an h field (description_hash) are present');
  features ??= new Uint8Array(0);
  // BOLT #11: "if the `9` field contains unknown _even_ bits that are non-zero: MUST fail the payment."
  const unknownEven = unknownRequiredBits(features, opts.knownFeatureBits ?? INVOICE_KNOWN_FEATURE_BITS);
  if (unknownEven.length > 0) {
    throw new InvoiceError('9', `unknown required (even) feature bit${unknownEven.length > 1 ? 's' : ''} ${unknownEven.join(', ')}`);
  }

  const signature = new Uint8Array(65);
  {
    let acc = 0;
    let bits = 0;
    let j = 0;
    for (let i = sigStart; i < words.length; i++) {
      acc = ((acc << 5) | words[i]) & 0xfff;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        signature[j++] = (acc >> bits) & 0xff;
      }
    }
  }
  const recoveryId = signature[64];
  const sig64 = signature.subarray(0, 64);
  // BOLT #11: "followed by a trailing 1-byte recovery id in {0,1,2,3}."
  if (recoveryId > 3) throw new InvoiceError('signature', `signature recovery id ${recoveryId} is not in {0,1,2,3}`);
  const signingHash = sha256(signingData(hrp, words, sigStart));

  let payee: NodeId;
  if (payeeField !== undefined) {
    if (!isPublicKey(payeeField)) throw new InvoiceError('n', 'n field (payee) is not a valid secp256k1 public key');
    // BOLT #11: "if a valid `n` field is provided: MUST use the `n` field to validate the
    // signature instead of performing public-key recovery. If the signature is not
    // compliant with the low-S standard rule[...]: MUST fail the payment"
    if (!isLowS(sig64)) throw new InvoiceError('signature', 'signature is not in low-S form (required when an n field gives the payee)');
    if (!verifyEcdsa(sig64, signingHash, payeeField)) throw new InvoiceError('signature', 'signature does not verify against the n field (payee public key)');
    payee = payeeField;
  } else {
    // BOLT #11: "otherwise: MUST perform ECDSA public-key recovery and accept both high-S and low-S signatures."
    const rec = recoverPublicKey(sig64, recoveryId, signingHash);
    if (rec === null) throw new InvoiceError('signature', 'signature is not recoverable (no public key matches it)');
    payee = rec as NodeId;
  }

  return {
    network,
    hrp,
    currency,
    amountMsat,
    timestamp,
    fields,
    paymentHash,
    paymentSecret,
    description,
    descriptionHash,
    expirySeconds: expirySeconds ?? DEFAULT_EXPIRY_SECONDS,
    minFinalCltvExpiryDelta: minFinalCltvExpiryDelta ?? DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA,
    payee,
    payeeFromField: payeeField !== undefined,
    fallbacks,
    routeHints,
    features,
    metadata,
    signature: signature.slice(0, 64),
    recoveryId,
    signingHash,
  };
}

/**
 * isExpired reports whether the invoice's `timestamp` plus `expiry` has passed at `nowSeconds`.
 * BOLT #11 (payer): "after the `timestamp` plus `expiry` has passed: SHOULD NOT attempt a payment."
 */
export function isExpired(inv: Pick<Invoice, 'timestamp' | 'expirySeconds'>, nowSeconds: number): boolean {
  return nowSeconds > inv.timestamp + inv.expirySeconds;
}

/**
 * checkDescriptionHash reports whether `description` is the preimage of the invoice's `h`
 * field. BOLT #11: "MUST check that the SHA2 256-bit hash in the `h` field exactly matches
 * the hashed description." (The description arrives by means outside the invoice.)
 */
export function checkDescriptionHash(inv: Pick<Invoice, 'descriptionHash'>, description: string | Uint8Array): boolean {
  if (inv.descriptionHash === undefined) return false;
  const b = typeof description === 'string' ? new TextEncoder().encode(description) : description;
  const h = sha256(b);
  let d = 0;
  for (let i = 0; i < 32; i++) d |= h[i] ^ inv.descriptionHash[i];
  return d === 0;
}
