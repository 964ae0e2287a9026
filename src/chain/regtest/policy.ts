/**
 * Relay policy (Bitcoin Core 30's policy/policy.cpp and policy/ephemeral_policy.cpp): standard transactions and outputs,
 * dust thresholds, standard inputs and witnesses, and fee arithmetic.
 */
import { compactSizeLength, countSigOps, isP2SH, isPushOnly, witnessProgram, type Tx, type TxOut } from '../../bitcoin/index.ts';
import { POLICY } from './params.ts';
import type { TxData } from './tx-data.ts';
import type { Coin } from './utxo.ts';
import { classifyOutput, isUnspendable, lastPush } from './script-info.ts';

/** feeAt is the fee of `vsize` virtual bytes at `perKvb` sat per 1000 vB (CFeeRate::GetFee, rounded up). */
export function feeAt(perKvb: bigint, vsize: number): bigint {
  const v = BigInt(vsize);
  return (perKvb * v + 999n) / 1000n;
}

/** sigopAdjustedVsize is Core's GetVirtualTransactionSize with -bytespersigop=20. */
export function sigopAdjustedVsize(weight: number, sigopCost: number): number {
  return Math.ceil(Math.max(weight, sigopCost * 20) / 4);
}

/**
 * dustThreshold is Core's GetDustThreshold at the dust relay feerate (3000 sat/kvB): the
 * cost of spending the output — its own size plus 148 bytes of input (67 for witness
 * programs) — priced at that rate; unspendable outputs have no threshold. 546 sat for
 * P2PKH, 294 for P2WPKH, 330 for P2WSH and P2TR.
 */
export function dustThreshold(out: TxOut, dustRelayPerKvb = POLICY.dustRelayFeePerKvb): bigint {
  if (isUnspendable(out.script)) return 0n;
  let size = 8 + compactSizeLength(out.script.length) + out.script.length;
  if (witnessProgram(out.script)) size += 32 + 4 + 1 + Math.floor(107 / 4) + 4;
  else size += 32 + 4 + 1 + 107 + 4;
  return (dustRelayPerKvb * BigInt(size)) / 1000n;
}

/** isDust: the output's value is below its dust threshold. */
export function isDust(out: TxOut): boolean {
  return out.value < dustThreshold(out);
}

/** Options that Core exposes as flags. */
export interface StandardOptions {
  permitBareMultisig?: boolean;
  /** -datacarriersize: total OP_RETURN scriptPubKey bytes allowed (default 100 000; 0 = none). */
  maxDataCarrierBytes?: number;
}

/**
 * isStandardTx is Core 30's IsStandardTx; returns the reject reason or null: version in
 * 1..3, weight at most 400000, scriptSigs push-only and at most 1650 bytes, standard
 * output scripts, OP_RETURN scriptPubKeys of at most `maxDataCarrierBytes` (100 000) bytes
 * in total however many there are ("datacarrier"), and at most one dust output ("dust";
 * the ephemeral-dust rules then require a zero fee and a child spending it).
 */
export function isStandardTx(t: TxData, opts: StandardOptions = {}): string | null {
  const tx = t.tx;
  const version = tx.version >>> 0;
  if (version < POLICY.minStandardVersion || version > POLICY.maxStandardVersion) return 'version';
  if (t.weight > POLICY.maxStandardTxWeight) return 'tx-size';
  for (const inp of tx.inputs) {
    if (inp.scriptSig.length > POLICY.maxStandardScriptSigSize) return 'scriptsig-size';
    if (!isPushOnly(inp.scriptSig)) return 'scriptsig-not-pushonly';
  }
  let dataLeft = opts.maxDataCarrierBytes ?? POLICY.maxOpReturnRelay;
  for (const o of tx.outputs) {
    const c = classifyOutput(o.script);
    if (c.type === 'nonstandard') return 'scriptpubkey';
    if (c.type === 'nulldata') {
      if (o.script.length > dataLeft) return 'datacarrier';
      dataLeft -= o.script.length;
    } else if (c.type === 'multisig') {
      if ((c.n ?? 0) > 3 || (c.m ?? 0) < 1) return 'scriptpubkey';
      if (opts.permitBareMultisig === false) return 'bare-multisig';
    }
  }
  if (dustOutputs(tx).length > POLICY.maxDustOutputsPerTx) return 'dust';
  return null;
}

/** dustOutputs lists the indexes of a transaction's dust outputs (Core's GetDust). */
export function dustOutputs(tx: Tx): number[] {
  const out: number[] = [];
  tx.outputs.forEach((o, i) => {
    if (isDust(o)) out.push(i);
  });
  return out;
}

/**
 * checkSigopsBip54 is Core 30's CheckSigopsBIP54: the legacy sigops of a transaction's
 * inputs (each scriptSig counted accurately, plus the spent scriptPubKey's, P2SH-aware) are
 * at most 2500.
 */
export function checkSigopsBip54(tx: Tx, coins: Coin[]): boolean {
  let sigops = 0;
  for (let i = 0; i < tx.inputs.length; i++) {
    const sig = tx.inputs[i].scriptSig;
    sigops += countSigOps(sig, true);
    const prev = coins[i].script;
    if (isP2SH(prev)) {
      const redeem = isPushOnly(sig) ? lastPush(sig) : null;
      if (redeem) sigops += countSigOps(redeem, true);
    } else sigops += countSigOps(prev, true);
    if (sigops > POLICY.maxTxLegacySigops) return false;
  }
  return true;
}

/**
 * areInputsStandard is Core 30's AreInputsStandard: at most 2500 legacy sigops
 * (checkSigopsBip54), the outputs spent must be of a known type
 * (not nonstandard or an unknown witness version) and a P2SH redeemScript has at most 15
 * sigops.
 */
export function areInputsStandard(tx: Tx, coins: Coin[]): boolean {
  if (!checkSigopsBip54(tx, coins)) return false;
  for (let i = 0; i < tx.inputs.length; i++) {
    const prev = coins[i].script;
    const c = classifyOutput(prev);
    if (c.type === 'nonstandard' || c.type === 'witness_unknown') return false;
    if (c.type === 'scripthash') {
      const redeem = lastPush(tx.inputs[i].scriptSig);
      if (!redeem) return false;
      if (countSigOps(redeem, true) > POLICY.maxP2shSigops) return false;
    }
  }
  return true;
}

/**
 * isWitnessStandard is Core's IsWitnessStandard: witnesses only on witness programs, P2WSH
 * scripts of at most 3600 bytes with at most 100 items of at most 80 bytes, no taproot
 * annex, tapscript stack items at most 80 bytes, no witness for pay-to-anchor.
 */
export function isWitnessStandard(tx: Tx, coins: Coin[]): boolean {
  for (let i = 0; i < tx.inputs.length; i++) {
    const w = tx.inputs[i].witness;
    if (w.length === 0) continue;
    let prev = coins[i].script;
    let p2sh = false;
    if (isP2SH(prev)) {
      const redeem = lastPush(tx.inputs[i].scriptSig);
      if (!redeem) return false;
      prev = redeem;
      p2sh = true;
    }
    const wp = witnessProgram(prev);
    if (!wp) return false;
    if (wp.version === 1 && wp.program.length === 2 && wp.program[0] === 0x4e && wp.program[1] === 0x73) return false;
    if (wp.version === 0 && wp.program.length === 32) {
      if (w[w.length - 1].length > POLICY.maxP2wshScriptSize) return false;
      if (w.length - 1 > POLICY.maxP2wshStackItems) return false;
      for (let j = 0; j < w.length - 1; j++) if (w[j].length > POLICY.maxP2wshStackItemSize) return false;
    }
    if (wp.version === 1 && wp.program.length === 32 && !p2sh) {
      let items = w;
      if (items.length >= 2 && items[items.length - 1].length > 0 && items[items.length - 1][0] === 0x50) return false;
      if (items.length >= 2) {
        const control = items[items.length - 1];
        if (control.length > 0 && (control[0] & 0xfe) === 0xc0) {
          items = items.slice(0, -2);
          for (const it of items) if (it.length > POLICY.maxP2wshStackItemSize) return false;
        }
      }
    }
  }
  return true;
}

/** signalsRbf: BIP125 explicit signal, some input with nSequence < 0xfffffffe. */
export function signalsRbf(tx: Tx): boolean {
  return tx.inputs.some((i) => i.sequence >>> 0 < 0xfffffffe);
}
