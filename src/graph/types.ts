/**
 * The network graph's records: channels with both directions' policies, and nodes with
 * their announcement fields. Money is `Sat`/`Msat`; node ids are 33-byte compressed keys,
 * keyed in maps by their hex (`NodeKey`).
 */
import type { Msat, Sat, ShortChannelId } from '../lib/index.ts';
import type { AddressDescriptor } from '../wire/index.ts';
import type { PolicyFields } from '../gossip/index.ts';

/** A node id as lower-case hex (66 characters): the key of node maps. */
export type NodeKey = string;

/** One direction's routing policy, from its latest accepted channel_update. */
export interface DirectionPolicy extends PolicyFields {
  timestamp: number;
  /** `channel_flags` bit 1. */
  disabled: boolean;
  /** False if routing must skip it (htlc_maximum_msat above the capacity or below htlc_minimum_msat). */
  usable: boolean;
  /** The signed message as received, for relaying and answering queries (null for snapshots). */
  raw: Uint8Array | null;
}

/** A public channel. */
export interface GraphChannel {
  scid: ShortChannelId;
  nodeId1: Uint8Array;
  nodeId2: Uint8Array;
  node1: NodeKey;
  node2: NodeKey;
  /** The funding output's value (null only for records without one, e.g. test fixtures). */
  capacity: Sat | null;
  /** channel_announcement features. */
  features: Uint8Array;
  /** False when the features carry an unknown even bit: never route through it. */
  routable: boolean;
  /** The signed channel_announcement (null for snapshots). */
  announcement: Uint8Array | null;
  /** When we accepted it (UNIX seconds): the age of a direction that never had an update. */
  addedAt: number;
  /** Block height at which its funding output was seen spent, or null. */
  spentAtHeight: number | null;
  /** Index 0: from node_id_1 (direction 0); index 1: from node_id_2. */
  policies: [DirectionPolicy | null, DirectionPolicy | null];
}

/** The fields of a node's latest accepted node_announcement. */
export interface NodeAnnouncementInfo {
  timestamp: number;
  features: Uint8Array;
  rgbColor: Uint8Array;
  /** The 32 raw alias bytes (display with gossip's aliasText). */
  alias: Uint8Array;
  addresses: AddressDescriptor[];
  /** False when the features carry an unknown even bit: never route through the node. */
  routable: boolean;
  /** May it be relayed (false with more than one hostname). */
  relay: boolean;
  /** The signed message as received (null for snapshots). */
  raw: Uint8Array | null;
}

/** A node of the graph: known from at least one channel. */
export interface GraphNode {
  key: NodeKey;
  nodeId: Uint8Array;
  /** Its channels' short_channel_ids (no duplicates). */
  channels: ShortChannelId[];
  announcement: NodeAnnouncementInfo | null;
}

/** Why a channel left the graph. */
export type ChannelRemovalReason = 'stale' | 'spent' | 'blacklisted' | 'removed';

/**
 * GraphEvents: what the graph tells its listeners. The node forwards these to its event
 * bus; the ingest uses channelRemoved to drop rate-limit state.
 */
export interface GraphEvents {
  channelAdded(c: GraphChannel): void;
  channelUpdated(c: GraphChannel, direction: 0 | 1): void;
  channelRemoved(c: GraphChannel, reason: ChannelRemovalReason): void;
  channelSpent(c: GraphChannel, height: number | null): void;
  nodeAdded(n: GraphNode): void;
  nodeUpdated(n: GraphNode): void;
  nodeRemoved(n: GraphNode): void;
}

/** Convenience re-exports of the money types used in records. */
export type { Msat, Sat, ShortChannelId };
