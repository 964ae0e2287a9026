/**
 * secp256k1 behind one facade. The fastest backend that loads here is used: libsecp256k1
 * through the native `secp256k1` addon (measured ~25x faster than pure JS for verify and
 * ~40x for ECDH, bench/crypto.ts), with @noble/curves as the pure-TypeScript fallback for
 * platforms without the addon (the browser). KITE_SECP256K1=noble forces the fallback.
 *
 * Conventions: private keys are 32 bytes; public keys are 33-byte compressed unless a
 * function says otherwise; ECDSA signatures are 64-byte compact (r || s), low-S; message
 * digests are 32 bytes and are never hashed again here.
 */
import { createRequire } from 'node:module';
import { secp256k1 as nobleSecp, schnorr as nobleSchnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from './hashes.ts';
import { bigIntToBytes, bytesToBigInt } from '../lib/bytes.ts';

/** The operations Kite needs from a secp256k1 implementation. */
export interface Secp256k1Backend {
  readonly name: string;
  isPrivateKey(priv: Uint8Array): boolean;
  isPublicKey(pub: Uint8Array): boolean;
  getPublicKey(priv: Uint8Array, compressed: boolean): Uint8Array;
  convertPublicKey(pub: Uint8Array, compressed: boolean): Uint8Array;
  /** ecdh returns SHA256(compressed(priv * pub)), the BOLT 8 / BOLT 4 shared secret. */
  ecdh(priv: Uint8Array, pub: Uint8Array): Uint8Array;
  sign(msg32: Uint8Array, priv: Uint8Array): { sig: Uint8Array; recid: number };
  /** verify expects a low-S compact signature. */
  verify(sig64: Uint8Array, msg32: Uint8Array, pub: Uint8Array): boolean;
  recover(sig64: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array | null;
  pubTweakAdd(pub: Uint8Array, tweak: Uint8Array): Uint8Array;
  pubTweakMul(pub: Uint8Array, tweak: Uint8Array): Uint8Array;
  pubCombine(pubs: Uint8Array[]): Uint8Array;
  privTweakAdd(priv: Uint8Array, tweak: Uint8Array): Uint8Array;
  privTweakMul(priv: Uint8Array, tweak: Uint8Array): Uint8Array;
  privNegate(priv: Uint8Array): Uint8Array;
}

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;

const toBig = bytesToBigInt;
const to32 = (v: bigint): Uint8Array => bigIntToBytes(v, 32);
function mod(a: bigint): bigint {
  const r = a % N;
  return r >= 0n ? r : r + N;
}

/** The @noble/curves backend: pure TypeScript, audited, everywhere. */
export const nobleBackend: Secp256k1Backend = {
  name: '@noble/curves',
  isPrivateKey: (priv) => priv.length === 32 && nobleSecp.utils.isValidSecretKey(priv),
  isPublicKey(pub) {
    try {
      nobleSecp.Point.fromBytes(pub).assertValidity();
      return true;
    } catch {
      return false;
    }
  },
  getPublicKey: (priv, compressed) => nobleSecp.getPublicKey(priv, compressed),
  convertPublicKey: (pub, compressed) => nobleSecp.Point.fromBytes(pub).toBytes(compressed),
  ecdh: (priv, pub) => sha256(nobleSecp.getSharedSecret(priv, pub, true)),
  sign(msg32, priv) {
    const rec = nobleSecp.sign(msg32, priv, { prehash: false, lowS: true, format: 'recovered' });
    // 'recovered' is recovery byte followed by r || s.
    return { sig: rec.slice(1, 65), recid: rec[0] };
  },
  verify(sig64, msg32, pub) {
    try {
      return nobleSecp.verify(sig64, msg32, pub, { prehash: false, lowS: true, format: 'compact' });
    } catch {
      return false;
    }
  },
  recover(sig64, recid, msg32, compressed) {
    try {
      const rec = new Uint8Array(65);
      rec[0] = recid;
      rec.set(sig64, 1);
      const pub = nobleSecp.recoverPublicKey(rec, msg32, { prehash: false });
      return compressed ? pub : nobleSecp.Point.fromBytes(pub).toBytes(false);
    } catch {
      return null;
    }
  },
  pubTweakAdd(pub, tweak) {
    const t = toBig(tweak);
    if (t >= N) throw new Error('tweak out of range');
    const P = nobleSecp.Point.fromBytes(pub);
    const R = t === 0n ? P : P.add(nobleSecp.Point.BASE.multiply(t));
    return R.toBytes(true);
  },
  pubTweakMul(pub, tweak) {
    const t = toBig(tweak);
    if (t === 0n || t >= N) throw new Error('tweak out of range');
    return nobleSecp.Point.fromBytes(pub).multiply(t).toBytes(true);
  },
  pubCombine(pubs) {
    let acc = nobleSecp.Point.fromBytes(pubs[0]);
    for (let i = 1; i < pubs.length; i++) acc = acc.add(nobleSecp.Point.fromBytes(pubs[i]));
    return acc.toBytes(true);
  },
  privTweakAdd(priv, tweak) {
    const r = mod(toBig(priv) + toBig(tweak));
    if (r === 0n || toBig(tweak) >= N) throw new Error('tweak out of range');
    return to32(r);
  },
  privTweakMul(priv, tweak) {
    const t = toBig(tweak);
    if (t === 0n || t >= N) throw new Error('tweak out of range');
    return to32(mod(toBig(priv) * t));
  },
  privNegate: (priv) => to32(mod(-toBig(priv))),
};

interface NativeSecp {
  privateKeyVerify(k: Uint8Array): boolean;
  privateKeyNegate(k: Uint8Array): Uint8Array;
  privateKeyTweakAdd(k: Uint8Array, t: Uint8Array): Uint8Array;
  privateKeyTweakMul(k: Uint8Array, t: Uint8Array): Uint8Array;
  publicKeyVerify(p: Uint8Array): boolean;
  publicKeyCreate(k: Uint8Array, compressed?: boolean): Uint8Array;
  publicKeyConvert(p: Uint8Array, compressed?: boolean): Uint8Array;
  publicKeyCombine(ps: Uint8Array[], compressed?: boolean): Uint8Array;
  publicKeyTweakAdd(p: Uint8Array, t: Uint8Array, compressed?: boolean): Uint8Array;
  publicKeyTweakMul(p: Uint8Array, t: Uint8Array, compressed?: boolean): Uint8Array;
  ecdsaSign(m: Uint8Array, k: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaVerify(s: Uint8Array, m: Uint8Array, p: Uint8Array): boolean;
  ecdsaRecover(s: Uint8Array, recid: number, m: Uint8Array, compressed?: boolean): Uint8Array;
  ecdh(p: Uint8Array, k: Uint8Array): Uint8Array;
}

/** loadNative loads libsecp256k1's Node binding, or returns null when it is not built. */
export function loadNative(): NativeSecp | null {
  try {
    const require = createRequire(import.meta.url);
    return require('secp256k1/bindings') as NativeSecp;
  } catch {
    return null;
  }
}

function nativeBackend(n: NativeSecp): Secp256k1Backend {
  return {
    name: 'libsecp256k1 (native)',
    isPrivateKey: (priv) => priv.length === 32 && n.privateKeyVerify(priv),
    isPublicKey: (pub) => (pub.length === 33 || pub.length === 65) && n.publicKeyVerify(pub),
    getPublicKey: (priv, compressed) => n.publicKeyCreate(priv, compressed),
    convertPublicKey: (pub, compressed) => n.publicKeyConvert(pub, compressed),
    ecdh: (priv, pub) => n.ecdh(pub, priv),
    sign(msg32, priv) {
      const r = n.ecdsaSign(msg32, priv);
      return { sig: r.signature, recid: r.recid };
    },
    verify(sig64, msg32, pub) {
      try {
        return n.ecdsaVerify(sig64, msg32, pub);
      } catch {
        return false;
      }
    },
    recover(sig64, recid, msg32, compressed) {
      try {
        return n.ecdsaRecover(sig64, recid, msg32, compressed);
      } catch {
        return null;
      }
    },
    pubTweakAdd: (pub, tweak) => n.publicKeyTweakAdd(pub, tweak, true),
    pubTweakMul: (pub, tweak) => n.publicKeyTweakMul(pub, tweak, true),
    pubCombine: (pubs) => n.publicKeyCombine(pubs, true),
    // The binding tweaks in place: work on copies.
    privTweakAdd: (priv, tweak) => n.privateKeyTweakAdd(Uint8Array.from(priv), tweak),
    privTweakMul: (priv, tweak) => n.privateKeyTweakMul(Uint8Array.from(priv), tweak),
    privNegate: (priv) => n.privateKeyNegate(Uint8Array.from(priv)),
  };
}

function pickBackend(): Secp256k1Backend {
  if (process.env.KITE_SECP256K1 === 'noble') return nobleBackend;
  const n = loadNative();
  return n ? nativeBackend(n) : nobleBackend;
}

/** The backend in use. */
export const secp: Secp256k1Backend = pickBackend();

/** isLowS reports whether a compact signature's s is at most n/2 (BIP62 / BOLT low-S). */
export function isLowS(sig64: Uint8Array): boolean {
  return toBig(sig64.subarray(32, 64)) <= HALF_N;
}

/** normalizeS returns the low-S form of a compact signature. */
export function normalizeS(sig64: Uint8Array): Uint8Array {
  const s = toBig(sig64.subarray(32, 64));
  if (s <= HALF_N) return sig64;
  const out = Uint8Array.from(sig64);
  out.set(to32(N - s), 32);
  return out;
}

/**
 * verifyEcdsa checks a compact signature. With allowHighS the signature is normalised first
 * (Bitcoin consensus without the LOW_S rule accepts either form).
 */
export function verifyEcdsa(sig64: Uint8Array, msg32: Uint8Array, pub: Uint8Array, allowHighS = false): boolean {
  if (sig64.length !== 64 || msg32.length !== 32) return false;
  const r = toBig(sig64.subarray(0, 32));
  const s = toBig(sig64.subarray(32, 64));
  if (r === 0n || s === 0n || r >= N || s >= N) return false;
  if (!isLowS(sig64)) {
    if (!allowHighS) return false;
    sig64 = normalizeS(sig64);
  }
  return secp.verify(sig64, msg32, pub);
}

/** signEcdsa makes a deterministic (RFC 6979) low-S compact signature of a 32-byte digest. */
export function signEcdsa(msg32: Uint8Array, priv: Uint8Array): Uint8Array {
  return secp.sign(msg32, priv).sig;
}

/** signRecoverable also returns the recovery id (BOLT 11 signatures). */
export function signRecoverable(msg32: Uint8Array, priv: Uint8Array): { sig: Uint8Array; recid: number } {
  return secp.sign(msg32, priv);
}

/** recoverPublicKey recovers the compressed key that made sig64 over msg32, or null. */
export function recoverPublicKey(sig64: Uint8Array, recid: number, msg32: Uint8Array): Uint8Array | null {
  if (sig64.length !== 64 || recid < 0 || recid > 3) return null;
  return secp.recover(sig64, recid, msg32, true);
}

/** getPublicKey derives the compressed public key of a private key. */
export function getPublicKey(priv: Uint8Array, compressed = true): Uint8Array {
  return secp.getPublicKey(priv, compressed);
}

export const isPrivateKey = (k: Uint8Array): boolean => secp.isPrivateKey(k);
export const isPublicKey = (k: Uint8Array): boolean => secp.isPublicKey(k);
/** ecdh returns SHA256 of the compressed shared point (BOLT 8 and BOLT 4). */
export const ecdh = (priv: Uint8Array, pub: Uint8Array): Uint8Array => secp.ecdh(priv, pub);
export const pubTweakAdd = (pub: Uint8Array, tweak: Uint8Array): Uint8Array => secp.pubTweakAdd(pub, tweak);
export const pubTweakMul = (pub: Uint8Array, tweak: Uint8Array): Uint8Array => secp.pubTweakMul(pub, tweak);
export const pubCombine = (pubs: Uint8Array[]): Uint8Array => secp.pubCombine(pubs);
export const privTweakAdd = (priv: Uint8Array, tweak: Uint8Array): Uint8Array => secp.privTweakAdd(priv, tweak);
export const privTweakMul = (priv: Uint8Array, tweak: Uint8Array): Uint8Array => secp.privTweakMul(priv, tweak);
export const privNegate = (priv: Uint8Array): Uint8Array => secp.privNegate(priv);
export const convertPublicKey = (pub: Uint8Array, compressed: boolean): Uint8Array => secp.convertPublicKey(pub, compressed);

/** DER-encodes a compact signature (strict BIP66 form). */
export function signatureToDer(sig64: Uint8Array): Uint8Array {
  const enc = (b: Uint8Array): Uint8Array => {
    let i = 0;
    while (i < 31 && b[i] === 0) i++;
    const v = b.subarray(i);
    if (v[0] & 0x80) {
      const o = new Uint8Array(v.length + 1);
      o.set(v, 1);
      return o;
    }
    return v;
  };
  const r = enc(sig64.subarray(0, 32));
  const s = enc(sig64.subarray(32, 64));
  const out = new Uint8Array(6 + r.length + s.length);
  out[0] = 0x30;
  out[1] = 4 + r.length + s.length;
  out[2] = 0x02;
  out[3] = r.length;
  out.set(r, 4);
  out[4 + r.length] = 0x02;
  out[5 + r.length] = s.length;
  out.set(s, 6 + r.length);
  return out;
}

/** signatureFromDer parses a strict DER signature into compact form, or null. */
export function signatureFromDer(der: Uint8Array): Uint8Array | null {
  if (der.length < 8 || der.length > 72 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  if (der[2] !== 0x02) return null;
  const rl = der[3];
  if (rl === 0 || 4 + rl >= der.length) return null;
  if (der[4 + rl] !== 0x02) return null;
  const sl = der[5 + rl];
  if (sl === 0 || 6 + rl + sl !== der.length) return null;
  const r = der.subarray(4, 4 + rl);
  const s = der.subarray(6 + rl, 6 + rl + sl);
  const fit = (v: Uint8Array): Uint8Array | null => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const t = v.subarray(i);
    if (t.length > 32) return null;
    const o = new Uint8Array(32);
    o.set(t, 32 - t.length);
    return o;
  };
  const R = fit(r);
  const S = fit(s);
  if (!R || !S) return null;
  const out = new Uint8Array(64);
  out.set(R, 0);
  out.set(S, 32);
  return out;
}

interface WasmSchnorr {
  signSchnorr(h: Uint8Array, d: Uint8Array, e?: Uint8Array): Uint8Array;
  verifySchnorr(h: Uint8Array, q: Uint8Array, sig: Uint8Array): boolean;
  xOnlyPointFromScalar(d: Uint8Array): Uint8Array;
}

/**
 * BIP340 Schnorr has no binding in the native `secp256k1` package; libsecp256k1 compiled to
 * WASM (tiny-secp256k1) measured ~6.6x faster than @noble/curves for verify and ~11x for
 * sign (bench/crypto.ts), so it is used when it loads, and noble otherwise.
 */
const wasmSchnorr: WasmSchnorr | null = (() => {
  if (process.env.KITE_SECP256K1 === 'noble') return null;
  try {
    return createRequire(import.meta.url)('tiny-secp256k1') as WasmSchnorr;
  } catch {
    return null;
  }
})();

/** BIP340 Schnorr signing (taproot key-path spends); aux defaults to 32 zero bytes. */
export function schnorrSign(msg: Uint8Array, priv: Uint8Array, aux: Uint8Array = new Uint8Array(32)): Uint8Array {
  return wasmSchnorr ? wasmSchnorr.signSchnorr(msg, priv, aux) : nobleSchnorr.sign(msg, priv, aux);
}
/** schnorrVerify checks a BIP340 signature against an x-only key; false on any bad input. */
export function schnorrVerify(sig: Uint8Array, msg: Uint8Array, xonlyPub: Uint8Array): boolean {
  try {
    if (wasmSchnorr) return sig.length === 64 && msg.length === 32 && xonlyPub.length === 32 && wasmSchnorr.verifySchnorr(msg, xonlyPub, sig);
    return nobleSchnorr.verify(sig, msg, xonlyPub);
  } catch {
    return false;
  }
}
/** schnorrPublicKey is the x-only public key of a private key. */
export function schnorrPublicKey(priv: Uint8Array): Uint8Array {
  return wasmSchnorr ? wasmSchnorr.xOnlyPointFromScalar(priv) : nobleSchnorr.getPublicKey(priv);
}

/** The curve order n, for callers that do scalar arithmetic (BOLT 3 key derivation). */
export const CURVE_ORDER = N;
