/**
 * Script inspection the chain needs beyond the bitcoin layer: the standard output templates
 * (Bitcoin Core's Solver), the last push of a scriptSig, unspendable outputs, and Core's
 * asm rendering with sighash decoding for scriptSigs (ScriptToAsmStr). Opcode walking,
 * witness programs, push-only checks, sigop counting and the DER check come from
 * src/bitcoin (one implementation, checked against Core's test data there).
 */
import { toHex } from '../../lib/index.ts';
import { OP, OP_NAMES, isP2SH, isValidSignatureEncoding, readOp, scriptNumDecode, witnessProgram } from '../../bitcoin/index.ts';

/** One parsed script element: its opcode and, for pushes, the data. */
export interface ScriptElement {
  op: number;
  /** Push data for opcodes 0..OP_PUSHDATA4. */
  data?: Uint8Array;
}

/** parseScriptOps splits a script into opcodes; null when a push runs past the end (Core's GetOp failure). */
export function parseScriptOps(script: Uint8Array): ScriptElement[] | null {
  const ops: ScriptElement[] = [];
  let pos = 0;
  while (pos < script.length) {
    const op = readOp(script, pos);
    if (!op) return null;
    ops.push(op.data ? { op: op.opcode, data: op.data } : { op: op.opcode });
    pos = op.end;
  }
  return ops;
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

/** isUnspendable: OP_RETURN-led or larger than MAX_SCRIPT_SIZE (CScript::IsUnspendable). */
export function isUnspendable(s: Uint8Array): boolean {
  return (s.length > 0 && s[0] === OP.OP_RETURN) || s.length > 10_000;
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
  if (s.length >= 1 && s[0] === OP.OP_RETURN) {
    const ops = parseScriptOps(s.subarray(1));
    if (ops && ops.every((o) => o.op <= OP.OP_16)) return { type: 'nulldata' };
    return { type: 'nonstandard' };
  }
  if ((s.length === 35 && s[0] === 33 && s[34] === OP.OP_CHECKSIG) || (s.length === 67 && s[0] === 65 && s[66] === OP.OP_CHECKSIG)) {
    if (isValidPubkey(s.subarray(1, s.length - 1))) return { type: 'pubkey' };
  }
  if (s.length === 25 && s[0] === OP.OP_DUP && s[1] === OP.OP_HASH160 && s[2] === 20 && s[23] === OP.OP_EQUALVERIFY && s[24] === OP.OP_CHECKSIG) {
    return { type: 'pubkeyhash' };
  }
  const ops = parseScriptOps(s);
  if (ops && ops.length >= 4 && ops[ops.length - 1].op === OP.OP_CHECKMULTISIG) {
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
  if (op === OP.OP_0) return 0;
  if (op >= OP.OP_1 && op <= OP.OP_16) return op - OP.OP_1 + 1;
  return null;
}

/**
 * lastPush returns the data of the final push of a scriptSig (the P2SH redeemScript relay
 * policy inspects), or null when the script is empty, malformed or ends in a non-push.
 * OP_1NEGATE..OP_16 give an empty array. Consensus sigop counting does not use this: it
 * uses the bitcoin layer's `p2shSigOps`, which (as Core) also requires every op to be a push.
 */
export function lastPush(scriptSig: Uint8Array): Uint8Array | null {
  const ops = parseScriptOps(scriptSig);
  if (!ops || ops.length === 0) return null;
  const last = ops[ops.length - 1];
  if (last.op > OP.OP_16) return null;
  return last.data ?? new Uint8Array(0);
}

/** Sighash type names used in asm (Core's mapSigHashTypes). */
const SIGHASH_NAMES: Record<number, string> = {
  0x01: 'ALL', 0x81: 'ALL|ANYONECANPAY', 0x02: 'NONE', 0x82: 'NONE|ANYONECANPAY', 0x03: 'SINGLE', 0x83: 'SINGLE|ANYONECANPAY',
};

/**
 * scriptToAsm renders a script as Bitcoin Core's ScriptToAsmStr: the bitcoin layer's
 * `disassemble`, plus, with `sighashDecode` (used for scriptSigs), pushes that are strictly
 * encoded signatures show their hash type as e.g. `[ALL]`.
 */
export function scriptToAsm(script: Uint8Array, sighashDecode = false): string {
  const parts: string[] = [];
  const unspendable = isUnspendable(script);
  let pos = 0;
  while (pos < script.length) {
    const op = readOp(script, pos);
    if (!op) {
      parts.push('[error]');
      break;
    }
    pos = op.end;
    const data = op.data;
    if (!data) parts.push(OP_NAMES[op.opcode]);
    else if (data.length <= 4) parts.push(scriptNumDecode(data, 4).toString());
    else if (sighashDecode && !unspendable && isValidSignatureEncoding(data) && SIGHASH_NAMES[data[data.length - 1]]) {
      parts.push(toHex(data.subarray(0, data.length - 1)) + '[' + SIGHASH_NAMES[data[data.length - 1]] + ']');
    } else parts.push(toHex(data));
  }
  return parts.join(' ');
}
