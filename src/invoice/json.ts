/**
 * invoiceToJson: the `kite decode` view of an invoice, with Core Lightning's field names
 * (snake_case, hex for bytes, `_msat` suffixes) so scripts written for `lightning-cli decode`
 * read it unchanged.
 */
import { signatureToDer } from '../crypto/index.ts';
import { formatScid, toHex } from '../lib/index.ts';
import { wordsToString } from './bech32.ts';
import { fallbackScriptPubKey, fallbackToAddress, fallbackType } from './fallback-address.ts';
import { tagLetter } from './fields.ts';
import type { Invoice } from './types.ts';

/** One route hint hop as JSON. */
export interface RouteHintHopJson {
  pubkey: string;
  short_channel_id: string;
  fee_base_msat: number;
  fee_proportional_millionths: number;
  cltv_expiry_delta: number;
}

/** The JSON form of a decoded invoice. */
export interface InvoiceJson {
  type: 'bolt11 invoice';
  currency: string;
  network: string;
  created_at: number;
  expiry: number;
  payee: string;
  amount_msat?: number | string;
  description?: string;
  description_hash?: string;
  min_final_cltv_expiry: number;
  payment_secret: string;
  features: string;
  routes?: RouteHintHopJson[][];
  fallbacks?: { type: string; addr: string; hex: string }[];
  payment_metadata?: string;
  /** Fields Kite did not interpret: unknown types and skipped ones, data in bech32 characters. */
  extra?: { tag: string; data: string; reason: string }[];
  payment_hash: string;
  /** DER-encoded signature, as Core Lightning shows it (the recovery id is separate). */
  signature: string;
  recovery_id: number;
  valid: true;
}

const bigToJson = (v: bigint): number | string => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

/**
 * invoiceToJson renders a decoded invoice for people and scripts: CLN-style names, hex bytes,
 * the signature DER-encoded (as CLN's `decode`), unknown fields listed under `extra`.
 */
export function invoiceToJson(inv: Invoice): InvoiceJson {
  const out: InvoiceJson = {
    type: 'bolt11 invoice',
    currency: inv.currency,
    network: inv.network,
    created_at: inv.timestamp,
    expiry: inv.expirySeconds,
    payee: toHex(inv.payee),
    min_final_cltv_expiry: inv.minFinalCltvExpiryDelta,
    payment_secret: toHex(inv.paymentSecret),
    features: toHex(inv.features),
    payment_hash: toHex(inv.paymentHash),
    signature: toHex(signatureToDer(inv.signature)),
    recovery_id: inv.recoveryId,
    valid: true,
  };
  if (inv.amountMsat !== undefined) out.amount_msat = bigToJson(inv.amountMsat);
  if (inv.description !== undefined) out.description = inv.description;
  if (inv.descriptionHash !== undefined) out.description_hash = toHex(inv.descriptionHash);
  if (inv.routeHints.length > 0) {
    out.routes = inv.routeHints.map((r) =>
      r.map((h) => ({
        pubkey: toHex(h.pubkey),
        short_channel_id: formatScid(h.shortChannelId),
        fee_base_msat: Number(h.feeBaseMsat),
        fee_proportional_millionths: h.feeProportionalMillionths,
        cltv_expiry_delta: h.cltvExpiryDelta,
      })),
    );
  }
  if (inv.fallbacks.length > 0) {
    out.fallbacks = inv.fallbacks.map((f) => ({ type: fallbackType(f), addr: fallbackToAddress(f, inv.network), hex: toHex(fallbackScriptPubKey(f)) }));
  }
  if (inv.metadata !== undefined) out.payment_metadata = toHex(inv.metadata);
  const extra = inv.fields.flatMap((f) => (f.tag === 'raw' ? [{ tag: tagLetter(f.type), data: wordsToString(f.words), reason: f.reason }] : []));
  if (extra.length > 0) out.extra = extra;
  // Key order: keep `valid` last, as CLN does.
  const { valid, ...rest } = out;
  return { ...rest, valid } as InvoiceJson;
}
