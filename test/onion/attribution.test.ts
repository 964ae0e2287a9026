/**
 * BOLT #4 attribution data: the "Returning Errors" and "Returning success" vectors of
 * 04-onion-routing.md (each hop's attribution_data byte for byte) and origin verification.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../src/lib/index.ts';
import { ATTRIBUTION_DATA_SIZE, addAttributionData, computeSharedSecrets, verifyAttribution, wrapErrorPacket, decryptErrorPacket } from '../../src/onion/index.ts';
import { errorTrace } from './vectors.ts';

describe('attribution data', () => {
  const t = errorTrace();
  const { sharedSecrets } = computeSharedSecrets(t.sessionKey, t.pubkeys);
  // The vector lists hold times in the order the message travels back: the erring node
  // (node 4) reports htlc_hold_time[0], node 3 htlc_hold_time[1], and so on.
  const holdOf = (node: number): number => t.holdTimes[t.pubkeys.length - 1 - node];

  test('failure: every hop adds attribution data as in the trace', () => {
    let packet = t.rawErrorPacket;
    let attr: Uint8Array | undefined;
    for (const s of t.steps) {
      attr = addAttributionData(sharedSecrets[s.node], holdOf(s.node), packet, attr);
      assert.equal(attr.length, ATTRIBUTION_DATA_SIZE);
      assert.equal(toHex(attr), toHex(s.attributionData), `attribution data for node ${s.node}`);
      packet = wrapErrorPacket(sharedSecrets[s.node], packet);
    }
  });

  test('success: every hop adds attribution data as in the vector', () => {
    assert.equal(t.successAttribution.length, 5);
    let attr: Uint8Array | undefined;
    for (const s of t.successAttribution) {
      attr = addAttributionData(sharedSecrets[s.node], holdOf(s.node), new Uint8Array(0), attr);
      assert.equal(toHex(attr), toHex(s.data), `attribution data for node ${s.node}`);
    }
  });

  test('the origin verifies every hop and reads the hold times', () => {
    const last = t.steps[t.steps.length - 1];
    const failing = decryptErrorPacket(sharedSecrets, last.errorPacket);
    assert.equal(failing?.hopIndex, 4);
    const expected = sharedSecrets.map((_, i) => holdOf(i));
    assert.deepEqual(verifyAttribution(sharedSecrets.slice(0, 5), last.attributionData, last.errorPacket), { holdTimes: expected });
    const success = t.successAttribution[t.successAttribution.length - 1].data;
    assert.deepEqual(verifyAttribution(sharedSecrets, success), { holdTimes: expected });
  });

  test('tampering is blamed on the hop whose HMAC stops verifying', () => {
    // Node 2 forwards, then node 1 flips a bit in the hold time that node 2 reported.
    let packet = t.rawErrorPacket;
    let attr: Uint8Array | undefined;
    for (const node of [4, 3, 2]) {
      attr = addAttributionData(sharedSecrets[node], holdOf(node), packet, attr);
      packet = wrapErrorPacket(sharedSecrets[node], packet);
    }
    assert.ok(attr);
    const tampered = Uint8Array.from(attr);
    tampered[2] ^= 0x40;
    for (const node of [1, 0]) {
      const a = addAttributionData(sharedSecrets[node], holdOf(node), packet, node === 1 ? tampered : attr);
      attr = a;
      packet = wrapErrorPacket(sharedSecrets[node], packet);
    }
    const r = verifyAttribution(sharedSecrets, attr, packet);
    assert.equal(r.failedAt, 2);
    assert.deepEqual(r.holdTimes, [holdOf(0), holdOf(1)]);
  });

  test('an error from an intermediate hop verifies up to that hop', () => {
    // Node 2 fails; nodes 1 and 0 add their data.
    let packet = t.rawErrorPacket;
    let attr: Uint8Array | undefined;
    for (const node of [2, 1, 0]) {
      attr = addAttributionData(sharedSecrets[node], 7 + node, packet, attr);
      packet = wrapErrorPacket(sharedSecrets[node], packet);
    }
    assert.ok(attr);
    assert.deepEqual(verifyAttribution(sharedSecrets.slice(0, 3), attr, packet), { holdTimes: [7, 8, 9] });
    assert.equal(verifyAttribution(sharedSecrets.slice(0, 3), new Uint8Array(10), packet).failedAt, 0);
  });
});
