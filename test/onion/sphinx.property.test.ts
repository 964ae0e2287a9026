/**
 * Sphinx properties: random routes of 1-27 hops with random payload sizes that fit are
 * peeled hop by hop, each hop seeing exactly its payload and only the last being final;
 * any flipped byte makes the receiving hop reject the packet with the right failure; a
 * failure created at any hop is attributed to it by the origin.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getPublicKey } from '../../src/crypto/index.ts';
import { toHex } from '../../src/lib/index.ts';
import {
  HOP_PAYLOADS_SIZE,
  createErrorPacket,
  createOnion,
  decryptErrorPacket,
  hopShiftSize,
  peelOnion,
  wrapErrorPacket,
} from '../../src/onion/index.ts';

/** Node keys 1..27 (a private key is any 32 bytes below the order; these are small). */
const NODE_KEYS = Array.from({ length: 27 }, (_, i) => {
  const k = new Uint8Array(32);
  k[31] = i + 1;
  k[0] = 0x10;
  return k;
});
const NODE_PUBS = NODE_KEYS.map((k) => getPublicKey(k));

/** A route: payload lengths that fit in 1300 bytes, and a session key. */
const routeArb = fc
  .integer({ min: 1, max: 27 })
  .chain((n) => fc.array(fc.integer({ min: 2, max: 600 }), { minLength: n, maxLength: n }))
  .map((lens) => {
    // Shrink lengths until the shift sizes fit.
    const out = [...lens];
    let total = out.reduce((a, l) => a + hopShiftSize(l), 0);
    for (let i = 0; total > HOP_PAYLOADS_SIZE && i < out.length; i++) {
      const room = Math.max(2, out[i] - (total - HOP_PAYLOADS_SIZE));
      total -= hopShiftSize(out[i]) - hopShiftSize(room);
      out[i] = room;
    }
    return out;
  })
  .filter((lens) => lens.reduce((a, l) => a + hopShiftSize(l), 0) <= HOP_PAYLOADS_SIZE);

const sessionArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => {
  b[0] = (b[0] % 0x7f) + 1; // keep it a valid non-zero scalar below the order
  return b;
});

function build(lens: number[], session: Uint8Array, seed: number) {
  const hops = lens.map((l, i) => ({ pubkey: NODE_PUBS[i], payload: Uint8Array.from({ length: l }, (_, j) => (seed + i * 31 + j) & 0xff) }));
  const ad = Uint8Array.from({ length: 32 }, (_, j) => (seed + j) & 0xff);
  return { hops, ad, ...createOnion({ sessionKey: session, hops, associatedData: ad }) };
}

describe('sphinx properties', () => {
  test('every hop sees exactly its payload and only the last is final', () => {
    fc.assert(
      fc.property(routeArb, sessionArb, fc.nat(255), (lens, session, seed) => {
        const { hops, ad, packet, sharedSecrets } = build(lens, session, seed);
        let p = packet;
        for (let i = 0; i < hops.length; i++) {
          const r = peelOnion(p, NODE_KEYS[i], ad);
          assert.ok(r.ok, `hop ${i} of ${hops.length}`);
          assert.deepEqual(r.payload, hops[i].payload);
          assert.deepEqual(r.sharedSecret, sharedSecrets[i]);
          if (i === hops.length - 1) assert.equal(r.nextPacket, undefined);
          else {
            assert.ok(r.nextPacket);
            p = r.nextPacket;
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  test('a flipped byte is rejected with the failure for the field it hits', () => {
    fc.assert(
      fc.property(routeArb, sessionArb, fc.nat(1365), fc.integer({ min: 1, max: 255 }), fc.nat(), (lens, session, pos, mask, hopPick) => {
        const { hops, ad, packet } = build(lens, session, pos);
        // Peel up to a random hop, then corrupt the packet it receives.
        const target = hopPick % hops.length;
        let p = packet;
        for (let i = 0; i < target; i++) {
          const r = peelOnion(p, NODE_KEYS[i], ad);
          assert.ok(r.ok && r.nextPacket);
          p = r.nextPacket;
        }
        const bad = Uint8Array.from(p);
        bad[pos] ^= mask;
        const r = peelOnion(bad, NODE_KEYS[target], ad);
        assert.equal(r.ok, false);
        if (r.ok) return;
        if (pos === 0) assert.equal(r.name, 'invalid_onion_version');
        else if (pos < 34) assert.ok(r.name === 'invalid_onion_key' || r.name === 'invalid_onion_hmac', r.name);
        else assert.equal(r.name, 'invalid_onion_hmac');
        if (pos === 1) assert.equal(r.name, bad[1] === 2 || bad[1] === 3 ? 'invalid_onion_hmac' : 'invalid_onion_key');
      }),
      { numRuns: 150 },
    );
  });

  test('a failure created at any hop is attributed to that hop', () => {
    fc.assert(
      fc.property(routeArb, sessionArb, fc.nat(), (lens, session, pick) => {
        const { ad, packet, sharedSecrets } = build(lens, session, 7);
        const failing = pick % lens.length;
        const secrets: Uint8Array[] = [];
        let p = packet;
        for (let i = 0; i <= failing; i++) {
          const r = peelOnion(p, NODE_KEYS[i], ad);
          assert.ok(r.ok);
          secrets.push(r.sharedSecret);
          if (r.nextPacket) p = r.nextPacket;
        }
        let reason = createErrorPacket(secrets[failing], { name: 'temporary_channel_failure', channelUpdate: new Uint8Array(0) });
        for (let i = failing - 1; i >= 0; i--) reason = wrapErrorPacket(secrets[i], reason);
        const d = decryptErrorPacket(sharedSecrets, reason);
        assert.ok(d);
        assert.equal(d.hopIndex, failing);
        assert.equal(d.failure?.name, 'temporary_channel_failure');
      }),
      { numRuns: 60 },
    );
  });

  test('the 27-hop maximum route fits with minimal payloads', () => {
    const lens = Array.from({ length: 27 }, () => 14);
    assert.ok(lens.reduce((a, l) => a + hopShiftSize(l), 0) <= HOP_PAYLOADS_SIZE);
    const { ad, packet } = build(lens, new Uint8Array(32).fill(3), 1);
    let p = packet;
    for (let i = 0; i < 27; i++) {
      const r = peelOnion(p, NODE_KEYS[i], ad);
      assert.ok(r.ok);
      assert.equal(r.nextPacket === undefined, i === 26, toHex(r.nextHmac));
      if (r.nextPacket) p = r.nextPacket;
    }
  });
});
