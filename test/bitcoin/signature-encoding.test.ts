import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { concatBytes, fromHex } from '../../src/lib/index.ts';
import { CURVE_ORDER, isLowS, signatureToDer } from '../../src/crypto/index.ts';
import { isLowDerSignature, isValidSignatureEncoding, normalizePubKeyForVerify, parseDerLax } from '../../src/bitcoin/index.ts';

const scalar = fc.bigInt({ min: 1n, max: CURVE_ORDER - 1n }).map((v) => fromHex(v.toString(16).padStart(64, '0')));

test('strict DER round-trips through the lax parser; low-S agrees with the facade', () => {
  fc.assert(
    fc.property(scalar, scalar, (r, s) => {
      const compact = concatBytes(r, s);
      const der = signatureToDer(compact);
      assert.deepEqual(parseDerLax(der), compact);
      const withType = concatBytes(der, Uint8Array.of(1));
      assert.ok(isValidSignatureEncoding(withType));
      assert.equal(isLowDerSignature(withType), isLowS(compact));
    }),
    { numRuns: 200 },
  );
});

test('the lax parser accepts what BIP66 rejects, and zeroes overflowing values', () => {
  // Long-form length bytes and excess zero padding: lax yes, strict no.
  const r = new Uint8Array(32).fill(0x11);
  const s = new Uint8Array(32).fill(0x22);
  const padded = concatBytes(Uint8Array.of(0x30, 0x81, 70, 0x02, 0x21, 0x00), r, Uint8Array.of(0x02, 0x81, 0x20), s);
  assert.deepEqual(parseDerLax(padded), concatBytes(r, s));
  assert.ok(!isValidSignatureEncoding(concatBytes(padded, Uint8Array.of(1))));
  // R of 33 significant bytes overflows: an all-zero (never valid) signature, not a failure.
  const big = concatBytes(Uint8Array.of(0x30, 69, 0x02, 33, 0x01), r, Uint8Array.of(0x02, 32), s);
  assert.deepEqual(parseDerLax(big), new Uint8Array(64));
  // R equal to the curve order also overflows.
  const n = fromHex(CURVE_ORDER.toString(16));
  assert.deepEqual(parseDerLax(concatBytes(Uint8Array.of(0x30, 69, 0x02, 33, 0x00), n, Uint8Array.of(0x02, 32), s)), new Uint8Array(64));
  // Not a sequence at all.
  assert.equal(parseDerLax(Uint8Array.of(0x31, 0)), null);
  assert.equal(parseDerLax(new Uint8Array(0)), null);
});

test('public key shapes for verification', () => {
  const c = concatBytes(Uint8Array.of(2), new Uint8Array(32));
  assert.equal(normalizePubKeyForVerify(c), c);
  assert.equal(normalizePubKeyForVerify(c.subarray(0, 32)), null);
  const hybridOdd = concatBytes(Uint8Array.of(7), new Uint8Array(63), Uint8Array.of(1));
  assert.equal(normalizePubKeyForVerify(hybridOdd)?.[0], 4);
  assert.equal(normalizePubKeyForVerify(concatBytes(Uint8Array.of(6), hybridOdd.subarray(1))), null, 'parity mismatch');
  assert.equal(normalizePubKeyForVerify(Uint8Array.of(5, ...new Uint8Array(32))), null);
});
