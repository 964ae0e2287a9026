/**
 * BOLT #3 witness scripts: the funding 2-of-2, `to_local`, `to_remote` (anchors), anchors,
 * offered and received HTLC outputs, and the HTLC transactions' output (same as `to_local`).
 */
import { compareBytes } from '../lib/index.ts';
import { hash160, ripemd160 } from '../crypto/index.ts';
import { compileScript, OP, scriptNumEncode, type ScriptChunk } from '../bitcoin/index.ts';

/** pushNum pushes a script number minimally (OP_0, OP_1..OP_16, else a data push). */
function pushNum(n: number): ScriptChunk {
  if (n === 0) return OP.OP_0;
  if (n >= 1 && n <= 16) return OP.OP_1 + n - 1;
  return scriptNumEncode(n);
}

/** numPushBytes is the compiled form of pushNum(n): one opcode, or a minimal data push. */
function numPushBytes(n: number): Uint8Array {
  if (n > 16 && n <= 0x7fffffff) {
    // CScriptNum little-endian, with a 0x00 byte when the top bit would read as a sign.
    const len = n < 0x80 ? 1 : n < 0x8000 ? 2 : n < 0x800000 ? 3 : 4;
    const out = new Uint8Array(len + 1);
    out[0] = len;
    for (let i = 0; i < len; i++) out[1 + i] = (n >>> (8 * i)) & 0xff;
    return out;
  }
  if (n > 0x7fffffff && n <= 0xffffffff) {
    // Five bytes: the u32 little-endian and a 0x00 sign byte.
    const out = new Uint8Array(6);
    out[0] = 5;
    for (let i = 0; i < 4; i++) out[1 + i] = Math.floor(n / 2 ** (8 * i)) & 0xff;
    return out;
  }
  const c = pushNum(n);
  if (typeof c === 'number') return Uint8Array.of(c);
  if (n < 0) return compileScript([c]);
  const out = new Uint8Array(1 + c.length);
  out[0] = c.length; // a script number is at most 5 bytes: always a direct push
  out.set(c, 1);
  return out;
}

/**
 * sortedFundingPubkeys orders the two funding keys.
 *
 * BOLT #3: "Where `pubkey1` is the lexicographically lesser of the two `funding_pubkey` in
 * compressed format, and where `pubkey2` is the lexicographically greater of the two."
 */
export function sortedFundingPubkeys(a: Uint8Array, b: Uint8Array): [Uint8Array, Uint8Array] {
  return compareBytes(a, b) <= 0 ? [a, b] : [b, a];
}

/**
 * fundingScript is the funding output's witness script.
 *
 * BOLT #3: "The funding output script is a P2WSH to: `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG`"
 */
export function fundingScript(fundingPubkeyA: Uint8Array, fundingPubkeyB: Uint8Array): Uint8Array {
  const [p1, p2] = sortedFundingPubkeys(fundingPubkeyA, fundingPubkeyB);
  return compileScript([OP.OP_2, p1, p2, OP.OP_2, OP.OP_CHECKMULTISIG]);
}

const TO_LOCAL_OPS = {
  if: OP.OP_IF,
  else: OP.OP_ELSE,
  csv: OP.OP_CHECKSEQUENCEVERIFY,
  drop: OP.OP_DROP,
  endif: OP.OP_ENDIF,
  checksig: OP.OP_CHECKSIG,
} as const;

/**
 * toLocalScript is the `to_local` output's witness script, also the output script of
 * HTLC-timeout and HTLC-success transactions (BOLT #3 "`to_local` Output").
 *
 *     OP_IF <revocationpubkey> OP_ELSE `to_self_delay` OP_CHECKSEQUENCEVERIFY OP_DROP
 *     <local_delayedpubkey> OP_ENDIF OP_CHECKSIG
 */
export function toLocalScript(revocationPubkey: Uint8Array, toSelfDelay: number, localDelayedPubkey: Uint8Array): Uint8Array {
  if (revocationPubkey.length === 33 && localDelayedPubkey.length === 33) {
    // Built on every commitment: lay the bytes out directly rather than through compileScript.
    const delay = numPushBytes(toSelfDelay);
    const out = new Uint8Array(1 + 34 + 1 + delay.length + 2 + 34 + 2);
    out[0] = TO_LOCAL_OPS.if;
    out[1] = 33;
    out.set(revocationPubkey, 2);
    out[35] = TO_LOCAL_OPS.else;
    out.set(delay, 36);
    let p = 36 + delay.length;
    out[p++] = TO_LOCAL_OPS.csv;
    out[p++] = TO_LOCAL_OPS.drop;
    out[p++] = 33;
    out.set(localDelayedPubkey, p);
    p += 33;
    out[p++] = TO_LOCAL_OPS.endif;
    out[p] = TO_LOCAL_OPS.checksig;
    return out;
  }
  return compileScript([
    OP.OP_IF,
    revocationPubkey,
    OP.OP_ELSE,
    pushNum(toSelfDelay),
    OP.OP_CHECKSEQUENCEVERIFY,
    OP.OP_DROP,
    localDelayedPubkey,
    OP.OP_ENDIF,
    OP.OP_CHECKSIG,
  ]);
}

/**
 * toRemoteAnchorsScript is the `to_remote` witness script under option_anchors.
 *
 * BOLT #3: "If `option_anchors` applies to the commitment transaction, the `to_remote`
 * output is encumbered by a one block csv lock. `<remotepubkey> OP_CHECKSIGVERIFY 1
 * OP_CHECKSEQUENCEVERIFY`"
 */
export function toRemoteAnchorsScript(remotePubkey: Uint8Array): Uint8Array {
  return compileScript([remotePubkey, OP.OP_CHECKSIGVERIFY, OP.OP_1, OP.OP_CHECKSEQUENCEVERIFY]);
}

/**
 * anchorScript is a `to_local_anchor` / `to_remote_anchor` witness script, locked to a
 * funding key and spendable by anyone after 16 blocks.
 *
 *     <local_funding_pubkey/remote_funding_pubkey> OP_CHECKSIG OP_IFDUP
 *     OP_NOTIF OP_16 OP_CHECKSEQUENCEVERIFY OP_ENDIF
 */
export function anchorScript(fundingPubkey: Uint8Array): Uint8Array {
  return compileScript([fundingPubkey, OP.OP_CHECKSIG, OP.OP_IFDUP, OP.OP_NOTIF, OP.OP_16, OP.OP_CHECKSEQUENCEVERIFY, OP.OP_ENDIF]);
}

/** Keys an HTLC output script is built from (BOLT #3 names, from the commitment owner's side). */
export interface HtlcScriptKeys {
  revocationPubkey: Uint8Array;
  localHtlcPubkey: Uint8Array;
  remoteHtlcPubkey: Uint8Array;
  /** RIPEMD160(SHA256(revocationpubkey)), if already computed (saves a hash per HTLC). */
  revocationPubkeyHash?: Uint8Array;
}

/**
 * offeredHtlcScript is the witness script of an HTLC offered by the commitment owner
 * (BOLT #3 "Offered HTLC Outputs"); with anchors it adds `1 OP_CHECKSEQUENCEVERIFY OP_DROP`.
 */
export function offeredHtlcScript(keys: HtlcScriptKeys, paymentHash: Uint8Array, anchors: boolean): Uint8Array {
  const chunks: ScriptChunk[] = [
    OP.OP_DUP, OP.OP_HASH160, keys.revocationPubkeyHash ?? hash160(keys.revocationPubkey), OP.OP_EQUAL,
    OP.OP_IF,
    OP.OP_CHECKSIG,
    OP.OP_ELSE,
    keys.remoteHtlcPubkey, OP.OP_SWAP, OP.OP_SIZE, pushNum(32), OP.OP_EQUAL,
    OP.OP_NOTIF,
    OP.OP_DROP, OP.OP_2, OP.OP_SWAP, keys.localHtlcPubkey, OP.OP_2, OP.OP_CHECKMULTISIG,
    OP.OP_ELSE,
    OP.OP_HASH160, ripemd160(paymentHash), OP.OP_EQUALVERIFY, OP.OP_CHECKSIG,
    OP.OP_ENDIF,
  ];
  if (anchors) chunks.push(OP.OP_1, OP.OP_CHECKSEQUENCEVERIFY, OP.OP_DROP);
  chunks.push(OP.OP_ENDIF);
  return compileScript(chunks);
}

/**
 * receivedHtlcScript is the witness script of an HTLC received by the commitment owner
 * (BOLT #3 "Received HTLC Outputs"); with anchors it adds `1 OP_CHECKSEQUENCEVERIFY OP_DROP`.
 */
export function receivedHtlcScript(keys: HtlcScriptKeys, paymentHash: Uint8Array, cltvExpiry: number, anchors: boolean): Uint8Array {
  const chunks: ScriptChunk[] = [
    OP.OP_DUP, OP.OP_HASH160, keys.revocationPubkeyHash ?? hash160(keys.revocationPubkey), OP.OP_EQUAL,
    OP.OP_IF,
    OP.OP_CHECKSIG,
    OP.OP_ELSE,
    keys.remoteHtlcPubkey, OP.OP_SWAP, OP.OP_SIZE, pushNum(32), OP.OP_EQUAL,
    OP.OP_IF,
    OP.OP_HASH160, ripemd160(paymentHash), OP.OP_EQUALVERIFY,
    OP.OP_2, OP.OP_SWAP, keys.localHtlcPubkey, OP.OP_2, OP.OP_CHECKMULTISIG,
    OP.OP_ELSE,
    OP.OP_DROP, pushNum(cltvExpiry), OP.OP_CHECKLOCKTIMEVERIFY, OP.OP_DROP, OP.OP_CHECKSIG,
    OP.OP_ENDIF,
  ];
  if (anchors) chunks.push(OP.OP_1, OP.OP_CHECKSEQUENCEVERIFY, OP.OP_DROP);
  chunks.push(OP.OP_ENDIF);
  return compileScript(chunks);
}

/**
 * RIPEMD160(payment_hash) of an HTLC is the same on every commitment that carries it, and a
 * channel re-signs its pending HTLCs on each commitment from the same state objects: memoise
 * it per payment-hash array (weakly), checking the bytes so a rewritten array is re-hashed.
 */
const paymentHashRipemds = new WeakMap<Uint8Array, { bytes: Uint8Array; ripemd: Uint8Array }>();
function paymentHashRipemd160(paymentHash: Uint8Array): Uint8Array {
  const hit = paymentHashRipemds.get(paymentHash);
  if (hit !== undefined && sameBytes(hit.bytes, paymentHash)) return hit.ripemd;
  const ripemd = ripemd160(paymentHash);
  paymentHashRipemds.set(paymentHash, { bytes: Uint8Array.from(paymentHash), ripemd });
  return ripemd;
}
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Builds many HTLC scripts for one commitment's keys (see htlcScriptBuilder). */
export interface HtlcScriptBuilder {
  offered(paymentHash: Uint8Array): Uint8Array;
  received(paymentHash: Uint8Array, cltvExpiry: number): Uint8Array;
}

/**
 * htlcScriptBuilder precompiles the parts of offeredHtlcScript / receivedHtlcScript that
 * depend only on the commitment's keys, so a commitment with hundreds of HTLCs only splices
 * in each HTLC's RIPEMD160(payment_hash) and cltv_expiry. Output is byte-identical to the
 * two functions above (tested).
 */
export function htlcScriptBuilder(keys: HtlcScriptKeys, anchors: boolean): HtlcScriptBuilder {
  const revHash = keys.revocationPubkeyHash ?? hash160(keys.revocationPubkey);
  const { remoteHtlcPubkey: remote, localHtlcPubkey: local } = keys;
  if (revHash.length !== 20 || remote.length !== 33 || local.length !== 33) {
    // Not the shape BOLT 3 keys have: build each script in full.
    const k = { ...keys, revocationPubkeyHash: revHash };
    return {
      offered: (paymentHash) => offeredHtlcScript(k, paymentHash, anchors),
      received: (paymentHash, cltvExpiry) => receivedHtlcScript(k, paymentHash, cltvExpiry, anchors),
    };
  }
  // The templates are laid out byte by byte (the keys are direct 33- and 20-byte pushes,
  // `pushNum(32)` is the push 0x01 0x20): this runs once per commitment, so it avoids
  // compileScript's per-chunk arrays. The tests compare every output with the functions above.
  const O = HTLC_OPS;
  const csvTail = anchors ? [O.one, O.csv, O.drop] : [];
  // Offered: head || RIPEMD160(payment_hash) || tail.
  const offeredHead = rawBytes([
    O.dup, O.hash160, 20, revHash, O.equal,
    O.if, O.checksig,
    O.else, 33, remote, O.swap, O.size, 1, 32, O.equal,
    O.notif, O.drop, O.two, O.swap, 33, local, O.two, O.checkmultisig,
    O.else, O.hash160, 20,
  ]);
  const offeredTail = rawBytes([O.equalverify, O.checksig, O.endif, ...csvTail, O.endif]);
  // Received: head || RIPEMD160(payment_hash) || mid || push(cltv_expiry) || tail.
  const receivedHead = rawBytes([
    O.dup, O.hash160, 20, revHash, O.equal,
    O.if, O.checksig,
    O.else, 33, remote, O.swap, O.size, 1, 32, O.equal,
    O.if, O.hash160, 20,
  ]);
  const receivedMid = rawBytes([O.equalverify, O.two, O.swap, 33, local, O.two, O.checkmultisig, O.else, O.drop]);
  const receivedTail = rawBytes([O.cltv, O.drop, O.checksig, O.endif, ...csvTail, O.endif]);
  const offeredLength = offeredHead.length + 20 + offeredTail.length;
  return {
    offered(paymentHash) {
      const out = new Uint8Array(offeredLength);
      out.set(offeredHead, 0);
      out.set(paymentHashRipemd160(paymentHash), offeredHead.length);
      out.set(offeredTail, offeredHead.length + 20);
      return out;
    },
    received(paymentHash, cltvExpiry) {
      const cltv = numPushBytes(cltvExpiry);
      const out = new Uint8Array(receivedHead.length + 20 + receivedMid.length + cltv.length + receivedTail.length);
      let p = 0;
      out.set(receivedHead, p);
      p += receivedHead.length;
      out.set(paymentHashRipemd160(paymentHash), p);
      p += 20;
      out.set(receivedMid, p);
      p += receivedMid.length;
      out.set(cltv, p);
      p += cltv.length;
      out.set(receivedTail, p);
      return out;
    },
  };
}

/** The opcodes of the HTLC scripts, read once from the opcode table. */
const HTLC_OPS = {
  dup: OP.OP_DUP,
  hash160: OP.OP_HASH160,
  equal: OP.OP_EQUAL,
  equalverify: OP.OP_EQUALVERIFY,
  if: OP.OP_IF,
  notif: OP.OP_NOTIF,
  else: OP.OP_ELSE,
  endif: OP.OP_ENDIF,
  checksig: OP.OP_CHECKSIG,
  checkmultisig: OP.OP_CHECKMULTISIG,
  swap: OP.OP_SWAP,
  size: OP.OP_SIZE,
  drop: OP.OP_DROP,
  one: OP.OP_1,
  two: OP.OP_2,
  csv: OP.OP_CHECKSEQUENCEVERIFY,
  cltv: OP.OP_CHECKLOCKTIMEVERIFY,
} as const;

/** rawBytes concatenates bytes and byte arrays as they are (no push encoding added). */
function rawBytes(parts: readonly (number | Uint8Array)[]): Uint8Array {
  let n = 0;
  for (const x of parts) n += typeof x === 'number' ? 1 : x.length;
  const out = new Uint8Array(n);
  let p = 0;
  for (const x of parts) {
    if (typeof x === 'number') out[p++] = x;
    else {
      out.set(x, p);
      p += x.length;
    }
  }
  return out;
}
