/**
 * NetworkGraph: queries by node and channel, neighbours, events, pruning of stale channels
 * (two weeks, oldest direction) and of spent ones (72 blocks), and the compact view's arrays.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { msat, sat, type Msat, type ShortChannelId } from '../../src/lib/index.ts';
import { DIR_FLAGS, NetworkGraph, SPENT_CHANNEL_FORGET_DELAY, nodeKeyOf, type DirectionPolicy, type GraphEvents } from '../../src/graph/index.ts';
import { key } from '../gossip/fixtures.ts';

const T = 1_700_000_000;
const ids = ['a', 'b', 'c', 'd'].map((l) => key(`g:${l}`).pub).sort((x, y) => Buffer.compare(x, y));
const [A, B, C, D] = ids as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];

function policy(ts: number, o: Partial<DirectionPolicy> = {}): DirectionPolicy {
  return {
    timestamp: ts,
    messageFlags: 1,
    channelFlags: 0,
    cltvExpiryDelta: 40,
    htlcMinimumMsat: msat(1),
    feeBaseMsat: msat(1000),
    feeProportionalMillionths: 10,
    htlcMaximumMsat: msat(1_000_000),
    disabled: false,
    usable: true,
    raw: null,
    ...o,
  };
}

function build() {
  const g = new NetworkGraph();
  const log: string[] = [];
  const ev: Partial<GraphEvents> = {
    channelAdded: (c) => log.push(`add ${c.scid}`),
    channelUpdated: (c, d) => log.push(`upd ${c.scid}/${d}`),
    channelRemoved: (c, r) => log.push(`rm ${c.scid} ${r}`),
    nodeAdded: (n) => log.push(`node+ ${n.key.slice(0, 4)}`),
    nodeRemoved: (n) => log.push(`node- ${n.key.slice(0, 4)}`),
    nodeUpdated: (n) => log.push(`node~ ${n.key.slice(0, 4)}`),
  };
  g.listen(ev);
  const ch = (s: number, x: Uint8Array, y: Uint8Array) => g.addChannel({ scid: BigInt(s) as ShortChannelId, nodeId1: x, nodeId2: y, capacity: sat(100_000 * s), addedAt: T });
  ch(1, A, B);
  ch(2, B, C);
  ch(3, A, C);
  ch(4, A, B); // a second channel between A and B
  g.setPolicy(1n as ShortChannelId, 0, policy(T));
  g.setPolicy(1n as ShortChannelId, 1, policy(T, { feeBaseMsat: msat(7) }));
  g.setPolicy(2n as ShortChannelId, 0, policy(T, { disabled: true, channelFlags: 2 }));
  g.setPolicy(3n as ShortChannelId, 1, policy(T, { usable: false }));
  return { g, log };
}

describe('NetworkGraph', () => {
  test('queries by channel, by node, and neighbours', () => {
    const { g } = build();
    assert.equal(g.channelCount, 4);
    assert.equal(g.nodeCount, 3);
    assert.equal(g.channel(2n as ShortChannelId)?.node1, nodeKeyOf(B));
    assert.deepEqual(g.channelsOf(A).map((c) => c.scid).sort(), [1n, 3n, 4n]);
    const nb = g.neighbours(A).map((n) => [n.node.key, n.channels.map((c) => c.scid)]);
    assert.deepEqual(new Map(nb as [string, bigint[]][]), new Map([[nodeKeyOf(B), [1n, 4n]], [nodeKeyOf(C), [3n]]]));
    assert.equal(g.node(D), undefined);
    assert.deepEqual(g.neighbours(D), []);
  });

  test('events fire for additions, updates and removals; a node leaves with its last channel', () => {
    const { g, log } = build();
    log.length = 0;
    g.removeChannel(2n as ShortChannelId);
    assert.deepEqual(log, ['rm 2 removed']);
    g.removeChannel(3n as ShortChannelId);
    assert.deepEqual(log.slice(1), ['rm 3 removed', `node- ${nodeKeyOf(C).slice(0, 4)}`]);
    assert.equal(g.nodeCount, 2);
  });

  test('pruneStale removes a channel whose older direction is over two weeks old', () => {
    const { g } = build();
    const later = T + 1_209_600;
    assert.deepEqual(g.pruneStale(later), []);
    g.setPolicy(1n as ShortChannelId, 0, policy(T + 100));
    const gone = g.pruneStale(later + 1);
    // Channel 1 still has an old direction 1: every channel is over two weeks old on one side.
    assert.deepEqual(gone.sort(), [1n, 2n, 3n, 4n]);
    const { g: g2 } = build();
    g2.setPolicy(1n as ShortChannelId, 0, policy(T + 10));
    g2.setPolicy(1n as ShortChannelId, 1, policy(T + 10));
    assert.deepEqual(g2.pruneStale(T + 1_209_605).sort(), [2n, 3n, 4n]);
  });

  test('a spent channel is kept 72 blocks, then removed; a reorg un-spends it', () => {
    const { g, log } = build();
    assert.equal(SPENT_CHANNEL_FORGET_DELAY, 72);
    g.markSpent(1n as ShortChannelId, 800_000);
    assert.deepEqual(g.pruneSpent(800_000 + 70), []);
    assert.deepEqual(g.pruneSpent(800_000 + 71), [1n]); // the spend has 72 confirmations
    assert.ok(log.includes('rm 1 spent'));
    g.markSpent(4n as ShortChannelId, 800_000);
    g.markUnspent(4n as ShortChannelId);
    assert.deepEqual(g.pruneSpent(900_000), []);
  });

  test('the compact view: indexes, per-direction policies, flags and CSR adjacency agree with the graph', () => {
    const { g } = build();
    const v = g.view();
    assert.equal(v.nodeCount, 3);
    assert.equal(v.channelCount, 4);
    const ia = v.indexOf(A);
    const ib = v.indexOf(nodeKeyOf(B));
    assert.equal(v.indexOf(D), -1);
    const c1 = [...v.scids].indexOf(1n);
    assert.equal(v.channelNode1[c1], ia);
    assert.equal(v.channelNode2[c1], ib);
    assert.equal(v.capacitySat[c1], 100_000);
    assert.equal(v.feeBaseMsat[2 * c1 + 1], 7);
    assert.equal(v.edgeSource[2 * c1 + 1], ib);
    assert.equal(v.edgeTarget[2 * c1 + 1], ia);
    const flags = (s: bigint, d: number) => v.dirFlags[2 * [...v.scids].indexOf(s) + d]!;
    assert.equal(flags(1n, 0), DIR_FLAGS.HAS_POLICY | DIR_FLAGS.ENABLED | DIR_FLAGS.USABLE);
    assert.equal(flags(2n, 0), DIR_FLAGS.HAS_POLICY | DIR_FLAGS.USABLE);
    assert.equal(flags(3n, 1), DIR_FLAGS.HAS_POLICY | DIR_FLAGS.ENABLED);
    assert.equal(flags(4n, 0), 0);
    // 4 directions have a policy; each appears once as out-edge of its source and in-edge of its target.
    assert.equal(v.outEdge.length, 4);
    for (let n = 0; n < v.nodeCount; n++) {
      for (let i = v.outStart[n]!; i < v.outStart[n + 1]!; i++) assert.equal(v.edgeSource[v.outEdge[i]!], n);
      for (let i = v.inStart[n]!; i < v.inStart[n + 1]!; i++) assert.equal(v.edgeTarget[v.inEdge[i]!], n);
    }
    assert.equal(g.view(), v, 'cached while nothing changes');
    g.setPolicy(4n as ShortChannelId, 0, policy(T));
    assert.notEqual(g.view(), v);
    assert.equal(g.view().outEdge.length, 5);
  });

  test('an unknown even node feature or a spent output makes directions unusable in the view', () => {
    const { g } = build();
    g.setNodeAnnouncement(C, { timestamp: 1, features: new Uint8Array(0), rgbColor: new Uint8Array(3), alias: new Uint8Array(32), addresses: [], routable: false, relay: true, raw: null });
    g.markSpent(1n as ShortChannelId, 10);
    const v = g.view();
    const flags = (s: bigint, d: number) => v.dirFlags[2 * [...v.scids].indexOf(s) + d]!;
    assert.equal(flags(2n, 0) & DIR_FLAGS.USABLE, 0); // B -> C, C unroutable
    assert.equal(flags(1n, 0) & DIR_FLAGS.USABLE, 0); // spent
  });

  test('the change log lists what to save, once', () => {
    const { g } = build();
    const first = g.takeChanges();
    assert.equal(first.channels.length, 4);
    assert.equal(g.takeChanges().channels.length, 0);
    g.setPolicy(2n as ShortChannelId, 1, policy(T, { htlcMaximumMsat: 5n as Msat }));
    g.removeChannel(3n as ShortChannelId);
    const next = g.takeChanges();
    assert.deepEqual(next.channels.map((c) => c.scid), [2n]);
    assert.deepEqual(next.removedChannels, [3n]);
  });
});
