/**
 * The receiving side's final-hop checks (BOLT #4 "Failure Messages" and "Basic Multi-Part
 * Payments"): pure functions that decide, for an HTLC that reached us, whether to hold it
 * (part of an incomplete multi-part set), settle the set with the preimage, or fail with
 * the spec's failure. Every reason to refuse a payment we could have been asked for gives
 * the same `incorrect_or_unknown_payment_details`, so probing learns nothing more.
 */
import type { FailureMessage } from '../onion/index.ts';
import { equalBytes } from '../lib/bytes.ts';
import type { Msat } from '../lib/units.ts';
import type { InvoiceRecord } from './invoice-book.ts';

/** An incoming HTLC at the final hop, with what its onion payload said. */
export interface FinalHtlc {
  /** Channel and HTLC id, to answer it later. */
  key: string;
  paymentHash: Uint8Array;
  amountMsat: Msat;
  cltvExpiry: number;
  /** From the final payload. */
  amtToForward: Msat;
  outgoingCltvValue: number;
  paymentSecret?: Uint8Array;
  totalMsat?: Msat;
  /** When it arrived (seconds), for the MPP timeout. */
  arrivedAt: number;
}

export type ReceiveDecision =
  | { action: 'hold' }
  | { action: 'settle'; preimage: Uint8Array; htlcs: FinalHtlc[]; amountMsat: Msat }
  | { action: 'fail'; htlcs: FinalHtlc[]; failure: FailureMessage };

/** MPP_TIMEOUT_SECONDS: BOLT #4 "SHOULD wait for at least 60 seconds after the initial HTLC". */
export const MPP_TIMEOUT_SECONDS = 60;

function unknown(h: FinalHtlc, height: number): ReceiveDecision {
  return { action: 'fail', htlcs: [h], failure: { name: 'incorrect_or_unknown_payment_details', htlcMsat: h.amountMsat, height } };
}

/**
 * checkFinalHtlc applies the per-HTLC rules; `set` holds the HTLCs already accepted (held)
 * for the same payment hash. It returns what to do with this HTLC (and the set).
 */
export function checkFinalHtlc(h: FinalHtlc, invoice: InvoiceRecord | null, set: FinalHtlc[], height: number, now: number): ReceiveDecision {
  // BOLT #4: "incoming amount_msat < amt_to_forward" → final_incorrect_htlc_amount.
  if (h.amountMsat < h.amtToForward) return { action: 'fail', htlcs: [h], failure: { name: 'final_incorrect_htlc_amount', incomingHtlcAmt: h.amountMsat } };
  // BOLT #4: "if the cltv_expiry from the final node's HTLC is below outgoing_cltv_value:
  // MUST return final_incorrect_cltv_expiry error."
  if (h.cltvExpiry < h.outgoingCltvValue) return { action: 'fail', htlcs: [h], failure: { name: 'final_incorrect_cltv_expiry', cltvExpiry: h.cltvExpiry } };
  // BOLT #4: "if the payment hash is unknown: MUST fail the HTLC. MUST return an
  // incorrect_or_unknown_payment_details error." An expired or paid invoice is treated as
  // unknown ("if the payment hash has already been paid: MAY treat the payment hash as unknown").
  if (!invoice || invoice.status !== 'unpaid' || now > invoice.expiresAt) return unknown(h, height);
  // BOLT #4: "if the payment_secret doesn't match the expected value for that payment_hash,
  // or the payment_secret is required and is not present: MUST fail the HTLC."
  if (!h.paymentSecret || !equalBytes(h.paymentSecret, invoice.paymentSecret)) return unknown(h, height);
  // BOLT #4: "if the cltv_expiry value is unreasonably near the present: MUST fail the HTLC."
  if (h.cltvExpiry < height + invoice.minFinalCltvExpiry) return unknown(h, height);
  // BOLT #4: "MUST treat total_msat as if it were equal to amt_to_forward if it is not present."
  const total = h.totalMsat ?? h.amtToForward;
  if (invoice.amountMsat !== null) {
    // "if the amount paid is less than the amount expected: MUST fail" / "more than twice
    // the amount expected: SHOULD fail" — "amount paid" is total_msat.
    if (total < invoice.amountMsat || total > invoice.amountMsat * 2n) return unknown(h, height);
  }
  // BOLT #4: "SHOULD fail the entire HTLC set if total_msat is not the same for all HTLCs in the set."
  if (set.some((s) => (s.totalMsat ?? s.amtToForward) !== total)) return unknown(h, height);
  const all = [...set, h];
  const sum = all.reduce((a, s) => a + s.amtToForward, 0n) as Msat;
  // "if the total amt_to_forward of this HTLC set is equal to or greater than total_msat:
  // SHOULD fulfill all HTLCs in the HTLC set"
  if (sum >= total) return { action: 'settle', preimage: invoice.preimage, htlcs: all, amountMsat: sum };
  return { action: 'hold' };
}

/**
 * expireHeldSets fails every incomplete set whose first HTLC is older than the MPP timeout
 * (BOLT #4: "MUST fail all HTLCs in the HTLC set after some reasonable timeout ... SHOULD use
 * mpp_timeout for the failure message").
 */
export function expireHeldSets(sets: Map<string, FinalHtlc[]>, now: number, timeout = MPP_TIMEOUT_SECONDS): ReceiveDecision[] {
  const out: ReceiveDecision[] = [];
  for (const [hash, set] of sets) {
    if (set.length === 0) continue;
    const first = Math.min(...set.map((s) => s.arrivedAt));
    if (now - first >= timeout) {
      out.push({ action: 'fail', htlcs: set, failure: { name: 'mpp_timeout' } });
      sets.delete(hash);
    }
  }
  return out;
}
