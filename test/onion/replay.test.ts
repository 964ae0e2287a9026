/**
 * Replay protection: the same onion is accepted once; tags expire with the HTLC's CLTV.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { getPublicKey } from '../../src/crypto/index.ts';
import { MemoryReplayStore, checkReplay, createOnion, peelOnion, replayTag } from '../../src/onion/index.ts';

describe('replay protection', () => {
  const key = new Uint8Array(32).fill(0x42);
  const ad = new Uint8Array(32).fill(1);
  const onion = (session: number) =>
    createOnion({ sessionKey: new Uint8Array(32).fill(session), hops: [{ pubkey: getPublicKey(key), payload: Uint8Array.of(2, 1, 1, 4, 1, 1) }], associatedData: ad }).packet;

  test('the same onion is accepted once, then refused as a replay', () => {
    const store = new MemoryReplayStore();
    const p = onion(7);
    const first = peelOnion(p, key, ad);
    assert.ok(first.ok);
    assert.deepEqual(checkReplay(store, first.sharedSecret, 800_100), { ok: true, tag: replayTag(first.sharedSecret) });
    const again = peelOnion(p, key, ad);
    assert.ok(again.ok);
    const r = checkReplay(store, again.sharedSecret, 800_100);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.name, 'replay');
    // A different onion to the same node is fresh.
    const other = peelOnion(onion(8), key, ad);
    assert.ok(other.ok);
    assert.ok(checkReplay(store, other.sharedSecret, 800_200).ok);
    assert.equal(store.size, 2);
  });

  test('prune forgets tags whose expiry has passed', () => {
    const store = new MemoryReplayStore();
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    assert.equal(store.checkAndAdd(a, 100), 'fresh');
    assert.equal(store.checkAndAdd(b, 200), 'fresh');
    assert.equal(store.checkAndAdd(a, 300), 'replay');
    assert.equal(store.prune(100), 0, 'expiry 100 is still live at height 100');
    assert.equal(store.prune(101), 1);
    assert.equal(store.has(a), false);
    assert.equal(store.has(b), true);
    assert.equal(store.checkAndAdd(a, 400), 'fresh');
  });
});
