/**
 * GraphStore: where the graph is saved between runs. The graph collects its changes and the
 * node hands them to a store in one batch (e.g. on the gossip flush timer), so ingest never
 * waits on a disk. `store/sqlite/graph-store.ts` is the SQLite implementation.
 */
import type { ShortChannelId } from '../lib/index.ts';
import type { GraphChannel, NodeAnnouncementInfo } from './types.ts';

/** A saved node: its id and latest announcement (nodes without one are implied by channels). */
export interface StoredNode {
  nodeId: Uint8Array;
  announcement: NodeAnnouncementInfo;
}

/** Everything a store holds. Channels carry their policies. */
export interface GraphSnapshotData {
  channels: GraphChannel[];
  nodes: StoredNode[];
}

/** A batch of changes since the last save. */
export interface GraphChanges {
  /** Channels to insert or replace (with both policies). */
  channels: GraphChannel[];
  removedChannels: ShortChannelId[];
  /** Node announcements to insert or replace. */
  nodes: StoredNode[];
  /** Node ids whose saved announcement is to be deleted. */
  removedNodes: Uint8Array[];
}

/** GraphStore saves and loads the graph. */
export interface GraphStore {
  /** load reads everything saved. */
  load(): GraphSnapshotData;
  /** apply writes one batch atomically. */
  apply(changes: GraphChanges): void;
}

/** emptyChanges reports whether a batch has nothing in it. */
export function emptyChanges(c: GraphChanges): boolean {
  return c.channels.length === 0 && c.removedChannels.length === 0 && c.nodes.length === 0 && c.removedNodes.length === 0;
}
