/**
 * Bitcoin scripts as data: building (with minimal pushes), parsing into chunks, script
 * numbers (CScriptNum), Bitcoin Core's asm format both ways, and the standard output
 * templates (P2PKH, P2SH, P2WPKH, P2WSH, P2TR).
 */
import { DecodeError, concatBytes, fromHex, toHex, utf8 } from '../lib/index.ts';
import { sha256 } from '../crypto/index.ts';
import { OP, OP_NAMES } from './opcodes.ts';

export { OP, OP_NAMES } from './opcodes.ts';

/** A script element: an opcode byte, or the data of a push. */
export type ScriptChunk = number | Uint8Array;

/**
 * pushData encodes one data push with the smallest push opcode for its length (the
 * "CScript << vector" encoding). It does not turn one-byte values into OP_n.
 */
export function pushData(data: Uint8Array): Uint8Array {
  const n = data.length;
  let head: Uint8Array;
  if (n < OP.OP_PUSHDATA1) head = Uint8Array.of(n);
  else if (n <= 0xff) head = Uint8Array.of(OP.OP_PUSHDATA1, n);
  else if (n <= 0xffff) head = Uint8Array.of(OP.OP_PUSHDATA2, n & 0xff, n >>> 8);
  else head = Uint8Array.of(OP.OP_PUSHDATA4, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
  return concatBytes(head, data);
}

/**
 * minimalPush encodes a data push the way the MINIMALDATA rule (BIP62) demands: empty → OP_0,
 * a single byte 1..16 → OP_1..OP_16, 0x81 → OP_1NEGATE, otherwise the shortest push.
 */
export function minimalPush(data: Uint8Array): Uint8Array {
  if (data.length === 0) return Uint8Array.of(OP.OP_0);
  if (data.length === 1 && data[0] >= 1 && data[0] <= 16) return Uint8Array.of(OP.OP_1 + data[0] - 1);
  if (data.length === 1 && data[0] === 0x81) return Uint8Array.of(OP.OP_1NEGATE);
  return pushData(data);
}

/**
 * compileScript serializes chunks: numbers are opcodes written as-is, byte arrays are pushed
 * minimally (see minimalPush), so `compileScript([scriptNumEncode(5)])` yields OP_5.
 */
export function compileScript(chunks: ScriptChunk[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    if (typeof c === 'number') {
      if (!Number.isInteger(c) || c < 0 || c > 0xff) throw new RangeError(`bad opcode ${c}`);
      parts.push(Uint8Array.of(c));
    } else parts.push(minimalPush(c));
  }
  return concatBytes(...parts);
}

/** One parsed script operation: its opcode, its push data (if a push) and where it ends. */
export interface ScriptOp {
  opcode: number;
  data: Uint8Array | null;
  end: number;
}

/**
 * readOp parses the operation at `pos` (Core's GetScriptOp), or returns null when a push is
 * truncated. Callers treat null as a bad opcode.
 */
export function readOp(script: Uint8Array, pos: number): ScriptOp | null {
  const opcode = script[pos++];
  if (opcode > OP.OP_PUSHDATA4) return { opcode, data: null, end: pos };
  let n: number;
  if (opcode < OP.OP_PUSHDATA1) n = opcode;
  else if (opcode === OP.OP_PUSHDATA1) {
    if (pos + 1 > script.length) return null;
    n = script[pos];
    pos += 1;
  } else if (opcode === OP.OP_PUSHDATA2) {
    if (pos + 2 > script.length) return null;
    n = script[pos] | (script[pos + 1] << 8);
    pos += 2;
  } else {
    if (pos + 4 > script.length) return null;
    n = (script[pos] | (script[pos + 1] << 8) | (script[pos + 2] << 16) | (script[pos + 3] << 24)) >>> 0;
    pos += 4;
  }
  if (pos + n > script.length) return null;
  return { opcode, data: script.subarray(pos, pos + n), end: pos + n };
}

/**
 * decompileScript splits a script into chunks: push operations become their data (OP_0
 * stays the opcode 0), other opcodes their byte. A truncated push throws DecodeError.
 */
export function decompileScript(script: Uint8Array): ScriptChunk[] {
  const out: ScriptChunk[] = [];
  let pos = 0;
  while (pos < script.length) {
    const op = readOp(script, pos);
    if (!op) throw new DecodeError(`truncated push at offset ${pos}`);
    if (op.data && op.opcode !== OP.OP_0) out.push(op.data.slice());
    else out.push(op.opcode);
    pos = op.end;
  }
  return out;
}

/**
 * scriptNumEncode serializes a number as a script integer (Core's CScriptNum::serialize):
 * little-endian magnitude with the sign in the top bit, minimal length, 0 as empty.
 */
export function scriptNumEncode(n: bigint | number): Uint8Array {
  let v = BigInt(n);
  if (v === 0n) return new Uint8Array(0);
  const neg = v < 0n;
  if (neg) v = -v;
  const out: number[] = [];
  while (v > 0n) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  if (out[out.length - 1] & 0x80) out.push(neg ? 0x80 : 0);
  else if (neg) out[out.length - 1] |= 0x80;
  return Uint8Array.from(out);
}

/** ScriptNumError is thrown by scriptNumDecode for an overlong or non-minimal number. */
export class ScriptNumError extends DecodeError {
  constructor(
    readonly reason: 'overflow' | 'nonminimal',
    message: string,
  ) {
    super(message);
  }
}

/** isMinimalScriptNum applies CScriptNum's minimal-encoding rule. */
export function isMinimalScriptNum(b: Uint8Array): boolean {
  if (b.length === 0) return true;
  // "If the most-significant-byte - excluding the sign bit - is zero then we're not minimal.
  // Note how this test also rejects the negative-zero encoding, 0x80."
  if ((b[b.length - 1] & 0x7f) === 0) {
    if (b.length <= 1 || (b[b.length - 2] & 0x80) === 0) return false;
  }
  return true;
}

/**
 * scriptNumDecode reads a script integer of at most maxLen bytes (4 for arithmetic, 5 for
 * lock times), optionally requiring the minimal encoding (MINIMALDATA). Throws
 * ScriptNumError (a DecodeError) otherwise.
 */
export function scriptNumDecode(b: Uint8Array, maxLen = 4, requireMinimal = false): bigint {
  if (b.length > maxLen) throw new ScriptNumError('overflow', 'script number overflow');
  if (requireMinimal && !isMinimalScriptNum(b)) throw new ScriptNumError('nonminimal', 'non-minimally encoded script number');
  if (b.length === 0) return 0n;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(i === b.length - 1 ? b[i] & 0x7f : b[i]);
  return b[b.length - 1] & 0x80 ? -v : v;
}

/** pushInt encodes a number push as Core's `CScript << int64` does (OP_0, OP_1NEGATE, OP_1..16, else data). */
export function pushInt(n: bigint | number): Uint8Array {
  const v = BigInt(n);
  if (v === 0n) return Uint8Array.of(OP.OP_0);
  if (v === -1n || (v >= 1n && v <= 16n)) return Uint8Array.of(OP.OP_1 + Number(v) - 1);
  return pushData(scriptNumEncode(v));
}

/**
 * disassemble renders a script in Bitcoin Core's asm style (ScriptToAsmStr): pushes of up to
 * 4 bytes as decimal numbers, longer pushes as hex, opcodes by name; "[error]" on a bad push.
 */
export function disassemble(script: Uint8Array): string {
  const out: string[] = [];
  let pos = 0;
  while (pos < script.length) {
    const op = readOp(script, pos);
    if (!op) {
      out.push('[error]');
      break;
    }
    if (op.data) {
      out.push(op.data.length <= 4 ? scriptNumDecode(op.data, 4).toString() : toHex(op.data));
    } else out.push(OP_NAMES[op.opcode]);
    pos = op.end;
  }
  return out.join(' ');
}

let asmNames: Map<string, number> | null = null;
function asmOpNames(): Map<string, number> {
  if (asmNames) return asmNames;
  const m = new Map<string, number>();
  // Core's ParseScript: every opcode from OP_NOP up (and OP_RESERVED), by name with and
  // without the OP_ prefix.
  for (let op = 0; op <= OP.OP_CHECKSIGADD; op++) {
    if (op < OP.OP_NOP && op !== OP.OP_RESERVED) continue;
    const name = OP_NAMES[op];
    if (name === 'OP_UNKNOWN') continue;
    m.set(name, op);
    if (name.startsWith('OP_')) m.set(name.slice(3), op);
  }
  m.set('OP_NOP2', OP.OP_NOP2).set('NOP2', OP.OP_NOP2).set('OP_NOP3', OP.OP_NOP3).set('NOP3', OP.OP_NOP3);
  asmNames = m;
  return m;
}

/**
 * parseAsm parses the script notation of Bitcoin Core's test data (core_read.cpp
 * ParseScript): decimal numbers pushed as `CScript << int64`, `0x..` hex inserted raw,
 * `'text'` pushed as data, and opcode names with or without the OP_ prefix.
 */
export function parseAsm(asm: string): Uint8Array {
  const parts: Uint8Array[] = [];
  const names = asmOpNames();
  for (const w of asm.split(/[ \t\n]+/)) {
    if (w === '') continue;
    if (/^-?[0-9]+$/.test(w) && w !== '-') {
      const n = BigInt(w);
      if (n > 0xffffffffn || n < -0xffffffffn) throw new DecodeError(`number out of range: ${w}`);
      parts.push(pushInt(n));
    } else if (w.startsWith('0x') && w.length > 2 && /^[0-9a-fA-F]+$/.test(w.slice(2)) && w.length % 2 === 0) {
      parts.push(fromHex(w.slice(2)));
    } else if (w.length >= 2 && w.startsWith("'") && w.endsWith("'")) {
      parts.push(pushData(utf8(w.slice(1, -1))));
    } else if (names.has(w)) {
      parts.push(Uint8Array.of(names.get(w)!));
    } else {
      throw new DecodeError(`script parse error: '${w}'`);
    }
  }
  return concatBytes(...parts);
}

/** p2pkhScript: OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG. */
export function p2pkhScript(h20: Uint8Array): Uint8Array {
  if (h20.length !== 20) throw new RangeError('p2pkh needs a 20-byte hash');
  return concatBytes(Uint8Array.of(OP.OP_DUP, OP.OP_HASH160, 20), h20, Uint8Array.of(OP.OP_EQUALVERIFY, OP.OP_CHECKSIG));
}

/** p2shScript: OP_HASH160 <20> OP_EQUAL (BIP16). */
export function p2shScript(h20: Uint8Array): Uint8Array {
  if (h20.length !== 20) throw new RangeError('p2sh needs a 20-byte hash');
  return concatBytes(Uint8Array.of(OP.OP_HASH160, 20), h20, Uint8Array.of(OP.OP_EQUAL));
}

/** p2wpkhScript: OP_0 <20-byte key hash> (BIP141). */
export function p2wpkhScript(pubkeyHash20: Uint8Array): Uint8Array {
  if (pubkeyHash20.length !== 20) throw new RangeError('p2wpkh needs a 20-byte hash');
  return concatBytes(Uint8Array.of(OP.OP_0, 20), pubkeyHash20);
}

/** p2wshScript: OP_0 <SHA256(witnessScript)> (BIP141). Takes the witness script itself. */
export function p2wshScript(witnessScript: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(OP.OP_0, 32), sha256(witnessScript));
}

/** p2trScript: OP_1 <32-byte x-only output key> (BIP341). */
export function p2trScript(xonly32: Uint8Array): Uint8Array {
  if (xonly32.length !== 32) throw new RangeError('p2tr needs a 32-byte x-only key');
  return concatBytes(Uint8Array.of(OP.OP_1, 32), xonly32);
}

/**
 * witnessProgram returns the version and program of a segwit output script, or null. BIP141
 * defines it as a one-byte push of the version (OP_0 or OP_1..OP_16) followed by one direct
 * data push of 2 to 40 bytes (Core's IsWitnessProgram).
 */
export function witnessProgram(script: Uint8Array): { version: number; program: Uint8Array } | null {
  if (script.length < 4 || script.length > 42) return null;
  const v = script[0];
  if (v !== OP.OP_0 && (v < OP.OP_1 || v > OP.OP_16)) return null;
  if (script[1] + 2 !== script.length) return null;
  return { version: v === 0 ? 0 : v - OP.OP_1 + 1, program: script.subarray(2) };
}

/** isP2SH: exactly OP_HASH160 <20> OP_EQUAL (BIP16's template). */
export function isP2SH(script: Uint8Array): boolean {
  return script.length === 23 && script[0] === OP.OP_HASH160 && script[1] === 20 && script[22] === OP.OP_EQUAL;
}

/** isP2PKH: exactly OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG. */
export function isP2PKH(script: Uint8Array): boolean {
  return (
    script.length === 25 &&
    script[0] === OP.OP_DUP &&
    script[1] === OP.OP_HASH160 &&
    script[2] === 20 &&
    script[23] === OP.OP_EQUALVERIFY &&
    script[24] === OP.OP_CHECKSIG
  );
}

/** isPushOnly: every operation is a push (OP_RESERVED and OP_1NEGATE..OP_16 count), as Core's IsPushOnly. */
export function isPushOnly(script: Uint8Array): boolean {
  let pos = 0;
  while (pos < script.length) {
    const op = readOp(script, pos);
    if (!op) return false;
    if (op.opcode > OP.OP_16) return false;
    pos = op.end;
  }
  return true;
}
