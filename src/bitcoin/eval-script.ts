/**
 * The script evaluator (Core's EvalScript): runs one script on a stack under a signature
 * version and a set of flags. Failures are thrown as ScriptFailure with Core's error names
 * and turned into results by interpreter.ts.
 */
import { equalBytes } from '../lib/index.ts';
import { hash160, ripemd160, sha1, sha256, sha256d } from '../crypto/index.ts';
import { OP } from './opcodes.ts';
import { readOp, scriptNumDecode, scriptNumEncode, ScriptNumError } from './script.ts';
import { SCRIPT_VERIFY as F } from './script-flags.ts';
import {
  MAX_OPS_PER_SCRIPT,
  MAX_SCRIPT_ELEMENT_SIZE,
  MAX_SCRIPT_SIZE,
  MAX_STACK_SIZE,
  SEQUENCE_LOCKTIME_DISABLE_FLAG,
  SigVersion,
  fail,
  type ExecData,
} from './script-constants.ts';
import type { SignatureChecker } from './signature-checker.ts';
import { evalChecksig, opCheckMultisig } from './eval-checksig.ts';

/** Opcodes disabled since 2010 (CVE-2010-5137): their presence fails a script, executed or not. */
const DISABLED: boolean[] = (() => {
  const t: boolean[] = new Array(256).fill(false);
  for (const op of [OP.OP_CAT, OP.OP_SUBSTR, OP.OP_LEFT, OP.OP_RIGHT, OP.OP_INVERT, OP.OP_AND, OP.OP_OR, OP.OP_XOR, OP.OP_2MUL, OP.OP_2DIV, OP.OP_MUL, OP.OP_DIV, OP.OP_MOD, OP.OP_LSHIFT, OP.OP_RSHIFT]) t[op] = true;
  return t;
})();

const VCH_TRUE = Uint8Array.of(1);
const VCH_FALSE = new Uint8Array(0);

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

/**
 * evalScript runs one script on a stack (Core's EvalScript). It throws ScriptFailure on
 * failure; on success the stack holds the result. Script numbers that overflow or are not
 * minimal (under MINIMALDATA) fail with UNKNOWN_ERROR, as Core's scriptnum_error does.
 */
export function evalScript(stack: Uint8Array[], script: Uint8Array, flags: number, checker: SignatureChecker, sigversion: SigVersion, exec: ExecData): void {
  try {
    evalScriptInner(stack, script, flags, checker, sigversion, exec);
  } catch (e) {
    if (e instanceof ScriptNumError) fail('UNKNOWN_ERROR');
    throw e;
  }
}

function evalScriptInner(stack: Uint8Array[], script: Uint8Array, flags: number, checker: SignatureChecker, sigversion: SigVersion, exec: ExecData): void {
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
    if (DISABLED[opcode]) fail('DISABLED_OPCODE'); // CVE-2010-5137
    if (opcode === OP.OP_CODESEPARATOR && sigversion === SigVersion.BASE && flags & F.CONST_SCRIPTCODE) fail('OP_CODESEPARATOR');

    if (fExec && opcode <= OP.OP_PUSHDATA4) {
      if (requireMinimal && !checkMinimalPush(op.data!, opcode)) fail('MINIMALDATA');
      stack.push(op.data!);
    } else if (fExec && (opcode === OP.OP_1NEGATE || (opcode >= OP.OP_1 && opcode <= OP.OP_16))) {
      // These push the number they name; always the minimal encoding.
      stack.push(scriptNumEncode(opcode - (OP.OP_1 - 1)));
    } else if (fExec || (opcode >= OP.OP_IF && opcode <= OP.OP_ENDIF)) {
      switch (opcode) {
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
          // BIP112: an operand with the disable flag (1 << 31) set makes the opcode a NOP.
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
              // BIP342: the OP_IF/OP_NOTIF argument must be empty or exactly 0x01 (consensus).
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
          const r = opCheckMultisig(stack, script, codeHashStart, opCount, flags, checker, sigversion);
          opCount = r.opCount;
          if (opcode === OP.OP_CHECKMULTISIGVERIFY) {
            if (r.success) stack.pop();
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
