/**
 * What gossip signatures and checksums cover (BOLT #7). These work on the raw message bytes
 * (with the 2-byte type), because signatures cover "any future fields appended to the end"
 * that a decoder may not understand.
 */
import { DecodeError } from '../lib/errors.ts';
import { sha256d } from '../crypto/index.ts';

const TYPE_LEN = 2;
const SIG_LEN = 64;

/**
 * gossipSignedBytes returns the part of a gossip message its signatures cover.
 *  - channel_announcement, BOLT #7: "MUST compute the double-SHA256 hash `h` of the
 *    message, beginning at offset 256, up to the end of the message." (the 4 signatures)
 *  - node_announcement and channel_update, BOLT #7: "the double-SHA256 of the entire
 *    remaining packet after `signature`".
 */
export function gossipSignedBytes(message: Uint8Array): Uint8Array {
  if (message.length < TYPE_LEN) throw new DecodeError('message shorter than its type');
  const type = (message[0]! << 8) | message[1]!;
  const skip = type === 256 ? 4 * SIG_LEN : type === 257 || type === 258 ? SIG_LEN : -1;
  if (skip < 0) throw new RangeError(`message type ${type} is not a signed gossip message`);
  if (message.length < TYPE_LEN + skip) throw new DecodeError('gossip message shorter than its signatures');
  return message.subarray(TYPE_LEN + skip);
}

/** gossipSigHash is the double-SHA256 a gossip message's signatures sign (see gossipSignedBytes). */
export function gossipSigHash(message: Uint8Array): Uint8Array {
  return sha256d(gossipSignedBytes(message));
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** crc32c is CRC-32C (Castagnoli, RFC 3720 Appendix B.4); `crc` continues a previous sum. */
export function crc32c(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * channelUpdateChecksum: BOLT #7 "The checksum of a `channel_update` is the CRC32C checksum
 * as specified in [RFC3720] of this `channel_update` without its `signature` and `timestamp`
 * fields." `message` is the whole encoded channel_update (with its type); the type is not
 * part of the sum (as in Core Lightning and Eclair).
 */
export function channelUpdateChecksum(message: Uint8Array): number {
  const start = TYPE_LEN + SIG_LEN; // chain_hash, short_channel_id
  const tsAt = start + 32 + 8;
  if (message.length < tsAt + 4) throw new DecodeError('channel_update too short for a checksum');
  if (((message[0]! << 8) | message[1]!) !== 258) throw new RangeError('not a channel_update');
  return crc32c(message.subarray(tsAt + 4), crc32c(message.subarray(start, tsAt)));
}
