/**
 * processIncomingOnion: everything BOLT #4 asks of a node that receives an HTLC's onion,
 * up to the point where channel policy (fees, CLTV deltas, liquidity) or invoice data
 * (payment_secret, amounts expected) take over. It peels the onion, checks replay,
 * validates the hop payload, reads encrypted_recipient_data inside blinded paths, and maps
 * every failure to the message BOLT #2/#4 say to send back.
 */
import { sha256 } from '../crypto/index.ts';
import type { Msat, ShortChannelId } from '../lib/index.ts';
import { checkBlindedForward, checkConstraints, decryptRecipientData } from './blinding.ts';
import type { EncryptedData } from './blinding.ts';
import { FAILURE_CODES } from './failure.ts';
import type { FailureMessage } from './failure.ts';
import { decodeHopPayload, validateHopPayload } from './payload.ts';
import type { HopPayload } from './payload.ts';
import { checkReplay } from './replay.ts';
import type { ReplayStore } from './replay.ts';
import { peelOnion } from './sphinx.ts';

/** The fields of an incoming update_add_htlc that onion processing needs. */
export interface IncomingHtlc {
  onionRoutingPacket: Uint8Array;
  paymentHash: Uint8Array;
  amountMsat: Msat;
  cltvExpiry: number;
  /** update_add_htlc's `path_key` TLV, when this node is inside a blinded path. */
  pathKey?: Uint8Array;
}

/** Forward the HTLC: the outgoing HTLC's parameters and onion. */
export interface ForwardAction {
  kind: 'forward';
  nextPacket: Uint8Array;
  /** Where to: a short_channel_id, or (blinded paths only) a next node id. */
  shortChannelId?: ShortChannelId;
  nextNodeId?: Uint8Array;
  amtToForward: Msat;
  outgoingCltvValue: number;
  /** The path_key to put in the outgoing update_add_htlc (blinded paths). */
  nextPathKey?: Uint8Array;
  /** Set inside a blinded path: every later failure must be invalid_onion_blinding (see blindedFailure). */
  blinding?: 'introduction' | 'inner';
  sharedSecret: Uint8Array;
  payload: HopPayload;
  recipientData?: EncryptedData;
}

/** This node is the final recipient: the payments layer checks the invoice next. */
export interface ReceiveAction {
  kind: 'receive';
  amtToForward: Msat;
  outgoingCltvValue: number;
  totalMsat: Msat;
  paymentSecret?: Uint8Array;
  paymentMetadata?: Uint8Array;
  /** For blinded receives: the recipient's own data (check `pathId`). */
  recipientData?: EncryptedData;
  blinding?: 'introduction' | 'inner';
  sharedSecret: Uint8Array;
  payload: HopPayload;
}

/** Fail with update_fail_malformed_htlc (BOLT #2). */
export interface FailMalformedAction {
  kind: 'fail-malformed';
  failureCode: number;
  sha256OfOnion: Uint8Array;
  reason: string;
}

/** Fail with update_fail_htlc: encrypt `failure` with createErrorPacket(sharedSecret, failure). */
export interface FailAction {
  kind: 'fail';
  failure: FailureMessage;
  sharedSecret: Uint8Array;
  reason: string;
}

/** The onion was seen before (BOLT #4: "if `hmac` has previously been received"). */
export interface ReplayAction {
  kind: 'replay';
  /** BOLT #4: "if the preimage is known: MAY immediately redeem the HTLC using the preimage. otherwise: MUST abort processing the packet and fail." */
  sharedSecret: Uint8Array;
}

/** What to do with an incoming HTLC. */
export type IncomingAction = ForwardAction | ReceiveAction | FailMalformedAction | FailAction | ReplayAction;

/** Options of processIncomingOnion. */
export interface IncomingOptions {
  /** Processed-onion store; omit to skip replay protection (tests, simulations). */
  replay?: ReplayStore;
}

/**
 * blindedFailure is the failure a node inside a blinded path returns for any local or
 * downstream error (BOLT #2, when failing an incoming HTLC): "If `current_path_key` is set
 * in the onion payload and it is not the final node: MUST send an `update_fail_htlc` error
 * using the `invalid_onion_blinding` failure code for any local or downstream errors" and
 * "If `path_key` is set in the incoming `update_add_htlc`: MUST send an
 * `update_fail_malformed_htlc` error using the `invalid_onion_blinding` failure code".
 */
export function blindedFailure(blinding: 'introduction' | 'inner', sha256OfOnion: Uint8Array, sharedSecret: Uint8Array, reason: string): FailAction | FailMalformedAction {
  if (blinding === 'inner') return { kind: 'fail-malformed', failureCode: FAILURE_CODES.invalid_onion_blinding, sha256OfOnion, reason };
  return { kind: 'fail', failure: { name: 'invalid_onion_blinding', sha256OfOnion }, sharedSecret, reason };
}

/**
 * processIncomingOnion decides what to do with an incoming HTLC from its onion alone
 * (BOLT #4 "Onion Decryption", the payload "Requirements", "Route Blinding" and
 * "Failure Messages"). It does not apply channel policy (fee_insufficient,
 * incorrect_cltv_expiry, unknown_next_peer, ...) or invoice checks
 * (incorrect_or_unknown_payment_details): those belong to the forwarding and payments
 * layers, which call blindedFailure when `blinding` is set.
 */
export function processIncomingOnion(htlc: IncomingHtlc, nodeSecret: Uint8Array, opts: IncomingOptions = {}): IncomingAction {
  const peeled = peelOnion(htlc.onionRoutingPacket, nodeSecret, htlc.paymentHash, { pathKey: htlc.pathKey });
  if (!peeled.ok) {
    if (peeled.name === 'invalid_onion_payload' && peeled.sharedSecret) {
      return { kind: 'fail', failure: { name: 'invalid_onion_payload', type: 0n, offset: 0 }, sharedSecret: peeled.sharedSecret, reason: peeled.reason };
    }
    // BOLT #2: "if the `BADONION` bit in `failure_code` is not set for `update_fail_malformed_htlc`"
    // the peer fails the channel; the bit is set here: the onion could not be authenticated, so
    // the error cannot be encrypted for the origin; the upstream node does it.
    return { kind: 'fail-malformed', failureCode: peeled.code, sha256OfOnion: peeled.sha256OfOnion, reason: peeled.reason };
  }
  const ss = peeled.sharedSecret;
  if (opts.replay && !checkReplay(opts.replay, ss, htlc.cltvExpiry).ok) return { kind: 'replay', sharedSecret: ss };

  const isFinal = peeled.nextPacket === undefined;
  // Only needed on failure paths.
  const sha256OfOnion = (): Uint8Array => sha256(htlc.onionRoutingPacket);
  const hop = validateHopPayload(peeled.payload, { isFinal, pathKeyInUpdateAdd: htlc.pathKey !== undefined });
  if (!hop.ok) {
    if (htlc.pathKey) return blindedFailure('inner', sha256OfOnion(), ss, 'invalid payload in a blinded path');
    // An introduction point (current_path_key in the payload) that is not final still
    // answers invalid_onion_blinding.
    const decoded = decodeHopPayload(peeled.payload);
    if (!isFinal && decoded.ok && decoded.value.currentPathKey !== undefined) return blindedFailure('introduction', sha256OfOnion(), ss, 'invalid payload at an introduction point');
    return { kind: 'fail', failure: hop.error, sharedSecret: ss, reason: `invalid onion payload (type ${hop.error.type})` };
  }
  const v = hop.value;

  if (v.kind === 'forward') {
    return { kind: 'forward', nextPacket: peeled.nextPacket!, shortChannelId: v.shortChannelId, amtToForward: v.amtToForward, outgoingCltvValue: v.outgoingCltvValue, sharedSecret: ss, payload: v.payload };
  }
  if (v.kind === 'final') {
    const f = checkFinal(htlc, v.amtToForward, v.outgoingCltvValue, ss);
    if (f) return f;
    return { kind: 'receive', amtToForward: v.amtToForward, outgoingCltvValue: v.outgoingCltvValue, totalMsat: v.totalMsat, paymentSecret: v.paymentSecret, paymentMetadata: v.paymentMetadata, sharedSecret: ss, payload: v.payload };
  }

  // Inside a blinded path.
  const blinding = htlc.pathKey ? 'inner' : 'introduction';
  const pathKey = htlc.pathKey ?? v.currentPathKey!;
  const rd = decryptRecipientData(nodeSecret, pathKey, v.encryptedRecipientData);
  if (!rd.ok) return blindedFailure(blinding, sha256OfOnion(), ss, rd.error);
  const data = rd.value.data;

  if (v.kind === 'blinded-forward') {
    const fwd = checkBlindedForward(data, htlc.amountMsat, htlc.cltvExpiry);
    if (!fwd.ok) return blindedFailure(blinding, sha256OfOnion(), ss, fwd.error);
    return {
      kind: 'forward',
      nextPacket: peeled.nextPacket!,
      shortChannelId: data.shortChannelId,
      nextNodeId: data.nextNodeId,
      amtToForward: fwd.value.amtToForward,
      outgoingCltvValue: fwd.value.outgoingCltvValue,
      nextPathKey: rd.value.nextPathKey,
      blinding,
      sharedSecret: ss,
      payload: v.payload,
      recipientData: data,
    };
  }

  // blinded-final
  const c = checkConstraints(data, htlc.amountMsat, htlc.cltvExpiry);
  // A final node reached with path_key answers update_fail_malformed_htlc
  // (invalid_onion_blinding); one that is its own introduction point gives nothing away
  // either, so it too answers invalid_onion_blinding.
  if (!c.ok) return blindedFailure(blinding, sha256OfOnion(), ss, c.error);
  const f = checkFinal(htlc, v.amtToForward, v.outgoingCltvValue, ss);
  if (f) return blindedFailure(blinding, sha256OfOnion(), ss, f.reason);
  return { kind: 'receive', amtToForward: v.amtToForward, outgoingCltvValue: v.outgoingCltvValue, totalMsat: v.totalMsat, recipientData: data, blinding, sharedSecret: ss, payload: v.payload };
}

/**
 * checkFinal applies the final node's HTLC checks that need only the onion (BOLT #4): "if
 * the `cltv_expiry` from the final node's HTLC is below `outgoing_cltv_value`: MUST return
 * `final_incorrect_cltv_expiry` error." and "if `amount_msat` from the final node's HTLC is
 * below `amt_to_forward`: MUST return a `final_incorrect_htlc_amount` error."
 */
function checkFinal(htlc: IncomingHtlc, amt: Msat, cltv: number, ss: Uint8Array): FailAction | undefined {
  if (htlc.cltvExpiry < cltv) return { kind: 'fail', failure: { name: 'final_incorrect_cltv_expiry', cltvExpiry: htlc.cltvExpiry }, sharedSecret: ss, reason: `cltv_expiry ${htlc.cltvExpiry} below outgoing_cltv_value ${cltv}` };
  if (htlc.amountMsat < amt) return { kind: 'fail', failure: { name: 'final_incorrect_htlc_amount', incomingHtlcAmt: htlc.amountMsat }, sharedSecret: ss, reason: `amount ${htlc.amountMsat} below amt_to_forward ${amt}` };
  return undefined;
}
