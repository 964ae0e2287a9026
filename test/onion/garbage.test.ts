/**
 * Decoders and processors fed garbage: they return typed failures or throw DecodeError,
 * never anything else (DESIGN.md "Tests": "decoders reject garbage with a typed error").
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError, msat } from '../../src/lib/index.ts';
import {
  decodeBlindedPath,
  decodeEncryptedData,
  decodeHopPayload,
  decryptErrorPacket,
  decryptRecipientData,
  peelOnion,
  processIncomingOnion,
  verifyAttribution,
} from '../../src/onion/index.ts';

const key = new Uint8Array(32).fill(0x42);
const onlyDecodeError = (f: () => unknown): void => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DecodeError, String(e));
  }
};

describe('garbage input', () => {
  test('peelOnion and processIncomingOnion return failures for random packets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1366, maxLength: 1366 }), fc.boolean(), (p, version0) => {
        if (version0) p[0] = 0;
        const r = peelOnion(p, key, new Uint8Array(32));
        assert.equal(r.ok, false);
        const a = processIncomingOnion({ onionRoutingPacket: p, paymentHash: new Uint8Array(32), amountMsat: msat(1), cltvExpiry: 1 }, key);
        assert.equal(a.kind, 'fail-malformed');
      }),
      { numRuns: 100 },
    );
  });

  test('payload, encrypted data and blinded path decoders only throw DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
        const r = decodeHopPayload(b);
        assert.equal(typeof r.ok, 'boolean');
        onlyDecodeError(() => decodeEncryptedData(b));
        onlyDecodeError(() => decodeBlindedPath(b));
      }),
      { numRuns: 200 },
    );
  });

  test('error and recipient-data decryption return null or a failure for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        assert.equal(decryptErrorPacket([key, key], b), null);
        assert.equal(verifyAttribution([key], b).failedAt, 0);
        const pk = Uint8Array.of(2, ...new Uint8Array(32).fill(0x79));
        assert.equal(decryptRecipientData(key, pk, b).ok, false);
      }),
      { numRuns: 100 },
    );
  });
});
