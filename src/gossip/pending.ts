/**
 * Bounded holding areas for gossip that arrives before what it depends on: channel_updates
 * before their channel_announcement, node_announcements before any channel of the node.
 * Nothing a stranger sends can make them grow past their bounds: the oldest entry goes.
 */

/** BoundedCache is an insertion-ordered map with a fixed maximum size (oldest evicted). */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(readonly maxEntries: number) {
    if (!(maxEntries > 0)) throw new RangeError('maxEntries must be positive');
  }

  /** set stores or replaces a value (it becomes the newest), evicting the oldest when full. */
  set(key: K, value: V): void {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /** take removes and returns a value. */
  take(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) this.map.delete(key);
    return v;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

/** A channel_update held until its announcement arrives (signature not checkable yet). */
export interface PendingUpdate {
  raw: Uint8Array;
  timestamp: number;
}

/**
 * PendingUpdates holds at most two updates (one per direction, the newest timestamp) for
 * each of at most `maxChannels` short_channel_ids. Their signatures cannot be checked until
 * the announcement names the signers, so they are never relayed or charged before that.
 */
export class PendingUpdates {
  private readonly cache: BoundedCache<bigint, [PendingUpdate | null, PendingUpdate | null]>;
  constructor(maxChannels = 2_000) {
    this.cache = new BoundedCache(maxChannels);
  }

  /** add keeps the update if it is the newest seen for its direction. */
  add(scid: bigint, direction: 0 | 1, update: PendingUpdate): void {
    const cur = this.cache.get(scid) ?? [null, null];
    const old = cur[direction];
    if (old !== null && old.timestamp >= update.timestamp) return;
    const next: [PendingUpdate | null, PendingUpdate | null] = [cur[0], cur[1]];
    next[direction] = update;
    this.cache.set(scid, next);
  }

  /** take returns and forgets the updates held for a channel (oldest first). */
  take(scid: bigint): PendingUpdate[] {
    const v = this.cache.take(scid);
    return v ? (v.filter((u) => u !== null) as PendingUpdate[]) : [];
  }

  get size(): number {
    return this.cache.size;
  }
}

/** A node_announcement (signature already checked) held until a channel of its node is known. */
export interface PendingNodeAnnouncement {
  raw: Uint8Array;
  timestamp: number;
}

/** PendingNodeAnnouncements holds the newest signed announcement of at most `maxNodes` unknown nodes. */
export class PendingNodeAnnouncements {
  private readonly cache: BoundedCache<string, PendingNodeAnnouncement>;
  constructor(maxNodes = 1_000) {
    this.cache = new BoundedCache(maxNodes);
  }

  /** add keeps the announcement if it is the newest seen for the node. */
  add(nodeKey: string, a: PendingNodeAnnouncement): void {
    const old = this.cache.get(nodeKey);
    if (old !== undefined && old.timestamp >= a.timestamp) return;
    this.cache.set(nodeKey, a);
  }

  take(nodeKey: string): PendingNodeAnnouncement | undefined {
    return this.cache.take(nodeKey);
  }

  get size(): number {
    return this.cache.size;
  }
}
