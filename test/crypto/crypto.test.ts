/**
 * The crypto facade: known answers, and the native and pure-TypeScript secp256k1 backends
 * agreeing on every operation (so the browser fallback is as correct as the fast path).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as c from '../../src/crypto/index.ts';
import { nobleBackend, loadNative } from '../../src/crypto/secp256k1.ts';
import { fromHex, toHex, utf8 } from '../../src/lib/index.ts';

describe('hashes', () => {
  test('sha256 / sha256d / hash160 known answers', () => {
    assert.equal(toHex(c.sha256(utf8('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(toHex(c.sha256(new Uint8Array(1000).fill(0x61))), '41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
    assert.equal(toHex(c.sha256d(utf8('hello'))), '9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50');
    assert.equal(toHex(c.ripemd160(utf8('abc'))), '8eb208f7e05d987a9b044a8e98c6b087f15a0bfc');
    assert.equal(toHex(c.hmacSha256(utf8('key'), utf8('The quick brown fox jumps over the lazy dog'))), 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
  });
  test('tagged hash follows BIP340', () => {
    const tag = c.sha256(utf8('TapLeaf'));
    const expected = c.sha256(new Uint8Array([...tag, ...tag, 1, 2, 3]));
    assert.deepEqual(c.taggedHash('TapLeaf', Uint8Array.of(1, 2), Uint8Array.of(3)), expected);
  });
});

describe('aead', () => {
  test('RFC 8439 section 2.8.2 ChaCha20-Poly1305 vector', () => {
    const key = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = fromHex('070000004041424344454647');
    const ad = fromHex('50515253c0c1c2c3c4c5c6c7');
    const pt = utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
    const sealed = c.aeadEncrypt(key, nonce, ad, pt);
    assert.equal(toHex(sealed.subarray(sealed.length - 16)), '1ae10b594f09e26a7e902ecbd0600691');
    assert.deepEqual(c.aeadDecrypt(key, nonce, ad, sealed), pt);
    const bad = Uint8Array.from(sealed);
    bad[0] ^= 1;
    assert.equal(c.aeadDecrypt(key, nonce, ad, bad), null);
    assert.equal(c.aeadDecrypt(key, nonce, ad, sealed.subarray(0, 10)), null);
  });
  test('chacha20 stream matches between counters', () => {
    const key = new Uint8Array(32).fill(3);
    const nonce = new Uint8Array(12);
    const whole = c.chacha20Stream(key, nonce, new Uint8Array(128));
    const second = c.chacha20Stream(key, nonce, new Uint8Array(64), 1);
    assert.deepEqual(whole.subarray(64), second);
  });
});

describe('secp256k1 backends agree', () => {
  const native = loadNative();
  test('the native backend is the one in use on this machine', () => {
    assert.ok(native, 'libsecp256k1 binding should load');
    assert.match(c.secp.name, process.env.KITE_SECP256K1 === 'noble' ? /noble/ : /native/);
  });
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => nobleBackend.isPrivateKey(k));
  test('sign, verify, recover, ecdh and tweaks', () => {
    fc.assert(
      fc.property(key, key, fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b, msg) => {
        const pa = c.getPublicKey(a);
        const pb = c.getPublicKey(b);
        assert.deepEqual(nobleBackend.getPublicKey(a, true), pa);
        const s = c.signRecoverable(msg, a);
        assert.deepEqual(nobleBackend.sign(msg, a), s);
        assert.ok(c.isLowS(s.sig));
        assert.ok(c.verifyEcdsa(s.sig, msg, pa));
        assert.ok(nobleBackend.verify(s.sig, msg, pa));
        assert.ok(!c.verifyEcdsa(s.sig, msg, pb));
        assert.deepEqual(c.recoverPublicKey(s.sig, s.recid, msg), pa);
        assert.deepEqual(nobleBackend.recover(s.sig, s.recid, msg, true), pa);
        assert.deepEqual(c.ecdh(a, pb), c.ecdh(b, pa));
        assert.deepEqual(nobleBackend.ecdh(a, pb), c.ecdh(a, pb));
        assert.deepEqual(c.pubTweakAdd(pa, b), c.getPublicKey(c.privTweakAdd(a, b)));
        assert.deepEqual(nobleBackend.pubTweakAdd(pa, b), c.pubTweakAdd(pa, b));
        assert.deepEqual(c.pubTweakMul(pa, b), c.getPublicKey(c.privTweakMul(a, b)));
        assert.deepEqual(nobleBackend.pubTweakMul(pa, b), c.pubTweakMul(pa, b));
        assert.deepEqual(nobleBackend.privTweakMul(a, b), c.privTweakMul(a, b));
        assert.deepEqual(c.pubCombine([pa, pb]), c.getPublicKey(c.privTweakAdd(a, b)));
        assert.deepEqual(nobleBackend.pubCombine([pa, pb]), c.pubCombine([pa, pb]));
        assert.deepEqual(nobleBackend.privNegate(a), c.privNegate(a));
      }),
      { numRuns: 40 },
    );
  });
  test('high-S signatures verify only when allowed', () => {
    const priv = new Uint8Array(32).fill(1);
    const msg = c.sha256(utf8('m'));
    const sig = c.signEcdsa(msg, priv);
    const s = BigInt('0x' + toHex(sig.subarray(32)));
    const high = Uint8Array.from(sig);
    high.set(fromHex((c.CURVE_ORDER - s).toString(16).padStart(64, '0')), 32);
    assert.ok(!c.isLowS(high));
    assert.ok(!c.verifyEcdsa(high, msg, c.getPublicKey(priv)));
    assert.ok(c.verifyEcdsa(high, msg, c.getPublicKey(priv), true));
    assert.deepEqual(c.normalizeS(high), sig);
  });
  test('DER round-trip and strictness', () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ minLength: 32, maxLength: 32 }), (k, msg) => {
        const sig = c.signEcdsa(msg, k);
        const der = c.signatureToDer(sig);
        assert.deepEqual(c.signatureFromDer(der), sig);
        assert.equal(c.signatureFromDer(der.subarray(0, der.length - 1)), null);
      }),
      { numRuns: 50 },
    );
  });
  test('invalid keys are rejected, not thrown on', () => {
    assert.equal(c.isPrivateKey(new Uint8Array(32)), false);
    assert.equal(c.isPrivateKey(fromHex('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141')), false);
    assert.equal(c.isPublicKey(new Uint8Array(33).fill(5)), false);
    assert.equal(c.isPublicKey(new Uint8Array(32).fill(2)), false);
    assert.equal(c.isPublicKey(c.getPublicKey(new Uint8Array(32).fill(5))), true);
    assert.equal(c.recoverPublicKey(new Uint8Array(64), 0, new Uint8Array(32)), null);
    assert.equal(c.verifyEcdsa(new Uint8Array(64), new Uint8Array(32), c.getPublicKey(new Uint8Array(32).fill(5))), false);
  });
  test('schnorr sign/verify (BIP340)', () => {
    const priv = new Uint8Array(32).fill(9);
    const msg = c.sha256(utf8('t'));
    const sig = c.schnorrSign(msg, priv, new Uint8Array(32));
    assert.ok(c.schnorrVerify(sig, msg, c.schnorrPublicKey(priv)));
    sig[5] ^= 1;
    assert.ok(!c.schnorrVerify(sig, msg, c.schnorrPublicKey(priv)));
  });
});
