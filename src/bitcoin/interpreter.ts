/**
 * The consensus script interpreter: legacy scripts, P2SH (BIP16), segwit v0 (BIP141/143),
 * taproot key and script paths (BIP341/342), with every verification flag of Bitcoin Core's
 * interpreter (src/script/interpreter.cpp), and Core's error names. It is a pure function of
 * its inputs; signature checks go through the crypto facade.
 */
import { equalBytes } from '../lib/index.ts';
import { hash160, ripemd160, sha1, sha256, sha256d, schnorrVerify, verifyEcdsa } from '../crypto/index.ts';
import { OP } from './opcodes.ts';
import { isP2SH, isPushOnly, pushData, readOp, scriptNumDecode, scriptNumEncode, ScriptNumError, witnessProgram } from './script.ts';
import { SCRIPT_VERIFY as F } from './script-flags.ts';
import { ScriptFailure, type ScriptError, type ScriptResult } from './script-error.ts';
import { legacySigHash, precomputeTxData, segwitV0SigHash, taprootSigHash, type TxSigHashCache } from './sighash.ts';
import {
  isCompressedOrUncompressedPubKey,
  isCompressedPubKey,
  isDefinedHashtypeSignature,
  isLowDerSignature,
  isValidSignatureEncoding,
  normalizePubKeyForVerify,
  parseDerLax,
} from './signature-encoding.ts';
import {
  ANNEX_TAG,
  TAPROOT_CONTROL_BASE_SIZE,
  TAPROOT_CONTROL_MAX_SIZE,
  TAPROOT_CONTROL_NODE_SIZE,
  TAPROOT_LEAF_MASK,
  TAPROOT_LEAF_TAPSCRIPT,
  tapleafHash,
  verifyTaprootCommitment,
} from './taproot.ts';
import { compactSizeLength, type Tx, type TxOut } from './tx.ts';

export { SCRIPT_VERIFY, STANDARD_FLAGS, MANDATORY_FLAGS, ALL_FLAGS, parseScriptFlags, formatScriptFlags } from './script-flags.ts';
export type { ScriptError, ScriptResult } from './script-error.ts';

/** Consensus limits (Core's script.h). */
export const MAX_SCRIPT_ELEMENT_SIZE = 520;
export const MAX_OPS_PER_SCRIPT = 201;
export const MAX_PUBKEYS_PER_MULTISIG = 20;
export const MAX_SCRIPT_SIZE = 10000;
export const MAX_STACK_SIZE = 1000;
export const LOCKTIME_THRESHOLD = 500000000;
export const SEQUENCE_FINAL = 0xffffffff;
export const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;
export const SEQUENCE_LOCKTIME_TYPE_FLAG = 1 << 22;
export const SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
const VALIDATION_WEIGHT_PER_SIGOP_PASSED = 50;
const VALIDATION_WEIGHT_OFFSET = 50;

/** The rules a script runs under (Core's SigVersion). */
export const SigVersion = { BASE: 0, WITNESS_V0: 1, TAPROOT: 2, TAPSCRIPT: 3 } as const;
export type SigVersion = (typeof SigVersion)[keyof typeof SigVersion];

/** What a signature check needs to know about the spending transaction. */
export interface SpendContext {
  tx: Tx;
  inputIndex: number;
  /** Value of the output being spent, in satoshis (BIP143 commits to it). */
  amount: bigint;
  /** All outputs the transaction spends, in input order; needed for taproot (BIP341). */
  prevouts?: TxOut[];
  /** Shared sighash midstates; computed on demand when absent. */
  cache?: TxSigHashCache;
}

interface ExecData {
  codesepPos: number;
  annex?: Uint8Array;
  leafHash?: Uint8Array;
  weightLeft: number;
}

const VCH_TRUE = Uint8Array.of(1);
const VCH_FALSE = new Uint8Array(0);

function fail(e: ScriptError): never {
  throw new ScriptFailure(e);
}

/** castToBool is Core's CastToBool: any non-zero byte is true, except a lone sign bit at the end (negative zero). */
export function castToBool(v: Uint8Array): boolean {
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) return !(i === v.length - 1 && v[i] === 0x80);
  }
  return false;
}

/** checkMinimalPush is Core's CheckMinimalPush (BIP62 rule 3, the MINIMALDATA flag). */
export function checkMinimalPush(data: Uint8Array, opcode: number): boolean {
  if (data.length === 0) return opcode === OP.OP_0;
  if (data.length === 1 && data[0] >= 1 && data[0] <= 16) return false;
  if (data.length === 1 && data[0] === 0x81) return false;
  if (data.length <= 75) return opcode === data.length;
  if (data.length <= 255) return opcode === OP.OP_PUSHDATA1;
  if (data.length <= 65535) return opcode === OP.OP_PUSHDATA2;
  return true;
}

/** isOpSuccess lists BIP342's OP_SUCCESSx opcodes. */
export function isOpSuccess(op: number): boolean {
  return (
    op === 80 ||
    op === 98 ||
    (op >= 126 && op <= 129) ||
    (op >= 131 && op <= 134) ||
    (op >= 137 && op <= 138) ||
    (op >= 141 && op <= 142) ||
    (op >= 149 && op <= 153) ||
    (op >= 187 && op <= 254)
  );
}

/**
 * findAndDelete removes every occurrence of `needle` that starts at an opcode boundary of
 * `script` (Core's FindAndDelete, legacy scripts only), returning the new script and the count.
 */
export function findAndDelete(script: Uint8Array, needle: Uint8Array): { script: Uint8Array; found: number } {
  if (needle.length === 0) return { script, found: 0 };
  let found = 0;
  const parts: Uint8Array[] = [];
  let pc = 0;
  let pc2 = 0;
  const matchAt = (p: number): boolean => {
    if (script.length - p < needle.length) return false;
    for (let i = 0; i < needle.length; i++) if (script[p + i] !== needle[i]) return false;
    return true;
  };
  for (;;) {
    parts.push(script.subarray(pc2, pc));
    while (matchAt(pc)) {
      pc += needle.length;
      found++;
    }
    pc2 = pc;
    if (pc >= script.length) break;
    const op = readOp(script, pc);
    if (!op) break;
    pc = op.end;
  }
  if (found === 0) return { script, found };
  parts.push(script.subarray(pc2));
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { script: out, found };
}

/** The signature checker of one input (Core's GenericTransactionSignatureChecker). */
class Checker {
  private cache: TxSigHashCache | undefined;
  constructor(readonly ctx: SpendContext) {
    this.cache = ctx.cache;
  }

  private txdata(): TxSigHashCache {
    if (!this.cache) this.cache = precomputeTxData(this.ctx.tx, this.ctx.prevouts);
    return this.cache;
  }

  checkEcdsa(sigIn: Uint8Array, pubIn: Uint8Array, scriptCode: Uint8Array, sigversion: SigVersion): boolean {
    const pub = normalizePubKeyForVerify(pubIn);
    if (!pub) return false;
    if (sigIn.length === 0) return false;
    const hashType = sigIn[sigIn.length - 1];
    const compact = parseDerLax(sigIn.subarray(0, sigIn.length - 1));
    if (!compact) return false;
    const { tx, inputIndex, amount } = this.ctx;
    const hash =
      sigversion === SigVersion.WITNESS_V0
        ? segwitV0SigHash(tx, inputIndex, scriptCode, amount, hashType, this.txdata())
        : legacySigHash(tx, inputIndex, scriptCode, hashType);
    return verifyEcdsa(compact, hash, pub, true);
  }

  /** CheckSchnorrSignature: throws the matching ScriptFailure when the signature is not valid. */
  checkSchnorr(sigIn: Uint8Array, pub: Uint8Array, sigversion: SigVersion, exec: ExecData): void {
    if (sigIn.length !== 64 && sigIn.length !== 65) fail('SCHNORR_SIG_SIZE');
    let sig = sigIn;
    let hashType = 0;
    if (sig.length === 65) {
      hashType = sig[64];
      sig = sig.subarray(0, 64);
      if (hashType === 0) fail('SCHNORR_SIG_HASHTYPE');
    }
    const { tx, inputIndex } = this.ctx;
    const prevouts = this.ctx.prevouts;
    if (!prevouts || prevouts.length !== tx.inputs.length) fail('UNKNOWN_ERROR'); // missing spent outputs
    const cache = this.txdata();
    const h = taprootSigHash(tx, inputIndex, prevouts, hashType, {
      annex: exec.annex,
      leafHash: sigversion === SigVersion.TAPSCRIPT ? exec.leafHash : undefined,
      codesepPos: exec.codesepPos,
      cache: cache.shaAmounts ? cache : undefined,
    });
    if (!h) fail('SCHNORR_SIG_HASHTYPE');
    if (!schnorrVerify(sig, h, pub)) fail('SCHNORR_SIG');
  }

  /** CheckLockTime (BIP65). */
  checkLockTime(lockTime: bigint): boolean {
    const tx = this.ctx.tx;
    const txLock = BigInt(tx.locktime >>> 0);
    const T = BigInt(LOCKTIME_THRESHOLD);
    // BIP65: the lock time and the transaction's nLockTime must be of the same kind.
    if (!((txLock < T && lockTime < T) || (txLock >= T && lockTime >= T))) return false;
    if (lockTime > txLock) return false;
    // BIP65: "the nSequence field of the txin is not 0xffffffff" or nLockTime is disabled.
    if (tx.inputs[this.ctx.inputIndex].sequence >>> 0 === SEQUENCE_FINAL) return false;
    return true;
  }

  /** CheckSequence (BIP112, with BIP68's encoding). */
  checkSequence(sequence: bigint): boolean {
    const tx = this.ctx.tx;
    const txSeq = tx.inputs[this.ctx.inputIndex].sequence >>> 0;
    // BIP112: fail when "the transaction version is less than 2".
    if (tx.version >>> 0 < 2) return false;
    if (txSeq & SEQUENCE_LOCKTIME_DISABLE_FLAG) return false;
    const mask = BigInt(SEQUENCE_LOCKTIME_TYPE_FLAG | SEQUENCE_LOCKTIME_MASK);
    const txMasked = BigInt(txSeq) & mask;
    const masked = sequence & mask;
    const TYPE = BigInt(SEQUENCE_LOCKTIME_TYPE_FLAG);
    if (!((txMasked < TYPE && masked < TYPE) || (txMasked >= TYPE && masked >= TYPE))) return false;
    return masked <= txMasked;
  }
}

function checkSignatureEncoding(sig: Uint8Array, flags: number): void {
  // Core: "Empty signature. Not strictly DER encoded, but allowed to provide a compact way
  // to provide an invalid signature for use with CHECK(MULTI)SIG".
  if (sig.length === 0) return;
  if (flags & (F.DERSIG | F.LOW_S | F.STRICTENC) && !isValidSignatureEncoding(sig)) fail('SIG_DER');
  if (flags & F.LOW_S && !isLowDerSignature(sig)) fail('SIG_HIGH_S');
  if (flags & F.STRICTENC && !isDefinedHashtypeSignature(sig)) fail('SIG_HASHTYPE');
}

function checkPubKeyEncoding(pub: Uint8Array, flags: number, sigversion: SigVersion): void {
  if (flags & F.STRICTENC && !isCompressedOrUncompressedPubKey(pub)) fail('PUBKEYTYPE');
  // BIP143: "Only compressed public keys are accepted in P2WPKH and P2WSH" (policy flag).
  if (flags & F.WITNESS_PUBKEYTYPE && sigversion === SigVersion.WITNESS_V0 && !isCompressedPubKey(pub)) fail('WITNESS_PUBKEYTYPE');
}

/** EvalChecksigPreTapscript / EvalChecksigTapscript; returns whether the signature was valid. */
function evalChecksig(
  sig: Uint8Array,
  pub: Uint8Array,
  script: Uint8Array,
  codeHashStart: number,
  exec: ExecData,
  flags: number,
  checker: Checker,
  sigversion: SigVersion,
): boolean {
  if (sigversion === SigVersion.TAPSCRIPT) {
    const success = sig.length !== 0;
    if (success) {
      // BIP342: "the sigops budget is decremented by 50 ... If the budget falls below zero, the script fails".
      exec.weightLeft -= VALIDATION_WEIGHT_PER_SIGOP_PASSED;
      if (exec.weightLeft < 0) fail('TAPSCRIPT_VALIDATION_WEIGHT');
    }
    if (pub.length === 0) fail('TAPSCRIPT_EMPTY_PUBKEY');
    if (pub.length === 32) {
      if (success) checker.checkSchnorr(sig, pub, sigversion, exec);
    } else if (flags & F.DISCOURAGE_UPGRADABLE_PUBKEYTYPE) fail('DISCOURAGE_UPGRADABLE_PUBKEYTYPE');
    return success;
  }
  let scriptCode = script.subarray(codeHashStart);
  if (sigversion === SigVersion.BASE) {
    const r = findAndDelete(scriptCode, pushData(sig));
    if (r.found > 0 && flags & F.CONST_SCRIPTCODE) fail('SIG_FINDANDDELETE');
    scriptCode = r.script;
  }
  checkSignatureEncoding(sig, flags);
  checkPubKeyEncoding(pub, flags, sigversion);
  const ok = checker.checkEcdsa(sig, pub, scriptCode, sigversion);
  // BIP146 NULLFAIL: "if the signature check fails, the signature must be the empty vector".
  if (!ok && flags & F.NULLFAIL && sig.length) fail('NULLFAIL');
  return ok;
}

/**
 * evalScript runs one script on a stack (Core's EvalScript). It throws ScriptFailure on
 * failure; on success the stack holds the result. Script numbers that overflow or are not
 * minimal (under MINIMALDATA) fail with UNKNOWN_ERROR, as Core's scriptnum_error does.
 */
function evalScript(stack: Uint8Array[], script: Uint8Array, flags: number, checker: Checker, sigversion: SigVersion, exec: ExecData): void {
  try {
    evalScriptInner(stack, script, flags, checker, sigversion, exec);
  } catch (e) {
    if (e instanceof ScriptNumError) fail('UNKNOWN_ERROR');
    throw e;
  }
}

function evalScriptInner(stack: Uint8Array[], script: Uint8Array, flags: number, checker: Checker, sigversion: SigVersion, exec: ExecData): void {
  const legacyLimits = sigversion === SigVersion.BASE || sigversion === SigVersion.WITNESS_V0;
  if (legacyLimits && script.length > MAX_SCRIPT_SIZE) fail('SCRIPT_SIZE');
  const requireMinimal = (flags & F.MINIMALDATA) !== 0;
  const num = (v: Uint8Array, maxLen = 4): bigint => scriptNumDecode(v, maxLen, requireMinimal);
  const vfExec: boolean[] = [];
  let falseCount = 0; // number of false entries in vfExec
  const altstack: Uint8Array[] = [];
  let opCount = 0;
  let codeHashStart = 0;
  exec.codesepPos = 0xffffffff;
  let pc = 0;
  const end = script.length;
  const need = (n: number): void => {
    if (stack.length < n) fail('INVALID_STACK_OPERATION');
  };
  const top = (i: number): Uint8Array => stack[stack.length + i];

  for (let opcodePos = 0; pc < end; opcodePos++) {
    const fExec = falseCount === 0;
    const op = readOp(script, pc);
    if (!op) fail('BAD_OPCODE');
    pc = op.end;
    const opcode = op.opcode;
    if (op.data && op.data.length > MAX_SCRIPT_ELEMENT_SIZE) fail('PUSH_SIZE');
    if (legacyLimits && opcode > OP.OP_16 && ++opCount > MAX_OPS_PER_SCRIPT) fail('OP_COUNT');
    switch (opcode) {
      case OP.OP_CAT:
      case OP.OP_SUBSTR:
      case OP.OP_LEFT:
      case OP.OP_RIGHT:
      case OP.OP_INVERT:
      case OP.OP_AND:
      case OP.OP_OR:
      case OP.OP_XOR:
      case OP.OP_2MUL:
      case OP.OP_2DIV:
      case OP.OP_MUL:
      case OP.OP_DIV:
      case OP.OP_MOD:
      case OP.OP_LSHIFT:
      case OP.OP_RSHIFT:
        fail('DISABLED_OPCODE'); // CVE-2010-5137
    }
    if (opcode === OP.OP_CODESEPARATOR && sigversion === SigVersion.BASE && flags & F.CONST_SCRIPTCODE) fail('OP_CODESEPARATOR');

    if (fExec && opcode <= OP.OP_PUSHDATA4) {
      if (requireMinimal && !checkMinimalPush(op.data!, opcode)) fail('MINIMALDATA');
      stack.push(op.data!);
    } else if (fExec || (opcode >= OP.OP_IF && opcode <= OP.OP_ENDIF)) {
      switch (opcode) {
        case OP.OP_1NEGATE:
        case OP.OP_1:
        case OP.OP_2:
        case OP.OP_3:
        case OP.OP_4:
        case OP.OP_5:
        case OP.OP_6:
        case OP.OP_7:
        case OP.OP_8:
        case OP.OP_9:
        case OP.OP_10:
        case OP.OP_11:
        case OP.OP_12:
        case OP.OP_13:
        case OP.OP_14:
        case OP.OP_15:
        case OP.OP_16:
          stack.push(scriptNumEncode(opcode - (OP.OP_1 - 1)));
          break;
        case OP.OP_NOP:
          break;
        case OP.OP_CHECKLOCKTIMEVERIFY: {
          if (!(flags & F.CHECKLOCKTIMEVERIFY)) break; // NOP2
          need(1);
          // BIP65 accepts 5-byte operands so lock times up to 2^39-1 fit.
          const lockTime = num(top(-1), 5);
          if (lockTime < 0n) fail('NEGATIVE_LOCKTIME');
          if (!checker.checkLockTime(lockTime)) fail('UNSATISFIED_LOCKTIME');
          break;
        }
        case OP.OP_CHECKSEQUENCEVERIFY: {
          if (!(flags & F.CHECKSEQUENCEVERIFY)) break; // NOP3
          need(1);
          const sequence = num(top(-1), 5);
          if (sequence < 0n) fail('NEGATIVE_LOCKTIME');
          // BIP112: "If the disable flag is set on the operand, CHECKSEQUENCEVERIFY behaves as a NOP".
          if ((sequence & BigInt(SEQUENCE_LOCKTIME_DISABLE_FLAG >>> 0)) !== 0n) break;
          if (!checker.checkSequence(sequence)) fail('UNSATISFIED_LOCKTIME');
          break;
        }
        case OP.OP_NOP1:
        case OP.OP_NOP4:
        case OP.OP_NOP5:
        case OP.OP_NOP6:
        case OP.OP_NOP7:
        case OP.OP_NOP8:
        case OP.OP_NOP9:
        case OP.OP_NOP10:
          if (flags & F.DISCOURAGE_UPGRADABLE_NOPS) fail('DISCOURAGE_UPGRADABLE_NOPS');
          break;
        case OP.OP_IF:
        case OP.OP_NOTIF: {
          let value = false;
          if (fExec) {
            if (stack.length < 1) fail('UNBALANCED_CONDITIONAL');
            const v = top(-1);
            if (sigversion === SigVersion.TAPSCRIPT) {
              // BIP342: "the argument must be exactly 0 or exactly 1 ... otherwise fail".
              if (v.length > 1 || (v.length === 1 && v[0] !== 1)) fail('TAPSCRIPT_MINIMALIF');
            }
            if (sigversion === SigVersion.WITNESS_V0 && flags & F.MINIMALIF) {
              if (v.length > 1) fail('MINIMALIF');
              if (v.length === 1 && v[0] !== 1) fail('MINIMALIF');
            }
            value = castToBool(v);
            if (opcode === OP.OP_NOTIF) value = !value;
            stack.pop();
          }
          vfExec.push(value);
          if (!value) falseCount++;
          break;
        }
        case OP.OP_ELSE: {
          if (vfExec.length === 0) fail('UNBALANCED_CONDITIONAL');
          const i = vfExec.length - 1;
          falseCount += vfExec[i] ? 1 : -1;
          vfExec[i] = !vfExec[i];
          break;
        }
        case OP.OP_ENDIF:
          if (vfExec.length === 0) fail('UNBALANCED_CONDITIONAL');
          if (!vfExec.pop()) falseCount--;
          break;
        case OP.OP_VERIFY:
          need(1);
          if (castToBool(top(-1))) stack.pop();
          else fail('VERIFY');
          break;
        case OP.OP_RETURN:
          fail('OP_RETURN');
        // Stack operations
        case OP.OP_TOALTSTACK:
          need(1);
          altstack.push(stack.pop()!);
          break;
        case OP.OP_FROMALTSTACK:
          if (altstack.length < 1) fail('INVALID_ALTSTACK_OPERATION');
          stack.push(altstack.pop()!);
          break;
        case OP.OP_2DROP:
          need(2);
          stack.length -= 2;
          break;
        case OP.OP_2DUP: {
          need(2);
          const a = top(-2);
          const b = top(-1);
          stack.push(a, b);
          break;
        }
        case OP.OP_3DUP: {
          need(3);
          const a = top(-3);
          const b = top(-2);
          const c = top(-1);
          stack.push(a, b, c);
          break;
        }
        case OP.OP_2OVER: {
          need(4);
          const a = top(-4);
          const b = top(-3);
          stack.push(a, b);
          break;
        }
        case OP.OP_2ROT: {
          need(6);
          const [a, b] = stack.splice(stack.length - 6, 2);
          stack.push(a, b);
          break;
        }
        case OP.OP_2SWAP: {
          need(4);
          const n = stack.length;
          [stack[n - 4], stack[n - 2]] = [stack[n - 2], stack[n - 4]];
          [stack[n - 3], stack[n - 1]] = [stack[n - 1], stack[n - 3]];
          break;
        }
        case OP.OP_IFDUP:
          need(1);
          if (castToBool(top(-1))) stack.push(top(-1));
          break;
        case OP.OP_DEPTH:
          stack.push(scriptNumEncode(stack.length));
          break;
        case OP.OP_DROP:
          need(1);
          stack.pop();
          break;
        case OP.OP_DUP:
          need(1);
          stack.push(top(-1));
          break;
        case OP.OP_NIP:
          need(2);
          stack.splice(stack.length - 2, 1);
          break;
        case OP.OP_OVER:
          need(2);
          stack.push(top(-2));
          break;
        case OP.OP_PICK:
        case OP.OP_ROLL: {
          need(2);
          const n = Number(num(top(-1)));
          stack.pop();
          if (n < 0 || n >= stack.length) fail('INVALID_STACK_OPERATION');
          const v = top(-n - 1);
          if (opcode === OP.OP_ROLL) stack.splice(stack.length - n - 1, 1);
          stack.push(v);
          break;
        }
        case OP.OP_ROT: {
          need(3);
          const n = stack.length;
          const a = stack[n - 3];
          stack[n - 3] = stack[n - 2];
          stack[n - 2] = stack[n - 1];
          stack[n - 1] = a;
          break;
        }
        case OP.OP_SWAP: {
          need(2);
          const n = stack.length;
          [stack[n - 2], stack[n - 1]] = [stack[n - 1], stack[n - 2]];
          break;
        }
        case OP.OP_TUCK: {
          need(2);
          const v = top(-1);
          stack.splice(stack.length - 2, 0, v);
          break;
        }
        case OP.OP_SIZE:
          need(1);
          stack.push(scriptNumEncode(top(-1).length));
          break;
        // Bitwise logic
        case OP.OP_EQUAL:
        case OP.OP_EQUALVERIFY: {
          need(2);
          const eq = equalBytes(top(-2), top(-1));
          stack.length -= 2;
          stack.push(eq ? VCH_TRUE : VCH_FALSE);
          if (opcode === OP.OP_EQUALVERIFY) {
            if (eq) stack.pop();
            else fail('EQUALVERIFY');
          }
          break;
        }
        // Numeric
        case OP.OP_1ADD:
        case OP.OP_1SUB:
        case OP.OP_NEGATE:
        case OP.OP_ABS:
        case OP.OP_NOT:
        case OP.OP_0NOTEQUAL: {
          need(1);
          let bn = num(top(-1));
          switch (opcode) {
            case OP.OP_1ADD:
              bn += 1n;
              break;
            case OP.OP_1SUB:
              bn -= 1n;
              break;
            case OP.OP_NEGATE:
              bn = -bn;
              break;
            case OP.OP_ABS:
              if (bn < 0n) bn = -bn;
              break;
            case OP.OP_NOT:
              bn = bn === 0n ? 1n : 0n;
              break;
            default:
              bn = bn !== 0n ? 1n : 0n;
          }
          stack.pop();
          stack.push(scriptNumEncode(bn));
          break;
        }
        case OP.OP_ADD:
        case OP.OP_SUB:
        case OP.OP_BOOLAND:
        case OP.OP_BOOLOR:
        case OP.OP_NUMEQUAL:
        case OP.OP_NUMEQUALVERIFY:
        case OP.OP_NUMNOTEQUAL:
        case OP.OP_LESSTHAN:
        case OP.OP_GREATERTHAN:
        case OP.OP_LESSTHANOREQUAL:
        case OP.OP_GREATERTHANOREQUAL:
        case OP.OP_MIN:
        case OP.OP_MAX: {
          need(2);
          const a = num(top(-2));
          const b = num(top(-1));
          let r: bigint;
          const B = (x: boolean): bigint => (x ? 1n : 0n);
          switch (opcode) {
            case OP.OP_ADD:
              r = a + b;
              break;
            case OP.OP_SUB:
              r = a - b;
              break;
            case OP.OP_BOOLAND:
              r = B(a !== 0n && b !== 0n);
              break;
            case OP.OP_BOOLOR:
              r = B(a !== 0n || b !== 0n);
              break;
            case OP.OP_NUMEQUAL:
            case OP.OP_NUMEQUALVERIFY:
              r = B(a === b);
              break;
            case OP.OP_NUMNOTEQUAL:
              r = B(a !== b);
              break;
            case OP.OP_LESSTHAN:
              r = B(a < b);
              break;
            case OP.OP_GREATERTHAN:
              r = B(a > b);
              break;
            case OP.OP_LESSTHANOREQUAL:
              r = B(a <= b);
              break;
            case OP.OP_GREATERTHANOREQUAL:
              r = B(a >= b);
              break;
            case OP.OP_MIN:
              r = a < b ? a : b;
              break;
            default:
              r = a > b ? a : b;
          }
          stack.length -= 2;
          stack.push(scriptNumEncode(r));
          if (opcode === OP.OP_NUMEQUALVERIFY) {
            if (castToBool(top(-1))) stack.pop();
            else fail('NUMEQUALVERIFY');
          }
          break;
        }
        case OP.OP_WITHIN: {
          need(3);
          const x = num(top(-3));
          const lo = num(top(-2));
          const hi = num(top(-1));
          stack.length -= 3;
          stack.push(lo <= x && x < hi ? VCH_TRUE : VCH_FALSE);
          break;
        }
        // Crypto
        case OP.OP_RIPEMD160:
        case OP.OP_SHA1:
        case OP.OP_SHA256:
        case OP.OP_HASH160:
        case OP.OP_HASH256: {
          need(1);
          const v = stack.pop()!;
          const h =
            opcode === OP.OP_RIPEMD160
              ? ripemd160(v)
              : opcode === OP.OP_SHA1
                ? sha1(v)
                : opcode === OP.OP_SHA256
                  ? sha256(v)
                  : opcode === OP.OP_HASH160
                    ? hash160(v)
                    : sha256d(v);
          stack.push(h);
          break;
        }
        case OP.OP_CODESEPARATOR:
          // The signed script code starts after the separator.
          codeHashStart = pc;
          exec.codesepPos = opcodePos;
          break;
        case OP.OP_CHECKSIG:
        case OP.OP_CHECKSIGVERIFY: {
          need(2);
          const ok = evalChecksig(top(-2), top(-1), script, codeHashStart, exec, flags, checker, sigversion);
          stack.length -= 2;
          stack.push(ok ? VCH_TRUE : VCH_FALSE);
          if (opcode === OP.OP_CHECKSIGVERIFY) {
            if (ok) stack.pop();
            else fail('CHECKSIGVERIFY');
          }
          break;
        }
        case OP.OP_CHECKSIGADD: {
          // BIP342: OP_CHECKSIGADD exists only in tapscript.
          if (sigversion === SigVersion.BASE || sigversion === SigVersion.WITNESS_V0) fail('BAD_OPCODE');
          need(3);
          const sig = top(-3);
          const n = num(top(-2));
          const pub = top(-1);
          const ok = evalChecksig(sig, pub, script, codeHashStart, exec, flags, checker, sigversion);
          stack.length -= 3;
          stack.push(scriptNumEncode(n + (ok ? 1n : 0n)));
          break;
        }
        case OP.OP_CHECKMULTISIG:
        case OP.OP_CHECKMULTISIGVERIFY: {
          if (sigversion === SigVersion.TAPSCRIPT) fail('TAPSCRIPT_CHECKMULTISIG');
          let i = 1;
          need(i);
          let keysCount = Number(num(top(-i)));
          if (keysCount < 0 || keysCount > MAX_PUBKEYS_PER_MULTISIG) fail('PUBKEY_COUNT');
          opCount += keysCount;
          if (opCount > MAX_OPS_PER_SCRIPT) fail('OP_COUNT');
          let ikey = ++i;
          // ikey2 is the position of the last non-signature item (for NULLFAIL clean-up).
          let ikey2 = keysCount + 2;
          i += keysCount;
          need(i);
          let sigsCount = Number(num(top(-i)));
          if (sigsCount < 0 || sigsCount > keysCount) fail('SIG_COUNT');
          let isig = ++i;
          i += sigsCount;
          need(i);
          let scriptCode = script.subarray(codeHashStart);
          for (let k = 0; k < sigsCount; k++) {
            if (sigversion === SigVersion.BASE) {
              const r = findAndDelete(scriptCode, pushData(top(-isig - k)));
              if (r.found > 0 && flags & F.CONST_SCRIPTCODE) fail('SIG_FINDANDDELETE');
              scriptCode = r.script;
            }
          }
          let success = true;
          while (success && sigsCount > 0) {
            const sig = top(-isig);
            const pub = top(-ikey);
            // Order matters: encoding errors are checked pair by pair, as Core does.
            checkSignatureEncoding(sig, flags);
            checkPubKeyEncoding(pub, flags, sigversion);
            const ok = checker.checkEcdsa(sig, pub, scriptCode, sigversion);
            if (ok) {
              isig++;
              sigsCount--;
            }
            ikey++;
            keysCount--;
            if (sigsCount > keysCount) success = false;
          }
          while (i-- > 1) {
            // BIP146 NULLFAIL: on failure every signature must be empty.
            if (!success && flags & F.NULLFAIL && !ikey2 && top(-1).length) fail('NULLFAIL');
            if (ikey2 > 0) ikey2--;
            stack.pop();
          }
          // The historical off-by-one: one extra element is consumed; BIP147 NULLDUMMY
          // requires it to be empty.
          need(1);
          if (flags & F.NULLDUMMY && top(-1).length) fail('SIG_NULLDUMMY');
          stack.pop();
          stack.push(success ? VCH_TRUE : VCH_FALSE);
          if (opcode === OP.OP_CHECKMULTISIGVERIFY) {
            if (success) stack.pop();
            else fail('CHECKMULTISIGVERIFY');
          }
          break;
        }
        default:
          fail('BAD_OPCODE');
      }
    }
    if (stack.length + altstack.length > MAX_STACK_SIZE) fail('STACK_SIZE');
  }
  if (vfExec.length !== 0) fail('UNBALANCED_CONDITIONAL');
}

function serializedWitnessSize(stack: Uint8Array[]): number {
  let n = compactSizeLength(stack.length);
  for (const s of stack) n += compactSizeLength(s.length) + s.length;
  return n;
}

/** ExecuteWitnessScript: run a P2WSH/P2WPKH/tapscript script on its witness stack. */
function executeWitnessScript(stackIn: Uint8Array[], script: Uint8Array, flags: number, sigversion: SigVersion, checker: Checker, exec: ExecData): void {
  const stack = stackIn.slice();
  if (sigversion === SigVersion.TAPSCRIPT) {
    // BIP342: "If any opcode numbered 80, 98, 126-129, ... is encountered, validation
    // succeeds" — before anything else, even if the script would fail to decode later.
    let pc = 0;
    while (pc < script.length) {
      const op = readOp(script, pc);
      if (!op) fail('BAD_OPCODE');
      if (isOpSuccess(op.opcode)) {
        if (flags & F.DISCOURAGE_OP_SUCCESS) fail('DISCOURAGE_OP_SUCCESS');
        return;
      }
      pc = op.end;
    }
    if (stack.length > MAX_STACK_SIZE) fail('STACK_SIZE');
  }
  for (const el of stack) if (el.length > MAX_SCRIPT_ELEMENT_SIZE) fail('PUSH_SIZE');
  evalScript(stack, script, flags, checker, sigversion, exec);
  // Scripts inside witness implicitly require cleanstack behaviour.
  if (stack.length !== 1) fail('CLEANSTACK');
  if (!castToBool(stack[0])) fail('EVAL_FALSE');
}

function isPayToAnchor(version: number, program: Uint8Array): boolean {
  return version === 1 && program.length === 2 && program[0] === 0x4e && program[1] === 0x73;
}

/** VerifyWitnessProgram (BIP141, BIP341). */
function verifyWitnessProgram(witness: Uint8Array[], version: number, program: Uint8Array, flags: number, checker: Checker, isP2sh: boolean): void {
  const exec: ExecData = { codesepPos: 0xffffffff, weightLeft: 0 };
  if (version === 0) {
    if (program.length === 32) {
      if (witness.length === 0) fail('WITNESS_PROGRAM_WITNESS_EMPTY');
      const script = witness[witness.length - 1];
      if (!equalBytes(sha256(script), program)) fail('WITNESS_PROGRAM_MISMATCH');
      executeWitnessScript(witness.slice(0, -1), script, flags, SigVersion.WITNESS_V0, checker, exec);
      return;
    }
    if (program.length === 20) {
      // BIP141: "The witness must consist of exactly 2 items".
      if (witness.length !== 2) fail('WITNESS_PROGRAM_MISMATCH');
      const script = Uint8Array.of(OP.OP_DUP, OP.OP_HASH160, 20, ...program, OP.OP_EQUALVERIFY, OP.OP_CHECKSIG);
      executeWitnessScript(witness, script, flags, SigVersion.WITNESS_V0, checker, exec);
      return;
    }
    fail('WITNESS_PROGRAM_WRONG_LENGTH');
  }
  if (version === 1 && program.length === 32 && !isP2sh) {
    if (!(flags & F.TAPROOT)) return;
    let stack = witness;
    if (stack.length === 0) fail('WITNESS_PROGRAM_WITNESS_EMPTY');
    if (stack.length >= 2 && stack[stack.length - 1].length > 0 && stack[stack.length - 1][0] === ANNEX_TAG) {
      exec.annex = stack[stack.length - 1];
      stack = stack.slice(0, -1);
    }
    if (stack.length === 1) {
      // Key path spending.
      checker.checkSchnorr(stack[0], program, SigVersion.TAPROOT, exec);
      return;
    }
    const control = stack[stack.length - 1];
    const script = stack[stack.length - 2];
    stack = stack.slice(0, -2);
    if (
      control.length < TAPROOT_CONTROL_BASE_SIZE ||
      control.length > TAPROOT_CONTROL_MAX_SIZE ||
      (control.length - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE !== 0
    ) {
      fail('TAPROOT_WRONG_CONTROL_SIZE');
    }
    exec.leafHash = tapleafHash(control[0] & TAPROOT_LEAF_MASK, script);
    if (!verifyTaprootCommitment(control, program, exec.leafHash)) fail('WITNESS_PROGRAM_MISMATCH');
    if ((control[0] & TAPROOT_LEAF_MASK) === TAPROOT_LEAF_TAPSCRIPT) {
      exec.weightLeft = serializedWitnessSize(witness) + VALIDATION_WEIGHT_OFFSET;
      executeWitnessScript(stack, script, flags, SigVersion.TAPSCRIPT, checker, exec);
      return;
    }
    if (flags & F.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION) fail('DISCOURAGE_UPGRADABLE_TAPROOT_VERSION');
    return;
  }
  if (!isP2sh && isPayToAnchor(version, program)) return;
  if (flags & F.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM) fail('DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM');
  // Other versions and sizes succeed, for future soft forks.
}

/**
 * verifyScript checks that scriptSig (and witness) satisfy scriptPubKey under `flags`
 * (Core's VerifyScript). Returns Core's ScriptError name on failure.
 */
export function verifyScript(scriptSig: Uint8Array, scriptPubKey: Uint8Array, witness: Uint8Array[], flags: number, ctx: SpendContext): ScriptResult {
  try {
    verifyScriptOrThrow(scriptSig, scriptPubKey, witness, flags, new Checker(ctx));
    return { ok: true };
  } catch (e) {
    if (e instanceof ScriptFailure) return { ok: false, error: e.error };
    throw e;
  }
}

function verifyScriptOrThrow(scriptSig: Uint8Array, scriptPubKey: Uint8Array, witness: Uint8Array[], flags: number, checker: Checker): void {
  let hadWitness = false;
  if (flags & F.SIGPUSHONLY && !isPushOnly(scriptSig)) fail('SIG_PUSHONLY');
  const noExec = (): ExecData => ({ codesepPos: 0xffffffff, weightLeft: 0 });
  let stack: Uint8Array[] = [];
  evalScript(stack, scriptSig, flags, checker, SigVersion.BASE, noExec());
  const stackCopy = flags & F.P2SH ? stack.slice() : [];
  evalScript(stack, scriptPubKey, flags, checker, SigVersion.BASE, noExec());
  if (stack.length === 0 || !castToBool(stack[stack.length - 1])) fail('EVAL_FALSE');

  if (flags & F.WITNESS) {
    const wp = witnessProgram(scriptPubKey);
    if (wp) {
      hadWitness = true;
      // BIP141: "The scriptSig must be exactly empty or validation fails".
      if (scriptSig.length !== 0) fail('WITNESS_MALLEATED');
      verifyWitnessProgram(witness, wp.version, wp.program, flags, checker, false);
      stack.length = 1;
    }
  }

  if (flags & F.P2SH && isP2SH(scriptPubKey)) {
    // BIP16: "the scriptSig must contain only push operations".
    if (!isPushOnly(scriptSig)) fail('SIG_PUSHONLY');
    stack = stackCopy;
    const redeemScript = stack.pop()!;
    evalScript(stack, redeemScript, flags, checker, SigVersion.BASE, noExec());
    if (stack.length === 0 || !castToBool(stack[stack.length - 1])) fail('EVAL_FALSE');
    if (flags & F.WITNESS) {
      const wp = witnessProgram(redeemScript);
      if (wp) {
        hadWitness = true;
        // BIP141: "The scriptSig must be exactly a push of the BIP16 redeemScript".
        if (!equalBytes(scriptSig, pushData(redeemScript))) fail('WITNESS_MALLEATED_P2SH');
        verifyWitnessProgram(witness, wp.version, wp.program, flags, checker, true);
        stack.length = 1;
      }
    }
  }

  if (flags & F.CLEANSTACK && stack.length !== 1) fail('CLEANSTACK');
  if (flags & F.WITNESS && !hadWitness && witness.length !== 0) fail('WITNESS_UNEXPECTED');
}

/**
 * verifyInput verifies input `inputIndex` of `tx` against the outputs it spends (all of
 * them, in input order, so that taproot sighashes can be computed). Pass `cache` (from
 * precomputeTxData(tx, prevouts)) when verifying several inputs of one transaction.
 */
export function verifyInput(tx: Tx, inputIndex: number, prevouts: TxOut[], flags: number, cache?: TxSigHashCache): ScriptResult {
  const input = tx.inputs[inputIndex];
  const prev = prevouts[inputIndex];
  if (!input || !prev) return { ok: false, error: 'UNKNOWN_ERROR' };
  const full = prevouts.length === tx.inputs.length;
  return verifyScript(input.scriptSig, prev.script, input.witness, flags, {
    tx,
    inputIndex,
    amount: prev.value,
    prevouts: full ? prevouts : undefined,
    cache,
  });
}

/** verifyTx verifies every input, sharing the sighash midstates; reports the first failing input. */
export function verifyTx(tx: Tx, prevouts: TxOut[], flags: number): { ok: true } | { ok: false; inputIndex: number; error: string } {
  const cache = precomputeTxData(tx, prevouts.length === tx.inputs.length ? prevouts : undefined);
  for (let i = 0; i < tx.inputs.length; i++) {
    const r = verifyInput(tx, i, prevouts, flags, cache);
    if (!r.ok) return { ok: false, inputIndex: i, error: r.error };
  }
  return { ok: true };
}
