/**
 * The hot path of block validation: P2WPKH spends signed with SIGHASH_ALL, verified with a
 * BIP143 sighash whose per-transaction parts (hashPrevouts, hashSequence, hashOutputs) are
 * computed once per transaction — Bitcoin Core's PrecomputedTransactionData idea.
 *
 * It only ever answers "valid" when the interpreter would; any unusual shape (other hash
 * types, uncompressed keys, a failing signature) returns false so the caller falls back to
 * the full interpreter, which then produces the exact error.
 */
import { equalBytes } from '../../lib/index.ts';
import { hash160, secp, sha256d, signatureFromDer, verifyEcdsa } from '../../crypto/index.ts';
import { compactSizeLength, isValidSignatureEncoding, type Tx } from '../../bitcoin/index.ts';
import { writeU32le, writeU64le } from './encoding.ts';

/** Per-transaction BIP143 midstate: the three hashes shared by every input's SIGHASH_ALL digest. */
export interface Bip143Precomputed {
  hashPrevouts: Uint8Array;
  hashSequence: Uint8Array;
  hashOutputs: Uint8Array;
}

/** precomputeBip143 hashes all outpoints, sequences and outputs of a transaction once (BIP143). */
export function precomputeBip143(tx: Tx): Bip143Precomputed {
  const n = tx.inputs.length;
  const prev = new Uint8Array(36 * n);
  const seq = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) {
    const inp = tx.inputs[i];
    prev.set(inp.txid, 36 * i);
    writeU32le(prev, 36 * i + 32, inp.vout);
    writeU32le(seq, 4 * i, inp.sequence);
  }
  let outLen = 0;
  for (const o of tx.outputs) outLen += 8 + compactSizeLength(o.script.length) + o.script.length;
  const outs = new Uint8Array(outLen);
  let p = 0;
  for (const o of tx.outputs) {
    writeU64le(outs, p, o.value);
    p += 8;
    const l = o.script.length;
    if (l < 0xfd) outs[p++] = l;
    else if (l <= 0xffff) {
      outs[p++] = 0xfd;
      outs[p++] = l & 0xff;
      outs[p++] = l >>> 8;
    } else {
      outs[p++] = 0xfe;
      writeU32le(outs, p, l);
      p += 4;
    }
    outs.set(o.script, p);
    p += l;
  }
  return { hashPrevouts: sha256d(prev), hashSequence: n === 1 ? singleSequenceHash(tx.inputs[0].sequence) : sha256d(seq), hashOutputs: sha256d(outs) };
}

/**
 * hashSequence of one-input transactions depends only on that sequence number, and nearly
 * all use one of a few values (0xffffffff, 0xfffffffe, 0xfffffffd): memoise them.
 */
const sequenceHashes = new Map<number, Uint8Array>();
function singleSequenceHash(sequence: number): Uint8Array {
  let h = sequenceHashes.get(sequence);
  if (!h) {
    const b = new Uint8Array(4);
    writeU32le(b, 0, sequence);
    h = sha256d(b);
    if (sequenceHashes.size < 64) sequenceHashes.set(sequence, h);
  }
  return h;
}

/** p2wpkhSighashAll builds BIP143's digest for input `i` spending a P2WPKH output with SIGHASH_ALL. */
export function p2wpkhSighashAll(tx: Tx, pre: Bip143Precomputed, i: number, keyHash: Uint8Array, amount: bigint): Uint8Array {
  // version | hashPrevouts | hashSequence | outpoint | scriptCode(26) | amount | nSequence | hashOutputs | locktime | hashtype
  const buf = new Uint8Array(4 + 32 + 32 + 36 + 26 + 8 + 4 + 32 + 4 + 4);
  const inp = tx.inputs[i];
  writeU32le(buf, 0, tx.version >>> 0);
  buf.set(pre.hashPrevouts, 4);
  buf.set(pre.hashSequence, 36);
  buf.set(inp.txid, 68);
  writeU32le(buf, 100, inp.vout);
  buf[104] = 0x19;
  buf[105] = 0x76;
  buf[106] = 0xa9;
  buf[107] = 0x14;
  buf.set(keyHash, 108);
  buf[128] = 0x88;
  buf[129] = 0xac;
  writeU64le(buf, 130, amount);
  writeU32le(buf, 138, inp.sequence);
  buf.set(pre.hashOutputs, 142);
  writeU32le(buf, 174, tx.locktime >>> 0);
  writeU32le(buf, 178, 1);
  return sha256d(buf);
}

/**
 * fastVerifyP2wpkh returns true when input `i` is a P2WPKH spend (compressed key, strict DER,
 * SIGHASH_ALL) whose signature verifies; false means "not decided here", never "invalid".
 */
export function fastVerifyP2wpkh(tx: Tx, i: number, prevScript: Uint8Array, amount: bigint, pre: () => Bip143Precomputed): boolean {
  if (prevScript.length !== 22 || prevScript[0] !== 0 || prevScript[1] !== 20) return false;
  const inp = tx.inputs[i];
  if (inp.scriptSig.length !== 0 || inp.witness.length !== 2) return false;
  const sig = inp.witness[0];
  const pub = inp.witness[1];
  if (pub.length !== 33 || (pub[0] !== 2 && pub[0] !== 3)) return false;
  if (sig.length < 9 || sig[sig.length - 1] !== 1 || !isValidSignatureEncoding(sig)) return false;
  const keyHash = prevScript.subarray(2);
  if (!equalBytes(hash160(pub), keyHash)) return false;
  const compact = signatureFromDer(sig.subarray(0, sig.length - 1));
  if (!compact) return false;
  const digest = p2wpkhSighashAll(tx, pre(), i, keyHash, amount);
  // Low-S signatures (what every signer produces) go straight to the backend; the facade's
  // verifyEcdsa, which normalises high-S ones, is kept for the rare rest.
  if (isLowSBytes(compact)) return secp.verify(compact, digest, pub);
  return verifyEcdsa(compact, digest, pub, true);
}

/** n/2 of secp256k1, big-endian. */
const HALF_ORDER = Uint8Array.from(Buffer.from('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0', 'hex'));

/** isLowSBytes: s (bytes 32..63 of a compact signature) is at most n/2, compared bytewise. */
function isLowSBytes(sig64: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const a = sig64[32 + i];
    const b = HALF_ORDER[i];
    if (a !== b) return a < b;
  }
  return true;
}
