/**
 * BOLT #4 "Returning Errors": onion-error-test.json and the trace in 04-onion-routing.md's
 * "Test Vector / Returning Errors" (failure creation, each obfuscation step, attribution),
 * plus update_fail_malformed_htlc handling.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, msat } from '../../src/lib/index.ts';
import { getPublicKey, sha256 } from '../../src/crypto/index.ts';
import {
  KEY_AMMAG,
  KEY_UM,
  buildRawErrorPacket,
  computeSharedSecrets,
  createErrorPacket,
  createOnion,
  decodeFailureMessage,
  decryptErrorPacket,
  encodeFailureMessage,
  errorFromMalformed,
  generateCipherStream,
  generateKey,
  peelOnion,
  wrapErrorPacket,
} from '../../src/onion/index.ts';
import type { FailureMessage } from '../../src/onion/index.ts';
import { errorTrace, loadJson } from './vectors.ts';

describe('onion-error-test.json', () => {
  const v = loadJson('onion-error-test.json');
  const hops = v.generate.hops;
  const pubkeys = hops.map((h: { pubkey: string }) => fromHex(h.pubkey));
  const { sharedSecrets } = computeSharedSecrets(fromHex(v.generate.session_key), pubkeys);
  const failing = hops.length - 1;

  test('the shared secrets and ammag/um keys match', () => {
    hops.forEach((h: Record<string, string>, i: number) => {
      assert.equal(toHex(sharedSecrets[i]), h.hop_shared_secret, `hop ${i} shared secret`);
      assert.equal(toHex(generateKey(KEY_AMMAG, sharedSecrets[i])), h.ammag_key, `hop ${i} ammag`);
      if (h.um_key) assert.equal(toHex(generateKey(KEY_UM, sharedSecrets[i])), h.um_key);
    });
  });

  test('the failing hop builds the payload (failure padded to 256) and its HMAC', () => {
    const raw = buildRawErrorPacket(sharedSecrets[failing], fromHex(v.generate.failure_message));
    assert.equal(toHex(raw.subarray(32)), hops[failing].payload);
    assert.equal(raw.length, 32 + 2 + 256 + 2);
  });

  test('obfuscation at each hop on the way back gives the vector error packet', () => {
    const msg = decodeFailureMessage(fromHex(v.generate.failure_message));
    assert.equal(msg.name, 'temporary_node_failure');
    let packet = createErrorPacket(sharedSecrets[failing], msg);
    for (let i = failing - 1; i >= 0; i--) packet = wrapErrorPacket(sharedSecrets[i], packet);
    assert.equal(toHex(packet), v.errorpacket);
  });

  test('the origin attributes the vector error packet to the failing hop', () => {
    const d = decryptErrorPacket(sharedSecrets, fromHex(v.errorpacket));
    assert.ok(d);
    assert.equal(d.hopIndex, failing);
    assert.equal(toHex(d.failureMessage), v.generate.failure_message);
    assert.equal(d.failure?.name, 'temporary_node_failure');
  });

  test('a wrong route or a corrupted packet is not attributed', () => {
    assert.equal(decryptErrorPacket(sharedSecrets.slice(0, failing), fromHex(v.errorpacket)), null);
    const bad = fromHex(v.errorpacket);
    bad[100] ^= 0x10;
    assert.equal(decryptErrorPacket(sharedSecrets, bad), null);
  });
});

describe('04-onion-routing.md error trace', () => {
  const t = errorTrace();
  const { sharedSecrets } = computeSharedSecrets(t.sessionKey, t.pubkeys);
  const failure: FailureMessage = {
    name: 'incorrect_or_unknown_payment_details',
    htlcMsat: msat(100),
    height: 800000,
    tlvs: [{ type: 34001n, value: new Uint8Array(300).fill(128) }],
  };

  test('the failure message with its TLV extension encodes as in the trace', () => {
    const enc = encodeFailureMessage(failure);
    assert.equal(toHex(t.encodedFailureMessage.subarray(0, enc.length)), toHex(enc));
    const back = decodeFailureMessage(enc);
    assert.equal(back.name, 'incorrect_or_unknown_payment_details');
    if (back.name === 'incorrect_or_unknown_payment_details') {
      assert.equal(back.htlcMsat, 100n);
      assert.equal(back.height, 800000);
      assert.equal(back.tlvs?.[0].type, 34001n);
    }
  });

  test('the raw error packet (padded to 1024) and um key match', () => {
    const ss = sharedSecrets[4];
    assert.equal(toHex(ss), toHex(t.steps[0].sharedSecret));
    assert.equal(toHex(generateKey(KEY_UM, ss)), toHex(t.umKey));
    const raw = buildRawErrorPacket(ss, failure, 1024);
    assert.equal(toHex(raw.subarray(32)), toHex(t.payload));
    assert.equal(toHex(raw), toHex(t.rawErrorPacket));
  });

  test('each forwarding step matches its shared secret, ammag key, stream and packet', () => {
    let packet = t.rawErrorPacket;
    assert.equal(t.steps.length, 5);
    for (const s of t.steps) {
      const ss = sharedSecrets[s.node];
      assert.equal(toHex(ss), toHex(s.sharedSecret), `node ${s.node} shared secret`);
      const ammag = generateKey(KEY_AMMAG, ss);
      assert.equal(toHex(ammag), toHex(s.ammagKey), `node ${s.node} ammag`);
      assert.equal(toHex(generateCipherStream(ammag, packet.length)), toHex(s.stream), `node ${s.node} stream`);
      packet = wrapErrorPacket(ss, packet);
      assert.equal(toHex(packet), toHex(s.errorPacket), `node ${s.node} error packet`);
    }
  });

  test('createErrorPacket is the first step, and the origin attributes the last', () => {
    assert.equal(toHex(createErrorPacket(sharedSecrets[4], failure, 1024)), toHex(t.steps[0].errorPacket));
    const d = decryptErrorPacket(sharedSecrets, t.steps[4].errorPacket);
    assert.ok(d);
    assert.equal(d.hopIndex, 4);
    assert.equal(d.failure?.name, 'incorrect_or_unknown_payment_details');
  });
});

describe('update_fail_malformed_htlc', () => {
  test('a BADONION failure from downstream becomes an update_fail_htlc the origin can read', () => {
    const keys = [0x11, 0x22, 0x33].map((b) => new Uint8Array(32).fill(b));
    const hops = keys.map((k) => ({ pubkey: getPublicKey(k), payload: Uint8Array.of(2, 1, 1, 4, 1, 1) }));
    const ad = new Uint8Array(32).fill(7);
    const { packet, sharedSecrets } = createOnion({ sessionKey: new Uint8Array(32).fill(0x55), hops, associatedData: ad });
    const h0 = peelOnion(packet, keys[0], ad);
    assert.ok(h0.ok && h0.nextPacket);
    const corrupted = Uint8Array.from(h0.nextPacket);
    corrupted[40] ^= 1;
    const h1 = peelOnion(corrupted, keys[1], ad);
    assert.ok(!h1.ok);
    // Hop 1 sends update_fail_malformed_htlc; hop 0 turns it into update_fail_htlc.
    const reason = errorFromMalformed(h0.sharedSecret, { failureCode: h1.code, sha256OfOnion: h1.sha256OfOnion });
    assert.ok(reason);
    const d = decryptErrorPacket(sharedSecrets, reason);
    assert.ok(d);
    assert.equal(d.hopIndex, 0);
    assert.equal(d.failure?.name, 'invalid_onion_hmac');
    if (d.failure?.name === 'invalid_onion_hmac') assert.equal(toHex(d.failure.sha256OfOnion), toHex(sha256(corrupted)));
  });

  test('a failure_code without the BADONION bit is refused', () => {
    assert.equal(errorFromMalformed(new Uint8Array(32), { failureCode: 0x4000 | 15, sha256OfOnion: new Uint8Array(32) }), null);
  });
});
