/**
 * Script inspection the chain needs outside the interpreter: walking opcodes, the standard
 * output templates (Bitcoin Core's Solver), sigop counting, push-only checks, and Core's
 * assembly rendering for RPC output (ScriptToAsmStr).
 */
import { toHex } from '../../lib/index.ts';

/** One parsed script element. */
export interface ScriptOp {
  op: number;
  /** Push data for opcodes 0..OP_PUSHDATA4. */
  data?: Uint8Array;
}

/** parseScriptOps splits a script into opcodes; null when a push runs past the end (Core's GetOp failure). */
export function parseScriptOps(script: Uint8Array): ScriptOp[] | null {
  const ops: ScriptOp[] = [];
  let p = 0;
  while (p < script.length) {
    const op = script[p++];
    if (op <= 0x4e) {
      let len: number;
      if (op < 0x4c) len = op;
      else if (op === 0x4c) {
        if (p + 1 > script.length) return null;
        len = script[p];
        p += 1;
      } else if (op === 0x4d) {
        if (p + 2 > script.length) return null;
        len = script[p] | (script[p + 1] << 8);
        p += 2;
      } else {
        if (p + 4 > script.length) return null;
        len = (script[p] | (script[p + 1] << 8) | (script[p + 2] << 16) | (script[p + 3] << 24)) >>> 0;
        p += 4;
      }
      if (p + len > script.length) return null;
      ops.push({ op, data: script.subarray(p, p + len) });
      p += len;
    } else ops.push({ op });
  }
  return ops;
}

/** isPushOnly: only push opcodes (including OP_1NEGATE..OP_16 and OP_RESERVED, as Core's IsPushOnly). */
export function isPushOnly(script: Uint8Array): boolean {
  const ops = parseScriptOps(script);
  if (!ops) return false;
  return ops.every((o) => o.op <= 0x60);
}

/** Output types named as Bitcoin Core's GetTxnOutputType does. */
export type OutputType =
  | 'nonstandard'
  | 'pubkey'
  | 'pubkeyhash'
  | 'scripthash'
  | 'multisig'
  | 'nulldata'
  | 'witness_v0_keyhash'
  | 'witness_v0_scripthash'
  | 'witness_v1_taproot'
  | 'anchor'
  | 'witness_unknown';

/** witnessProgram returns {version, program} when the script is a witness program (BIP141). */
export function witnessProgram(script: Uint8Array): { version: number; program: Uint8Array } | null {
  if (script.length < 4 || script.length > 42) return null;
  const v = script[0];
  if (v !== 0 && (v < 0x51 || v > 0x60)) return null;
  if (script[1] + 2 !== script.length) return null;
  return { version: v === 0 ? 0 : v - 0x50, program: script.subarray(2) };
}

/** isP2SH: OP_HASH160 <20> OP_EQUAL. */
export function isP2SH(s: Uint8Array): boolean {
  return s.length === 23 && s[0] === 0xa9 && s[1] === 0x14 && s[22] === 0x87;
}

/** isUnspendable: OP_RETURN-led or larger than MAX_SCRIPT_SIZE (CScript::IsUnspendable). */
export function isUnspendable(s: Uint8Array): boolean {
  return (s.length > 0 && s[0] === 0x6a) || s.length > 10_000;
}

function isValidPubkey(b: Uint8Array): boolean {
  return (b.length === 33 && (b[0] === 2 || b[0] === 3)) || (b.length === 65 && b[0] === 4);
}

/** classifyOutput is Bitcoin Core's Solver, returning the template name (and data where useful). */
export function classifyOutput(s: Uint8Array): { type: OutputType; m?: number; n?: number } {
  if (isP2SH(s)) return { type: 'scripthash' };
  const wp = witnessProgram(s);
  if (wp) {
    if (wp.version === 0 && wp.program.length === 20) return { type: 'witness_v0_keyhash' };
    if (wp.version === 0 && wp.program.length === 32) return { type: 'witness_v0_scripthash' };
    if (wp.version === 1 && wp.program.length === 32) return { type: 'witness_v1_taproot' };
    if (wp.version === 1 && wp.program.length === 2 && wp.program[0] === 0x4e && wp.program[1] === 0x73) return { type: 'anchor' };
    if (wp.version !== 0) return { type: 'witness_unknown' };
    return { type: 'nonstandard' };
  }
  if (s.length >= 1 && s[0] === 0x6a) {
    const rest = s.subarray(1);
    const ops = parseScriptOps(rest);
    if (ops && ops.every((o) => o.op <= 0x60)) return { type: 'nulldata' };
    return { type: 'nonstandard' };
  }
  if ((s.length === 35 && s[0] === 33 && s[34] === 0xac) || (s.length === 67 && s[0] === 65 && s[66] === 0xac)) {
    if (isValidPubkey(s.subarray(1, s.length - 1))) return { type: 'pubkey' };
  }
  if (s.length === 25 && s[0] === 0x76 && s[1] === 0xa9 && s[2] === 0x14 && s[23] === 0x88 && s[24] === 0xac) return { type: 'pubkeyhash' };
  const ops = parseScriptOps(s);
  if (ops && ops.length >= 4 && ops[ops.length - 1].op === 0xae) {
    const m = smallInt(ops[0].op);
    const n = smallInt(ops[ops.length - 2].op);
    const keys = ops.slice(1, -2);
    if (m !== null && n !== null && m >= 1 && n >= m && n <= 20 && keys.length === n && keys.every((k) => k.data && isValidPubkey(k.data))) {
      return { type: 'multisig', m, n };
    }
  }
  return { type: 'nonstandard' };
}

function smallInt(op: number): number | null {
  if (op === 0) return 0;
  if (op >= 0x51 && op <= 0x60) return op - 0x50;
  return null;
}

/**
 * legacySigOps counts signature operations as Core's GetSigOpCount: CHECKSIG(VERIFY) = 1,
 * CHECKMULTISIG(VERIFY) = 20, or (accurate) the key count pushed just before it.
 */
export function legacySigOps(script: Uint8Array, accurate: boolean): number {
  let n = 0;
  let last = 0xff;
  let p = 0;
  while (p < script.length) {
    const op = script[p++];
    if (op <= 0x4e) {
      let len = op;
      if (op === 0x4c) {
        if (p + 1 > script.length) break;
        len = script[p];
        p += 1;
      } else if (op === 0x4d) {
        if (p + 2 > script.length) break;
        len = script[p] | (script[p + 1] << 8);
        p += 2;
      } else if (op === 0x4e) {
        if (p + 4 > script.length) break;
        len = (script[p] | (script[p + 1] << 8) | (script[p + 2] << 16) | (script[p + 3] << 24)) >>> 0;
        p += 4;
      }
      if (p + len > script.length) break;
      p += len;
    } else if (op === 0xac || op === 0xad) n += 1;
    else if (op === 0xae || op === 0xaf) n += accurate && last >= 0x51 && last <= 0x60 ? last - 0x50 : 20;
    last = op;
  }
  return n;
}

/** lastPush returns the data of the final push of a push-only script (P2SH redeemScript). */
export function lastPush(scriptSig: Uint8Array): Uint8Array | null {
  const ops = parseScriptOps(scriptSig);
  if (!ops || ops.length === 0) return null;
  const last = ops[ops.length - 1];
  if (last.op > 0x60) return null;
  return last.data ?? new Uint8Array(0);
}

/**
 * witnessSigOps counts sigops of a witness program spend (Core's WitnessSigOps): 1 for P2WPKH,
 * the accurate count of the witness script for P2WSH, 0 otherwise.
 */
export function witnessSigOps(version: number, program: Uint8Array, witness: Uint8Array[]): number {
  if (version !== 0) return 0;
  if (program.length === 20) return 1;
  if (program.length === 32 && witness.length > 0) return legacySigOps(witness[witness.length - 1], true);
  return 0;
}

/** Opcode names as Bitcoin Core's GetOpName. */
const OP_NAMES: Record<number, string> = {
  0x00: '0', 0x4c: 'OP_PUSHDATA1', 0x4d: 'OP_PUSHDATA2', 0x4e: 'OP_PUSHDATA4', 0x4f: '-1', 0x50: 'OP_RESERVED',
  0x61: 'OP_NOP', 0x62: 'OP_VER', 0x63: 'OP_IF', 0x64: 'OP_NOTIF', 0x65: 'OP_VERIF', 0x66: 'OP_VERNOTIF', 0x67: 'OP_ELSE',
  0x68: 'OP_ENDIF', 0x69: 'OP_VERIFY', 0x6a: 'OP_RETURN', 0x6b: 'OP_TOALTSTACK', 0x6c: 'OP_FROMALTSTACK', 0x6d: 'OP_2DROP',
  0x6e: 'OP_2DUP', 0x6f: 'OP_3DUP', 0x70: 'OP_2OVER', 0x71: 'OP_2ROT', 0x72: 'OP_2SWAP', 0x73: 'OP_IFDUP', 0x74: 'OP_DEPTH',
  0x75: 'OP_DROP', 0x76: 'OP_DUP', 0x77: 'OP_NIP', 0x78: 'OP_OVER', 0x79: 'OP_PICK', 0x7a: 'OP_ROLL', 0x7b: 'OP_ROT',
  0x7c: 'OP_SWAP', 0x7d: 'OP_TUCK', 0x7e: 'OP_CAT', 0x7f: 'OP_SUBSTR', 0x80: 'OP_LEFT', 0x81: 'OP_RIGHT', 0x82: 'OP_SIZE',
  0x83: 'OP_INVERT', 0x84: 'OP_AND', 0x85: 'OP_OR', 0x86: 'OP_XOR', 0x87: 'OP_EQUAL', 0x88: 'OP_EQUALVERIFY',
  0x89: 'OP_RESERVED1', 0x8a: 'OP_RESERVED2', 0x8b: 'OP_1ADD', 0x8c: 'OP_1SUB', 0x8d: 'OP_2MUL', 0x8e: 'OP_2DIV',
  0x8f: 'OP_NEGATE', 0x90: 'OP_ABS', 0x91: 'OP_NOT', 0x92: 'OP_0NOTEQUAL', 0x93: 'OP_ADD', 0x94: 'OP_SUB', 0x95: 'OP_MUL',
  0x96: 'OP_DIV', 0x97: 'OP_MOD', 0x98: 'OP_LSHIFT', 0x99: 'OP_RSHIFT', 0x9a: 'OP_BOOLAND', 0x9b: 'OP_BOOLOR',
  0x9c: 'OP_NUMEQUAL', 0x9d: 'OP_NUMEQUALVERIFY', 0x9e: 'OP_NUMNOTEQUAL', 0x9f: 'OP_LESSTHAN', 0xa0: 'OP_GREATERTHAN',
  0xa1: 'OP_LESSTHANOREQUAL', 0xa2: 'OP_GREATERTHANOREQUAL', 0xa3: 'OP_MIN', 0xa4: 'OP_MAX', 0xa5: 'OP_WITHIN',
  0xa6: 'OP_RIPEMD160', 0xa7: 'OP_SHA1', 0xa8: 'OP_SHA256', 0xa9: 'OP_HASH160', 0xaa: 'OP_HASH256',
  0xab: 'OP_CODESEPARATOR', 0xac: 'OP_CHECKSIG', 0xad: 'OP_CHECKSIGVERIFY', 0xae: 'OP_CHECKMULTISIG',
  0xaf: 'OP_CHECKMULTISIGVERIFY', 0xb0: 'OP_NOP1', 0xb1: 'OP_CHECKLOCKTIMEVERIFY', 0xb2: 'OP_CHECKSEQUENCEVERIFY',
  0xb3: 'OP_NOP4', 0xb4: 'OP_NOP5', 0xb5: 'OP_NOP6', 0xb6: 'OP_NOP7', 0xb7: 'OP_NOP8', 0xb8: 'OP_NOP9', 0xb9: 'OP_NOP10',
  0xba: 'OP_CHECKSIGADD', 0xff: 'OP_INVALIDOPCODE',
};

function opName(op: number): string {
  if (op >= 0x51 && op <= 0x60) return String(op - 0x50);
  return OP_NAMES[op] ?? 'OP_UNKNOWN';
}

/** Sighash type names used in asm (Core's mapSigHashTypes). */
const SIGHASH_NAMES: Record<number, string> = {
  0x01: 'ALL', 0x81: 'ALL|ANYONECANPAY', 0x02: 'NONE', 0x82: 'NONE|ANYONECANPAY', 0x03: 'SINGLE', 0x83: 'SINGLE|ANYONECANPAY',
};

/**
 * isValidSignatureEncoding is BIP66's strict DER check on a signature with its trailing
 * sighash byte (Core's IsValidSignatureEncoding).
 */
export function isValidSignatureEncoding(sig: Uint8Array): boolean {
  if (sig.length < 9 || sig.length > 73) return false;
  if (sig[0] !== 0x30) return false;
  if (sig[1] !== sig.length - 3) return false;
  const lenR = sig[3];
  if (5 + lenR >= sig.length) return false;
  const lenS = sig[5 + lenR];
  if (lenR + lenS + 7 !== sig.length) return false;
  if (sig[2] !== 0x02) return false;
  if (lenR === 0) return false;
  if (sig[4] & 0x80) return false;
  if (lenR > 1 && sig[4] === 0x00 && !(sig[5] & 0x80)) return false;
  if (sig[lenR + 4] !== 0x02) return false;
  if (lenS === 0) return false;
  if (sig[lenR + 6] & 0x80) return false;
  if (lenS > 1 && sig[lenR + 6] === 0x00 && !(sig[lenR + 7] & 0x80)) return false;
  return true;
}

/** scriptNumToString renders a push of at most 4 bytes as Core does in asm (CScriptNum, non-minimal allowed). */
function scriptNumString(b: Uint8Array): string {
  if (b.length === 0) return '0';
  let v = 0n;
  for (let i = 0; i < b.length; i++) v |= BigInt(b[i]) << BigInt(8 * i);
  if (b[b.length - 1] & 0x80) v = -(v & ~(0x80n << BigInt(8 * (b.length - 1))));
  return v.toString();
}

/**
 * scriptToAsm renders a script as Bitcoin Core's ScriptToAsmStr. With `sighashDecode`
 * (used for scriptSigs), pushes that are strictly encoded signatures show their hash type
 * as e.g. `[ALL]`.
 */
export function scriptToAsm(script: Uint8Array, sighashDecode = false): string {
  const parts: string[] = [];
  let p = 0;
  const unspendable = isUnspendable(script);
  while (p < script.length) {
    const op = script[p++];
    if (op <= 0x4e) {
      let len = op;
      let bad = false;
      if (op === 0x4c) {
        if (p + 1 > script.length) bad = true;
        else (len = script[p]), (p += 1);
      } else if (op === 0x4d) {
        if (p + 2 > script.length) bad = true;
        else (len = script[p] | (script[p + 1] << 8)), (p += 2);
      } else if (op === 0x4e) {
        if (p + 4 > script.length) bad = true;
        else (len = (script[p] | (script[p + 1] << 8) | (script[p + 2] << 16) | (script[p + 3] << 24)) >>> 0), (p += 4);
      }
      if (bad || p + len > script.length) {
        parts.push('[error]');
        break;
      }
      const data = script.subarray(p, p + len);
      p += len;
      if (data.length <= 4) parts.push(scriptNumString(data));
      else if (sighashDecode && !unspendable && isValidSignatureEncoding(data) && SIGHASH_NAMES[data[data.length - 1]]) {
        parts.push(toHex(data.subarray(0, data.length - 1)) + '[' + SIGHASH_NAMES[data[data.length - 1]] + ']');
      } else parts.push(toHex(data));
    } else parts.push(opName(op));
  }
  return parts.join(' ');
}
