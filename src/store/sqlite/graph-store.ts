/**
 * SqliteGraphStore: the network graph in SQLite. It creates its own tables (`graph_*`) if
 * they are missing, outside the node's numbered migrations, so it can share the node
 * database or use a file of its own. Gossip is not funds: one batch is one transaction.
 */
import { Reader, Writer, type Msat, type Sat, type ShortChannelId } from '../../lib/index.ts';
import { readAddress, writeAddress, type AddressDescriptor } from '../../wire/index.ts';
import type { DirectionPolicy, GraphChanges, GraphChannel, GraphSnapshotData, GraphStore, StoredNode } from '../../graph/index.ts';
import { nodeKeyOf } from '../../graph/index.ts';
import type { Db } from './database.ts';

/** Record layout version of the graph tables (kept in each row for later upgrades). */
export const GRAPH_STORE_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS graph_channels (
  scid BLOB PRIMARY KEY,
  version INTEGER NOT NULL,
  node_id_1 BLOB NOT NULL,
  node_id_2 BLOB NOT NULL,
  capacity_sat INTEGER,
  features BLOB NOT NULL,
  routable INTEGER NOT NULL,
  announcement BLOB,
  added_at INTEGER NOT NULL,
  spent_height INTEGER
);
CREATE TABLE IF NOT EXISTS graph_policies (
  scid BLOB NOT NULL,
  direction INTEGER NOT NULL CHECK (direction IN (0, 1)),
  version INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  message_flags INTEGER NOT NULL,
  channel_flags INTEGER NOT NULL,
  cltv_expiry_delta INTEGER NOT NULL,
  htlc_minimum_msat TEXT NOT NULL,
  fee_base_msat TEXT NOT NULL,
  fee_proportional_millionths INTEGER NOT NULL,
  htlc_maximum_msat TEXT NOT NULL,
  usable INTEGER NOT NULL,
  raw BLOB,
  PRIMARY KEY (scid, direction)
);
CREATE TABLE IF NOT EXISTS graph_nodes (
  node_id BLOB PRIMARY KEY,
  version INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  features BLOB NOT NULL,
  rgb_color BLOB NOT NULL,
  alias BLOB NOT NULL,
  addresses BLOB NOT NULL,
  routable INTEGER NOT NULL,
  relay INTEGER NOT NULL,
  raw BLOB
);
`;

function scidBytes(s: ShortChannelId): Uint8Array {
  return new Writer(8).u64(s).finish();
}

function scidOf(b: Uint8Array): ShortChannelId {
  return new Reader(b).u64() as ShortChannelId;
}

function encodeAddresses(list: AddressDescriptor[]): Uint8Array {
  const w = new Writer(64);
  for (const a of list) writeAddress(w, a);
  return w.finish();
}

function decodeAddresses(b: Uint8Array): AddressDescriptor[] {
  const r = new Reader(b);
  const out: AddressDescriptor[] = [];
  while (!r.done()) out.push(readAddress(r));
  return out;
}

const u8 = (b: Buffer | Uint8Array | null): Uint8Array | null => (b === null ? null : new Uint8Array(b));

interface ChannelRow {
  scid: Buffer;
  node_id_1: Buffer;
  node_id_2: Buffer;
  capacity_sat: number | bigint | null;
  features: Buffer;
  routable: number;
  announcement: Buffer | null;
  added_at: number;
  spent_height: number | null;
}

interface PolicyRow {
  scid: Buffer;
  direction: number;
  timestamp: number;
  message_flags: number;
  channel_flags: number;
  cltv_expiry_delta: number;
  htlc_minimum_msat: string;
  fee_base_msat: string;
  fee_proportional_millionths: number;
  htlc_maximum_msat: string;
  usable: number;
  raw: Buffer | null;
}

interface NodeRow {
  node_id: Buffer;
  timestamp: number;
  features: Buffer;
  rgb_color: Buffer;
  alias: Buffer;
  addresses: Buffer;
  routable: number;
  relay: number;
  raw: Buffer | null;
}

/** SqliteGraphStore implements graph/'s GraphStore over a better-sqlite3 connection. */
export class SqliteGraphStore implements GraphStore {
  constructor(private readonly db: Db) {
    db.exec(SCHEMA);
  }

  /** load reads every channel (with its policies) and every node announcement. */
  load(): GraphSnapshotData {
    const channels = new Map<ShortChannelId, GraphChannel>();
    for (const r of this.db.prepare('SELECT * FROM graph_channels').all() as ChannelRow[]) {
      const scid = scidOf(r.scid);
      const nodeId1 = new Uint8Array(r.node_id_1);
      const nodeId2 = new Uint8Array(r.node_id_2);
      channels.set(scid, {
        scid,
        nodeId1,
        nodeId2,
        node1: nodeKeyOf(nodeId1),
        node2: nodeKeyOf(nodeId2),
        capacity: r.capacity_sat === null ? null : (BigInt(r.capacity_sat) as Sat),
        features: new Uint8Array(r.features),
        routable: r.routable === 1,
        announcement: u8(r.announcement),
        addedAt: r.added_at,
        spentAtHeight: r.spent_height,
        policies: [null, null],
      });
    }
    for (const r of this.db.prepare('SELECT * FROM graph_policies').all() as PolicyRow[]) {
      const c = channels.get(scidOf(r.scid));
      if (!c) continue;
      const p: DirectionPolicy = {
        timestamp: r.timestamp,
        messageFlags: r.message_flags,
        channelFlags: r.channel_flags,
        cltvExpiryDelta: r.cltv_expiry_delta,
        htlcMinimumMsat: BigInt(r.htlc_minimum_msat) as Msat,
        feeBaseMsat: BigInt(r.fee_base_msat) as Msat,
        feeProportionalMillionths: r.fee_proportional_millionths,
        htlcMaximumMsat: BigInt(r.htlc_maximum_msat) as Msat,
        disabled: (r.channel_flags & 2) !== 0,
        usable: r.usable === 1,
        raw: u8(r.raw),
      };
      c.policies[r.direction === 1 ? 1 : 0] = p;
    }
    const nodes: StoredNode[] = [];
    for (const r of this.db.prepare('SELECT * FROM graph_nodes').all() as NodeRow[]) {
      nodes.push({
        nodeId: new Uint8Array(r.node_id),
        announcement: {
          timestamp: r.timestamp,
          features: new Uint8Array(r.features),
          rgbColor: new Uint8Array(r.rgb_color),
          alias: new Uint8Array(r.alias),
          addresses: decodeAddresses(new Uint8Array(r.addresses)),
          routable: r.routable === 1,
          relay: r.relay === 1,
          raw: u8(r.raw),
        },
      });
    }
    return { channels: [...channels.values()], nodes };
  }

  /** apply writes one batch of changes in a single transaction. */
  apply(ch: GraphChanges): void {
    const db = this.db;
    const putChannel = db.prepare(
      `INSERT OR REPLACE INTO graph_channels (scid, version, node_id_1, node_id_2, capacity_sat, features, routable, announcement, added_at, spent_height)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const putPolicy = db.prepare(
      `INSERT OR REPLACE INTO graph_policies (scid, direction, version, timestamp, message_flags, channel_flags, cltv_expiry_delta,
         htlc_minimum_msat, fee_base_msat, fee_proportional_millionths, htlc_maximum_msat, usable, raw)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const delPolicy = db.prepare('DELETE FROM graph_policies WHERE scid = ? AND direction = ?');
    const delChannel = db.prepare('DELETE FROM graph_channels WHERE scid = ?');
    const delPolicies = db.prepare('DELETE FROM graph_policies WHERE scid = ?');
    const putNode = db.prepare(
      `INSERT OR REPLACE INTO graph_nodes (node_id, version, timestamp, features, rgb_color, alias, addresses, routable, relay, raw)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const delNode = db.prepare('DELETE FROM graph_nodes WHERE node_id = ?');
    db.transaction(() => {
      for (const s of ch.removedChannels) {
        const k = scidBytes(s);
        delPolicies.run(k);
        delChannel.run(k);
      }
      for (const c of ch.channels) {
        const k = scidBytes(c.scid);
        putChannel.run(k, GRAPH_STORE_VERSION, c.nodeId1, c.nodeId2, c.capacity === null ? null : c.capacity, c.features, c.routable ? 1 : 0, c.announcement, c.addedAt, c.spentAtHeight);
        for (const d of [0, 1] as const) {
          const p = c.policies[d];
          if (!p) {
            delPolicy.run(k, d);
            continue;
          }
          putPolicy.run(
            k,
            d,
            GRAPH_STORE_VERSION,
            p.timestamp,
            p.messageFlags,
            p.channelFlags,
            p.cltvExpiryDelta,
            p.htlcMinimumMsat.toString(),
            p.feeBaseMsat.toString(),
            p.feeProportionalMillionths,
            p.htlcMaximumMsat.toString(),
            p.usable ? 1 : 0,
            p.raw,
          );
        }
      }
      for (const id of ch.removedNodes) delNode.run(id);
      for (const n of ch.nodes) {
        const a = n.announcement;
        putNode.run(n.nodeId, GRAPH_STORE_VERSION, a.timestamp, a.features, a.rgbColor, a.alias, encodeAddresses(a.addresses), a.routable ? 1 : 0, a.relay ? 1 : 0, a.raw);
      }
    })();
  }
}
