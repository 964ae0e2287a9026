/**
 * Hash functions behind the crypto facade. node:crypto (OpenSSL) is used where it is the
 * fastest measured backend (bench/crypto.ts); @noble/hashes is the portable fallback.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';
import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { ripemd160 as nobleRipemd160, sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';

const hasNodeCrypto = typeof createHash === 'function';

// Node's one-shot crypto.hash() (Node >= 20.12) skips the Hash object and is the fastest
// SHA-256 measured here at every size (2-4x createHash and @noble below 160 bytes).
const oneShot = (nodeCrypto as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Buffer }).hash;

function nodeHash(alg: string, data: Uint8Array): Uint8Array {
  const d = oneShot ? oneShot(alg, data, 'buffer') : createHash(alg).update(data).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * Without the one-shot API, @noble/hashes beats createHash's per-call overhead below this
 * size (bench/crypto.ts).
 */
const SMALL_HASH = oneShot ? 0 : 96;

/** sha256 of data. */
export function sha256(data: Uint8Array): Uint8Array {
  return hasNodeCrypto && data.length >= SMALL_HASH ? nodeHash('sha256', data) : nobleSha256(data);
}

/** sha256d is SHA256(SHA256(data)), Bitcoin's txid and block hash. */
export function sha256d(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

/** sha512 of data. */
export function sha512(data: Uint8Array): Uint8Array {
  return hasNodeCrypto ? nodeHash('sha512', data) : nobleSha512(data);
}

/** ripemd160 of data. */
export function ripemd160(data: Uint8Array): Uint8Array {
  if (hasNodeCrypto) {
    try {
      return nodeHash('ripemd160', data);
    } catch {
      /* OpenSSL without the legacy provider: fall through */
    }
  }
  return nobleRipemd160(data);
}

/** sha1 of data (OP_SHA1 only). */
export function sha1(data: Uint8Array): Uint8Array {
  return hasNodeCrypto ? nodeHash('sha1', data) : nobleSha1(data);
}

/** hash160 is RIPEMD160(SHA256(data)), used by P2PKH and P2WPKH. */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}

/** hmacSha256 (RFC 2104), used by BOLT 4 and BOLT 8. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (hasNodeCrypto) {
    const d = createHmac('sha256', key).update(data).digest();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  return nobleHmac(nobleSha256, key, data);
}

/** hmacSha512, used by BIP32. */
export function hmacSha512(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (hasNodeCrypto) {
    const d = createHmac('sha512', key).update(data).digest();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  return nobleHmac(nobleSha512, key, data);
}

const tagCache = new Map<string, Uint8Array>();
/** taggedHash is BIP340's SHA256(SHA256(tag) || SHA256(tag) || msg...). */
export function taggedHash(tag: string, ...msgs: Uint8Array[]): Uint8Array {
  let th = tagCache.get(tag);
  if (!th) {
    th = sha256(new TextEncoder().encode(tag));
    tagCache.set(tag, th);
  }
  const h = createHash('sha256').update(th).update(th);
  for (const m of msgs) h.update(m);
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** hkdfSha256Extract2 is BOLT 8's HKDF(salt, ikm) returning two 32-byte keys. */
export function hkdf2(salt: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] {
  const prk = hmacSha256(salt, ikm);
  const t1 = hmacSha256(prk, Uint8Array.of(1));
  const buf = new Uint8Array(33);
  buf.set(t1);
  buf[32] = 2;
  const t2 = hmacSha256(prk, buf);
  return [t1, t2];
}
