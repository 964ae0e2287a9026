/**
 * Signature opcodes of the evaluator: OP_CHECKSIG(VERIFY), OP_CHECKSIGADD's check and
 * OP_CHECKMULTISIG(VERIFY), with legacy FindAndDelete (Core's EvalChecksigPreTapscript,
 * EvalChecksigTapscript and the CHECKMULTISIG case of EvalScript).
 */
import { concatBytes } from '../lib/bytes.ts';
import { pushData, readOp, scriptNumDecode } from './script.ts';
import { SCRIPT_VERIFY as F } from './script-flags.ts';
import { MAX_OPS_PER_SCRIPT, MAX_PUBKEYS_PER_MULTISIG, SigVersion, VALIDATION_WEIGHT_PER_SIGOP_PASSED, fail, type ExecData } from './script-constants.ts';
import { SignatureChecker, checkPubKeyEncoding, checkSignatureEncoding } from './signature-checker.ts';

const VCH_TRUE = Uint8Array.of(1);
const VCH_FALSE = new Uint8Array(0);

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
  return { script: concatBytes(...parts), found };
}

/** EvalChecksigPreTapscript / EvalChecksigTapscript; returns whether the signature was valid. */
export function evalChecksig(
  sig: Uint8Array,
  pub: Uint8Array,
  script: Uint8Array,
  codeHashStart: number,
  exec: ExecData,
  flags: number,
  checker: SignatureChecker,
  sigversion: SigVersion,
): boolean {
  if (sigversion === SigVersion.TAPSCRIPT) {
    const success = sig.length !== 0;
    if (success) {
      // BIP342: each executed signature check with a non-empty signature costs 50 of the
      // validation-weight budget; going below zero fails the script.
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
  // BIP146 NULLFAIL: a failed signature check is only allowed with an empty signature.
  if (!ok && flags & F.NULLFAIL && sig.length) fail('NULLFAIL');
  return ok;
}

/**
 * opCheckMultisig executes OP_CHECKMULTISIG(VERIFY) up to pushing its result (Core's
 * EvalScript case): key and signature counts, FindAndDelete in legacy scripts, the in-order
 * signature matching, NULLFAIL (BIP146) and the extra dummy element (NULLDUMMY, BIP147).
 * Returns whether it succeeded and the op count including the keys.
 */
export function opCheckMultisig(
  stack: Uint8Array[],
  script: Uint8Array,
  codeHashStart: number,
  opCountIn: number,
  flags: number,
  checker: SignatureChecker,
  sigversion: SigVersion,
): { success: boolean; opCount: number } {
  const need = (n: number): void => {
    if (stack.length < n) fail('INVALID_STACK_OPERATION');
  };
  const top = (i: number): Uint8Array => stack[stack.length + i];
  const num = (v: Uint8Array): bigint => scriptNumDecode(v, 4, (flags & F.MINIMALDATA) !== 0);
  let opCount = opCountIn;
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
  return { success, opCount };
}
