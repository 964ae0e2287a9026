/**
 * The BOLT 11 invoice model. A decoded invoice keeps every tagged field in its original order
 * (`fields`), including unknown and skipped ones, so re-encoding reproduces the string byte
 * for byte; the convenience properties (`paymentHash`, `description`, ...) are the values a
 * payer acts on, with the spec's defaults applied.
 */
import type { Msat, NodeId, ShortChannelId } from '../lib/index.ts';

/** Networks with a BOLT 11 currency prefix. */
export type InvoiceNetwork = 'bitcoin' | 'testnet' | 'signet' | 'regtest' | 'simnet';

/**
 * A fallback on-chain address (`f` field): `version` 0-16 is a segwit witness version with
 * its program, 17 is P2PKH (program = 20-byte public key hash), 18 is P2SH (20-byte script hash).
 */
export interface Fallback {
  version: number;
  program: Uint8Array;
}

/** One hop of a route hint (`r` field entry), BOLT #11 "Tagged Fields". */
export interface RouteHintHop {
  /** Node id of the start of the channel. */
  pubkey: NodeId;
  shortChannelId: ShortChannelId;
  feeBaseMsat: Msat;
  feeProportionalMillionths: number;
  cltvExpiryDelta: number;
}

/**
 * A tagged field, in the order it appears. `raw` holds a field Kite does not interpret: an
 * unknown type, or a known type the reader must skip (a `p`, `h`, `s` or `n` of the wrong
 * length, an `f` with an unknown version); `reason` says which.
 */
export type TaggedField =
  | { tag: 'p'; paymentHash: Uint8Array }
  | { tag: 's'; paymentSecret: Uint8Array }
  | { tag: 'd'; description: string }
  | { tag: 'h'; descriptionHash: Uint8Array }
  | { tag: 'x'; expirySeconds: number }
  | { tag: 'c'; minFinalCltvExpiryDelta: number }
  | { tag: 'n'; payee: NodeId }
  | { tag: 'f'; fallback: Fallback }
  | { tag: 'r'; route: RouteHintHop[] }
  | { tag: '9'; features: Uint8Array }
  | { tag: 'm'; metadata: Uint8Array }
  | { tag: 'raw'; type: number; words: Uint8Array; reason: 'unknown-type' | 'wrong-length' | 'unknown-version' };

/** What is needed to encode an invoice before it is signed. */
export interface UnsignedInvoice {
  network: InvoiceNetwork;
  amountMsat?: Msat;
  /** Seconds since 1970-01-01 UTC (35 bits). */
  timestamp: number;
  fields: TaggedField[];
}

/** A decoded and signature-checked invoice. */
export interface Invoice extends UnsignedInvoice {
  /** The human-readable part as written (lower case), e.g. `lnbc2500u`. */
  hrp: string;
  /** The BIP-173 currency prefix without `ln`, e.g. `bc` (Core Lightning's `currency`). */
  currency: string;
  paymentHash: Uint8Array;
  paymentSecret: Uint8Array;
  description?: string;
  descriptionHash?: Uint8Array;
  /** `x`, or the default 3600. */
  expirySeconds: number;
  /** `c`, or the default 18. */
  minFinalCltvExpiryDelta: number;
  /** The payee: the `n` field when present (signature verified against it), else recovered. */
  payee: NodeId;
  /** True when `payee` came from an `n` field rather than public-key recovery. */
  payeeFromField: boolean;
  /** Fallback addresses Kite understands, most preferred first. */
  fallbacks: Fallback[];
  /** Route hints: one entry per `r` field, each an ordered list of hops. */
  routeHints: RouteHintHop[][];
  /** The `9` feature vector as big-endian bytes (BOLT 9 layout), empty when absent. */
  features: Uint8Array;
  metadata?: Uint8Array;
  /** 64-byte compact signature (r || s) as written; may be high-S when recovered. */
  signature: Uint8Array;
  recoveryId: number;
  /** SHA256(hrp || data part without signature, zero-padded): the signed digest. */
  signingHash: Uint8Array;
}

/** Produces a recoverable signature of a 32-byte digest (e.g. a node's key manager). */
export type InvoiceSigner = (digest32: Uint8Array) => { sig: Uint8Array; recid: number };
