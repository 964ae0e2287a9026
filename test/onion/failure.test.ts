/**
 * BOLT #4 failure messages: the code table is checked against the spec's list, every
 * failure round-trips, and decoding never throws anything but DecodeError.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError, msat } from '../../src/lib/index.ts';
import {
  BADONION,
  FAILURE_CODES,
  NODE,
  PERM,
  UPDATE,
  decodeFailureMessage,
  encodeFailureMessage,
  failureCode,
  failureName,
  isBadOnion,
  isNodeFailure,
  isPermanent,
  isUpdateFailure,
} from '../../src/onion/index.ts';
import type { FailureMessage, FailureName } from '../../src/onion/index.ts';
import { loadBolt } from './vectors.ts';

const FLAGS: Record<string, number> = { BADONION, PERM, NODE, UPDATE };

/** The failure codes listed in 04-onion-routing.md, e.g. "1. type: PERM|NODE|2 (`permanent_node_failure`)". */
function specCodes(): Map<string, number> {
  const out = new Map<string, number>();
  const md = loadBolt('04-onion-routing.md');
  const start = md.indexOf('## Failure Messages');
  const section = md.slice(start, md.indexOf('### Requirements', start));
  for (const m of section.matchAll(/^1\. type: ([A-Z|0-9]+) \(`([a-z_]+)`\)/gm)) {
    const code = m[1].split('|').reduce((acc, part) => acc | (FLAGS[part] ?? Number(part)), 0);
    out.set(m[2], code);
  }
  return out;
}

/** One sample of each failure, with data. */
function samples(): FailureMessage[] {
  const h = new Uint8Array(32).fill(0xab);
  const upd = Uint8Array.from({ length: 130 }, (_, i) => i);
  return [
    { name: 'invalid_realm' },
    { name: 'temporary_node_failure' },
    { name: 'permanent_node_failure' },
    { name: 'required_node_feature_missing' },
    { name: 'invalid_onion_version', sha256OfOnion: h },
    { name: 'invalid_onion_hmac', sha256OfOnion: h },
    { name: 'invalid_onion_key', sha256OfOnion: h },
    { name: 'temporary_channel_failure', channelUpdate: upd },
    { name: 'permanent_channel_failure' },
    { name: 'required_channel_feature_missing' },
    { name: 'unknown_next_peer' },
    { name: 'amount_below_minimum', htlcMsat: msat(1234), channelUpdate: upd },
    { name: 'fee_insufficient', htlcMsat: msat(99), channelUpdate: new Uint8Array(0) },
    { name: 'incorrect_cltv_expiry', cltvExpiry: 800144, channelUpdate: upd },
    { name: 'expiry_too_soon', channelUpdate: new Uint8Array(0) },
    { name: 'incorrect_or_unknown_payment_details', htlcMsat: msat(100), height: 800000 },
    { name: 'final_incorrect_cltv_expiry', cltvExpiry: 12 },
    { name: 'final_incorrect_htlc_amount', incomingHtlcAmt: msat(5000) },
    { name: 'channel_disabled', disabledFlags: 0, channelUpdate: upd },
    { name: 'expiry_too_far' },
    { name: 'invalid_onion_payload', type: 65537n, offset: 12 },
    { name: 'mpp_timeout' },
    { name: 'invalid_onion_blinding', sha256OfOnion: h },
  ];
}

describe('failure codes', () => {
  test('every code listed in BOLT #4 is defined with the same value', () => {
    const spec = specCodes();
    assert.ok(spec.size >= 22, `parsed ${spec.size} codes from the spec`);
    for (const [name, code] of spec) {
      assert.equal(FAILURE_CODES[name as FailureName], code, name);
      assert.equal(failureName(code), name);
    }
  });

  test('flag helpers read the top bits', () => {
    assert.ok(isBadOnion(FAILURE_CODES.invalid_onion_hmac) && isPermanent(FAILURE_CODES.invalid_onion_hmac));
    assert.ok(isNodeFailure(FAILURE_CODES.temporary_node_failure) && !isPermanent(FAILURE_CODES.temporary_node_failure));
    assert.ok(isUpdateFailure(FAILURE_CODES.fee_insufficient));
    assert.ok(!isBadOnion(FAILURE_CODES.mpp_timeout));
  });
});

describe('failure message encoding', () => {
  test('every failure round-trips and starts with its code', () => {
    const all = samples();
    assert.equal(new Set(all.map((f) => f.name)).size, Object.keys(FAILURE_CODES).length);
    for (const f of all) {
      const b = encodeFailureMessage(f);
      assert.equal((b[0] << 8) | b[1], failureCode(f), f.name);
      assert.deepEqual(decodeFailureMessage(b), f, f.name);
    }
  });

  test('data layouts match the spec byte counts', () => {
    assert.equal(encodeFailureMessage({ name: 'invalid_onion_hmac', sha256OfOnion: new Uint8Array(32) }).length, 2 + 32);
    assert.equal(encodeFailureMessage({ name: 'incorrect_or_unknown_payment_details', htlcMsat: msat(1), height: 2 }).length, 2 + 8 + 4);
    assert.equal(encodeFailureMessage({ name: 'channel_disabled', disabledFlags: 0, channelUpdate: new Uint8Array(3) }).length, 2 + 2 + 2 + 3);
    assert.equal(encodeFailureMessage({ name: 'invalid_onion_payload', type: 300n, offset: 1 }).length, 2 + 3 + 2);
  });

  test('extra bytes are kept as a TLV stream or ignored as raw bytes, never an error', () => {
    const base = encodeFailureMessage({ name: 'mpp_timeout' });
    const withTlv = decodeFailureMessage(Uint8Array.of(...base, 0x01, 0x02, 0xaa, 0xbb));
    assert.equal(withTlv.tlvs?.[0].type, 1n);
    const garbage = decodeFailureMessage(Uint8Array.of(...base, 0x02, 0x05));
    assert.equal(garbage.name, 'mpp_timeout');
    assert.deepEqual(garbage.extra, Uint8Array.of(0x02, 0x05));
  });

  test('unknown codes decode as unknown and round-trip', () => {
    const f = decodeFailureMessage(Uint8Array.of(0x20, 0x63, 1, 2, 3));
    assert.deepEqual(f, { name: 'unknown', code: 0x2063, data: Uint8Array.of(1, 2, 3) });
    assert.deepEqual(encodeFailureMessage(f), Uint8Array.of(0x20, 0x63, 1, 2, 3));
  });

  test('decoding random bytes only ever throws DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        try {
          const f = decodeFailureMessage(b);
          // Whatever decodes re-encodes to the same bytes.
          assert.deepEqual(encodeFailureMessage(f), b);
        } catch (e) {
          assert.ok(e instanceof DecodeError, String(e));
        }
      }),
      { numRuns: 200 },
    );
  });
});
