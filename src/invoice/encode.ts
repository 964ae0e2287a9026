/**
 * Building and signing BOLT 11 invoices: encodeInvoice writes a list of tagged fields as
 * given (so decode -> encode reproduces a string byte for byte), createInvoice assembles the
 * fields a receiving node needs from named options.
 */
import { getPublicKey, isPrivateKey, sha256, signRecoverable } from '../crypto/index.ts';
import { equalBytes, type Msat, type NodeId } from '../lib/index.ts';
import { encodeBech32 } from './bech32.ts';
import { decodeInvoice, signingData, SIGNATURE_WORDS, TIMESTAMP_WORDS } from './decode.ts';
import { InvoiceError } from './errors.ts';
import { addressToFallback } from './fallback-address.ts';
import { featuresFromBits, INVOICE_FEATURE } from './features.ts';
import { fieldWords, MAX_FIELD_WORDS } from './fields.ts';
import { encodeHrp } from './hrp.ts';
import type { Fallback, Invoice, InvoiceNetwork, InvoiceSigner, RouteHintHop, TaggedField, UnsignedInvoice } from './types.ts';

/** The largest timestamp that fits 35 bits. */
const MAX_TIMESTAMP = 2 ** 35 - 1;

/** unsignedWords lays out timestamp and tagged fields as data words (no signature). */
function unsignedWords(inv: UnsignedInvoice): Uint8Array {
  const ts = inv.timestamp;
  if (!Number.isInteger(ts) || ts < 0 || ts > MAX_TIMESTAMP) throw new InvoiceError('timestamp', `timestamp must be an integer in [0, 2^35), got ${ts}`);
  const parts: Uint8Array[] = [];
  let total = TIMESTAMP_WORDS;
  for (const f of inv.fields) {
    const { type, data } = fieldWords(f);
    if (data.length > MAX_FIELD_WORDS) throw new InvoiceError(f.tag === 'raw' ? 'tagged-field' : f.tag, `${f.tag} field is too long (${data.length} words, at most ${MAX_FIELD_WORDS})`);
    const part = new Uint8Array(3 + data.length);
    part[0] = type;
    part[1] = data.length >> 5;
    part[2] = data.length & 31;
    part.set(data, 3);
    parts.push(part);
    total += part.length;
  }
  const out = new Uint8Array(total);
  for (let i = 0; i < TIMESTAMP_WORDS; i++) out[i] = Math.floor(ts / 32 ** (TIMESTAMP_WORDS - 1 - i)) % 32;
  let o = TIMESTAMP_WORDS;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * invoiceSigningHash is the digest an invoice's signature covers: SHA256 of the hrp bytes and
 * the zero-padded data part without the signature (BOLT #11 "Data Part").
 */
export function invoiceSigningHash(inv: UnsignedInvoice): Uint8Array {
  const hrp = encodeHrp(inv.network, inv.amountMsat);
  const words = unsignedWords(inv);
  return sha256(signingData(hrp, words, words.length));
}

/**
 * encodeInvoice writes and signs an invoice with exactly the given fields, in order.
 * `signer` is a private key or a function returning a recoverable signature of the digest.
 * BOLT #11: "MUST set `signature` to a valid compact ECDSA signature over secp256k1 of the
 * SHA-256 hash of: the human-readable part (as UTF-8 bytes) concatenated with the data part
 * (excluding the signature), with 0 bits appended to pad to a byte boundary."
 */
export function encodeInvoice(inv: UnsignedInvoice, signer: InvoiceSigner | Uint8Array): string {
  const hrp = encodeHrp(inv.network, inv.amountMsat);
  const words = unsignedWords(inv);
  const digest = sha256(signingData(hrp, words, words.length));
  let sig: { sig: Uint8Array; recid: number };
  if (signer instanceof Uint8Array) {
    if (!isPrivateKey(signer)) throw new InvoiceError('signature', 'node secret is not a valid secp256k1 private key');
    sig = signRecoverable(digest, signer);
  } else {
    sig = signer(digest);
  }
  if (sig.sig.length !== 64 || !Number.isInteger(sig.recid) || sig.recid < 0 || sig.recid > 3) {
    throw new InvoiceError('signature', 'signer must return a 64-byte signature and a recovery id in {0,1,2,3}');
  }
  const sigBytes = new Uint8Array(65);
  sigBytes.set(sig.sig);
  sigBytes[64] = sig.recid;
  const all = new Uint8Array(words.length + SIGNATURE_WORDS);
  all.set(words);
  // 65 bytes = 520 bits = exactly 104 words.
  let acc = 0;
  let bits = 0;
  let j = words.length;
  for (const b of sigBytes) {
    acc = ((acc << 8) | b) & 0x1fff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      all[j++] = (acc >> bits) & 31;
    }
  }
  return encodeBech32(hrp, all);
}

/** Options for createInvoice. */
export interface CreateInvoiceOptions {
  network: InvoiceNetwork;
  /** Omit for "any amount" (donations). */
  amountMsat?: Msat;
  /** The payment hash, or give `preimage` and it is hashed. */
  paymentHash?: Uint8Array;
  preimage?: Uint8Array;
  paymentSecret: Uint8Array;
  description?: string;
  descriptionHash?: Uint8Array;
  /** Default: no `x` field (readers use 3600). */
  expirySeconds?: number;
  /** Default 18; always written, as BOLT #11 says a writer "SHOULD include one `c` field". */
  minFinalCltvExpiryDelta?: number;
  /** Route hints, one per `r` field, each a list of hops from a public node to us. */
  routeHints?: RouteHintHop[][];
  /**
   * Feature bits (numbers) or a big-endian feature vector. Default: var_onion_optin and
   * payment_secret required, basic_mpp optional, plus option_payment_metadata optional when
   * `metadata` is given.
   */
  features?: readonly number[] | Uint8Array;
  /** Fallback addresses (strings of `network`, or version + program). */
  fallbacks?: ReadonlyArray<string | Fallback>;
  metadata?: Uint8Array;
  /** Creation time in seconds since 1970 (injected: protocol code reads no clock). */
  timestamp: number;
  /** The node's private key, or a signer for it. */
  nodeSecret: Uint8Array | InvoiceSigner;
  /** Write an `n` field (lets payers skip public-key recovery). Needs the payee key when nodeSecret is a signer. */
  includePayee?: boolean | NodeId;
}

/**
 * defaultInvoiceFeatures is what Kite puts in `9` by default: BOLT 9 marks var_onion_optin
 * and payment_secret ASSUMED (set as required), basic_mpp optional.
 */
export function defaultInvoiceFeatures(withMetadata: boolean): Uint8Array {
  const bits: number[] = [INVOICE_FEATURE.varOnionOptin, INVOICE_FEATURE.paymentSecret, INVOICE_FEATURE.basicMpp + 1];
  if (withMetadata) bits.push(INVOICE_FEATURE.paymentMetadata + 1);
  return featuresFromBits(bits);
}

/**
 * createInvoice builds, signs and re-decodes a new invoice. Fields are written in a fixed
 * order: p, s, d|h, x, c, n, f..., r..., 9, m.
 * BOLT #11: "MUST include exactly one `p` field.", "MUST include exactly one `s` field.",
 * "MUST include either exactly one `d` or exactly one `h` field."
 */
export function createInvoice(opts: CreateInvoiceOptions): { bolt11: string; invoice: Invoice } {
  let paymentHash = opts.paymentHash;
  if (opts.preimage !== undefined) {
    if (opts.preimage.length !== 32) throw new InvoiceError('p', 'preimage must be 32 bytes');
    const h = sha256(opts.preimage);
    // BOLT #11: "MUST set `payment_hash` to the SHA2 256-bit hash of the `payment_preimage`"
    if (paymentHash !== undefined && !equalBytes(paymentHash, h)) throw new InvoiceError('p', 'payment_hash is not the SHA256 of preimage');
    paymentHash = h;
  }
  if (paymentHash === undefined) throw new InvoiceError('p', 'give paymentHash or preimage');
  if (paymentHash.length !== 32) throw new InvoiceError('p', 'payment_hash must be 32 bytes');
  if (!(opts.paymentSecret instanceof Uint8Array) || opts.paymentSecret.length !== 32) throw new InvoiceError('s', 'payment_secret must be 32 bytes');
  if ((opts.description === undefined) === (opts.descriptionHash === undefined)) {
    throw new InvoiceError('d', 'give exactly one of description and descriptionHash');
  }
  if (opts.amountMsat !== undefined && opts.amountMsat <= 0n) throw new InvoiceError('amount', 'amount must be positive');

  const fields: TaggedField[] = [
    { tag: 'p', paymentHash },
    { tag: 's', paymentSecret: opts.paymentSecret },
  ];
  if (opts.description !== undefined) fields.push({ tag: 'd', description: opts.description });
  else fields.push({ tag: 'h', descriptionHash: opts.descriptionHash as Uint8Array });
  if (opts.expirySeconds !== undefined) fields.push({ tag: 'x', expirySeconds: opts.expirySeconds });
  fields.push({ tag: 'c', minFinalCltvExpiryDelta: opts.minFinalCltvExpiryDelta ?? 18 });
  if (opts.includePayee) {
    let payee: Uint8Array;
    if (opts.includePayee instanceof Uint8Array) payee = opts.includePayee;
    else if (opts.nodeSecret instanceof Uint8Array) payee = getPublicKey(opts.nodeSecret);
    else throw new InvoiceError('n', 'includePayee needs the payee public key when nodeSecret is a signer');
    fields.push({ tag: 'n', payee: payee as NodeId });
  }
  for (const fb of opts.fallbacks ?? []) {
    fields.push({ tag: 'f', fallback: typeof fb === 'string' ? addressToFallback(fb, opts.network) : fb });
  }
  for (const route of opts.routeHints ?? []) fields.push({ tag: 'r', route });
  const features =
    opts.features === undefined
      ? defaultInvoiceFeatures(opts.metadata !== undefined)
      : opts.features instanceof Uint8Array
        ? opts.features
        : featuresFromBits(opts.features);
  // BOLT #11: "otherwise: MUST omit the `9` field altogether."
  if (features.some((b) => b !== 0)) fields.push({ tag: '9', features });
  if (opts.metadata !== undefined) fields.push({ tag: 'm', metadata: opts.metadata });

  const unsigned: UnsignedInvoice = { network: opts.network, amountMsat: opts.amountMsat, timestamp: opts.timestamp, fields };
  const bolt11 = encodeInvoice(unsigned, opts.nodeSecret);
  const invoice = decodeInvoice(bolt11, { network: opts.network, knownFeatureBits: knownBitsOf(features) });
  return { bolt11, invoice };
}

/** The writer knows its own features: accept all of its even bits when re-decoding. */
function knownBitsOf(features: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < features.length; i++) {
    const v = features[features.length - 1 - i];
    for (let b = 0; b < 8; b += 2) if (v & (1 << b)) out.push(i * 8 + b);
  }
  return out;
}
