/**
 * BOLT #4 hop payloads: decoding (vector payloads), encoding round trips, and the reader
 * requirements for forwarding, final and blinded hops.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, msat, shortChannelId } from '../../src/lib/index.ts';
import type { ShortChannelId } from '../../src/lib/index.ts';
import { encodeTlvStream } from '../../src/wire/tlv.ts';
import { decodeHopPayload, encodeHopPayload, validateHopPayload } from '../../src/onion/index.ts';
import type { HopPayload } from '../../src/onion/index.ts';
import { loadJson, stripLength } from './vectors.ts';

const fwd = { isFinal: false, pathKeyInUpdateAdd: false };
const fin = { isFinal: true, pathKeyInUpdateAdd: false };

function expectInvalid(b: Uint8Array, ctx: { isFinal: boolean; pathKeyInUpdateAdd: boolean }, type: bigint, offset: number): void {
  const r = validateHopPayload(b, ctx);
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual(r.error, { name: 'invalid_onion_payload', type, offset });
}

describe('hop payload decoding', () => {
  test('the onion-test.json payloads decode (amount, cltv, scid, unknown odd records)', () => {
    const v = loadJson('onion-test.json');
    const first = decodeHopPayload(stripLength(fromHex(v.generate.hops[0].payload)));
    assert.ok(first.ok);
    assert.equal(first.value.amtToForward, 15000n);
    assert.equal(first.value.outgoingCltvValue, 1500);
    assert.equal(first.value.shortChannelId, 1n);
    for (const h of v.generate.hops) {
      const r = decodeHopPayload(stripLength(fromHex(h.payload)));
      assert.ok(r.ok);
      assert.equal(encodeHopPayload(r.value).length, stripLength(fromHex(h.payload)).length);
    }
  });

  test('encode and decode round-trip', () => {
    const arb = fc.record(
      {
        amtToForward: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(msat),
        outgoingCltvValue: fc.nat({ max: 0xffffffff }),
        shortChannelId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((x) => x as ShortChannelId),
        paymentData: fc.record({ paymentSecret: fc.uint8Array({ minLength: 32, maxLength: 32 }), totalMsat: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(msat) }),
        encryptedRecipientData: fc.uint8Array({ maxLength: 100 }),
        currentPathKey: fc.uint8Array({ minLength: 33, maxLength: 33 }),
        paymentMetadata: fc.uint8Array({ maxLength: 100 }),
        totalAmountMsat: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(msat),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arb, (p) => {
        const full: HopPayload = { ...p, unknown: [{ type: 65537n, value: Uint8Array.of(1) }] };
        if (p.paymentData) full.paymentData = { ...p.paymentData };
        const r = decodeHopPayload(encodeHopPayload(full));
        assert.ok(r.ok);
        assert.deepEqual(r.value, full);
      }),
      { numRuns: 150 },
    );
  });

  test('bad records name their type and offset', () => {
    // amt_to_forward then an unknown even type 20 at offset 3.
    assert.deepEqual(decodeHopPayload(Uint8Array.of(2, 1, 5, 20, 0)), { ok: false, error: { name: 'invalid_onion_payload', type: 20n, offset: 3 } });
    // Types not increasing: 4 then 2 at offset 3.
    assert.deepEqual(decodeHopPayload(Uint8Array.of(4, 1, 5, 2, 1, 1)), { ok: false, error: { name: 'invalid_onion_payload', type: 2n, offset: 3 } });
    // A non-minimal tu64 amount at offset 0.
    assert.deepEqual(decodeHopPayload(Uint8Array.of(2, 2, 0, 5)), { ok: false, error: { name: 'invalid_onion_payload', type: 2n, offset: 0 } });
    // A 7-byte short_channel_id after amt (offset 3).
    assert.deepEqual(decodeHopPayload(Uint8Array.of(2, 1, 5, 6, 7, 0, 0, 0, 0, 0, 0, 1)), { ok: false, error: { name: 'invalid_onion_payload', type: 6n, offset: 3 } });
    // A truncated record.
    assert.equal(decodeHopPayload(Uint8Array.of(2, 5, 1)).ok, false);
  });
});

describe('hop payload requirements', () => {
  const scid = shortChannelId(700000, 1, 0);
  const secret = new Uint8Array(32).fill(1);

  test('a forwarding hop needs amt_to_forward, outgoing_cltv_value and short_channel_id', () => {
    const ok = validateHopPayload(encodeHopPayload({ amtToForward: msat(1000), outgoingCltvValue: 500, shortChannelId: scid }), fwd);
    assert.ok(ok.ok && ok.value.kind === 'forward' && ok.value.shortChannelId === scid);
    expectInvalid(encodeHopPayload({ outgoingCltvValue: 500, shortChannelId: scid }), fwd, 2n, 0);
    expectInvalid(encodeHopPayload({ amtToForward: msat(1000), shortChannelId: scid }), fwd, 4n, 0);
    expectInvalid(encodeHopPayload({ amtToForward: msat(1000), outgoingCltvValue: 500 }), fwd, 6n, 0);
    // payment_data is for the final node only: it sits after amt (4 bytes), cltv (4), scid (10).
    expectInvalid(encodeHopPayload({ amtToForward: msat(1000), outgoingCltvValue: 500, shortChannelId: scid, paymentData: { paymentSecret: secret, totalMsat: msat(1) } }), fwd, 8n, 4 + 4 + 10);
  });

  test('a final hop takes payment_data and must not see short_channel_id', () => {
    const r = validateHopPayload(encodeHopPayload({ amtToForward: msat(1000), outgoingCltvValue: 500, paymentData: { paymentSecret: secret, totalMsat: msat(3000) }, paymentMetadata: Uint8Array.of(9) }), fin);
    assert.ok(r.ok && r.value.kind === 'final');
    if (r.ok && r.value.kind === 'final') {
      assert.equal(r.value.totalMsat, 3000n);
      assert.deepEqual(r.value.paymentSecret, secret);
      assert.deepEqual(r.value.paymentMetadata, Uint8Array.of(9));
    }
    const noTotal = validateHopPayload(encodeHopPayload({ amtToForward: msat(1000), outgoingCltvValue: 500 }), fin);
    // "MUST treat `total_msat` as if it were equal to `amt_to_forward` if it is not present."
    assert.ok(noTotal.ok && noTotal.value.kind === 'final' && noTotal.value.totalMsat === 1000n);
    expectInvalid(encodeHopPayload({ amtToForward: msat(1000), outgoingCltvValue: 500, shortChannelId: scid }), fin, 6n, 8);
    expectInvalid(encodeHopPayload({ outgoingCltvValue: 500 }), fin, 2n, 0);
  });

  test('unknown odd types are accepted, unknown even types refused', () => {
    const base = encodeHopPayload({ amtToForward: msat(1), outgoingCltvValue: 2 });
    assert.ok(validateHopPayload(Uint8Array.of(...base, ...encodeTlvStream([{ type: 101n, value: Uint8Array.of(1) }])), fin).ok);
    expectInvalid(Uint8Array.of(...base, ...encodeTlvStream([{ type: 100n, value: Uint8Array.of(1) }])), fin, 100n, base.length);
  });

  test('blinded hops: current_path_key at the introduction point, path_key otherwise', () => {
    const erd = Uint8Array.of(1, 2, 3);
    const pk = new Uint8Array(33).fill(2);
    const intro = validateHopPayload(encodeHopPayload({ encryptedRecipientData: erd, currentPathKey: pk }), fwd);
    assert.ok(intro.ok && intro.value.kind === 'blinded-forward' && intro.value.currentPathKey !== undefined);
    const inner = validateHopPayload(encodeHopPayload({ encryptedRecipientData: erd }), { isFinal: false, pathKeyInUpdateAdd: true });
    assert.ok(inner.ok && inner.value.kind === 'blinded-forward');
    // current_path_key missing without path_key, or present with it.
    expectInvalid(encodeHopPayload({ encryptedRecipientData: erd }), fwd, 12n, 0);
    expectInvalid(encodeHopPayload({ encryptedRecipientData: erd, currentPathKey: pk }), { isFinal: false, pathKeyInUpdateAdd: true }, 12n, 5);
    // A blinded forwarding hop may not carry amounts.
    expectInvalid(encodeHopPayload({ amtToForward: msat(5), encryptedRecipientData: erd }), { isFinal: false, pathKeyInUpdateAdd: true }, 2n, 0);
    // The final blinded hop needs amt_to_forward, outgoing_cltv_value and total_amount_msat.
    const finCtx = { isFinal: true, pathKeyInUpdateAdd: true };
    const f = validateHopPayload(encodeHopPayload({ amtToForward: msat(5), outgoingCltvValue: 9, totalAmountMsat: msat(7), encryptedRecipientData: erd }), finCtx);
    assert.ok(f.ok && f.value.kind === 'blinded-final' && f.value.totalMsat === 7n);
    expectInvalid(encodeHopPayload({ amtToForward: msat(5), outgoingCltvValue: 9, encryptedRecipientData: erd }), finCtx, 18n, 0);
    expectInvalid(encodeHopPayload({ amtToForward: msat(5), outgoingCltvValue: 9, totalAmountMsat: msat(7), encryptedRecipientData: erd, paymentMetadata: Uint8Array.of(1) }), finCtx, 16n, 3 + 3 + 5);
    // Outside a blinded route, a path_key in update_add_htlc is an error.
    expectInvalid(encodeHopPayload({ amtToForward: msat(1), outgoingCltvValue: 2, shortChannelId: scid }), { isFinal: false, pathKeyInUpdateAdd: true }, 10n, 0);
  });
});
