/**
 * ChaCha20-Poly1305 (RFC 8439, IETF variant with a 96-bit nonce) and the raw ChaCha20
 * stream. node:crypto is used when present (measured fastest, bench/crypto.ts), and
 * @noble/ciphers otherwise.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { chacha20poly1305 as nobleAead, chacha20 as nobleChacha } from '@noble/ciphers/chacha.js';

const hasNode = typeof createCipheriv === 'function';

/** aeadEncrypt returns ciphertext || 16-byte tag. */
export function aeadEncrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (!hasNode) return nobleAead(key, nonce, ad).encrypt(plaintext);
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  c.setAAD(ad, { plaintextLength: plaintext.length });
  const a = c.update(plaintext);
  c.final();
  const tag = c.getAuthTag();
  const out = new Uint8Array(a.length + 16);
  out.set(a, 0);
  out.set(tag, a.length);
  return out;
}

/** aeadDecrypt returns the plaintext, or null when the tag does not verify. */
export function aeadDecrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < 16) return null;
  if (!hasNode) {
    try {
      return nobleAead(key, nonce, ad).decrypt(sealed);
    } catch {
      return null;
    }
  }
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  d.setAAD(ad, { plaintextLength: sealed.length - 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  const p = d.update(sealed.subarray(0, sealed.length - 16));
  try {
    d.final();
  } catch {
    return null;
  }
  return new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
}

/**
 * chacha20Stream XORs data with the ChaCha20 keystream for (key, 96-bit nonce), starting at
 * block counter `counter`. With zero-filled data it yields the keystream itself (BOLT 4's
 * generate_cipher_stream uses a zero nonce).
 */
export function chacha20Stream(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, counter = 0): Uint8Array {
  if (!hasNode) return nobleChacha(key, nonce, data, undefined, counter);
  const iv = new Uint8Array(16);
  iv[0] = counter & 0xff;
  iv[1] = (counter >>> 8) & 0xff;
  iv[2] = (counter >>> 16) & 0xff;
  iv[3] = (counter >>> 24) & 0xff;
  iv.set(nonce, 4);
  const c = createCipheriv('chacha20', key, iv);
  const out = c.update(data);
  c.final();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
