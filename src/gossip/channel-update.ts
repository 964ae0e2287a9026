/**
 * `channel_update` checks (BOLT #7 "The `channel_update` Message"): chain, the channel it
 * names, timestamps (older, equal, too old, too far ahead), the signature by the node of its
 * direction, and htlc_maximum_msat against the capacity.
 */
import type { Msat, Sat } from '../lib/index.ts';
import { gossipSigHash, CHANNEL_UPDATE_CHANNEL_FLAGS, CHANNEL_UPDATE_MESSAGE_FLAGS, type MessageByName } from '../wire/index.ts';
import { accept, reject, type GossipCheck } from './result.ts';
import { defaultVerify, isKnownChain, ONE_DAY_SECONDS, TWO_WEEKS_SECONDS, type GossipContext } from './context.ts';

export type ChannelUpdateMessage = MessageByName<'channel_update'>;

/** What a channel_update check needs to know about the channel it names. */
export interface KnownChannel {
  nodeId1: Uint8Array;
  nodeId2: Uint8Array;
  /** Capacity from the funding output (null if unknown, e.g. our own unannounced channel). */
  capacity: Sat | null;
  /** The funding output has been spent. */
  spent: boolean;
}

/** The routing fields of a channel_update (everything below `timestamp`). */
export interface PolicyFields {
  messageFlags: number;
  channelFlags: number;
  cltvExpiryDelta: number;
  htlcMinimumMsat: Msat;
  feeBaseMsat: Msat;
  feeProportionalMillionths: number;
  htlcMaximumMsat: Msat;
}

/** The last update accepted for a direction. */
export interface PreviousUpdate extends PolicyFields {
  timestamp: number;
}

/**
 * How an update differs from the previous one of its direction, for rate limiting:
 * `first` (none before), `policy` (fees, CLTV or HTLC limits changed), `status` (only the
 * `disable` bit flipped), `keepalive` (same content, newer timestamp).
 */
export type UpdateKind = 'first' | 'policy' | 'status' | 'keepalive';

/** A channel_update that passed every check. */
export interface CheckedChannelUpdate {
  msg: ChannelUpdateMessage;
  /** 0: from node_id_1, 1: from node_id_2. */
  direction: 0 | 1;
  disabled: boolean;
  /**
   * False when routing must not use this direction: BOLT #7 "if `htlc_maximum_msat` <
   * `htlc_minimum_msat`:" / "SHOULD ignore this channel during route considerations." and
   * "if `htlc_maximum_msat` is greater than channel capacity:" / "SHOULD ignore this channel
   * during route considerations."
   */
  usable: boolean;
  kind: UpdateKind;
  /** Whether to queue it for rebroadcast. */
  relay: boolean;
}

/** policyFieldsOf extracts the fields below `timestamp`. */
export function policyFieldsOf(m: ChannelUpdateMessage): PolicyFields {
  return {
    messageFlags: m.message_flags,
    channelFlags: m.channel_flags,
    cltvExpiryDelta: m.cltv_expiry_delta,
    htlcMinimumMsat: m.htlc_minimum_msat,
    feeBaseMsat: m.fee_base_msat,
    feeProportionalMillionths: m.fee_proportional_millionths,
    htlcMaximumMsat: m.htlc_maximum_msat,
  };
}

/** samePolicy compares the routing fields (flags included) of two updates. */
export function samePolicy(a: PolicyFields, b: PolicyFields): boolean {
  return (
    a.messageFlags === b.messageFlags &&
    a.channelFlags === b.channelFlags &&
    a.cltvExpiryDelta === b.cltvExpiryDelta &&
    a.htlcMinimumMsat === b.htlcMinimumMsat &&
    a.feeBaseMsat === b.feeBaseMsat &&
    a.feeProportionalMillionths === b.feeProportionalMillionths &&
    a.htlcMaximumMsat === b.htlcMaximumMsat
  );
}

/** classifyUpdate says what kind of change an update is against the previous one. */
export function classifyUpdate(next: PolicyFields, prev: PolicyFields | null): UpdateKind {
  if (prev === null) return 'first';
  const dis = CHANNEL_UPDATE_CHANNEL_FLAGS.disable;
  const sameRest =
    a(next) === a(prev) &&
    next.cltvExpiryDelta === prev.cltvExpiryDelta &&
    next.htlcMinimumMsat === prev.htlcMinimumMsat &&
    next.feeBaseMsat === prev.feeBaseMsat &&
    next.feeProportionalMillionths === prev.feeProportionalMillionths &&
    next.htlcMaximumMsat === prev.htlcMaximumMsat;
  if (!sameRest) return 'policy';
  return (next.channelFlags & dis) === (prev.channelFlags & dis) ? 'keepalive' : 'status';
  function a(p: PolicyFields): number {
    return ((p.channelFlags & ~dis) << 8) | p.messageFlags;
  }
}

/**
 * checkChannelUpdate checks an update for a known channel. `channel` undefined means no
 * channel_announcement is known for its short_channel_id (the caller may hold the update
 * until one arrives). `prev` is the last accepted update of the same direction. `now` is
 * UNIX seconds. The signature is checked after the cheap checks and before anything is
 * charged or stored.
 */
export function checkChannelUpdate(
  raw: Uint8Array,
  msg: ChannelUpdateMessage,
  channel: KnownChannel | undefined,
  prev: PreviousUpdate | null,
  now: number,
  ctx: GossipContext,
): GossipCheck<CheckedChannelUpdate> {
  // BOLT #7: "if the specified `chain_hash` value is unknown (meaning it isn't active on
  // the specified chain):" / "MUST ignore the channel update."
  if (!isKnownChain(ctx, msg.chain_hash)) return reject('ignore', 'unknown_chain', 'channel_update for a chain we do not follow');
  // BOLT #7: "if the `short_channel_id` does NOT match a previous `channel_announcement`:" /
  // "MUST ignore `channel_update`s that do NOT correspond to one of its own channels."
  if (channel === undefined) return reject('ignore', 'unknown_channel', 'channel_update for a channel we have no announcement of');
  const disabled = (msg.channel_flags & CHANNEL_UPDATE_CHANNEL_FLAGS.disable) !== 0;
  // BOLT #7: "if the channel output has been spent:" / "MUST ignore `channel_update`s, unless
  // they have the `disable` bit set to 1."
  if (channel.spent && !disabled) return reject('ignore', 'channel_spent', 'channel_update enabling a channel whose funding output is spent');
  const ts = msg.timestamp;
  // BOLT #7 (origin): "MUST set `timestamp` to greater than 0, AND to greater than any
  // previously-sent `channel_update` for this `short_channel_id`."
  if (ts === 0) return reject('ignore', 'stale', 'channel_update timestamp is 0');
  const maxAge = ctx.maxAgeSeconds ?? TWO_WEEKS_SECONDS;
  // BOLT #7: "if the `timestamp` of the latest `channel_update` in either direction is
  // older than two weeks (1209600 seconds):" / "MAY ignore the channel." — an update that
  // old would be pruned at once, so it is not taken.
  if (ts < now - maxAge) return reject('ignore', 'stale', `channel_update timestamp ${ts} is older than ${maxAge} s`);
  if (prev !== null) {
    // BOLT #7: "if `timestamp` is lower than that of the last-received
    // `channel_update` for this `short_channel_id` AND for `node_id`:" / "SHOULD ignore the message."
    if (ts < prev.timestamp) return reject('ignore', 'stale', `channel_update timestamp ${ts} is older than the last one (${prev.timestamp})`);
    // BOLT #7: "if the `timestamp` is equal to the last-received `channel_update` for this
    // `short_channel_id` AND `node_id`:" / "if the fields below `timestamp` are equal:" /
    // "SHOULD ignore this message" (and if they differ: "MAY blacklist this `node_id`." —
    // we only ignore it: a re-signed copy is not proof of mischief).
    if (ts === prev.timestamp) {
      const same = samePolicy(policyFieldsOf(msg), prev);
      return reject('ignore', same ? 'same_timestamp' : 'same_timestamp_different_fields', same ? 'duplicate channel_update' : 'channel_update with the same timestamp but different fields');
    }
  }
  const maxFuture = ctx.maxFutureSeconds ?? ONE_DAY_SECONDS;
  // BOLT #7: "if the `timestamp` is unreasonably far in the future:" / "MAY discard the `channel_update`."
  if (ts > now + maxFuture) return reject('ignore', 'far_future', `channel_update timestamp ${ts} is more than ${maxFuture} s ahead`);
  const direction = (msg.channel_flags & CHANNEL_UPDATE_CHANNEL_FLAGS.direction) as 0 | 1;
  // BOLT #7: "The `node_id` for the signature verification is taken from the corresponding
  // `channel_announcement`: `node_id_1` if the least-significant bit of flags is 0
  // or `node_id_2` otherwise."
  const signer = direction === 0 ? channel.nodeId1 : channel.nodeId2;
  const verify = ctx.verify ?? defaultVerify;
  // BOLT #7: "if `signature` is not a valid signature, using `node_id` of the
  // double-SHA256 of the entire message following the `signature` field (including
  // unknown fields following `fee_proportional_millionths`):" / "SHOULD send a `warning`
  // and close the connection." / "MUST NOT process the message further."
  if (!verify(msg.signature, gossipSigHash(raw), signer)) return reject('close', 'bad_signature', `channel_update signature is not node_id_${direction + 1}'s`);
  // `must_be_one` is not checked: BOLT #7 "This field must now always be present, so
  // `must_be_one` is a constant value, and ignored by receivers."
  let usable = msg.htlc_maximum_msat >= msg.htlc_minimum_msat;
  if (channel.capacity !== null && msg.htlc_maximum_msat > channel.capacity * 1000n) usable = false;
  // BOLT #7 (origin): "MUST set `dont_forward` to 1 in `message_flags`" / "MUST NOT forward
  // such a `channel_update` to other peers, for privacy reasons." Also, for a spent channel:
  // "SHOULD NOT rebroadcast `channel_update`s to its peers, unless they have the `disable` bit set to 1."
  const relay = (msg.message_flags & CHANNEL_UPDATE_MESSAGE_FLAGS.dont_forward) === 0;
  return accept({ msg, direction, disabled, usable, kind: classifyUpdate(policyFieldsOf(msg), prev), relay });
}
