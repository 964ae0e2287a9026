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

/**
 * toLocalScript is the `to_local` output's witness script, also the output script of
 * HTLC-timeout and HTLC-success transactions (BOLT #3 "`to_local` Output").
 *
 *     OP_IF <revocationpubkey> OP_ELSE `to_self_delay` OP_CHECKSEQUENCEVERIFY OP_DROP
 *     <local_delayedpubkey> OP_ENDIF OP_CHECKSIG
 */
export function toLocalScript(revocationPubkey: Uint8Array, toSelfDelay: number, localDelayedPubkey: Uint8Array): Uint8Array {
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

const ANCHORS_TAIL = 3; // `1 OP_CHECKSEQUENCEVERIFY OP_DROP`

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
  const k = { ...keys, revocationPubkeyHash: keys.revocationPubkeyHash ?? hash160(keys.revocationPubkey) };
  const zeroHash = new Uint8Array(32);
  const hashPlaceholder = ripemd160(zeroHash);
  const offeredTemplate = offeredHtlcScript(k, zeroHash, anchors);
  // Offered: the hash is the only HTLC-dependent part. The script ends with `<20-byte hash>
  // OP_EQUALVERIFY OP_CHECKSIG OP_ENDIF [1 OP_CHECKSEQUENCEVERIFY OP_DROP] OP_ENDIF`.
  const offeredAt = offeredTemplate.length - 20 - 4 - (anchors ? ANCHORS_TAIL : 0);
  // Received: prefix up to the hash, then the part between hash and cltv, then the tail.
  const receivedHead = compileScript([
    OP.OP_DUP, OP.OP_HASH160, k.revocationPubkeyHash, OP.OP_EQUAL,
    OP.OP_IF, OP.OP_CHECKSIG, OP.OP_ELSE,
    k.remoteHtlcPubkey, OP.OP_SWAP, OP.OP_SIZE, pushNum(32), OP.OP_EQUAL,
    OP.OP_IF, OP.OP_HASH160, 20,
  ]);
  const receivedMid = compileScript([OP.OP_EQUALVERIFY, OP.OP_2, OP.OP_SWAP, k.localHtlcPubkey, OP.OP_2, OP.OP_CHECKMULTISIG, OP.OP_ELSE, OP.OP_DROP]);
  const receivedTail = compileScript(
    anchors
      ? [OP.OP_CHECKLOCKTIMEVERIFY, OP.OP_DROP, OP.OP_CHECKSIG, OP.OP_ENDIF, OP.OP_1, OP.OP_CHECKSEQUENCEVERIFY, OP.OP_DROP, OP.OP_ENDIF]
      : [OP.OP_CHECKLOCKTIMEVERIFY, OP.OP_DROP, OP.OP_CHECKSIG, OP.OP_ENDIF, OP.OP_ENDIF],
  );
  if (offeredTemplate[offeredAt - 1] !== 20 || !hashPlaceholder.every((b, i) => offeredTemplate[offeredAt + i] === b)) {
    throw new Error('offered HTLC script template out of sync');
  }
  return {
    offered(paymentHash) {
      const out = Uint8Array.from(offeredTemplate);
      out.set(ripemd160(paymentHash), offeredAt);
      return out;
    },
    received(paymentHash, cltvExpiry) {
      const cltv = compileScript([pushNum(cltvExpiry)]);
      const out = new Uint8Array(receivedHead.length + 20 + receivedMid.length + cltv.length + receivedTail.length);
      let p = 0;
      out.set(receivedHead, p);
      p += receivedHead.length;
      out.set(ripemd160(paymentHash), p);
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
