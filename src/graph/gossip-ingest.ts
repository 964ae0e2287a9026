/**
 * GossipIngest: BOLT #7 gossip from peers into the NetworkGraph. One call per received
 * message; the answer says what happened, what to tell the peer, and what to queue for
 * rebroadcast. Holds the rate limiter, the holding caches and the blacklist. Pure apart from
 * the injected chain lookup (async) and clock.
 */
import { DecodeError, type ShortChannelId } from '../lib/index.ts';
import { decodeMessage, UnknownEvenMessageError, type WireMessage } from '../wire/index.ts';
import {
  checkChannelAnnouncement,
  checkChannelUpdate,
  checkFundingOutput,
  checkNodeAnnouncement,
  checkNodeAnnouncementTimestamp,
  PendingNodeAnnouncements,
  PendingUpdates,
  policyFieldsOf,
  reject,
  sameChannelParties,
  UpdateRateLimiter,
  ANNOUNCEMENT_MIN_CONFIRMATIONS,
  ONE_DAY_SECONDS,
  TWO_WEEKS_SECONDS,
  type ChannelAnnouncementMessage,
  type ChannelUpdateMessage,
  type FundingLookup,
  type GossipAction,
  type GossipContext,
  type GossipRejectCode,
  type NodeAnnouncementMessage,
  type UpdateRateConfig,
} from '../gossip/index.ts';
import type { NetworkGraph } from './network-graph.ts';
import { nodeKeyOf } from './node-key.ts';
import type { NodeKey } from './types.ts';

/** The gossip message types this handles. */
export type GossipMessageType = 'channel_announcement' | 'node_announcement' | 'channel_update';

/** What became of one received message. */
export type GossipOutcome =
  | {
      status: 'accepted';
      type: GossipMessageType;
      /**
       * Messages to queue for rebroadcast, in order (raw bytes as received): this one if it
       * may be relayed, and any held messages it released. A channel_announcement is only
       * listed together with its first channel_update (BOLT #7: "If a
       * `channel_announcement` has no corresponding `channel_update`s:" / "MUST NOT send the
       * `channel_announcement`.").
       */
      relay: Uint8Array[];
    }
  /** Held until the channel_announcement (or a channel of the node) it depends on arrives. */
  | { status: 'pending'; type: GossipMessageType; reason: string }
  | { status: 'rejected'; type: GossipMessageType | 'other'; action: GossipAction; code: GossipRejectCode; reason: string };

/** Options of GossipIngest. */
export interface GossipIngestOptions {
  graph: NetworkGraph;
  /** Chains, signature check, time horizons. */
  context: GossipContext;
  /** Finds the output a short_channel_id names. */
  funding: FundingLookup;
  /** The current time in UNIX seconds (the node's Clock). */
  now: () => number;
  /** Confirmations an announced output needs (default 6). */
  minConfirmations?: number;
  rateLimit?: Partial<UpdateRateConfig>;
  /** Channels whose early updates are held (default 2,000). */
  maxPendingChannels?: number;
  /** Unknown nodes whose announcements are held (default 1,000). */
  maxPendingNodes?: number;
}

/** Counters, for metrics and tests. */
export interface GossipIngestStats {
  accepted: number;
  rejected: number;
  pending: number;
  rateLimited: number;
}

/**
 * GossipIngest validates gossip and applies it to the graph. Call `receive` for every
 * channel_announcement (256), node_announcement (257) and channel_update (258) a peer sends.
 */
export class GossipIngest {
  readonly graph: NetworkGraph;
  private readonly ctx: GossipContext;
  private readonly funding: FundingLookup;
  private readonly now: () => number;
  private readonly minConf: number;
  readonly limiter: UpdateRateLimiter;
  readonly pendingUpdates: PendingUpdates;
  readonly pendingNodes: PendingNodeAnnouncements;
  private readonly inFlight = new Set<ShortChannelId>();
  private readonly blacklist = new Set<NodeKey>();
  /** Channels whose announcement has been handed out for relay. */
  private readonly announced = new Set<ShortChannelId>();
  readonly stats: GossipIngestStats = { accepted: 0, rejected: 0, pending: 0, rateLimited: 0 };

  constructor(o: GossipIngestOptions) {
    this.graph = o.graph;
    this.ctx = o.context;
    this.funding = o.funding;
    this.now = o.now;
    this.minConf = o.minConfirmations ?? ANNOUNCEMENT_MIN_CONFIRMATIONS;
    this.limiter = new UpdateRateLimiter(o.rateLimit);
    this.pendingUpdates = new PendingUpdates(o.maxPendingChannels);
    this.pendingNodes = new PendingNodeAnnouncements(o.maxPendingNodes);
    this.graph.listen({
      channelRemoved: (c) => {
        this.limiter.forget(c.scid);
        this.announced.delete(c.scid);
      },
    });
  }

  /** isBlacklisted: a node whose keys produced conflicting announcements. */
  isBlacklisted(nodeId: Uint8Array): boolean {
    return this.blacklist.has(nodeKeyOf(nodeId));
  }

  /** receive handles one raw gossip message (with its 2-byte type). Never throws on bad input. */
  async receive(raw: Uint8Array): Promise<GossipOutcome> {
    let msg: WireMessage;
    try {
      msg = decodeMessage(raw);
    } catch (e) {
      // BOLT #1: "upon receiving a message of _even_, unknown type:" / "MUST close the connection."
      if (e instanceof UnknownEvenMessageError) return this.count(rejected('other', reject('close', 'malformed', e.message)));
      // BOLT #7 (node_announcement): "if `addrlen` is insufficient to hold the address
      // descriptors of the known types:" / "SHOULD send a `warning`." — and so for any
      // gossip message that does not decode.
      if (e instanceof DecodeError) return this.count(rejected(typeOfRaw(raw), reject('warn', 'malformed', e.message)));
      throw e;
    }
    switch (msg.type) {
      case 'channel_announcement':
        return this.count(await this.onChannelAnnouncement(raw, msg));
      case 'node_announcement':
        return this.count(this.onNodeAnnouncement(raw, msg));
      case 'channel_update':
        return this.count(this.onChannelUpdate(raw, msg));
      default:
        return this.count(rejected('other', reject('ignore', 'malformed', `${msg.type} is not a gossip message this handles`)));
    }
  }

  private count(o: GossipOutcome): GossipOutcome {
    if (o.status === 'accepted') this.stats.accepted++;
    else if (o.status === 'pending') this.stats.pending++;
    else {
      this.stats.rejected++;
      if (o.code === 'rate_limited') this.stats.rateLimited++;
    }
    return o;
  }

  private async onChannelAnnouncement(raw: Uint8Array, msg: ChannelAnnouncementMessage): Promise<GossipOutcome> {
    const T = 'channel_announcement';
    const scid = msg.short_channel_id;
    const known = this.graph.channel(scid);
    if (known && sameChannelParties(msg, known)) return rejected(T, reject('ignore', 'duplicate', 'channel already announced'));
    if (this.inFlight.has(scid)) return rejected(T, reject('ignore', 'duplicate', 'channel announcement already being checked'));
    // BOLT #7: "if `node_id_1` OR `node_id_2` are blacklisted:" / "SHOULD ignore the message."
    if (this.blacklist.has(nodeKeyOf(msg.node_id_1)) || this.blacklist.has(nodeKeyOf(msg.node_id_2))) {
      return rejected(T, reject('ignore', 'blacklisted', 'a node of this channel is blacklisted'));
    }
    const checked = checkChannelAnnouncement(raw, msg, this.ctx);
    if (!checked.ok) return rejected(T, checked);
    this.inFlight.add(scid);
    let out;
    try {
      out = await this.funding.lookupFunding(scid);
    } catch (e) {
      return rejected(T, reject('ignore', 'funding_lookup_failed', `chain lookup failed: ${(e as Error).message}`));
    } finally {
      this.inFlight.delete(scid);
    }
    const fund = checkFundingOutput(msg, out, this.minConf);
    if (!fund.ok) return rejected(T, fund);
    const again = this.graph.channel(scid);
    if (again) {
      if (sameChannelParties(msg, again)) return rejected(T, reject('ignore', 'duplicate', 'channel already announced'));
      // BOLT #7: "if it has previously received a valid `channel_announcement`, for the
      // same transaction, in the same block, but for a different `node_id_1` or
      // `node_id_2`:" / "SHOULD blacklist the previous message's `node_id_1` and `node_id_2`,
      // as well as this `node_id_1` and `node_id_2` AND forget any channels connected to them."
      for (const id of [again.nodeId1, again.nodeId2, msg.node_id_1, msg.node_id_2]) this.blacklistNode(id);
      return rejected(T, reject('ignore', 'conflicting_announcement', 'a different valid announcement exists for this output; both node pairs blacklisted'));
    }
    this.graph.addChannel({
      scid,
      nodeId1: msg.node_id_1,
      nodeId2: msg.node_id_2,
      capacity: fund.value.capacity,
      features: msg.features,
      routable: checked.value.unknownEvenFeature === null,
      announcement: raw,
      addedAt: this.now(),
    });
    // Release what waited for this channel: its updates, then its nodes' announcements.
    const relay: Uint8Array[] = [];
    for (const u of this.pendingUpdates.take(scid)) {
      const o = this.onChannelUpdateRaw(u.raw);
      if (o?.status === 'accepted') relay.push(...o.relay);
    }
    for (const id of [msg.node_id_1, msg.node_id_2]) {
      const p = this.pendingNodes.take(nodeKeyOf(id));
      if (!p) continue;
      const o = this.onNodeAnnouncementRaw(p.raw);
      if (o?.status === 'accepted') relay.push(...o.relay);
    }
    return { status: 'accepted', type: T, relay };
  }

  private blacklistNode(id: Uint8Array): void {
    const key = nodeKeyOf(id);
    this.blacklist.add(key);
    for (const c of this.graph.channelsOf(key)) this.graph.removeChannel(c.scid, 'blacklisted');
  }

  private onChannelUpdateRaw(raw: Uint8Array): GossipOutcome | null {
    try {
      const m = decodeMessage(raw);
      return m.type === 'channel_update' ? this.onChannelUpdate(raw, m) : null;
    } catch {
      return null;
    }
  }

  private onNodeAnnouncementRaw(raw: Uint8Array): GossipOutcome | null {
    try {
      const m = decodeMessage(raw);
      return m.type === 'node_announcement' ? this.onNodeAnnouncement(raw, m) : null;
    } catch {
      return null;
    }
  }

  private onChannelUpdate(raw: Uint8Array, msg: ChannelUpdateMessage): GossipOutcome {
    const T = 'channel_update';
    const now = this.now();
    const c = this.graph.channel(msg.short_channel_id);
    const direction = (msg.channel_flags & 1) as 0 | 1;
    const prev = c?.policies[direction] ?? null;
    const checked = checkChannelUpdate(raw, msg, c && { nodeId1: c.nodeId1, nodeId2: c.nodeId2, capacity: c.capacity, spent: c.spentAtHeight !== null }, prev, now, this.ctx);
    if (!checked.ok) {
      if (checked.code === 'unknown_channel') {
        // Held, unverified, until the announcement names its signer; only plausible ones.
        const ts = msg.timestamp;
        const maxAge = this.ctx.maxAgeSeconds ?? TWO_WEEKS_SECONDS;
        const maxFuture = this.ctx.maxFutureSeconds ?? ONE_DAY_SECONDS;
        if (ts > 0 && ts >= now - maxAge && ts <= now + maxFuture) {
          this.pendingUpdates.add(msg.short_channel_id, direction, { raw, timestamp: ts });
          return { status: 'pending', type: T, reason: 'no channel_announcement yet for this short_channel_id' };
        }
      }
      return rejected(T, checked);
    }
    const u = checked.value;
    // Charged only now, after the signature: a stranger cannot spend a channel's budget.
    if (!this.limiter.tryCharge(msg.short_channel_id, direction, u.kind, now)) {
      return rejected(T, reject('ignore', 'rate_limited', `too many ${u.kind} updates for this channel direction`));
    }
    this.graph.setPolicy(msg.short_channel_id, direction, { ...policyFieldsOf(msg), timestamp: msg.timestamp, disabled: u.disabled, usable: u.usable, raw });
    const relay: Uint8Array[] = [];
    if (u.relay) {
      if (!this.announced.has(msg.short_channel_id) && c!.announcement) {
        // BOLT #7: "MUST send the `channel_announcement` prior to any corresponding
        // `channel_update`s and `node_announcement`s."
        relay.push(c!.announcement);
        this.announced.add(msg.short_channel_id);
      }
      relay.push(raw);
    }
    return { status: 'accepted', type: T, relay };
  }

  private onNodeAnnouncement(raw: Uint8Array, msg: NodeAnnouncementMessage): GossipOutcome {
    const T = 'node_announcement';
    const checked = checkNodeAnnouncement(raw, msg, this.ctx);
    if (!checked.ok) return rejected(T, checked);
    const key = nodeKeyOf(msg.node_id);
    if (this.blacklist.has(key)) return rejected(T, reject('ignore', 'blacklisted', 'node is blacklisted'));
    const node = this.graph.node(key);
    if (!node) {
      // BOLT #7: "if `node_id` is NOT previously known from a `channel_announcement` message,"
      // / "SHOULD ignore the message." — held (signature checked, bounded) in case its
      // channel is still on the way.
      this.pendingNodes.add(key, { raw, timestamp: msg.timestamp });
      return { status: 'pending', type: T, reason: 'no channel known for this node yet' };
    }
    const ts = checkNodeAnnouncementTimestamp(msg.timestamp, node.announcement?.timestamp ?? null);
    if (!ts.ok) return rejected(T, ts);
    const v = checked.value;
    this.graph.setNodeAnnouncement(msg.node_id, {
      timestamp: msg.timestamp,
      features: msg.features,
      rgbColor: msg.rgb_color,
      alias: msg.alias,
      addresses: v.addresses,
      routable: v.unknownEvenFeature === null,
      relay: v.relay,
      raw,
    });
    return { status: 'accepted', type: T, relay: v.relay ? [raw] : [] };
  }
}

function rejected(type: GossipMessageType | 'other', r: { action: GossipAction; code: GossipRejectCode; reason: string }): GossipOutcome {
  return { status: 'rejected', type, action: r.action, code: r.code, reason: r.reason };
}

function typeOfRaw(raw: Uint8Array): GossipMessageType | 'other' {
  const t = raw.length >= 2 ? (raw[0]! << 8) | raw[1]! : -1;
  return t === 256 ? 'channel_announcement' : t === 257 ? 'node_announcement' : t === 258 ? 'channel_update' : 'other';
}
