/**
 * The `encoded_` arrays of the gossip query messages (BOLT #7 "Query Messages"): a one-byte
 * encoding type followed by the items.
 *
 * BOLT #7: "Encoding types: `0`: uncompressed array of `short_channel_id` types, in ascending
 * order. `1`: Previously used for zlib compression, this encoding MUST NOT be used."
 * Kite writes encoding 0 and rejects anything else with a DecodeError (the spec lets the
 * receiver "MAY send a `warning`. MAY close the connection.").
 */
import { DecodeError } from '../lib/errors.ts';
import type { Reader, Writer } from '../lib/reader.ts';
import type { ShortChannelId } from '../lib/units.ts';
import { bigsize, shortChannelId, struct, u16Framed, u32, type Codec } from './codec.ts';

/** ENCODING_UNCOMPRESSED is encoding type 0. */
export const ENCODING_UNCOMPRESSED = 0;

/**
 * encodedArray(c): `[byte:encoding_type][...*c]`, decoded as the list of items. An empty
 * value (no encoding byte at all) is a DecodeError.
 */
export function encodedArray<T>(c: Codec<T>, name: string): Codec<T[]> {
  return {
    name,
    shape: { kind: 'array', count: 'encoded', of: c },
    write(w: Writer, items: T[]) {
      if (!Array.isArray(items)) throw new TypeError(`${name} must be an array`);
      w.u8(ENCODING_UNCOMPRESSED);
      for (const it of items) c.write(w, it);
    },
    read(r: Reader) {
      // BOLT #7: "MUST set the first byte of `encoded_short_ids` to the encoding type."
      // Every implementation writes it even for an empty list; without it there is no
      // encoding type, which the receiver "MAY" treat as an unknown one.
      if (r.done()) throw new DecodeError(`${name}: missing encoding type byte`);
      const enc = r.u8();
      if (enc !== ENCODING_UNCOMPRESSED) {
        throw new DecodeError(enc === 1 ? `${name}: zlib encoding (1) MUST NOT be used` : `${name}: unknown encoding type ${enc}`);
      }
      const out: T[] = [];
      // BOLT #7: "if `encoded_short_ids` does not decode into a whole number of
      // `short_channel_id`: MAY send a `warning`." A partial item is a DecodeError.
      while (!r.done()) out.push(c.read(r));
      return out;
    },
  };
}

/** `encoded_short_ids` as a TLV value or inside a length-prefixed field. */
export const encodedShortIds: Codec<ShortChannelId[]> = encodedArray(shortChannelId, 'encoded_short_ids');

/** `[u16:len][len*byte:encoded_short_ids]`, the message field. */
export const u16EncodedShortIds: Codec<ShortChannelId[]> = u16Framed(encodedShortIds);

/**
 * `query_flags`: one minimally-encoded bigsize per short_channel_id (BOLT #7: "Each query
 * flag is a minimally-encoded bigsize.").
 */
export const encodedQueryFlags: Codec<bigint[]> = encodedArray(bigsize, 'encoded_query_flags');

/** Query flag bits (BOLT #7 `encoded_query_flags` table). */
export const QUERY_FLAG = {
  CHANNEL_ANNOUNCEMENT: 1n,
  CHANNEL_UPDATE_NODE_1: 2n,
  CHANNEL_UPDATE_NODE_2: 4n,
  NODE_ANNOUNCEMENT_NODE_1: 8n,
  NODE_ANNOUNCEMENT_NODE_2: 16n,
} as const;

/** `query_option_flags` bits (BOLT #7 `query_channel_range`). */
export const QUERY_OPTION = { WANT_TIMESTAMPS: 1n, WANT_CHECKSUMS: 2n } as const;

/** subtype `channel_update_timestamps`. */
export const channelUpdateTimestamps = struct({ timestamp_node_id_1: u32, timestamp_node_id_2: u32 }, 'channel_update_timestamps');
/** subtype `channel_update_checksums`. */
export const channelUpdateChecksums = struct({ checksum_node_id_1: u32, checksum_node_id_2: u32 }, 'channel_update_checksums');

/** `timestamps_tlv`: `[byte:encoding_type][...*byte:encoded_timestamps]`. */
export const encodedTimestamps = encodedArray(channelUpdateTimestamps, 'encoded_timestamps');
