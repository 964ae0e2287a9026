/**
 * BOLT #1 messages (01-messaging.md "Setup Messages", "Control Messages", "Peer Storage"),
 * as schema data. Field names and order are the spec's; a `[u16:len][len*byte:data]` pair is
 * one field named after the data (its length is implied).
 */
import { chainHash, channelId, restOf, u16, u16Bytes } from './codec.ts';
import { addressDescriptor } from './address.ts';
import { msg, tlv } from './schema.ts';

/** BOLT #1 message table. */
export const BOLT1 = [
  msg('warning', 1, { channel_id: channelId, data: u16Bytes }),
  msg('peer_storage', 7, { blob: u16Bytes }),
  msg('peer_storage_retrieval', 9, { blob: u16Bytes }),
  msg(
    'init',
    16,
    { globalfeatures: u16Bytes, features: u16Bytes },
    {
      /** `[...*chain_hash:chains]`: the chains the node is interested in. */
      networks: tlv(1, restOf(chainHash)),
      /** An address descriptor: "MUST set it to a valid `address descriptor`". */
      remote_addr: tlv(3, addressDescriptor),
    },
  ),
  msg('error', 17, { channel_id: channelId, data: u16Bytes }),
  /** `[u16:num_pong_bytes][u16:byteslen][byteslen*byte:ignored]` */
  msg('ping', 18, { num_pong_bytes: u16, ignored: u16Bytes }),
  /** `[u16:byteslen][byteslen*byte:ignored]` */
  msg('pong', 19, { ignored: u16Bytes }),
] as const;
