/**
 * bench/gossip: `gossip.ingest`, BOLT #7 gossip through GossipIngest with full validation
 * (decode, chain, order, the signatures, funding output against a fake in-memory chain,
 * timestamps, rate limits, graph update) of real signed messages: channel_announcements,
 * channel_updates (both directions) and node_announcements.
 *
 * Baseline, measured in the same run: libsecp256k1's native ECDSA verify rate divided by
 * the average number of signature checks per message (4 per announcement, 1 per update or
 * node announcement) — the rate a node that did nothing but verify would reach.
 * ratio = value / baseline (1.0 = every cost besides verification is free).
 */
import { nativeFloor, report } from './harness.ts';
import { shortChannelId } from '../src/lib/index.ts';
import { GossipIngest, NetworkGraph } from '../src/graph/index.ts';
import { CHAIN, FakeChain, key, makeChannel, makeNodeAnnouncement, makeUpdate, type FixtureChannel } from '../test/gossip/fixtures.ts';

const CHANNELS = 3000;
const NODES = 1000;
const NOW = 1_750_000_000;

export async function run(): Promise<void> {
  const chain = new FakeChain();
  const channels: FixtureChannel[] = [];
  for (let i = 0; i < CHANNELS; i++) {
    const a = i % NODES;
    const b = (i * 7 + 1 + Math.floor(i / NODES)) % NODES;
    const c = makeChannel(`n${a}`, `n${b === a ? (b + 1) % NODES : b}`, shortChannelId(700_000 + Math.floor(i / 100), i % 100, 0));
    chain.add(c);
    channels.push(c);
  }
  const messages: Uint8Array[] = [];
  let verifies = 0;
  for (const c of channels) {
    messages.push(c.announcement);
    verifies += 4;
  }
  for (const c of channels) {
    messages.push(makeUpdate(c, 0, NOW - 100), makeUpdate(c, 1, NOW - 50));
    verifies += 2;
  }
  for (let i = 0; i < NODES; i++) {
    messages.push(makeNodeAnnouncement(key(`node:n${i}`), NOW - 10));
    verifies += 1;
  }

  const ingestAll = async (msgs: Uint8Array[]): Promise<{ ms: number; accepted: number }> => {
    const ingest = new GossipIngest({ graph: new NetworkGraph(), context: { chainHashes: [CHAIN] }, funding: chain, now: () => NOW });
    const t0 = performance.now();
    for (const m of msgs) await ingest.receive(m);
    return { ms: performance.now() - t0, accepted: ingest.stats.accepted };
  };

  await ingestAll(messages.slice(0, 2000)); // warm-up (a throwaway graph)
  const before = nativeFloor(300).verify;
  const run1 = await ingestAll(messages);
  const after = nativeFloor(300).verify;
  if (run1.accepted !== messages.length) throw new Error(`only ${run1.accepted} of ${messages.length} messages accepted`);
  const verifyRate = (before + after) / 2;
  const perMessage = verifies / messages.length;
  const value = (messages.length * 1000) / run1.ms;
  report({
    name: 'gossip.ingest',
    value,
    unit: 'msg/s',
    baseline: 'native libsecp256k1 ECDSA verify rate / signature checks per message',
    baseline_value: verifyRate / perMessage,
    messages: messages.length,
    channel_announcements: CHANNELS,
    channel_updates: 2 * CHANNELS,
    node_announcements: NODES,
    verifies_per_message: Math.round(perMessage * 1000) / 1000,
    native_verify_per_s: Math.round(verifyRate),
    total_ms: Math.round(run1.ms),
  });
}
