/**
 * The BOLT #2 messages the channel state machine reads and writes, as plain objects with the
 * spec's snake_case field names (the same shape the wire codecs in src/wire/ decode to:
 * `{ type: name, ...fields, tlvs }`). A `[u16:len][len*byte:x]` pair is one field `x`.
 * The machine never encodes bytes itself; the node hands these to `encodeMessage`.
 */
import type { Msat, Sat, ShortChannelId } from '../lib/index.ts';

/** BOLT #2 `open_channel` (type 32). */
export interface OpenChannel {
  type: 'open_channel';
  chain_hash: Uint8Array;
  temporary_channel_id: Uint8Array;
  funding_satoshis: Sat;
  push_msat: Msat;
  dust_limit_satoshis: Sat;
  max_htlc_value_in_flight_msat: Msat;
  channel_reserve_satoshis: Sat;
  htlc_minimum_msat: Msat;
  feerate_per_kw: number;
  to_self_delay: number;
  max_accepted_htlcs: number;
  funding_pubkey: Uint8Array;
  revocation_basepoint: Uint8Array;
  payment_basepoint: Uint8Array;
  delayed_payment_basepoint: Uint8Array;
  htlc_basepoint: Uint8Array;
  first_per_commitment_point: Uint8Array;
  channel_flags: number;
  tlvs: { upfront_shutdown_script?: Uint8Array; channel_type?: Uint8Array };
}

/** BOLT #2 `accept_channel` (type 33). */
export interface AcceptChannel {
  type: 'accept_channel';
  temporary_channel_id: Uint8Array;
  dust_limit_satoshis: Sat;
  max_htlc_value_in_flight_msat: Msat;
  channel_reserve_satoshis: Sat;
  htlc_minimum_msat: Msat;
  minimum_depth: number;
  to_self_delay: number;
  max_accepted_htlcs: number;
  funding_pubkey: Uint8Array;
  revocation_basepoint: Uint8Array;
  payment_basepoint: Uint8Array;
  delayed_payment_basepoint: Uint8Array;
  htlc_basepoint: Uint8Array;
  first_per_commitment_point: Uint8Array;
  tlvs: { upfront_shutdown_script?: Uint8Array; channel_type?: Uint8Array };
}

/** BOLT #2 `funding_created` (type 34). */
export interface FundingCreated {
  type: 'funding_created';
  temporary_channel_id: Uint8Array;
  funding_txid: Uint8Array;
  funding_output_index: number;
  signature: Uint8Array;
}

/** BOLT #2 `funding_signed` (type 35). */
export interface FundingSigned {
  type: 'funding_signed';
  channel_id: Uint8Array;
  signature: Uint8Array;
}

/** BOLT #2 `channel_ready` (type 36). */
export interface ChannelReady {
  type: 'channel_ready';
  channel_id: Uint8Array;
  second_per_commitment_point: Uint8Array;
  tlvs: { short_channel_id?: ShortChannelId };
}

/** BOLT #2 `shutdown` (type 38). */
export interface Shutdown {
  type: 'shutdown';
  channel_id: Uint8Array;
  scriptpubkey: Uint8Array;
}

/** BOLT #2 `closing_signed` (type 39). */
export interface ClosingSigned {
  type: 'closing_signed';
  channel_id: Uint8Array;
  fee_satoshis: Sat;
  signature: Uint8Array;
  tlvs: { fee_range?: { min_fee_satoshis: Sat; max_fee_satoshis: Sat } };
}

/** BOLT #2 `closing_tlvs`: the closer signs up to three variants of its closing transaction. */
export interface ClosingTlvs {
  closer_output_only?: Uint8Array;
  closee_output_only?: Uint8Array;
  closer_and_closee_outputs?: Uint8Array;
}

/** BOLT #2 `closing_complete` (type 40, option_simple_close). */
export interface ClosingComplete {
  type: 'closing_complete';
  channel_id: Uint8Array;
  closer_scriptpubkey: Uint8Array;
  closee_scriptpubkey: Uint8Array;
  fee_satoshis: Sat;
  locktime: number;
  tlvs: ClosingTlvs;
}

/** BOLT #2 `closing_sig` (type 41, option_simple_close). */
export interface ClosingSig {
  type: 'closing_sig';
  channel_id: Uint8Array;
  closer_scriptpubkey: Uint8Array;
  closee_scriptpubkey: Uint8Array;
  fee_satoshis: Sat;
  locktime: number;
  tlvs: ClosingTlvs;
}

/** BOLT #2 `update_add_htlc` (type 128); the onion is opaque here. */
export interface UpdateAddHtlc {
  type: 'update_add_htlc';
  channel_id: Uint8Array;
  id: bigint;
  amount_msat: Msat;
  payment_hash: Uint8Array;
  cltv_expiry: number;
  onion_routing_packet: Uint8Array;
  tlvs: { blinded_path?: Uint8Array };
}

/** BOLT #2 `update_fulfill_htlc` (type 130). */
export interface UpdateFulfillHtlc {
  type: 'update_fulfill_htlc';
  channel_id: Uint8Array;
  id: bigint;
  payment_preimage: Uint8Array;
}

/** BOLT #2 `update_fail_htlc` (type 131). */
export interface UpdateFailHtlc {
  type: 'update_fail_htlc';
  channel_id: Uint8Array;
  id: bigint;
  reason: Uint8Array;
}

/** BOLT #2 `update_fail_malformed_htlc` (type 135). */
export interface UpdateFailMalformedHtlc {
  type: 'update_fail_malformed_htlc';
  channel_id: Uint8Array;
  id: bigint;
  sha256_of_onion: Uint8Array;
  failure_code: number;
}

/** BOLT #2 `commitment_signed` (type 132). */
export interface CommitmentSigned {
  type: 'commitment_signed';
  channel_id: Uint8Array;
  signature: Uint8Array;
  htlc_signature: Uint8Array[];
}

/** BOLT #2 `revoke_and_ack` (type 133). */
export interface RevokeAndAck {
  type: 'revoke_and_ack';
  channel_id: Uint8Array;
  per_commitment_secret: Uint8Array;
  next_per_commitment_point: Uint8Array;
}

/** BOLT #2 `update_fee` (type 134). */
export interface UpdateFee {
  type: 'update_fee';
  channel_id: Uint8Array;
  feerate_per_kw: number;
}

/** BOLT #2 `channel_reestablish` (type 136). */
export interface ChannelReestablish {
  type: 'channel_reestablish';
  channel_id: Uint8Array;
  next_commitment_number: bigint;
  next_revocation_number: bigint;
  your_last_per_commitment_secret: Uint8Array;
  my_current_per_commitment_point: Uint8Array;
}

/** BOLT #1 `error` (type 17). */
export interface ErrorMessage {
  type: 'error';
  channel_id: Uint8Array;
  data: Uint8Array;
}

/** BOLT #1 `warning` (type 1). */
export interface WarningMessage {
  type: 'warning';
  channel_id: Uint8Array;
  data: Uint8Array;
}

/** An update message: the ones that change a commitment and are acknowledged by revocation. */
export type UpdateMessage = UpdateAddHtlc | UpdateFulfillHtlc | UpdateFailHtlc | UpdateFailMalformedHtlc | UpdateFee;

/** Every message the channel machine sends or receives. */
export type ChannelMessage =
  | OpenChannel
  | AcceptChannel
  | FundingCreated
  | FundingSigned
  | ChannelReady
  | Shutdown
  | ClosingSigned
  | ClosingComplete
  | ClosingSig
  | UpdateMessage
  | CommitmentSigned
  | RevokeAndAck
  | ChannelReestablish
  | ErrorMessage
  | WarningMessage;
