/**
 * processIncomingOnion: the blinded-payment-onion-test.json route processed end to end as
 * each node would, and the failure each misbehaviour maps to.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, msat } from '../../src/lib/index.ts';
import type { Msat } from '../../src/lib/index.ts';
import { getPublicKey, sha256 } from '../../src/crypto/index.ts';
import { FAILURE_CODES, MemoryReplayStore, createOnion, encodeHopPayload, processIncomingOnion } from '../../src/onion/index.ts';
import type { IncomingAction } from '../../src/onion/index.ts';
import { loadJson } from './vectors.ts';

const v = loadJson('blinded-payment-onion-test.json');
const paymentHash = fromHex(v.generate.associated_data);
const dec = v.decrypt.hops;
const route = v.generate.full_route.hops;

/** Walks the vector route: each node processes the HTLC the previous one forwards. */
function walk(first: { amountMsat: Msat; cltvExpiry: number }, tamper?: (i: number, h: { amountMsat: Msat; cltvExpiry: number }) => void): IncomingAction[] {
  const actions: IncomingAction[] = [];
  let htlc = { onionRoutingPacket: fromHex(v.generate.onion), paymentHash, amountMsat: first.amountMsat, cltvExpiry: first.cltvExpiry, pathKey: undefined as Uint8Array | undefined };
  for (let i = 0; i < dec.length; i++) {
    tamper?.(i, htlc);
    const a = processIncomingOnion(htlc, fromHex(dec[i].node_privkey));
    actions.push(a);
    if (a.kind !== 'forward') break;
    htlc = { onionRoutingPacket: a.nextPacket, paymentHash, amountMsat: a.amtToForward, cltvExpiry: a.outgoingCltvValue, pathKey: a.nextPathKey };
  }
  return actions;
}

describe('processIncomingOnion along the blinded payment vector', () => {
  test('Alice forwards, Bob (introduction), Carol and Dave forward blinded, Eve receives', () => {
    const actions = walk({ amountMsat: msat(110125), cltvExpiry: 749150 + 144 });
    assert.deepEqual(actions.map((a) => a.kind), ['forward', 'forward', 'forward', 'forward', 'receive']);
    actions.forEach((a, i) => {
      if (a.kind === 'forward') assert.equal(toHex(a.nextPacket), dec[i + 1].onion, `${dec[i].alias} next onion`);
      if (i > 0 && a.kind === 'forward') assert.equal(toHex(a.nextPathKey ?? new Uint8Array(0)), dec[i].next_path_key);
    });
    const [alice, bob, carol, , eve] = actions;
    assert.ok(alice.kind === 'forward' && alice.amtToForward === 110125n && alice.outgoingCltvValue === 749150 && alice.blinding === undefined);
    assert.ok(bob.kind === 'forward' && bob.blinding === 'introduction');
    // Bob's payment_relay: fee_base 10000, proportional 0, delta 50.
    assert.equal(bob.amtToForward, 110125n - 10000n);
    assert.equal(bob.outgoingCltvValue, 749150 - 50);
    assert.ok(carol.kind === 'forward' && carol.blinding === 'inner');
    assert.ok(eve.kind === 'receive');
    assert.equal(eve.amtToForward, BigInt(v.generate.final_amount_msat));
    assert.equal(eve.totalMsat, BigInt(route[4].tlvs.total_amount_msat));
    assert.equal(eve.outgoingCltvValue, v.generate.final_cltv);
    assert.equal(toHex(eve.recipientData?.pathId ?? new Uint8Array(0)), route[4].tlvs.encrypted_recipient_data.path_id);
  });

  test('a violated constraint inside the path is update_fail_malformed_htlc(invalid_onion_blinding)', () => {
    // Carol's htlc_minimum_msat is 50: send her less.
    const actions = walk({ amountMsat: msat(110125), cltvExpiry: 749150 + 144 }, (i, h) => {
      if (i === 2) h.amountMsat = msat(10);
    });
    const last = actions[actions.length - 1];
    assert.equal(actions.length, 3);
    assert.ok(last.kind === 'fail-malformed');
    assert.equal(last.failureCode, FAILURE_CODES.invalid_onion_blinding);
  });

  test('a violated constraint at the introduction point is update_fail_htlc(invalid_onion_blinding)', () => {
    // Bob's max_cltv_expiry is 750150.
    const actions = walk({ amountMsat: msat(110125), cltvExpiry: 749150 + 144 }, (i, h) => {
      if (i === 1) h.cltvExpiry = 750151;
    });
    const last = actions[actions.length - 1];
    assert.ok(last.kind === 'fail');
    assert.equal(last.failure.name, 'invalid_onion_blinding');
    if (last.failure.name === 'invalid_onion_blinding') assert.equal(toHex(last.failure.sha256OfOnion), toHex(sha256(fromHex(dec[1].onion))));
  });

  test('an HTLC at Carol without the path_key cannot be decrypted: invalid_onion_hmac', () => {
    const a = processIncomingOnion({ onionRoutingPacket: fromHex(dec[2].onion), paymentHash, amountMsat: msat(100150), cltvExpiry: 749100 }, fromHex(dec[2].node_privkey));
    assert.ok(a.kind === 'fail-malformed');
    assert.equal(a.failureCode, FAILURE_CODES.invalid_onion_hmac);
  });
});

describe('processIncomingOnion outside blinded paths', () => {
  const keys = [0x31, 0x32].map((b) => new Uint8Array(32).fill(b));
  const secret = new Uint8Array(32).fill(0x77);
  const build = (finalPayload: Uint8Array) =>
    createOnion({
      sessionKey: new Uint8Array(32).fill(0x66),
      hops: [
        { pubkey: getPublicKey(keys[0]), payload: encodeHopPayload({ amtToForward: msat(5000), outgoingCltvValue: 600, shortChannelId: 42n as never }) },
        { pubkey: getPublicKey(keys[1]), payload: finalPayload },
      ],
      associatedData: paymentHash,
    }).packet;

  test('the final node checks amount and cltv against the onion', () => {
    const packet = build(encodeHopPayload({ amtToForward: msat(5000), outgoingCltvValue: 600, paymentData: { paymentSecret: secret, totalMsat: msat(5000) } }));
    const fwd = processIncomingOnion({ onionRoutingPacket: packet, paymentHash, amountMsat: msat(5100), cltvExpiry: 640 }, keys[0]);
    assert.ok(fwd.kind === 'forward' && fwd.shortChannelId === 42n);
    const at = (amount: bigint, cltv: number) => processIncomingOnion({ onionRoutingPacket: fwd.nextPacket, paymentHash, amountMsat: msat(amount), cltvExpiry: cltv }, keys[1]);
    const ok = at(5000n, 600);
    assert.ok(ok.kind === 'receive' && toHex(ok.paymentSecret ?? new Uint8Array(0)) === toHex(secret));
    const lowAmount = at(4999n, 600);
    assert.ok(lowAmount.kind === 'fail' && lowAmount.failure.name === 'final_incorrect_htlc_amount');
    const lowCltv = at(5000n, 599);
    assert.ok(lowCltv.kind === 'fail' && lowCltv.failure.name === 'final_incorrect_cltv_expiry');
  });

  test('a bad payload is update_fail_htlc(invalid_onion_payload)', () => {
    const packet = build(encodeHopPayload({ amtToForward: msat(5000), outgoingCltvValue: 600, shortChannelId: 1n as never }));
    const fwd = processIncomingOnion({ onionRoutingPacket: packet, paymentHash, amountMsat: msat(5000), cltvExpiry: 640 }, keys[0]);
    assert.ok(fwd.kind === 'forward');
    const r = processIncomingOnion({ onionRoutingPacket: fwd.nextPacket, paymentHash, amountMsat: msat(5000), cltvExpiry: 640 }, keys[1]);
    assert.ok(r.kind === 'fail');
    assert.deepEqual(r.failure, { name: 'invalid_onion_payload', type: 6n, offset: 8 });
  });

  test('a replayed onion is reported as a replay', () => {
    const store = new MemoryReplayStore();
    const packet = build(encodeHopPayload({ amtToForward: msat(5000), outgoingCltvValue: 600 }));
    const htlc = { onionRoutingPacket: packet, paymentHash, amountMsat: msat(5000), cltvExpiry: 640 };
    assert.equal(processIncomingOnion(htlc, keys[0], { replay: store }).kind, 'forward');
    assert.equal(processIncomingOnion(htlc, keys[0], { replay: store }).kind, 'replay');
  });
});
