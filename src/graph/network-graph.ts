/**
 * NetworkGraph: the public channel graph in memory (BOLT #7 "Rebroadcasting": "SHOULD update
 * its local view of the network's topology accordingly"). Maps for lookups, a cached
 * compact view for pathfinding, listeners for events, and a change log for the store.
 * Pure: no I/O, time and heights are arguments.
 */
import { fromHex, type Sat, type ShortChannelId } from '../lib/index.ts';
import { TWO_WEEKS_SECONDS } from '../gossip/index.ts';
import type { ChannelRemovalReason, DirectionPolicy, GraphChannel, GraphEvents, GraphNode, NodeAnnouncementInfo, NodeKey } from './types.ts';
import type { GraphChanges, GraphSnapshotData, GraphStore } from './store.ts';
import { buildCompactView, type CompactGraphView } from './compact-view.ts';
import { nodeKeyOf } from './node-key.ts';

/**
 * BOLT #7: "if the funding output of a channel is spent and received 72 block confirmations:"
 * / "SHOULD be removed from the local network view AND be considered closed."
 */
export const SPENT_CHANNEL_FORGET_DELAY = 72;

const NO_FEATURES = new Uint8Array(0);

/** What addChannel needs. */
export interface NewChannel {
  scid: ShortChannelId;
  nodeId1: Uint8Array;
  nodeId2: Uint8Array;
  capacity: Sat | null;
  features?: Uint8Array;
  routable?: boolean;
  announcement?: Uint8Array | null;
  addedAt: number;
  /** The node keys (hex) if the caller has them already (a bulk load); computed otherwise. */
  node1Key?: NodeKey;
  node2Key?: NodeKey;
}

/** NetworkGraph holds channels and nodes and answers queries on them. */
export class NetworkGraph {
  private readonly channelMap = new Map<ShortChannelId, GraphChannel>();
  private readonly nodeMap = new Map<NodeKey, GraphNode>();
  private readonly listeners: Partial<GraphEvents>[] = [];
  private version = 0;
  private cachedView: { version: number; view: CompactGraphView } | null = null;
  private dirtyChannels = new Set<ShortChannelId>();
  private removedChannels = new Set<ShortChannelId>();
  private dirtyNodes = new Set<NodeKey>();
  private removedNodes = new Set<NodeKey>();
  /** False during a bulk load: nothing is logged for the store. */
  private recording = true;

  /**
   * bulk runs `fn` without logging changes for the store (loading what the store or a
   * snapshot already holds); events are still emitted.
   */
  bulk(fn: () => void): void {
    const was = this.recording;
    this.recording = false;
    try {
      fn();
    } finally {
      this.recording = was;
    }
  }

  /** listen adds a listener (any subset of GraphEvents); returns a function that removes it. */
  listen(l: Partial<GraphEvents>): () => void {
    this.listeners.push(l);
    return () => {
      const i = this.listeners.indexOf(l);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private emit<E extends keyof GraphEvents>(e: E, ...args: Parameters<GraphEvents[E]>): void {
    for (const l of this.listeners) {
      const f = l[e] as ((...a: Parameters<GraphEvents[E]>) => void) | undefined;
      if (f) f.apply(l, args);
    }
  }

  private touch(): void {
    this.version++;
  }

  // ---- queries ----

  get channelCount(): number {
    return this.channelMap.size;
  }

  get nodeCount(): number {
    return this.nodeMap.size;
  }

  /** channel looks a channel up by short_channel_id. */
  channel(scid: ShortChannelId): GraphChannel | undefined {
    return this.channelMap.get(scid);
  }

  /** node looks a node up by id (bytes) or key (lower-case hex). */
  node(id: Uint8Array | NodeKey): GraphNode | undefined {
    return this.nodeMap.get(typeof id === 'string' ? id : nodeKeyOf(id));
  }

  /** channels iterates every channel. */
  channels(): IterableIterator<GraphChannel> {
    return this.channelMap.values();
  }

  /** nodes iterates every node. */
  nodes(): IterableIterator<GraphNode> {
    return this.nodeMap.values();
  }

  /** channelsOf lists the channels of a node. */
  channelsOf(id: Uint8Array | NodeKey): GraphChannel[] {
    const n = this.node(id);
    if (!n) return [];
    const out: GraphChannel[] = [];
    for (const s of n.channels) {
      const c = this.channelMap.get(s);
      if (c) out.push(c);
    }
    return out;
  }

  /** neighbours lists each peer of a node once, with the channels between them. */
  neighbours(id: Uint8Array | NodeKey): { node: GraphNode; channels: GraphChannel[] }[] {
    const n = this.node(id);
    if (!n) return [];
    const by = new Map<NodeKey, { node: GraphNode; channels: GraphChannel[] }>();
    for (const c of this.channelsOf(n.key)) {
      const other = c.node1 === n.key ? c.node2 : c.node1;
      let e = by.get(other);
      if (!e) {
        e = { node: this.nodeMap.get(other)!, channels: [] };
        by.set(other, e);
      }
      e.channels.push(c);
    }
    return [...by.values()];
  }

  /** view returns the compact read-only view for pathfinding, rebuilt only after changes. */
  view(): CompactGraphView {
    if (this.cachedView && this.cachedView.version === this.version) return this.cachedView.view;
    const view = buildCompactView(this);
    this.cachedView = { version: this.version, view };
    return view;
  }

  // ---- changes ----

  private ensureNode(nodeId: Uint8Array, key: NodeKey): GraphNode {
    let n = this.nodeMap.get(key);
    if (!n) {
      n = { key, nodeId, channels: [], announcement: null };
      this.nodeMap.set(key, n);
      if (this.recording) this.removedNodes.delete(key);
      this.emit('nodeAdded', n);
    }
    return n;
  }

  /** addChannel inserts a channel (and its nodes if new). Returns the existing one if the scid is known. */
  addChannel(c: NewChannel): GraphChannel {
    const old = this.channelMap.get(c.scid);
    if (old) return old;
    const node1 = c.node1Key ?? nodeKeyOf(c.nodeId1);
    const node2 = c.node2Key ?? nodeKeyOf(c.nodeId2);
    const ch: GraphChannel = {
      scid: c.scid,
      nodeId1: c.nodeId1,
      nodeId2: c.nodeId2,
      node1,
      node2,
      capacity: c.capacity,
      features: c.features ?? NO_FEATURES,
      routable: c.routable ?? true,
      announcement: c.announcement ?? null,
      addedAt: c.addedAt,
      spentAtHeight: null,
      policies: [null, null],
    };
    this.channelMap.set(c.scid, ch);
    this.ensureNode(c.nodeId1, node1).channels.push(c.scid);
    this.ensureNode(c.nodeId2, node2).channels.push(c.scid);
    if (this.recording) {
      this.dirtyChannels.add(c.scid);
      this.removedChannels.delete(c.scid);
    }
    this.touch();
    this.emit('channelAdded', ch);
    return ch;
  }

  /** setPolicy replaces one direction's policy (the caller checked it is newer). */
  setPolicy(scid: ShortChannelId, direction: 0 | 1, policy: DirectionPolicy): boolean {
    const c = this.channelMap.get(scid);
    if (!c) return false;
    c.policies[direction] = policy;
    if (this.recording) this.dirtyChannels.add(scid);
    this.touch();
    this.emit('channelUpdated', c, direction);
    return true;
  }

  /** setNodeAnnouncement stores a node's announcement (the node must have a channel). */
  setNodeAnnouncement(id: Uint8Array | NodeKey, info: NodeAnnouncementInfo): boolean {
    const n = this.node(id);
    if (!n) return false;
    n.announcement = info;
    if (this.recording) this.dirtyNodes.add(n.key);
    this.touch();
    this.emit('nodeUpdated', n);
    return true;
  }

  /**
   * removeChannel forgets a channel, and any node left without channels (BOLT #7: "if there
   * are no channels associated with the corresponding origin node:" / "MAY purge the origin
   * node from its set of known nodes.").
   */
  removeChannel(scid: ShortChannelId, reason: ChannelRemovalReason = 'removed'): boolean {
    const c = this.channelMap.get(scid);
    if (!c) return false;
    this.channelMap.delete(scid);
    this.dirtyChannels.delete(scid);
    this.removedChannels.add(scid);
    this.touch();
    this.emit('channelRemoved', c, reason);
    for (const key of [c.node1, c.node2]) {
      const n = this.nodeMap.get(key);
      if (!n) continue;
      const at = n.channels.indexOf(scid);
      if (at >= 0) n.channels.splice(at, 1);
      if (n.channels.length === 0) {
        this.nodeMap.delete(key);
        this.dirtyNodes.delete(key);
        if (n.announcement) this.removedNodes.add(key);
        this.emit('nodeRemoved', n);
      }
    }
    return true;
  }

  /**
   * markSpent records that a channel's funding output was spent at `height`. BOLT #7: "once
   * its funding output has been spent OR reorganized out:" / "SHOULD forget a channel after
   * a 72-block delay." — removal is pruneSpent's job, so a splice's new announcement can
   * arrive meanwhile.
   */
  markSpent(scid: ShortChannelId, height: number): boolean {
    const c = this.channelMap.get(scid);
    if (!c || c.spentAtHeight !== null) return false;
    c.spentAtHeight = height;
    if (this.recording) this.dirtyChannels.add(scid);
    this.touch();
    this.emit('channelSpent', c, height);
    return true;
  }

  /** markUnspent undoes markSpent when the spending block is reorganised out. */
  markUnspent(scid: ShortChannelId): boolean {
    const c = this.channelMap.get(scid);
    if (!c || c.spentAtHeight === null) return false;
    c.spentAtHeight = null;
    if (this.recording) this.dirtyChannels.add(scid);
    this.touch();
    this.emit('channelSpent', c, null);
    return true;
  }

  /** pruneSpent removes channels spent at least `delay` blocks below `tipHeight`; returns them. */
  pruneSpent(tipHeight: number, delay = SPENT_CHANNEL_FORGET_DELAY): ShortChannelId[] {
    const gone: ShortChannelId[] = [];
    for (const c of this.channelMap.values()) {
      if (c.spentAtHeight !== null && tipHeight - c.spentAtHeight + 1 >= delay) gone.push(c.scid);
    }
    for (const s of gone) this.removeChannel(s, 'spent');
    return gone;
  }

  /**
   * pruneStale removes channels whose older direction is older than `maxAge`. BOLT #7: "if
   * the `timestamp` of the latest `channel_update` in either direction is older than two
   * weeks (1209600 seconds):" / "MAY prune the channel." and "The oldest `channel_update` is
   * used to prune the channel since both sides need to be active in order for the channel to
   * be usable." A direction with no update counts from when the channel was added.
   */
  pruneStale(now: number, maxAge = TWO_WEEKS_SECONDS): ShortChannelId[] {
    const limit = now - maxAge;
    const gone: ShortChannelId[] = [];
    for (const c of this.channelMap.values()) {
      const t0 = c.policies[0]?.timestamp ?? c.addedAt;
      const t1 = c.policies[1]?.timestamp ?? c.addedAt;
      if (Math.min(t0, t1) < limit) gone.push(c.scid);
    }
    for (const s of gone) this.removeChannel(s, 'stale');
    return gone;
  }

  // ---- persistence ----

  /** takeChanges returns what changed since the last call (or load) and clears the log. */
  takeChanges(): GraphChanges {
    const channels: GraphChannel[] = [];
    for (const s of this.dirtyChannels) {
      const c = this.channelMap.get(s);
      if (c) channels.push(c);
    }
    const nodes = [];
    for (const k of this.dirtyNodes) {
      const n = this.nodeMap.get(k);
      if (n?.announcement) nodes.push({ nodeId: n.nodeId, announcement: n.announcement });
    }
    const out: GraphChanges = { channels, removedChannels: [...this.removedChannels], nodes, removedNodes: [...this.removedNodes].map((k) => fromHex(k)) };
    this.dirtyChannels = new Set();
    this.removedChannels = new Set();
    this.dirtyNodes = new Set();
    this.removedNodes = new Set();
    return out;
  }

  /** saveTo writes the pending changes to a store in one batch. */
  saveTo(store: GraphStore): void {
    store.apply(this.takeChanges());
  }

  /**
   * loadFrom fills the graph from a store's data (the data was checked when it was first
   * received). Emits the usual events; leaves nothing to save.
   */
  loadFrom(data: GraphSnapshotData): void {
    this.bulk(() => {
      for (const c of data.channels) {
        const ch = this.addChannel(c);
        ch.spentAtHeight = c.spentAtHeight;
        ch.policies = [c.policies[0], c.policies[1]];
      }
      for (const n of data.nodes) this.setNodeAnnouncement(n.nodeId, n.announcement);
    });
    this.touch();
  }
}
