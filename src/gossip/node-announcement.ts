/**
 * `node_announcement` checks (BOLT #7 "The `node_announcement` Message"): the signature,
 * the addresses (unknown types skipped, Tor v2 and port 0 ignored, one DNS hostname at most),
 * the features, and the alias as its 32 raw bytes.
 */
import type { MessageByName, AddressDescriptor } from '../wire/index.ts';
import { gossipSigHash } from '../wire/index.ts';
import { accept, reject, type GossipCheck } from './result.ts';
import { defaultVerify, type GossipContext } from './context.ts';
import { firstUnknownEvenBit } from './channel-announcement.ts';

export type NodeAnnouncementMessage = MessageByName<'node_announcement'>;

/** A node_announcement whose signature is good, with its addresses cleaned up. */
export interface CheckedNodeAnnouncement {
  msg: NodeAnnouncementMessage;
  /** The usable addresses, in the order given. */
  addresses: AddressDescriptor[];
  /** Whether to queue it for rebroadcast (false when it carried more than one hostname). */
  relay: boolean;
  /**
   * The first unknown even feature bit, or null. BOLT #7: "if `features` field contains
   * _unknown even bits_:" / "MUST NOT route a payment _through_ the node."
   */
  unknownEvenFeature: number | null;
  /** What was dropped from `addresses`, for logs. */
  dropped: string[];
}

/**
 * cleanAddresses applies the receiver's address rules and says whether the announcement may
 * be forwarded.
 */
export function cleanAddresses(list: readonly AddressDescriptor[]): { addresses: AddressDescriptor[]; relay: boolean; dropped: string[] } {
  const addresses: AddressDescriptor[] = [];
  const dropped: string[] = [];
  let relay = true;
  let dns = 0;
  for (const a of list) {
    switch (a.type) {
      case 'unknown':
        // BOLT #7: "SHOULD ignore the first `address descriptor` that does NOT match the types
        // defined above." (the decoder keeps the rest verbatim: its length is unknown)
        dropped.push(`unknown address type ${a.typeNum}`);
        continue;
      case 'torv2':
        // BOLT #7: "SHOULD ignore Tor v2 onion services."
        dropped.push('tor v2');
        continue;
      case 'dns':
        dns++;
        if (dns > 1) {
          // BOLT #7: "if more than one `type 5` address is announced:" / "SHOULD ignore the
          // additional data." / "MUST not forward the `node_announcement`."
          dropped.push(`extra hostname ${a.hostname}`);
          relay = false;
          continue;
        }
        break;
      default:
        break;
    }
    // BOLT #7: "if `port` is equal to 0:" / "SHOULD ignore `ipv6_addr` OR `ipv4_addr` OR `hostname`."
    if ((a.type === 'ipv4' || a.type === 'ipv6' || a.type === 'dns') && a.port === 0) {
      dropped.push(`${a.type} with port 0`);
      continue;
    }
    addresses.push(a);
  }
  return { addresses, relay, dropped };
}

/**
 * checkNodeAnnouncementSignature checks the signature and the form of the message. Whether
 * the node is known and the timestamp newer is the graph's question (see graph/ingest).
 */
export function checkNodeAnnouncement(raw: Uint8Array, msg: NodeAnnouncementMessage, ctx: GossipContext): GossipCheck<CheckedNodeAnnouncement> {
  const verify = ctx.verify ?? defaultVerify;
  // (`node_id` is checked to be a valid compressed point by the decoder; BOLT #7: "if
  // `node_id` is NOT a valid compressed public key:" / "SHOULD send a `warning`.")
  // BOLT #7: "if `signature` is NOT a valid signature (using `node_id` of the
  // double-SHA256 of the entire message following the `signature` field, including
  // any future fields appended to the end):" / "SHOULD send a `warning`." /
  // "MAY close the connection." / "MUST NOT process the message further."
  if (!verify(msg.signature, gossipSigHash(raw), msg.node_id)) return reject('warn', 'bad_signature', 'node_announcement signature is not valid');
  const { addresses, relay, dropped } = cleanAddresses(msg.addresses);
  return accept({ msg, addresses, relay, dropped, unknownEvenFeature: firstUnknownEvenBit(msg.features) });
}

/**
 * nodeAnnouncementIsNewer: BOLT #7 "if `node_id` is NOT previously known from a
 * `channel_announcement` message, OR if `timestamp` is NOT greater than the last-received
 * `node_announcement` from this `node_id`:" / "SHOULD ignore the message."
 */
export function checkNodeAnnouncementTimestamp(timestamp: number, lastTimestamp: number | null): GossipCheck<null> {
  if (lastTimestamp !== null && timestamp <= lastTimestamp) return reject('ignore', 'stale', `node_announcement timestamp ${timestamp} is not greater than ${lastTimestamp}`);
  return accept(null);
}

/** aliasText decodes an alias for display: UTF-8 up to the first NUL, invalid bytes replaced. */
export function aliasText(alias: Uint8Array): string {
  let end = alias.indexOf(0);
  if (end < 0) end = alias.length;
  return new TextDecoder('utf-8', { fatal: false }).decode(alias.subarray(0, end));
}
