/**
 * BOLT #7 messages (07-routing-gossip.md), as schema data: announcements, channel updates
 * and the gossip query messages with their TLV extensions.
 *
 * `encoded_short_ids` fields decode to `ShortChannelId[]` (encoding type 0 only, see
 * encoded.ts); `node_announcement.addresses` decodes to address descriptors (address.ts).
 */
import { bigsize, chainHash, channelId, fixedBytes, point, restOf, shortChannelId, signature, u16Bytes, u32, u64Msat, u8, u16, type Codec } from './codec.ts';
import type { Msat } from '../lib/units.ts';
import { addressList } from './address.ts';
import { channelUpdateChecksums, encodedQueryFlags, encodedTimestamps, u16EncodedShortIds } from './encoded.ts';
import { msg, tlv } from './schema.ts';

/** A `u32` holding millisatoshis (`fee_base_msat`). */
const u32Msat: Codec<Msat> = {
  name: 'u32',
  shape: { kind: 'uint', bytes: 4, big: true },
  write(w, v) {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffn) throw new RangeError(`u32 msat out of range: ${String(v)}`);
    w.u32(Number(v));
  },
  read: (r) => BigInt(r.u32()) as Msat,
};

/** BOLT #7 message table. */
export const BOLT7 = [
  msg('channel_announcement', 256, {
    node_signature_1: signature,
    node_signature_2: signature,
    bitcoin_signature_1: signature,
    bitcoin_signature_2: signature,
    /** `[u16:len][len*byte:features]` */
    features: u16Bytes,
    chain_hash: chainHash,
    short_channel_id: shortChannelId,
    node_id_1: point,
    node_id_2: point,
    bitcoin_key_1: point,
    bitcoin_key_2: point,
  }),
  msg('node_announcement', 257, {
    signature,
    /** `[u16:flen][flen*byte:features]` */
    features: u16Bytes,
    timestamp: u32,
    node_id: point,
    rgb_color: fixedBytes(3),
    alias: fixedBytes(32),
    /** `[u16:addrlen][addrlen*byte:addresses]` */
    addresses: addressList,
  }),
  msg('channel_update', 258, {
    signature,
    chain_hash: chainHash,
    short_channel_id: shortChannelId,
    timestamp: u32,
    message_flags: u8,
    channel_flags: u8,
    cltv_expiry_delta: u16,
    htlc_minimum_msat: u64Msat,
    fee_base_msat: u32Msat,
    fee_proportional_millionths: u32,
    htlc_maximum_msat: u64Msat,
  }),
  msg('announcement_signatures', 259, { channel_id: channelId, short_channel_id: shortChannelId, node_signature: signature, bitcoin_signature: signature }),
  msg(
    'query_short_channel_ids',
    261,
    { chain_hash: chainHash, encoded_short_ids: u16EncodedShortIds },
    {
      /** `[byte:encoding_type][...*byte:encoded_query_flags]`, one bigsize flag per id. */
      query_flags: tlv(1, encodedQueryFlags),
    },
  ),
  msg('reply_short_channel_ids_end', 262, { chain_hash: chainHash, full_information: u8 }),
  msg(
    'query_channel_range',
    263,
    { chain_hash: chainHash, first_blocknum: u32, number_of_blocks: u32 },
    {
      /** `[bigsize:query_option_flags]` */
      query_option: tlv(1, bigsize),
    },
  ),
  msg(
    'reply_channel_range',
    264,
    { chain_hash: chainHash, first_blocknum: u32, number_of_blocks: u32, sync_complete: u8, encoded_short_ids: u16EncodedShortIds },
    {
      /** `[byte:encoding_type][...*byte:encoded_timestamps]` */
      timestamps_tlv: tlv(1, encodedTimestamps),
      /** `[...*channel_update_checksums:checksums]` */
      checksums_tlv: tlv(3, restOf(channelUpdateChecksums)),
    },
  ),
  msg('gossip_timestamp_filter', 265, { chain_hash: chainHash, first_timestamp: u32, timestamp_range: u32 }),
] as const;

/** `channel_update.channel_flags` bits (BOLT #7): bit 0 `direction`, bit 1 `disable`. */
export const CHANNEL_UPDATE_CHANNEL_FLAGS = { direction: 1, disable: 2 } as const;

/** `channel_update.message_flags` bits (BOLT #7): bit 0 `must_be_one`, bit 1 `dont_forward`. */
export const CHANNEL_UPDATE_MESSAGE_FLAGS = { must_be_one: 1, dont_forward: 2 } as const;
