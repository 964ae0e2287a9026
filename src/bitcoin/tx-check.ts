/**
 * Transaction-level consensus checks that need no chain state (Core's CheckTransaction), and
 * the lock-time rules that need only a height and a time: IsFinalTx (with BIP113's
 * median-time-past) and BIP68 relative lock times (CalculateSequenceLocks /
 * EvaluateSequenceLocks). Pure functions: the caller supplies heights and times.
 */
import { serializeTx, isCoinbaseTx, type Tx } from './tx.ts';
import { LOCKTIME_THRESHOLD, SEQUENCE_FINAL, SEQUENCE_LOCKTIME_DISABLE_FLAG, SEQUENCE_LOCKTIME_MASK, SEQUENCE_LOCKTIME_TYPE_FLAG } from './script-constants.ts';
import { outpointKey } from './hash-hex.ts';

/** Core's MAX_MONEY: 21 million bitcoin, in satoshis. */
export const MAX_MONEY = 21_000_000n * 100_000_000n;
/** Core's MAX_BLOCK_WEIGHT (BIP141). */
export const MAX_BLOCK_WEIGHT = 4_000_000;
export const WITNESS_SCALE_FACTOR = 4;
/** BIP68: time-based relative locks count in units of 512 seconds (2^9). */
export const SEQUENCE_LOCKTIME_GRANULARITY = 9;

/** The result of checkTransaction: Core's reject reason on failure (e.g. 'bad-txns-vin-empty'). */
export type TxCheckResult = { ok: true } | { ok: false; reason: string };

/** moneyRange is Core's MoneyRange: 0 <= v <= MAX_MONEY. */
export function moneyRange(v: bigint): boolean {
  return v >= 0n && v <= MAX_MONEY;
}

/**
 * checkTransaction is Core's CheckTransaction: at least one input and one output, size
 * within a block (without witness), every output value and their sum in [0, MAX_MONEY]
 * (CVE-2010-5139), no input spent twice (CVE-2018-17144), a coinbase scriptSig of 2..100
 * bytes, and no null prevout outside a coinbase.
 */
export function checkTransaction(tx: Tx): TxCheckResult {
  const bad = (reason: string): TxCheckResult => ({ ok: false, reason });
  if (tx.inputs.length === 0) return bad('bad-txns-vin-empty');
  if (tx.outputs.length === 0) return bad('bad-txns-vout-empty');
  if (serializeTx(tx, { witness: false }).length * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) return bad('bad-txns-oversize');
  let total = 0n;
  for (const o of tx.outputs) {
    if (o.value < 0n) return bad('bad-txns-vout-negative');
    if (o.value > MAX_MONEY) return bad('bad-txns-vout-toolarge');
    total += o.value;
    if (!moneyRange(total)) return bad('bad-txns-txouttotal-toolarge');
  }
  const seen = new Set<string>();
  for (const i of tx.inputs) {
    const key = outpointKey(i.txid, i.vout >>> 0);
    if (seen.has(key)) return bad('bad-txns-inputs-duplicate');
    seen.add(key);
  }
  if (isCoinbaseTx(tx)) {
    const n = tx.inputs[0].scriptSig.length;
    if (n < 2 || n > 100) return bad('bad-cb-length');
  } else {
    for (const i of tx.inputs) {
      if (i.vout >>> 0 === 0xffffffff && i.txid.every((b) => b === 0)) return bad('bad-txns-prevout-null');
    }
  }
  return { ok: true };
}

/**
 * isFinalTx is Core's IsFinalTx: a transaction may be in a block at `blockHeight` whose
 * lock-time clock reads `blockTime` if its locktime is 0, or below the height (locktime <
 * 500000000) or time it is compared with, or every input's sequence is final. BIP113: pass
 * the median-time-past of the previous block as `blockTime`.
 */
export function isFinalTx(tx: Tx, blockHeight: number, blockTime: number): boolean {
  const lock = tx.locktime >>> 0;
  if (lock === 0) return true;
  if (lock < (lock < LOCKTIME_THRESHOLD ? blockHeight : blockTime)) return true;
  return tx.inputs.every((i) => i.sequence >>> 0 === SEQUENCE_FINAL);
}

/** Where and when a spent coin was created, as BIP68 needs it. */
export interface CoinAge {
  /** Height of the block that contains the spent output. */
  height: number;
  /** Median-time-past of the block before that one (height - 1, or 0). */
  mtp: number;
}

/** Sequence locks in nLockTime semantics: the last invalid height and time (-1 = none). */
export interface SequenceLocks {
  minHeight: number;
  minTime: number;
}

/**
 * calculateSequenceLocks is Core's CalculateSequenceLocks (BIP68). For each input without
 * the disable flag, a height lock requires coin height + value, a time lock coin MTP +
 * value * 512 s. BIP68 applies only to transactions of version 2 or more. The result uses
 * nLockTime semantics (the last invalid height/time).
 */
export function calculateSequenceLocks(tx: Tx, coins: CoinAge[], enforce = true): SequenceLocks {
  let minHeight = -1;
  let minTime = -1;
  if (!enforce || tx.version >>> 0 < 2) return { minHeight, minTime };
  tx.inputs.forEach((input, i) => {
    const seq = input.sequence >>> 0;
    if (seq & SEQUENCE_LOCKTIME_DISABLE_FLAG) return;
    const coin = coins[i];
    const value = seq & SEQUENCE_LOCKTIME_MASK;
    if (seq & SEQUENCE_LOCKTIME_TYPE_FLAG) {
      minTime = Math.max(minTime, coin.mtp + value * 2 ** SEQUENCE_LOCKTIME_GRANULARITY - 1);
    } else {
      minHeight = Math.max(minHeight, coin.height + value - 1);
    }
  });
  return { minHeight, minTime };
}

/**
 * checkSequenceLocks is Core's EvaluateSequenceLocks: locks are satisfied in a block at
 * `blockHeight` whose previous block has median-time-past `prevMtp`.
 */
export function checkSequenceLocks(locks: SequenceLocks, blockHeight: number, prevMtp: number): boolean {
  return locks.minHeight < blockHeight && locks.minTime < prevMtp;
}
