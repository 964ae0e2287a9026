/**
 * Paying through a blinded path (BOLT #4 "Route Blinding"): the recipient's aggregate fee
 * and CLTV figures for the whole path, and the sender's onion hops for the blinded part of
 * a route.
 */
import { msat } from '../lib/index.ts';
import type { Msat } from '../lib/index.ts';
import type { BlindedPath, PaymentRelay } from './blinding.ts';
import { encodeHopPayload } from './payload.ts';
import type { OnionHop } from './sphinx.ts';

/** The aggregate fees and CLTV delta of a blinded path, as a recipient advertises them. */
export interface BlindedPayInfo {
  feeBaseMsat: bigint;
  feeProportionalMillionths: bigint;
  cltvExpiryDelta: number;
}

/**
 * blindedPayInfo aggregates the payment_relay of each forwarding hop of a blinded path, in
 * path order (BOLT #4, the creator of `encrypted_recipient_data` "MUST compute the total
 * fees and CLTV delta of the route as follows"):
 * "`total_fee_base_msat(n+1) = (fee_base_msat(n+1) * 1000000 + total_fee_base_msat(n) *
 * (1000000 + fee_proportional_millionths(n+1)) + 1000000 - 1) / 1000000`",
 * "`total_fee_proportional_millionths(n+1) = ((total_fee_proportional_millionths(n) +
 * fee_proportional_millionths(n+1)) * 1000000 + total_fee_proportional_millionths(n) *
 * fee_proportional_millionths(n+1) + 1000000 - 1) / 1000000`" and "`total_cltv_delta =
 * cltv_delta(0) + cltv_delta(1) + ... + cltv_delta(n) + min_final_cltv_expiry_delta`".
 * The fee recurrence runs from the hop nearest the recipient outwards: each earlier hop is
 * paid on an amount that already includes the later hops' fees.
 */
export function blindedPayInfo(relays: PaymentRelay[], minFinalCltvExpiryDelta: number): BlindedPayInfo {
  const M = 1_000_000n;
  let base = 0n;
  let prop = 0n;
  let cltv = minFinalCltvExpiryDelta;
  for (let i = relays.length - 1; i >= 0; i--) {
    const b = BigInt(relays[i].feeBaseMsat);
    const p = BigInt(relays[i].feeProportionalMillionths);
    base = (b * M + base * (M + p) + M - 1n) / M;
    prop = ((prop + p) * M + prop * p + M - 1n) / M;
    cltv += relays[i].cltvExpiryDelta;
  }
  return { feeBaseMsat: base, feeProportionalMillionths: prop, cltvExpiryDelta: cltv };
}

/**
 * blindedPathFee is the fee a sender adds for an amount delivered through the path, with
 * BOLT #7's fee formula ("fee_base_msat + ( amount_to_forward * fee_proportional_millionths
 * / 1000000 )"); the aggregation above already rounded in the hops' favour.
 */
export function blindedPathFee(info: BlindedPayInfo, amountMsat: Msat): Msat {
  return msat(info.feeBaseMsat + (amountMsat * info.feeProportionalMillionths) / 1_000_000n);
}

/** What the sender tells the final node of a blinded path. */
export interface BlindedFinal {
  amtToForward: Msat;
  outgoingCltvValue: number;
  /** The total of all parts for a multi-part payment, else amtToForward. */
  totalAmountMsat: Msat;
}

/**
 * blindedPathHops turns a blinded path into the onion hops for its part of a route (BOLT #4,
 * the reader of the `blinded_path`, sending a payment): the introduction point gets an
 * unblinded hop ("SHOULD create an unblinded onion payment to `first_node_id`, and include
 * `first_path_key` as `current_path_key`"), every later hop is encrypted to its blinded id
 * ("MUST encrypt the onion to the corresponding `blinded_node_id`"), each carries its
 * `encrypted_recipient_data`, and the final one also "MUST include `amt_to_forward`,
 * `outgoing_cltv_value` and `total_amount_msat`". Prepend the hops that reach the
 * introduction point (whose last payload forwards to it by short_channel_id).
 * A path whose first_node_id is a sciddir must be resolved to a public key first.
 */
export function blindedPathHops(path: BlindedPath, final: BlindedFinal): OnionHop[] {
  if (path.firstNodeId.length !== 33) throw new RangeError('resolve the sciddir first_node_id to a node id first');
  const n = path.hops.length;
  return path.hops.map((h, i) => {
    const isFinal = i === n - 1;
    const payload = encodeHopPayload({
      encryptedRecipientData: h.encryptedRecipientData,
      currentPathKey: i === 0 ? path.firstPathKey : undefined,
      amtToForward: isFinal ? final.amtToForward : undefined,
      outgoingCltvValue: isFinal ? final.outgoingCltvValue : undefined,
      totalAmountMsat: isFinal ? final.totalAmountMsat : undefined,
    });
    return { pubkey: i === 0 ? path.firstNodeId : h.blindedNodeId, payload };
  });
}
