/**
 * BOLT #4 Sphinx packets: onion-test.json (construction byte for byte, processing at each
 * hop), plus the failure results of peelOnion.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/lib/index.ts';
import { getPublicKey, sha256 } from '../../src/crypto/index.ts';
import { createOnion, peelOnion, computeSharedSecrets, hopShiftSize, ONION_PACKET_SIZE, FAILURE_CODES } from '../../src/onion/index.ts';
import { loadJson, stripLength } from './vectors.ts';

const v = loadJson('onion-test.json');
const sessionKey = fromHex(v.generate.session_key);
const ad = fromHex(v.generate.associated_data);
const hops = v.generate.hops.map((h: { pubkey: string; payload: string }) => ({ pubkey: fromHex(h.pubkey), payload: stripLength(fromHex(h.payload)) }));
const privkeys: Uint8Array[] = v.decode.map(fromHex);

describe('onion-test.json', () => {
  test('the decode private keys match the route public keys', () => {
    assert.equal(privkeys.length, hops.length);
    privkeys.forEach((k, i) => assert.equal(toHex(getPublicKey(k)), toHex(hops[i].pubkey)));
  });

  test('createOnion builds the vector packet byte for byte', () => {
    const { packet, sharedSecrets } = createOnion({ sessionKey, hops, associatedData: ad });
    assert.equal(packet.length, ONION_PACKET_SIZE);
    assert.equal(toHex(packet), v.onion);
    assert.equal(sharedSecrets.length, hops.length);
  });

  test('each hop peels its payload, forwards, and only the last is final', () => {
    const { sharedSecrets } = createOnion({ sessionKey, hops, associatedData: ad });
    let packet = fromHex(v.onion);
    for (let i = 0; i < hops.length; i++) {
      const r = peelOnion(packet, privkeys[i], ad);
      assert.ok(r.ok, `hop ${i} failed to peel`);
      assert.equal(toHex(r.payload), toHex(hops[i].payload), `hop ${i} payload`);
      assert.equal(toHex(r.sharedSecret), toHex(sharedSecrets[i]), `hop ${i} shared secret`);
      if (i < hops.length - 1) {
        assert.ok(r.nextPacket, `hop ${i} should forward`);
        assert.equal(r.nextPacket.length, ONION_PACKET_SIZE);
        packet = r.nextPacket;
      } else {
        assert.equal(r.nextPacket, undefined, 'last hop is final');
        assert.ok(r.nextHmac.every((b) => b === 0));
      }
    }
  });

  test('the last payload is 275 bytes with its 3-byte BigSize length', () => {
    assert.equal(hops[4].payload.length, 272);
    assert.equal(hopShiftSize(272), 3 + 272 + 32);
    assert.equal(hopShiftSize(19), 1 + 19 + 32);
  });

  test('computeSharedSecrets blinds the ephemeral key at each hop', () => {
    const { ephemeralPubkeys } = computeSharedSecrets(sessionKey, hops.map((h: { pubkey: Uint8Array }) => h.pubkey));
    let packet = fromHex(v.onion);
    for (let i = 0; i < hops.length; i++) {
      assert.equal(toHex(packet.subarray(1, 34)), toHex(ephemeralPubkeys[i]));
      const r = peelOnion(packet, privkeys[i], ad);
      assert.ok(r.ok);
      if (r.nextPacket) packet = r.nextPacket;
    }
  });
});

describe('peelOnion failures', () => {
  const packet = fromHex(v.onion);

  test('an unknown version is invalid_onion_version with sha256_of_onion', () => {
    const bad = Uint8Array.from(packet);
    bad[0] = 1;
    const r = peelOnion(bad, privkeys[0], ad);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.name, 'invalid_onion_version');
    assert.equal(r.code, FAILURE_CODES.invalid_onion_version);
    assert.equal(r.code, 0x8000 | 0x4000 | 4);
    assert.equal(toHex(r.sha256OfOnion), toHex(sha256(bad)));
  });

  test('an invalid ephemeral key is invalid_onion_key', () => {
    for (const prefix of [0x04, 0x02]) {
      const bad = Uint8Array.from(packet);
      bad[1] = prefix;
      if (prefix === 0x02) bad.fill(0xff, 2, 34); // x >= p is not on the curve
      const r = peelOnion(bad, privkeys[0], ad);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.name, 'invalid_onion_key');
        assert.equal(r.code, FAILURE_CODES.invalid_onion_key);
        assert.equal(toHex(r.sha256OfOnion), toHex(sha256(bad)));
      }
    }
  });

  test('a wrong node key, wrong associated data, or a flipped payload byte is invalid_onion_hmac', () => {
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [packet, privkeys[1], ad],
      [packet, privkeys[0], new Uint8Array(32)],
    ];
    const flipped = Uint8Array.from(packet);
    flipped[500] ^= 1;
    cases.push([flipped, privkeys[0], ad]);
    for (const [p, k, a] of cases) {
      const r = peelOnion(p, k, a);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.name, 'invalid_onion_hmac');
        assert.equal(r.code, 0x8000 | 0x4000 | 5);
        assert.equal(toHex(r.sha256OfOnion), toHex(sha256(p)));
      }
    }
  });

  test('with a path_key every failure is reported as invalid_onion_blinding', () => {
    const bad = Uint8Array.from(packet);
    bad[0] = 7;
    const r = peelOnion(bad, privkeys[0], ad, { pathKey: getPublicKey(privkeys[2]) });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.name, 'invalid_onion_blinding');
      assert.equal(r.cause, 'invalid_onion_version');
      assert.equal(r.code, 0x8000 | 0x4000 | 24);
    }
  });

  test('an authentic packet with a reserved payload length is invalid_onion_payload', () => {
    const pk = getPublicKey(privkeys[0]);
    for (const len of [0, 1]) {
      const { packet: p } = createOnion({ sessionKey, hops: [{ pubkey: pk, payload: new Uint8Array(len) }], associatedData: ad });
      const r = peelOnion(p, privkeys[0], ad);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.name, 'invalid_onion_payload');
        assert.ok(r.sharedSecret, 'the shared secret is returned to encrypt update_fail_htlc');
      }
      // Onion messages allow an empty payload.
      const m = peelOnion(p, privkeys[0], ad, { kind: 'message' });
      assert.ok(m.ok);
      if (m.ok) assert.equal(m.payload.length, len);
    }
  });

  test('createOnion refuses payloads that do not fit', () => {
    const pk = getPublicKey(privkeys[0]);
    // 3 (BigSize) + 1266 + 32 = 1301 bytes: one too many.
    assert.throws(() => createOnion({ sessionKey, hops: [{ pubkey: pk, payload: new Uint8Array(1266) }], associatedData: ad }), RangeError);
    // 3 + 1265 + 32 = 1300 bytes: exactly fits.
    const ok = createOnion({ sessionKey, hops: [{ pubkey: pk, payload: new Uint8Array(1265).fill(9) }], associatedData: ad });
    const r = peelOnion(ok.packet, privkeys[0], ad);
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.payload, new Uint8Array(1265).fill(9));
    assert.throws(() => createOnion({ sessionKey, hops: [], associatedData: ad }), RangeError);
  });
});
