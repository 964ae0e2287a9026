/**
 * BOLT #2 messages (02-peer-protocol.md), as schema data: channel establishment v1 and v2
 * (interactive transaction construction), quiescence, splicing, closing (legacy
 * `closing_signed` and `option_simple_close`), normal operation and reestablishment.
 *
 * Conventions: a `[u16:len][len*byte:x]` pair is one field `x`; a `[u16:num][num*t:x]` pair
 * is one array field `x`; amounts ending in `_msat` are Msat and in `_satoshis` Sat. A TLV
 * record with a single data field holds that field's value directly.
 */
import {
  channelId,
  chainHash,
  empty,
  fixedBytes,
  point,
  restBytes,
  s64,
  sha256Hash,
  shortChannelId,
  signature,
  struct,
  u16,
  u16Bytes,
  u16Counted,
  u32,
  u64,
  u64Msat,
  u64Sat,
  u8,
  type Codec,
} from './codec.ts';
import { msg, tlv } from './schema.ts';

/** Channel-opening TLVs shared by open_channel/accept_channel. */
const openingTlvs = {
  /** `[...*byte:shutdown_scriptpubkey]` */
  upfront_shutdown_script: tlv(0, restBytes),
  /** `[...*byte:type]`: a feature-bit vector naming the channel type. */
  channel_type: tlv(1, restBytes),
};

/** The v2 opening TLVs (`opening_tlvs` / `accept_tlvs`). */
const openingTlvsV2 = { ...openingTlvs, require_confirmed_inputs: tlv(2, empty) };

/**
 * `attribution_data`: `[20*u32:htlc_hold_times][210*sha256[..4]:truncated_hmacs]`, kept as
 * its 920 raw bytes, the form src/onion/attribution.ts works on.
 */
const attributionData = fixedBytes(20 * 4 + 210 * 4, 'attribution_data');

/** subtype `witness`: `[u16:len][len*byte:witness_data]`. */
const witness: Codec<Uint8Array> = { ...u16Bytes, name: 'witness' };

/** `[32*byte:temporary_channel_id]` */
const bytes32 = fixedBytes(32);

/** `[1366*byte:onion_routing_packet]` */
const onionPacket = fixedBytes(1366);

/** closing_complete / closing_sig fields (option_simple_close). */
const closingFields = {
  channel_id: channelId,
  closer_scriptpubkey: u16Bytes,
  closee_scriptpubkey: u16Bytes,
  fee_satoshis: u64Sat,
  locktime: u32,
};

/** `closing_tlvs` */
const closingTlvs = {
  closer_output_only: tlv(1, signature),
  closee_output_only: tlv(2, signature),
  closer_and_closee_outputs: tlv(3, signature),
};

/** BOLT #2 message table. */
export const BOLT2 = [
  msg('stfu', 2, { channel_id: channelId, initiator: u8 }),
  msg(
    'open_channel',
    32,
    {
      chain_hash: chainHash,
      temporary_channel_id: bytes32,
      funding_satoshis: u64Sat,
      push_msat: u64Msat,
      dust_limit_satoshis: u64Sat,
      max_htlc_value_in_flight_msat: u64Msat,
      channel_reserve_satoshis: u64Sat,
      htlc_minimum_msat: u64Msat,
      feerate_per_kw: u32,
      to_self_delay: u16,
      max_accepted_htlcs: u16,
      funding_pubkey: point,
      revocation_basepoint: point,
      payment_basepoint: point,
      delayed_payment_basepoint: point,
      htlc_basepoint: point,
      first_per_commitment_point: point,
      channel_flags: u8,
    },
    openingTlvs,
  ),
  msg(
    'accept_channel',
    33,
    {
      temporary_channel_id: bytes32,
      dust_limit_satoshis: u64Sat,
      max_htlc_value_in_flight_msat: u64Msat,
      channel_reserve_satoshis: u64Sat,
      htlc_minimum_msat: u64Msat,
      minimum_depth: u32,
      to_self_delay: u16,
      max_accepted_htlcs: u16,
      funding_pubkey: point,
      revocation_basepoint: point,
      payment_basepoint: point,
      delayed_payment_basepoint: point,
      htlc_basepoint: point,
      first_per_commitment_point: point,
    },
    openingTlvs,
  ),
  msg('funding_created', 34, { temporary_channel_id: bytes32, funding_txid: sha256Hash, funding_output_index: u16, signature }),
  msg('funding_signed', 35, { channel_id: channelId, signature }),
  msg(
    'channel_ready',
    36,
    { channel_id: channelId, second_per_commitment_point: point },
    {
      /** `[short_channel_id:alias]` */
      short_channel_id: tlv(1, shortChannelId),
    },
  ),
  /** `[u16:len][len*byte:scriptpubkey]` */
  msg('shutdown', 38, { channel_id: channelId, scriptpubkey: u16Bytes }),
  msg(
    'closing_signed',
    39,
    { channel_id: channelId, fee_satoshis: u64Sat, signature },
    { fee_range: tlv(1, struct({ min_fee_satoshis: u64Sat, max_fee_satoshis: u64Sat })) },
  ),
  msg('closing_complete', 40, closingFields, closingTlvs),
  msg('closing_sig', 41, closingFields, closingTlvs),
  msg(
    'open_channel2',
    64,
    {
      chain_hash: chainHash,
      temporary_channel_id: channelId,
      funding_feerate_perkw: u32,
      commitment_feerate_perkw: u32,
      funding_satoshis: u64Sat,
      dust_limit_satoshis: u64Sat,
      max_htlc_value_in_flight_msat: u64Msat,
      htlc_minimum_msat: u64Msat,
      to_self_delay: u16,
      max_accepted_htlcs: u16,
      locktime: u32,
      funding_pubkey: point,
      revocation_basepoint: point,
      payment_basepoint: point,
      delayed_payment_basepoint: point,
      htlc_basepoint: point,
      first_per_commitment_point: point,
      second_per_commitment_point: point,
      channel_flags: u8,
    },
    openingTlvsV2,
  ),
  msg(
    'accept_channel2',
    65,
    {
      temporary_channel_id: channelId,
      funding_satoshis: u64Sat,
      dust_limit_satoshis: u64Sat,
      max_htlc_value_in_flight_msat: u64Msat,
      htlc_minimum_msat: u64Msat,
      minimum_depth: u32,
      to_self_delay: u16,
      max_accepted_htlcs: u16,
      funding_pubkey: point,
      revocation_basepoint: point,
      payment_basepoint: point,
      delayed_payment_basepoint: point,
      htlc_basepoint: point,
      first_per_commitment_point: point,
      second_per_commitment_point: point,
    },
    openingTlvsV2,
  ),
  /** `[u16:prevtx_len][prevtx_len*byte:prevtx]` is the field `prevtx`. */
  msg(
    'tx_add_input',
    66,
    { channel_id: channelId, serial_id: u64, prevtx: u16Bytes, prevtx_vout: u32, sequence: u32 },
    { shared_input_txid: tlv(0, sha256Hash) },
  ),
  /** `[u16:scriptlen][scriptlen*byte:script]` is the field `script`. */
  msg('tx_add_output', 67, { channel_id: channelId, serial_id: u64, sats: u64Sat, script: u16Bytes }),
  msg('tx_remove_input', 68, { channel_id: channelId, serial_id: u64 }),
  msg('tx_remove_output', 69, { channel_id: channelId, serial_id: u64 }),
  msg('tx_complete', 70, { channel_id: channelId }),
  /** `[u16:num_witnesses][num_witnesses*witness:witnesses]`, each witness `[u16:len][len*byte:witness_data]`. */
  msg(
    'tx_signatures',
    71,
    { channel_id: channelId, txid: sha256Hash, witnesses: u16Counted(witness) },
    { shared_input_signature: tlv(0, signature) },
  ),
  msg(
    'tx_init_rbf',
    72,
    { channel_id: channelId, locktime: u32, feerate: u32 },
    { funding_output_contribution: tlv(0, s64), require_confirmed_inputs: tlv(2, empty) },
  ),
  msg('tx_ack_rbf', 73, { channel_id: channelId }, { funding_output_contribution: tlv(0, s64), require_confirmed_inputs: tlv(2, empty) }),
  msg('tx_abort', 74, { channel_id: channelId, data: u16Bytes }),
  msg('splice_locked', 77, { channel_id: channelId, splice_txid: sha256Hash }),
  msg(
    'splice_init',
    80,
    { channel_id: channelId, funding_contribution_satoshis: s64, funding_feerate_perkw: u32, locktime: u32, funding_pubkey: point },
    { require_confirmed_inputs: tlv(2, empty) },
  ),
  msg('splice_ack', 81, { channel_id: channelId, funding_contribution_satoshis: s64, funding_pubkey: point }, { require_confirmed_inputs: tlv(2, empty) }),
  msg('start_batch', 127, { channel_id: channelId, batch_size: u16 }, { message_type: tlv(1, u16) }),
  msg(
    'update_add_htlc',
    128,
    { channel_id: channelId, id: u64, amount_msat: u64Msat, payment_hash: sha256Hash, cltv_expiry: u32, onion_routing_packet: onionPacket },
    {
      /** `[point:path_key]` (route blinding). */
      blinded_path: tlv(0, point),
    },
  ),
  msg('update_fulfill_htlc', 130, { channel_id: channelId, id: u64, payment_preimage: bytes32 }, { attribution_data: tlv(1, attributionData) }),
  /** `[u16:len][len*byte:reason]` is the field `reason`. */
  msg('update_fail_htlc', 131, { channel_id: channelId, id: u64, reason: u16Bytes }, { attribution_data: tlv(1, attributionData) }),
  /** `[u16:num_htlcs][num_htlcs*signature:htlc_signature]` is the array field `htlc_signature`. */
  msg('commitment_signed', 132, { channel_id: channelId, signature, htlc_signature: u16Counted(signature) }, { funding_txid: tlv(1, sha256Hash) }),
  msg('revoke_and_ack', 133, { channel_id: channelId, per_commitment_secret: bytes32, next_per_commitment_point: point }),
  msg('update_fee', 134, { channel_id: channelId, feerate_per_kw: u32 }),
  msg('update_fail_malformed_htlc', 135, { channel_id: channelId, id: u64, sha256_of_onion: sha256Hash, failure_code: u16 }),
  msg(
    'channel_reestablish',
    136,
    {
      channel_id: channelId,
      next_commitment_number: u64,
      next_revocation_number: u64,
      your_last_per_commitment_secret: bytes32,
      my_current_per_commitment_point: point,
    },
    {
      next_funding: tlv(1, struct({ next_funding_txid: sha256Hash, retransmit_flags: u8 })),
      my_current_funding_locked: tlv(5, struct({ my_current_funding_locked_txid: sha256Hash, retransmit_flags: u8 })),
    },
  ),
] as const;

/**
 * `open_channel.channel_flags` bits. BOLT #2: "Only the least-significant bit of
 * `channel_flags` is currently defined: `announce_channel`."
 */
export const OPEN_CHANNEL_FLAGS = { announce_channel: 1 } as const;

/** `channel_reestablish` `retransmit_flags` bits (both TLVs define only bit 0). */
export const RETRANSMIT_FLAGS = {
  /** In `next_funding`: retransmit `commitment_signed`. */
  commitment_signed: 1,
  /** In `my_current_funding_locked`: retransmit `announcement_signatures`. */
  announcement_signatures: 1,
} as const;
