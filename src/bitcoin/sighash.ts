/**
 * Signature hashes: the legacy algorithm (Bitcoin Core's SignatureHash for SIGVERSION_BASE,
 * with its quirks), BIP143 for segwit v0, and BIP341 for taproot.
 */
import { Writer } from '../lib/index.ts';
import { sha256, sha256d, taggedHash } from '../crypto/index.ts';
import { OP } from './opcodes.ts';
import { writeCompactSize } from './compact-size.ts';
import type { Tx, TxOut } from './tx.ts';
import { prevoutsBytes, sequencesBytes, serializeOutputs } from './tx-digest.ts';
import { SIGHASH_ALL, SIGHASH_ANYONECANPAY, SIGHASH_NONE, SIGHASH_ONE, SIGHASH_SINGLE, type TxSigHashCache } from './sighash-flags.ts';

function writeOutput(w: Writer, o: TxOut): void {
  w.u64le(BigInt.asUintN(64, o.value));
  writeCompactSize(w, o.script.length);
  w.bytes(o.script);
}

/** precomputeTxData computes the BIP143 (and, given prevouts, BIP341) shared hashes once. */
export function precomputeTxData(tx: Tx, prevouts?: TxOut[]): TxSigHashCache {
  const p = prevoutsBytes(tx);
  const s = sequencesBytes(tx);
  const o = serializeOutputs(tx.outputs);
  const c: TxSigHashCache = {
    shaPrevouts: sha256(p),
    shaSequences: sha256(s),
    shaOutputs: sha256(o),
  };
  c.hashPrevouts = sha256(c.shaPrevouts!);
  c.hashSequence = sha256(c.shaSequences!);
  c.hashOutputs = sha256(c.shaOutputs!);
  if (prevouts && prevouts.length === tx.inputs.length) {
    const a = new Writer(prevouts.length * 8);
    const sp = new Writer(prevouts.length * 36);
    for (const po of prevouts) {
      a.u64le(BigInt.asUintN(64, po.value));
      writeCompactSize(sp, po.script.length);
      sp.bytes(po.script);
    }
    c.shaAmounts = sha256(a.finish());
    c.shaScriptPubkeys = sha256(sp.finish());
  }
  return c;
}

/**
 * writeScriptCodeLegacy writes scriptCode without its OP_CODESEPARATORs, byte-for-byte as
 * Core's CTransactionSignatureSerializer::SerializeScriptCode does, including its behaviour
 * on a script whose last push is truncated (the length still counts every byte).
 */
function writeScriptCodeLegacy(w: Writer, sc: Uint8Array): void {
  // Walk the script like GetScriptOp, recording where each step leaves the cursor.
  const seps: number[] = []; // cursor positions just after each OP_CODESEPARATOR
  let pc = 0;
  let stop = sc.length;
  while (pc < sc.length) {
    const op = sc[pc++];
    let n = 0;
    if (op <= OP.OP_PUSHDATA4) {
      if (op < OP.OP_PUSHDATA1) n = op;
      else {
        const sz = op === OP.OP_PUSHDATA1 ? 1 : op === OP.OP_PUSHDATA2 ? 2 : 4;
        if (sc.length - pc < sz) {
          stop = pc;
          break;
        }
        n = sz === 1 ? sc[pc] : sz === 2 ? sc[pc] | (sc[pc + 1] << 8) : (sc[pc] | (sc[pc + 1] << 8) | (sc[pc + 2] << 16) | (sc[pc + 3] << 24)) >>> 0;
        pc += sz;
      }
      if (sc.length - pc < n) {
        stop = pc;
        break;
      }
      pc += n;
    } else if (op === OP.OP_CODESEPARATOR) seps.push(pc);
  }
  writeCompactSize(w, sc.length - seps.length);
  let begin = 0;
  for (const at of seps) {
    w.bytes(sc.subarray(begin, at - 1));
    begin = at;
  }
  if (begin !== sc.length) w.bytes(sc.subarray(begin, stop));
}

/**
 * legacySigHash is the original (pre-segwit) signature hash, Core's SignatureHash with
 * SIGVERSION_BASE. It keeps the consensus quirks: an input index past the inputs, or
 * SIGHASH_SINGLE without a matching output, yields the digest 1 (SIGHASH_ONE), and
 * OP_CODESEPARATORs are removed from scriptCode. The caller removes the signature itself
 * from scriptCode (FindAndDelete) before calling.
 */
export function legacySigHash(tx: Tx, inputIndex: number, scriptCode: Uint8Array, hashType: number): Uint8Array {
  if (inputIndex >= tx.inputs.length) return SIGHASH_ONE;
  const base = hashType & 0x1f;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  if (base === SIGHASH_SINGLE && inputIndex >= tx.outputs.length) return SIGHASH_ONE;
  const w = new Writer(256 + scriptCode.length);
  w.u32le(tx.version >>> 0);
  const ins = anyoneCanPay ? [inputIndex] : tx.inputs.map((_, i) => i);
  writeCompactSize(w, ins.length);
  for (const i of ins) {
    const input = tx.inputs[i];
    w.bytes(input.txid).u32le(input.vout >>> 0);
    if (i === inputIndex) writeScriptCodeLegacy(w, scriptCode);
    else w.u8(0);
    const zeroSeq = i !== inputIndex && (base === SIGHASH_SINGLE || base === SIGHASH_NONE);
    w.u32le(zeroSeq ? 0 : input.sequence >>> 0);
  }
  if (base === SIGHASH_NONE) writeCompactSize(w, 0);
  else if (base === SIGHASH_SINGLE) {
    writeCompactSize(w, inputIndex + 1);
    for (let i = 0; i < inputIndex; i++) w.u64le(0xffffffffffffffffn).u8(0);
    writeOutput(w, tx.outputs[inputIndex]);
  } else {
    writeCompactSize(w, tx.outputs.length);
    for (const o of tx.outputs) writeOutput(w, o);
  }
  w.u32le(tx.locktime >>> 0);
  w.u32le(hashType >>> 0);
  return sha256d(w.finish());
}

/** Extra inputs to the BIP341 message for annexes and script-path (BIP342) spends. */
export interface TaprootSigHashOptions {
  /** The annex, including its 0x50 prefix, if the witness has one. */
  annex?: Uint8Array;
  /** For script-path spends: the tapleaf hash of the executed leaf (BIP342 ext_flag 1). */
  leafHash?: Uint8Array;
  /** For script-path spends: opcode position of the last executed OP_CODESEPARATOR, or 0xffffffff. */
  codesepPos?: number;
  cache?: TxSigHashCache;
}

/**
 * taprootSigHash is the BIP341 signature message hash, TaggedHash("TapSighash", 0x00 ||
 * SigMsg(hash_type, ext_flag) || ext). Returns null where BIP341 says signing must fail: an
 * unknown hash_type, or SIGHASH_SINGLE without a matching output.
 */
export function taprootSigHash(tx: Tx, inputIndex: number, prevouts: TxOut[], hashType: number, opts: TaprootSigHashOptions = {}): Uint8Array | null {
  // BIP341: only hash types 0x00-0x03 and 0x81-0x83 are defined; others fail.
  if (!(hashType <= 0x03 || (hashType >= 0x81 && hashType <= 0x83))) return null;
  if (prevouts.length !== tx.inputs.length) throw new RangeError('taproot sighash needs every spent output');
  const base = hashType & 0x03;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  if (base === SIGHASH_SINGLE && inputIndex >= tx.outputs.length) return null;
  let c = opts.cache;
  if (!c || !c.shaAmounts) c = precomputeTxData(tx, prevouts);
  const w = new Writer(256);
  w.u8(0); // epoch
  w.u8(hashType);
  w.u32le(tx.version >>> 0);
  w.u32le(tx.locktime >>> 0);
  if (!anyoneCanPay) {
    w.bytes(c.shaPrevouts!).bytes(c.shaAmounts!).bytes(c.shaScriptPubkeys!).bytes(c.shaSequences!);
  }
  if (base !== SIGHASH_NONE && base !== SIGHASH_SINGLE) w.bytes(c.shaOutputs!);
  const extFlag = opts.leafHash ? 1 : 0;
  w.u8(extFlag * 2 + (opts.annex ? 1 : 0));
  const input = tx.inputs[inputIndex];
  if (anyoneCanPay) {
    w.bytes(input.txid).u32le(input.vout >>> 0);
    writeOutput(w, prevouts[inputIndex]);
    w.u32le(input.sequence >>> 0);
  } else {
    w.u32le(inputIndex);
  }
  if (opts.annex) {
    const a = new Writer(opts.annex.length + 5);
    writeCompactSize(a, opts.annex.length);
    a.bytes(opts.annex);
    w.bytes(sha256(a.finish()));
  }
  if (base === SIGHASH_SINGLE) w.bytes(sha256(serializeOutputs([tx.outputs[inputIndex]])));
  if (opts.leafHash) {
    w.bytes(opts.leafHash).u8(0).u32le((opts.codesepPos ?? 0xffffffff) >>> 0);
  }
  return taggedHash('TapSighash', w.finish());
}

/**
 * taprootKeySpendSigHash is the BIP341 key-path signature hash (no annex). Throws RangeError
 * for an invalid hash type or SIGHASH_SINGLE without a matching output.
 */
export function taprootKeySpendSigHash(tx: Tx, inputIndex: number, prevouts: TxOut[], hashType: number): Uint8Array {
  const h = taprootSigHash(tx, inputIndex, prevouts, hashType);
  if (!h) throw new RangeError(`invalid taproot hash type ${hashType} for input ${inputIndex}`);
  return h;
}
