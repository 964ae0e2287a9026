/**
 * The consensus script interpreter's entry points: VerifyScript (legacy, P2SH per BIP16,
 * segwit v0 per BIP141/143, taproot per BIP341/342, pay-to-anchor) and per-input and
 * per-transaction helpers. Follows Bitcoin Core's src/script/interpreter.cpp step by step
 * so that error names match Core's. Pure: signature checks go through the crypto facade.
 */
import { equalBytes } from '../lib/index.ts';
import { sha256 } from '../crypto/index.ts';
import { OP } from './opcodes.ts';
import { isP2SH, isPushOnly, pushData, readOp, witnessProgram } from './script.ts';
import { SCRIPT_VERIFY as F } from './script-flags.ts';
import { ScriptFailure, type ScriptResult } from './script-error.ts';
import { precomputeTxData } from './sighash.ts';
import type { TxSigHashCache } from './sighash-flags.ts';
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
import { compactSizeLength } from './compact-size.ts';
import type { Tx, TxOut } from './tx.ts';
import { MAX_SCRIPT_ELEMENT_SIZE, MAX_STACK_SIZE, SigVersion, VALIDATION_WEIGHT_OFFSET, fail, type ExecData, type SpendContext } from './script-constants.ts';
import { SignatureChecker } from './signature-checker.ts';
import { castToBool, evalScript } from './eval-script.ts';

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

function serializedWitnessSize(stack: Uint8Array[]): number {
  let n = compactSizeLength(stack.length);
  for (const s of stack) n += compactSizeLength(s.length) + s.length;
  return n;
}

/** ExecuteWitnessScript: run a P2WSH/P2WPKH/tapscript script on its witness stack. */
function executeWitnessScript(stackIn: Uint8Array[], script: Uint8Array, flags: number, sigversion: SigVersion, checker: SignatureChecker, exec: ExecData): void {
  const stack = stackIn.slice();
  if (sigversion === SigVersion.TAPSCRIPT) {
    // BIP342: any OP_SUCCESSx opcode in the script makes validation succeed at once, checked
    // before anything else (only an undecodable script before it fails).
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
function verifyWitnessProgram(witness: Uint8Array[], version: number, program: Uint8Array, flags: number, checker: SignatureChecker, isP2sh: boolean): void {
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
      // BIP141: a P2WPKH witness is exactly two items, signature and public key.
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
    verifyScriptOrThrow(scriptSig, scriptPubKey, witness, flags, new SignatureChecker(ctx));
    return { ok: true };
  } catch (e) {
    if (e instanceof ScriptFailure) return { ok: false, error: e.error };
    throw e;
  }
}

function verifyScriptOrThrow(scriptSig: Uint8Array, scriptPubKey: Uint8Array, witness: Uint8Array[], flags: number, checker: SignatureChecker): void {
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
      // BIP141: a native witness program spend must have an empty scriptSig.
      if (scriptSig.length !== 0) fail('WITNESS_MALLEATED');
      verifyWitnessProgram(witness, wp.version, wp.program, flags, checker, false);
      stack.length = 1;
    }
  }

  if (flags & F.P2SH && isP2SH(scriptPubKey)) {
    // BIP16: a P2SH spend's scriptSig may contain push operations only.
    if (!isPushOnly(scriptSig)) fail('SIG_PUSHONLY');
    stack = stackCopy;
    const redeemScript = stack.pop()!;
    evalScript(stack, redeemScript, flags, checker, SigVersion.BASE, noExec());
    if (stack.length === 0 || !castToBool(stack[stack.length - 1])) fail('EVAL_FALSE');
    if (flags & F.WITNESS) {
      const wp = witnessProgram(redeemScript);
      if (wp) {
        hadWitness = true;
        // BIP141: a P2SH-wrapped witness program's scriptSig is exactly one push of the redeemScript.
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
