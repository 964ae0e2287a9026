/**
 * GossipIngest end to end on real signed messages and a fake chain: what is accepted,
 * held, rejected (with which response), relayed, and what an adversary cannot make it do
 * (grow memory, spend someone's rate budget, trigger chain lookups with forged messages).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sat, shortChannelId, type ShortChannelId } from '../../src/lib/index.ts';
import { decodeMessage, encodeMessage, type MessageByName } from '../../src/wire/index.ts';
import { GossipIngest, NetworkGraph, type GossipOutcome } from '../../src/graph/index.ts';
import { CHAIN, FakeChain, key, makeChannel, makeNodeAnnouncement, makeUpdate, signChannelAnnouncement } from '../gossip/fixtures.ts';

const NOW = 1_750_000_000;

function setup(o: { maxPendingChannels?: number; maxPendingNodes?: number } = {}) {
  const graph = new NetworkGraph();
  const chain = new FakeChain();
  let now = NOW;
  const ingest = new GossipIngest({ graph, context: { chainHashes: [CHAIN] }, funding: chain, now: () => now, ...o });
  return { graph, chain, ingest, setNow: (t: number) => (now = t) };
}

function status(o: GossipOutcome): string {
  return o.status === 'rejected' ? `${o.action}:${o.code}` : o.status;
}

describe('GossipIngest: channel_announcement', () => {
  test('a valid announcement adds the channel with the output’s value as capacity; relayed with its first update', async () => {
    const { graph, chain, ingest } = setup();
    const c = makeChannel('alice', 'bob', shortChannelId(800_001, 2, 1), { capacity: sat(3_000_000) });
    chain.add(c);
    const a = await ingest.receive(c.announcement);
    assert.equal(status(a), 'accepted');
    assert.deepEqual(a.status === 'accepted' && a.relay, []);
    assert.equal(graph.channel(c.scid)?.capacity, 3_000_000n);
    const u = await ingest.receive(makeUpdate(c, 0, NOW));
    assert.equal(u.status === 'accepted' && u.relay.length, 2);
    assert.deepEqual(u.status === 'accepted' && u.relay[0], c.announcement);
    const u2 = await ingest.receive(makeUpdate(c, 1, NOW));
    assert.equal(u2.status === 'accepted' && u2.relay.length, 1);
    assert.equal(graph.channel(c.scid)?.policies.filter(Boolean).length, 2);
  });

  test('a duplicate is ignored without a chain lookup; a bad signature is refused before one', async () => {
    const { chain, ingest } = setup();
    const c = makeChannel('alice', 'bob');
    chain.add(c);
    await ingest.receive(c.announcement);
    assert.equal(chain.calls, 1);
    assert.equal(status(await ingest.receive(c.announcement)), 'ignore:duplicate');
    const forged = makeChannel('alice', 'carol', shortChannelId(1, 1, 1));
    chain.add(forged);
    const raw = forged.announcement.slice();
    raw[5]! ^= 0xff;
    assert.equal(status(await ingest.receive(raw)), 'warn:bad_signature');
    assert.equal(chain.calls, 1);
  });

  test('missing, spent, wrong-script and unconfirmed outputs are ignored and leave no channel', async () => {
    const { graph, chain, ingest } = setup();
    const missing = makeChannel('a', 'b', shortChannelId(10, 0, 0));
    const spent = makeChannel('a', 'b', shortChannelId(11, 0, 0));
    chain.outputs.set(spent.scid, { ...spent.funding, spent: true });
    const wrong = makeChannel('a', 'b', shortChannelId(12, 0, 0));
    chain.outputs.set(wrong.scid, { ...wrong.funding, script: makeChannel('x', 'y').funding.script });
    const young = makeChannel('a', 'b', shortChannelId(13, 0, 0), { confirmations: 3 });
    chain.add(young);
    assert.equal(status(await ingest.receive(missing.announcement)), 'ignore:funding_missing');
    assert.equal(status(await ingest.receive(spent.announcement)), 'ignore:funding_spent');
    assert.equal(status(await ingest.receive(wrong.announcement)), 'ignore:funding_wrong_script');
    assert.equal(status(await ingest.receive(young.announcement)), 'ignore:funding_unconfirmed');
    assert.equal(graph.channelCount, 0);
    assert.equal(graph.nodeCount, 0);
  });

  test('a chain backend failure is ignored, not thrown', async () => {
    const graph = new NetworkGraph();
    const ingest = new GossipIngest({ graph, context: { chainHashes: [CHAIN] }, funding: { lookupFunding: () => Promise.reject(new Error('down')) }, now: () => NOW });
    const c = makeChannel('a', 'b');
    assert.equal(status(await ingest.receive(c.announcement)), 'ignore:funding_lookup_failed');
  });

  test('a second valid announcement of the same output with other nodes blacklists all four and forgets their channels', async () => {
    const { graph, chain, ingest } = setup();
    const c = makeChannel('alice', 'bob', shortChannelId(900, 1, 0));
    const side = makeChannel('alice', 'zed', shortChannelId(901, 1, 0));
    chain.add(c).add(side);
    await ingest.receive(c.announcement);
    await ingest.receive(side.announcement);
    assert.equal(graph.channelCount, 2);
    // Someone with both funding keys signs the same output for two other nodes.
    const [n1, n2] = [key('node:mallory1'), key('node:mallory2')].sort((x, y) => Buffer.compare(x.pub, y.pub));
    const m = decodeMessage(c.announcement) as MessageByName<'channel_announcement'>;
    const conflicting = signChannelAnnouncement({ ...m, node_id_1: n1!.pub, node_id_2: n2!.pub }, { node1: n1!, node2: n2!, bitcoin1: c.bitcoin1, bitcoin2: c.bitcoin2 });
    assert.equal(status(await ingest.receive(conflicting)), 'ignore:conflicting_announcement');
    assert.equal(graph.channelCount, 0);
    assert.ok(ingest.isBlacklisted(c.node1.pub) && ingest.isBlacklisted(n2!.pub));
    const again = makeChannel('alice', 'bob', shortChannelId(902, 1, 0));
    chain.add(again);
    assert.equal(status(await ingest.receive(again.announcement)), 'ignore:blacklisted');
  });
});

describe('GossipIngest: updates and node announcements', () => {
  test('updates before their announcement are held, then checked, applied and relayed after it', async () => {
    const { graph, chain, ingest } = setup();
    const c = makeChannel('alice', 'bob');
    chain.add(c);
    const u0 = makeUpdate(c, 0, NOW - 10);
    const u1forged = makeUpdate(c, 1, NOW - 5, {}, key('stranger'));
    assert.equal(status(await ingest.receive(u0)), 'pending');
    assert.equal(status(await ingest.receive(u1forged)), 'pending');
    const a = await ingest.receive(c.announcement);
    assert.ok(a.status === 'accepted');
    assert.deepEqual(a.relay, [c.announcement, u0]);
    const ch = graph.channel(c.scid)!;
    assert.equal(ch.policies[0]?.timestamp, NOW - 10);
    assert.equal(ch.policies[1], null, 'the forged held update was dropped when its signer became known');
    assert.equal(ingest.pendingUpdates.size, 0);
  });

  test('a flood of updates for unknown channels stays within the holding bound; implausible timestamps are not held', async () => {
    const { ingest } = setup({ maxPendingChannels: 64 });
    for (let i = 0; i < 2_000; i++) {
      const c = makeChannel('x', 'y', shortChannelId(1000 + i, 0, 0));
      await ingest.receive(makeUpdate(c, 0, NOW));
    }
    assert.equal(ingest.pendingUpdates.size, 64);
    const { ingest: fresh } = setup();
    const c = makeChannel('x', 'y');
    assert.equal(status(await fresh.receive(makeUpdate(c, 0, 0))), 'ignore:unknown_channel');
    assert.equal(status(await fresh.receive(makeUpdate(c, 0, NOW + 10 * 86_400))), 'ignore:unknown_channel');
    assert.equal(fresh.pendingUpdates.size, 0);
  });

  test('a flood of valid updates for one channel is cut to the burst; keep-alives and disables still pass later', async () => {
    const { graph, chain, ingest, setNow } = setup();
    const c = makeChannel('alice', 'bob');
    chain.add(c);
    await ingest.receive(c.announcement);
    let accepted = 0;
    let limited = 0;
    for (let i = 0; i < 200; i++) {
      const o = await ingest.receive(makeUpdate(c, 0, NOW + i, { fee_base_msat: BigInt(i) as never }));
      if (o.status === 'accepted') accepted++;
      else if (o.status === 'rejected' && o.code === 'rate_limited') limited++;
    }
    assert.equal(accepted, ingest.limiter.config.policy.burst);
    assert.equal(limited, 200 - accepted);
    assert.equal(graph.channel(c.scid)!.policies[0]!.feeBaseMsat, BigInt(accepted - 1));
    // The same content, disabled: a status change with its own budget.
    const fee = BigInt(accepted - 1) as never;
    assert.equal(status(await ingest.receive(makeUpdate(c, 0, NOW + 300, { fee_base_msat: fee, channel_flags: 2 }))), 'accepted');
    // Much later, the policy budget has refilled.
    setNow(NOW + 86_400);
    assert.equal(status(await ingest.receive(makeUpdate(c, 0, NOW + 86_400, { fee_base_msat: BigInt(999) as never }))), 'accepted');
  });

  test('updates with bad signatures do not spend the channel’s rate budget', async () => {
    const { chain, ingest } = setup();
    const c = makeChannel('alice', 'bob');
    chain.add(c);
    await ingest.receive(c.announcement);
    for (let i = 0; i < 50; i++) assert.equal(status(await ingest.receive(makeUpdate(c, 1, NOW + i, {}, key('mallory')))), 'close:bad_signature');
    assert.equal(status(await ingest.receive(makeUpdate(c, 1, NOW + 60))), 'accepted');
  });

  test('after the funding output is spent only disabling updates are taken (and relayed)', async () => {
    const { graph, chain, ingest } = setup();
    const c = makeChannel('alice', 'bob');
    chain.add(c);
    await ingest.receive(c.announcement);
    graph.markSpent(c.scid, 850_000);
    assert.equal(status(await ingest.receive(makeUpdate(c, 0, NOW))), 'ignore:channel_spent');
    const d = await ingest.receive(makeUpdate(c, 0, NOW + 1, { channel_flags: 2 }));
    assert.equal(d.status, 'accepted');
  });

  test('orphan node announcements are held (signature first, bounded) and applied when a channel arrives', async () => {
    const { graph, chain, ingest } = setup({ maxPendingNodes: 8 });
    const c = makeChannel('alice', 'bob');
    chain.add(c);
    const na = makeNodeAnnouncement(c.node1, 500);
    assert.equal(status(await ingest.receive(na)), 'pending');
    assert.equal(status(await ingest.receive(makeNodeAnnouncement(c.node2, 500, {}, key('mallory')))), 'warn:bad_signature');
    for (let i = 0; i < 100; i++) await ingest.receive(makeNodeAnnouncement(key(`orphan${i}`), 1));
    assert.equal(ingest.pendingNodes.size, 8);
    // na was evicted by the flood; send it again after the channel instead.
    await ingest.receive(c.announcement);
    assert.equal(status(await ingest.receive(na)), 'accepted');
    assert.equal(graph.node(c.node1.pub)?.announcement?.timestamp, 500);
    assert.equal(status(await ingest.receive(na)), 'ignore:stale');
  });

  test('a held orphan announcement is applied and relayed with its channel', async () => {
    const { graph, chain, ingest } = setup();
    const c = makeChannel('alice', 'bob');
    chain.add(c);
    const na = makeNodeAnnouncement(c.node2, 77);
    await ingest.receive(na);
    const a = await ingest.receive(c.announcement);
    assert.ok(a.status === 'accepted' && a.relay.some((r) => Buffer.compare(r, na) === 0));
    assert.equal(graph.node(c.node2.pub)?.announcement?.timestamp, 77);
  });

  test('two hostnames: stored with the first only, not relayed', async () => {
    const { graph, chain, ingest } = setup();
    const c = makeChannel('alice', 'bob');
    chain.add(c);
    await ingest.receive(c.announcement);
    const na = makeNodeAnnouncement(c.node1, 9, {
      addresses: [
        { type: 'dns', hostname: 'one.example', port: 9735 },
        { type: 'dns', hostname: 'two.example', port: 9735 },
      ],
    });
    const o = await ingest.receive(na);
    assert.ok(o.status === 'accepted');
    assert.deepEqual(o.relay, []);
    assert.deepEqual(graph.node(c.node1.pub)?.announcement?.addresses, [{ type: 'dns', hostname: 'one.example', port: 9735 }]);
  });

  test('garbage, truncated, unknown even and non-gossip messages get typed answers, never exceptions', async () => {
    const { ingest } = setup();
    assert.equal(status(await ingest.receive(new Uint8Array(0))), 'warn:malformed');
    assert.equal(status(await ingest.receive(Uint8Array.of(1, 0, 1, 2, 3))), 'warn:malformed');
    assert.equal(status(await ingest.receive(Uint8Array.of(0x01, 0x02, 0xff))), 'warn:malformed');
    assert.equal(status(await ingest.receive(Uint8Array.of(0x7f, 0xfe))), 'close:malformed');
    const ping = encodeMessage({ type: 'ping', num_pong_bytes: 1, ignored: new Uint8Array(0) } as never);
    assert.equal(status(await ingest.receive(ping)), 'ignore:malformed');
    const c = makeChannel('a', 'b');
    for (let cut = 0; cut < c.announcement.length; cut += 37) {
      const o = await ingest.receive(c.announcement.subarray(0, cut));
      assert.equal(o.status, 'rejected');
    }
  });

  test('removing a channel drops its rate-limit state', async () => {
    const { graph, chain, ingest } = setup();
    const c = makeChannel('alice', 'bob');
    chain.add(c);
    await ingest.receive(c.announcement);
    await ingest.receive(makeUpdate(c, 0, NOW));
    assert.equal(ingest.limiter.size, 1);
    graph.removeChannel(c.scid as ShortChannelId);
    assert.equal(ingest.limiter.size, 0);
  });
});
