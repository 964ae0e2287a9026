/**
 * BOLT #7 channel_update: chain, unknown channel, spent channel (only disabling updates),
 * signature by the node of its direction, timestamps (0, older, equal with equal or
 * different fields, too old, far future), htlc_maximum_msat against capacity and minimum,
 * `must_be_one` ignored, `dont_forward` not relayed.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { msat } from '../../src/lib/index.ts';
import { decodeMessage, type MessageByName } from '../../src/wire/index.ts';
import { checkChannelUpdate, classifyUpdate, policyFieldsOf, type GossipContext, type KnownChannel, type PreviousUpdate } from '../../src/gossip/index.ts';
import { CHAIN, key, makeChannel, makeUpdate, type UpdateFields } from './fixtures.ts';

const ctx: GossipContext = { chainHashes: [CHAIN] };
const NOW = 1_750_000_000;
const c = makeChannel('carol', 'dave');
const known: KnownChannel = { nodeId1: c.node1.pub, nodeId2: c.node2.pub, capacity: c.capacity, spent: false };
type Upd = MessageByName<'channel_update'>;

function check(raw: Uint8Array, ch: KnownChannel | undefined = known, prev: PreviousUpdate | null = null, now = NOW, cx = ctx) {
  return checkChannelUpdate(raw, decodeMessage(raw) as Upd, ch, prev, now, cx);
}
function prevOf(raw: Uint8Array): PreviousUpdate {
  const m = decodeMessage(raw) as Upd;
  return { ...policyFieldsOf(m), timestamp: m.timestamp };
}
function code(r: ReturnType<typeof check>): [string, string] | null {
  return r.ok ? null : [r.action, r.code];
}

describe('channel_update', () => {
  test('a valid update from each direction is accepted, signed by that direction’s node', () => {
    for (const dir of [0, 1] as const) {
      const r = check(makeUpdate(c, dir, NOW));
      assert.ok(r.ok);
      assert.equal(r.value.direction, dir);
      assert.equal(r.value.usable, true);
      assert.equal(r.value.relay, true);
      assert.equal(r.value.kind, 'first');
    }
  });

  test('signed by the other node of the channel: warning and close', () => {
    assert.deepEqual(code(check(makeUpdate(c, 0, NOW, {}, c.node2))), ['close', 'bad_signature']);
    assert.deepEqual(code(check(makeUpdate(c, 1, NOW, {}, c.node1))), ['close', 'bad_signature']);
    assert.deepEqual(code(check(makeUpdate(c, 0, NOW, {}, key('stranger')))), ['close', 'bad_signature']);
  });

  test('the signature covers fields after it, including unknown trailing bytes', () => {
    const tail = Uint8Array.of(0x2b, 0x02, 0xaa, 0xbb); // an unknown odd TLV record (type 43)
    const withTail = makeUpdate(c, 0, NOW, {}, undefined, tail);
    assert.ok(check(withTail).ok);
    const badTail = withTail.slice();
    badTail[badTail.length - 1]! ^= 1;
    assert.deepEqual(code(check(badTail)), ['close', 'bad_signature']);
    const raw = makeUpdate(c, 0, NOW);
    const flipped = raw.slice();
    flipped[raw.length - 9]! ^= 1;
    assert.deepEqual(code(check(flipped)), ['close', 'bad_signature']);
  });

  test('an unknown chain is ignored', () => {
    assert.deepEqual(code(check(makeUpdate(c, 0, NOW, { chain_hash: new Uint8Array(32) }))), ['ignore', 'unknown_chain']);
  });

  test('no announcement for the channel: ignored as unknown_channel', () => {
    const raw = makeUpdate(c, 0, NOW);
    assert.deepEqual(code(checkChannelUpdate(raw, decodeMessage(raw) as Upd, undefined, null, NOW, ctx)), ['ignore', 'unknown_channel']);
  });

  test('a spent channel takes only disabling updates', () => {
    const spent = { ...known, spent: true };
    assert.deepEqual(code(check(makeUpdate(c, 0, NOW), spent)), ['ignore', 'channel_spent']);
    const r = check(makeUpdate(c, 0, NOW, { channel_flags: 2 }), spent);
    assert.ok(r.ok);
    assert.equal(r.value.disabled, true);
  });

  test('timestamp 0 is ignored', () => {
    assert.deepEqual(code(check(makeUpdate(c, 0, 0))), ['ignore', 'stale']);
  });

  test('older than two weeks is ignored; just inside is taken', () => {
    assert.deepEqual(code(check(makeUpdate(c, 0, NOW - 1_209_601))), ['ignore', 'stale']);
    assert.ok(check(makeUpdate(c, 0, NOW - 1_209_600)).ok);
  });

  test('more than a day in the future is discarded; the horizon is configurable', () => {
    assert.deepEqual(code(check(makeUpdate(c, 0, NOW + 86_401))), ['ignore', 'far_future']);
    assert.ok(check(makeUpdate(c, 0, NOW + 86_400)).ok);
    assert.deepEqual(code(check(makeUpdate(c, 0, NOW + 3600), known, null, NOW, { ...ctx, maxFutureSeconds: 60 })), ['ignore', 'far_future']);
    assert.deepEqual(code(check(makeUpdate(c, 0, 0xffffffff))), ['ignore', 'far_future']);
  });

  test('an older timestamp than the last update is ignored', () => {
    const prev = prevOf(makeUpdate(c, 0, NOW));
    assert.deepEqual(code(check(makeUpdate(c, 0, NOW - 1), known, prev)), ['ignore', 'stale']);
  });

  test('the same timestamp: equal fields ignored as duplicate, different fields ignored too', () => {
    const prev = prevOf(makeUpdate(c, 0, NOW));
    assert.deepEqual(code(check(makeUpdate(c, 0, NOW), known, prev)), ['ignore', 'same_timestamp']);
    assert.deepEqual(code(check(makeUpdate(c, 0, NOW, { fee_base_msat: msat(5) }), known, prev)), ['ignore', 'same_timestamp_different_fields']);
  });

  test('htlc_maximum_msat above the capacity, or below htlc_minimum_msat: accepted, not usable for routing', () => {
    const over = check(makeUpdate(c, 0, NOW, { htlc_maximum_msat: msat(c.capacity * 1000n + 1n) }));
    assert.ok(over.ok);
    assert.equal(over.value.usable, false);
    const exact = check(makeUpdate(c, 0, NOW, { htlc_maximum_msat: msat(c.capacity * 1000n) }));
    assert.ok(exact.ok && exact.value.usable);
    const below = check(makeUpdate(c, 0, NOW, { htlc_minimum_msat: msat(5000), htlc_maximum_msat: msat(4999) }));
    assert.ok(below.ok);
    assert.equal(below.value.usable, false);
  });

  test('must_be_one cleared is ignored by receivers (current BOLT #7)', () => {
    const r = check(makeUpdate(c, 0, NOW, { message_flags: 0 }));
    assert.ok(r.ok);
  });

  test('dont_forward updates are accepted but not relayed', () => {
    const r = check(makeUpdate(c, 0, NOW, { message_flags: 3 }));
    assert.ok(r.ok);
    assert.equal(r.value.relay, false);
  });

  test('classifyUpdate tells policy changes from disable flips and keep-alives', () => {
    const base = prevOf(makeUpdate(c, 0, NOW));
    const f = (u: UpdateFields) => policyFieldsOf(decodeMessage(makeUpdate(c, 0, NOW + 10, u)) as Upd);
    assert.equal(classifyUpdate(f({}), null), 'first');
    assert.equal(classifyUpdate(f({}), base), 'keepalive');
    assert.equal(classifyUpdate(f({ channel_flags: 2 }), base), 'status');
    assert.equal(classifyUpdate(f({ fee_proportional_millionths: 7 }), base), 'policy');
    assert.equal(classifyUpdate(f({ cltv_expiry_delta: 144, channel_flags: 2 }), base), 'policy');
  });
});
