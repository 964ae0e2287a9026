/**
 * The SQLite graph store: a graph built from real gossip survives close and reopen (channels,
 * both policies, node announcements with addresses, spent heights), removals persist, and
 * the tables are created idempotently next to the node's own migrations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shortChannelId } from '../../src/lib/index.ts';
import { openDatabase, NODE_MIGRATIONS } from '../../src/store/sqlite/index.ts';
import { SqliteGraphStore } from '../../src/store/sqlite/graph-store.ts';
import { GossipIngest, NetworkGraph } from '../../src/graph/index.ts';
import { CHAIN, FakeChain, makeChannel, makeNodeAnnouncement, makeUpdate } from '../gossip/fixtures.ts';

const NOW = 1_750_000_000;

test('a graph survives close and reopen', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kite-graph-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'kite.sqlite3');
  const graph = new NetworkGraph();
  const chain = new FakeChain();
  const ingest = new GossipIngest({ graph, context: { chainHashes: [CHAIN] }, funding: chain, now: () => NOW });
  const chans = [makeChannel('a', 'b', shortChannelId(800_000, 1, 0)), makeChannel('b', 'c', shortChannelId(800_001, 7, 1)), makeChannel('c', 'd', shortChannelId(800_002, 2, 0))];
  for (const c of chans) {
    chain.add(c);
    await ingest.receive(c.announcement);
    await ingest.receive(makeUpdate(c, 0, NOW - 5));
    await ingest.receive(makeUpdate(c, 1, NOW - 3, { channel_flags: 3 }));
  }
  await ingest.receive(
    makeNodeAnnouncement(chans[0]!.node1, 42, {
      addresses: [
        { type: 'ipv4', addr: Uint8Array.of(203, 0, 113, 1), port: 9735 },
        { type: 'torv3', addr: new Uint8Array(35).fill(9), port: 9735 },
        { type: 'dns', hostname: 'node.example', port: 9736 },
      ],
    }),
  );
  graph.markSpent(chans[1]!.scid, 850_000);

  const db = openDatabase(path, NODE_MIGRATIONS);
  const store = new SqliteGraphStore(db);
  graph.saveTo(store);
  // A later batch: one channel goes.
  graph.removeChannel(chans[2]!.scid);
  graph.saveTo(store);
  db.close();

  const db2 = openDatabase(path, NODE_MIGRATIONS);
  const store2 = new SqliteGraphStore(db2); // creating the tables again is harmless
  const back = new NetworkGraph();
  back.loadFrom(store2.load());
  db2.close();

  assert.equal(back.channelCount, 2);
  assert.equal(back.nodeCount, graph.nodeCount);
  for (const c of graph.channels()) {
    const b = back.channel(c.scid);
    assert.ok(b, `channel ${c.scid}`);
    assert.deepEqual({ ...b, policies: null }, { ...c, policies: null });
    assert.deepEqual(b.policies, c.policies);
  }
  for (const n of graph.nodes()) assert.deepEqual(back.node(n.key)?.announcement, n.announcement);
  assert.equal(back.channel(chans[1]!.scid)?.spentAtHeight, 850_000);
  assert.equal(back.channel(chans[2]!.scid), undefined);
  assert.equal(back.takeChanges().channels.length, 0, 'a load leaves nothing to save');
});
