/**
 * Signature-operation counting, for the block sigop limit (Core's GetSigOpCount,
 * GetLegacySigOpCount, GetP2SHSigOpCount, CountWitnessSigOps, GetTransactionSigOpCost).
 */
import { OP } from './opcodes.ts';
import { isP2SH, isPushOnly, readOp, witnessProgram } from './script.ts';
import { SCRIPT_VERIFY } from './script-flags.ts';
import { MAX_PUBKEYS_PER_MULTISIG } from './script-constants.ts';
import { isCoinbaseTx, type Tx, type TxOut } from './tx.ts';

/** Core's MAX_BLOCK_SIGOPS_COST (BIP141). */
export const MAX_BLOCK_SIGOPS_COST = 80000;
const WITNESS_SCALE_FACTOR = 4;

/**
 * countSigOps counts CHECKSIG-type operations in a script. Inaccurate mode counts each
 * CHECKMULTISIG as 20; accurate mode (P2SH redeem scripts, witness scripts) uses the
 * preceding OP_1..OP_16 key count when there is one.
 */
export function countSigOps(script: Uint8Array, accurate: boolean): number {
  let n = 0;
  let last = OP.OP_INVALIDOPCODE as number;
  let pc = 0;
  while (pc < script.length) {
    const op = readOp(script, pc);
    if (!op) break;
    pc = op.end;
    const o = op.opcode;
    if (o === OP.OP_CHECKSIG || o === OP.OP_CHECKSIGVERIFY) n++;
    else if (o === OP.OP_CHECKMULTISIG || o === OP.OP_CHECKMULTISIGVERIFY) {
      n += accurate && last >= OP.OP_1 && last <= OP.OP_16 ? last - OP.OP_1 + 1 : MAX_PUBKEYS_PER_MULTISIG;
    }
    last = o;
  }
  return n;
}

/** lastPush returns the data of the last push of a push-only script (empty for OP_n), or null. */
function lastPush(scriptSig: Uint8Array): Uint8Array | null {
  let pc = 0;
  let data: Uint8Array = new Uint8Array(0);
  while (pc < scriptSig.length) {
    const op = readOp(scriptSig, pc);
    if (!op || op.opcode > OP.OP_16) return null;
    data = op.data ?? new Uint8Array(0);
    pc = op.end;
  }
  return data;
}

/** p2shSigOps: the accurate sigop count of the redeem script a P2SH spend reveals (0 otherwise). */
export function p2shSigOps(scriptSig: Uint8Array, scriptPubKey: Uint8Array): number {
  if (!isP2SH(scriptPubKey)) return countSigOps(scriptPubKey, true);
  const redeem = lastPush(scriptSig);
  return redeem ? countSigOps(redeem, true) : 0;
}

function witnessSigOps(version: number, program: Uint8Array, witness: Uint8Array[]): number {
  if (version === 0) {
    if (program.length === 20) return 1;
    if (program.length === 32 && witness.length > 0) return countSigOps(witness[witness.length - 1], true);
  }
  return 0;
}

/** countWitnessSigOps is Core's CountWitnessSigOps: sigops of a segwit v0 spend, native or P2SH-wrapped. */
export function countWitnessSigOps(scriptSig: Uint8Array, scriptPubKey: Uint8Array, witness: Uint8Array[], flags: number): number {
  if (!(flags & SCRIPT_VERIFY.WITNESS)) return 0;
  const wp = witnessProgram(scriptPubKey);
  if (wp) return witnessSigOps(wp.version, wp.program, witness);
  if (isP2SH(scriptPubKey) && isPushOnly(scriptSig)) {
    const redeem = lastPush(scriptSig);
    const inner = redeem ? witnessProgram(redeem) : null;
    if (inner) return witnessSigOps(inner.version, inner.program, witness);
  }
  return 0;
}

/** legacySigOpCount is Core's GetLegacySigOpCount: inaccurate counts over every scriptSig and output script. */
export function legacySigOpCount(tx: Tx): number {
  let n = 0;
  for (const i of tx.inputs) n += countSigOps(i.scriptSig, false);
  for (const o of tx.outputs) n += countSigOps(o.script, false);
  return n;
}

/**
 * txSigOpCost is Core's GetTransactionSigOpCost: legacy and P2SH sigops weigh 4, witness
 * sigops 1 (BIP141). `prevouts` are the spent outputs in input order (ignored for a coinbase).
 */
export function txSigOpCost(tx: Tx, prevouts: TxOut[], flags: number): number {
  let cost = legacySigOpCount(tx) * WITNESS_SCALE_FACTOR;
  if (isCoinbaseTx(tx)) return cost;
  tx.inputs.forEach((input, i) => {
    const prev = prevouts[i];
    if (flags & SCRIPT_VERIFY.P2SH && isP2SH(prev.script)) cost += p2shSigOps(input.scriptSig, prev.script) * WITNESS_SCALE_FACTOR;
    cost += countWitnessSigOps(input.scriptSig, prev.script, input.witness, flags);
  });
  return cost;
}
