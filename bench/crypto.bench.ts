/**
 * bench/crypto: the measurement that chose the crypto facade's backends (docs/dependencies.md).
 * Each candidate is reported against libsecp256k1 native (the `secp256k1` package), or for
 * hashes and AEAD against node:crypto, measured in the same run.
 */
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import * as tiny from 'tiny-secp256k1';
import { secp256k1 as noble } from '@noble/curves/secp256k1.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { chacha20poly1305 as nobleAead } from '@noble/ciphers/chacha.js';
import { nativeSecp, opsPerSec, report } from './harness.ts';
import * as kite from '../src/crypto/index.ts';

const MS = 250;

export async function run(): Promise<void> {
  const n = nativeSecp();
  const priv = new Uint8Array(32).fill(0x11);
  const priv2 = new Uint8Array(32).fill(0x22);
  const pub = n.publicKeyCreate(priv, true);
  const pub2 = n.publicKeyCreate(priv2, true);
  const msg = kite.sha256(new Uint8Array([1, 2, 3]));
  const { signature, recid } = n.ecdsaSign(msg, priv);
  const tweak = new Uint8Array(32).fill(0x05);
  const recovered = new Uint8Array(65);
  recovered[0] = recid;
  recovered.set(signature, 1);

  type Cands = Record<string, () => unknown>;
  const ops: Record<string, Cands> = {
    'ecdsa.sign': {
      native: () => n.ecdsaSign(msg, priv),
      'tiny-secp256k1': () => tiny.sign(msg, priv),
      noble: () => noble.sign(msg, priv, { prehash: false }),
      kite: () => kite.signEcdsa(msg, priv),
    },
    'ecdsa.verify': {
      native: () => n.ecdsaVerify(signature, msg, pub),
      'tiny-secp256k1': () => tiny.verify(msg, pub, signature),
      noble: () => noble.verify(signature, msg, pub, { prehash: false }),
      kite: () => kite.verifyEcdsa(signature, msg, pub),
    },
    ecdh: {
      native: () => n.ecdh(pub2, priv),
      'tiny-secp256k1': () => createHash('sha256').update(tiny.pointMultiply(pub2, priv, true)!).digest(),
      noble: () => createHash('sha256').update(noble.getSharedSecret(priv, pub2, true)).digest(),
      kite: () => kite.ecdh(priv, pub2),
    },
    'pubkey.tweak_add': {
      native: () => n.publicKeyTweakAdd(pub, tweak, true),
      'tiny-secp256k1': () => tiny.pointAddScalar(pub, tweak, true),
      noble: () => noble.Point.fromBytes(pub).add(noble.Point.BASE.multiply(0x0505050505050505050505050505050505050505050505050505050505050505n)).toBytes(true),
      kite: () => kite.pubTweakAdd(pub, tweak),
    },
    'pubkey.tweak_mul': {
      native: () => n.publicKeyTweakMul(pub, tweak, true),
      'tiny-secp256k1': () => tiny.pointMultiply(pub, tweak, true),
      noble: () => noble.Point.fromBytes(pub).multiply(0x0505050505050505050505050505050505050505050505050505050505050505n).toBytes(true),
      kite: () => kite.pubTweakMul(pub, tweak),
    },
    'ecdsa.recover': {
      native: () => n.ecdsaRecover(signature, recid, msg, true),
      'tiny-secp256k1': () => tiny.recover(msg, signature, recid as 0 | 1 | 2 | 3, true),
      noble: () => noble.recoverPublicKey(recovered, msg, { prehash: false }),
      kite: () => kite.recoverPublicKey(signature, recid, msg),
    },
  };
  for (const [op, cands] of Object.entries(ops)) {
    const base = opsPerSec(cands.native, MS, 8);
    for (const [name, fn] of Object.entries(cands)) {
      if (name === 'native') continue;
      report({ name: `crypto.${op}.${name}`, value: opsPerSec(fn, MS, 8), unit: 'ops/s', baseline: 'libsecp256k1 native', baseline_value: base });
    }
  }

  // Hashes and AEAD: node:crypto (OpenSSL) against @noble, on 32-byte and 1 KiB inputs.
  for (const size of [32, 1024]) {
    const data = new Uint8Array(size).fill(7);
    const key = new Uint8Array(32).fill(9);
    const nodeSha = opsPerSec(() => createHash('sha256').update(data).digest(), MS, 16);
    report({ name: `crypto.sha256.${size}B.noble`, value: opsPerSec(() => nobleSha256(data), MS, 16), unit: 'ops/s', baseline: 'node:crypto sha256', baseline_value: nodeSha });
    report({ name: `crypto.sha256.${size}B.kite`, value: opsPerSec(() => kite.sha256(data), MS, 16), unit: 'ops/s', baseline: 'node:crypto sha256', baseline_value: nodeSha });
    const nodeHmac = opsPerSec(() => createHmac('sha256', key).update(data).digest(), MS, 16);
    report({ name: `crypto.hmac_sha256.${size}B.noble`, value: opsPerSec(() => nobleHmac(nobleSha256, key, data), MS, 16), unit: 'ops/s', baseline: 'node:crypto hmac', baseline_value: nodeHmac });
    report({ name: `crypto.hmac_sha256.${size}B.kite`, value: opsPerSec(() => kite.hmacSha256(key, data), MS, 16), unit: 'ops/s', baseline: 'node:crypto hmac', baseline_value: nodeHmac });
  }
  for (const size of [18, 65535]) {
    const data = new Uint8Array(size).fill(7);
    const key = new Uint8Array(32).fill(9);
    const nonce = new Uint8Array(12);
    const ad = new Uint8Array(0);
    const nodeAead = opsPerSec(() => {
      const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      c.update(data);
      c.final();
      return c.getAuthTag();
    }, MS);
    const mb = (ops: number): number => (ops * size) / 1e6;
    report({ name: `crypto.chacha20poly1305.${size}B.noble`, value: mb(opsPerSec(() => nobleAead(key, nonce, ad).encrypt(data), MS)), unit: 'MB/s', baseline: 'node:crypto chacha20-poly1305', baseline_value: mb(nodeAead) });
    report({ name: `crypto.chacha20poly1305.${size}B.kite`, value: mb(opsPerSec(() => kite.aeadEncrypt(key, nonce, ad, data), MS)), unit: 'MB/s', baseline: 'node:crypto chacha20-poly1305', baseline_value: mb(nodeAead) });
  }
}
