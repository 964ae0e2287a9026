/**
 * Mempool acceptance with Bitcoin Core 30's policy (validation.cpp MemPoolAccept): the
 * checks run in Core's order — PreChecks (context-free and standardness, finality, conflicts,
 * inputs, BIP68, fees, ancestor limits), ReplacementChecks (BIP125 with full-RBF),
 * PolicyScriptChecks/ConsensusScriptChecks — and fail with Core's reject reasons.
 */
import { TxScriptChecker, mandatoryFlags, standardFlags } from './script-check.ts';
import type { TxOut } from '../../bitcoin/index.ts';
import { hashToHex as hashToHexString } from '../interfaces.ts';
import { checkTransaction, isCoinbase, isFinalTx, sequenceLocks, sequenceLocksSatisfied, txSigOpCost } from './consensus.ts';
import { outpointKey, txidKey } from './encoding.ts';
import type { Mempool, MempoolEntry } from './mempool.ts';
import { POLICY, REGTEST, LIMITS } from './params.ts';
import { areInputsStandard, dustOutputs, feeAt, isStandardTx, isWitnessStandard, signalsRbf, sigopAdjustedVsize } from './policy.ts';
import { scriptErrorText } from './script-errors.ts';
import type { TxData } from './tx-data.ts';
import type { Coin, UtxoSet } from './utxo.ts';

/** What acceptance needs to know about the active chain. */
export interface ChainView {
  tipHeight: number;
  /** Median-time-past of the tip (BIP113 finality for the next block). */
  tipMtp: number;
  mtpAt(height: number): number;
  utxo: UtxoSet;
}

/** Knobs of one acceptance attempt. */
export interface AcceptOptions {
  /** Run every check but change nothing (testmempoolaccept). */
  testOnly?: boolean;
  /** Re-adding transactions of disconnected blocks: skip fee and chain-limit checks (Core's bypass_limits). */
  bypassLimits?: boolean;
  /** Part of a package whose feerate is judged as a whole. */
  skipFeeCheck?: boolean;
  /** sat/kvB; 0 or undefined = no cap. */
  maxFeeRatePerKvb?: bigint;
  /**
   * The mempool's own minimum feerate (sat/kvB) on top of the minimum relay fee, as a full
   * mempool raises it in Core; a transaction below it may still enter in a package.
   */
  mempoolMinFeePerKvb?: bigint;
  /** -datacarriersize (default 100 000 bytes). */
  maxDataCarrierBytes?: number;
  /** Replace conflicting transactions whether or not they signal BIP125 (Core 28 default). */
  fullRbf?: boolean;
  permitBareMultisig?: boolean;
  /** Entry time (clock seconds). */
  time: number;
  /** Keep an old arrival order (reorg re-adds). */
  seq?: number;
}

/** Outcome of an acceptance attempt. */
export type AcceptResult =
  | { ok: true; txd: TxData; fee: bigint; vsize: number; replaced: MempoolEntry[]; entry?: MempoolEntry }
  | {
      ok: false;
      reason: string;
      debug: string;
      /** Inputs not found (Core's TX_MISSING_INPUTS). */
      missingInputs?: boolean;
      /** Failed only on feerate: may pass in a package (Core's TX_RECONSIDERABLE). */
      reconsiderable?: boolean;
      /** Fee and vsize when known (reported by testmempoolaccept and packages). */
      fee?: bigint;
      vsize?: number;
    };

const fail = (reason: string, debug = '', extra: Partial<Extract<AcceptResult, { ok: false }>> = {}): AcceptResult => ({ ok: false, reason, debug, ...extra });

/** rejectString renders a failure like Core's TxValidationState::ToString(). */
export function rejectString(r: Extract<AcceptResult, { ok: false }>): string {
  return r.debug ? `${r.reason}, ${r.debug}` : r.reason;
}

/** formatMoney prints satoshis as Core's FormatMoney does (BTC with at least 2 decimals). */
function formatMoney(sat: bigint): string {
  const neg = sat < 0n;
  const a = neg ? -sat : sat;
  let frac = (a % 100_000_000n).toString().padStart(8, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${neg ? '-' : ''}${a / 100_000_000n}.${frac}`;
}

/**
 * acceptToMempool validates `t` against the chain and the pool and, unless testOnly, adds it
 * (evicting what it replaces). Returns the result; never throws for a bad transaction.
 */
export function acceptToMempool(chain: ChainView, pool: Mempool, t: TxData, opts: AcceptOptions): AcceptResult {
  const tx = t.tx;
  const key = txidKey(t.txid);
  const nextHeight = chain.tipHeight + 1;
  // --- PreChecks ---
  const ct = checkTransaction(t);
  if (ct) return fail(ct.reason, ct.debug);
  if (isCoinbase(tx)) return fail('coinbase');
  const std = isStandardTx(t, { permitBareMultisig: opts.permitBareMultisig, maxDataCarrierBytes: opts.maxDataCarrierBytes });
  if (std) return fail(std);
  if (t.baseSize < POLICY.minStandardTxNonWitnessSize) return fail('tx-size-small');
  // Core checks finality against the next block: height tip+1 and the tip's median time past.
  if (!isFinalTx(tx, nextHeight, chain.tipMtp)) return fail('non-final');
  if (pool.hasWtxid(t.wtxid)) return fail('txn-already-in-mempool');
  if (pool.entries.has(key)) return fail('txn-same-nonwitness-data-in-mempool');

  const conflicts = new Map<string, MempoolEntry>();
  for (const inp of tx.inputs) {
    const s = pool.spender(outpointKey(inp.txid, inp.vout));
    if (s) conflicts.set(s.key, s);
  }
  if (conflicts.size > 0 && !opts.fullRbf) {
    for (const c of conflicts.values()) {
      const signals = signalsRbf(c.txd.tx) || [...pool.ancestors(c.key)].some((a) => signalsRbf(pool.entries.get(a)!.txd.tx));
      if (!signals) return fail('txn-mempool-conflict');
    }
  }

  const coins: Coin[] = new Array(tx.inputs.length);
  const parents = new Set<string>();
  for (let i = 0; i < tx.inputs.length; i++) {
    const inp = tx.inputs[i];
    let coin = chain.utxo.get(inp.txid, inp.vout);
    if (!coin) {
      coin = pool.coin(inp.txid, inp.vout, nextHeight);
      if (coin) parents.add(txidKey(inp.txid));
    }
    if (!coin) {
      for (let o = 0; o < tx.outputs.length; o++) if (chain.utxo.has(t.txid, o)) return fail('txn-already-known');
      return fail('bad-txns-inputs-missingorspent', '', { missingInputs: true });
    }
    coins[i] = coin;
  }
  // BIP68 at the next block: coins from the mempool count as created at tip+1.
  const locks = sequenceLocks(tx, coins.map((c) => c.height), (h) => (h > chain.tipHeight ? chain.tipMtp : chain.mtpAt(h)));
  if (!sequenceLocksSatisfied(locks, nextHeight, chain.tipMtp)) return fail('non-BIP68-final');

  let inSum = 0n;
  for (const c of coins) {
    if (c.coinbase && nextHeight - c.height < REGTEST.coinbaseMaturity) {
      return fail('bad-txns-premature-spend-of-coinbase', `tried to spend coinbase at depth ${nextHeight - c.height}`);
    }
    inSum += c.value;
    if (c.value < 0n || c.value > LIMITS.maxMoney || inSum > LIMITS.maxMoney) return fail('bad-txns-inputvalues-outofrange');
  }
  let outSum = 0n;
  for (const o of tx.outputs) outSum += o.value;
  if (inSum < outSum) return fail('bad-txns-in-belowout', `value in (${formatMoney(inSum)}) < value out (${formatMoney(outSum)})`);
  const fee = inSum - outSum;

  if (!areInputsStandard(tx, coins)) return fail('bad-txns-nonstandard-inputs');
  if (!isWitnessStandard(tx, coins)) return fail('bad-witness-nonstandard');
  const sigopCost = txSigOpCost(tx, coins);
  if (sigopCost > POLICY.maxStandardTxSigopsCost) return fail('bad-txns-too-many-sigops', `${sigopCost}`);
  const vsize = sigopAdjustedVsize(t.weight, sigopCost);
  const known = { fee, vsize };

  if (opts.maxFeeRatePerKvb && opts.maxFeeRatePerKvb > 0n && fee > feeAt(opts.maxFeeRatePerKvb, vsize)) {
    return fail('max-fee-exceeded', '', known);
  }
  // Core 29's PreCheckEphemeralTx: "We never want to give incentives to mine this transaction alone".
  if (fee !== 0n && dustOutputs(tx).length > 0) return fail('dust', 'tx with dust output must be 0-fee', known);
  const minRelayFee = feeAt(POLICY.minRelayFeePerKvb, vsize);
  // Core 28+: no transaction below the minimum relay fee, not even in a package, except TRUC ones.
  if (!opts.bypassLimits && (tx.version >>> 0) !== 3 && fee < minRelayFee) return fail('min relay fee not met', `${fee} < ${minRelayFee}`, known);
  if (!opts.bypassLimits && !opts.skipFeeCheck) {
    const poolMinFee = opts.mempoolMinFeePerKvb ? feeAt(opts.mempoolMinFeePerKvb, vsize) : 0n;
    if (poolMinFee > 0n && fee < poolMinFee) return fail('mempool min fee not met', `${fee} < ${poolMinFee}`, { ...known, reconsiderable: true });
    if (fee < minRelayFee) return fail('min relay fee not met', `${fee} < ${minRelayFee}`, { ...known, reconsiderable: true });
  }

  // Evicted set: direct conflicts and all their descendants (BIP125).
  const evicted = new Map<string, MempoolEntry>();
  for (const c of conflicts.values()) {
    evicted.set(c.key, c);
    for (const d of pool.descendants(c.key)) evicted.set(d, pool.entries.get(d)!);
  }

  // Ancestor and descendant limits (CalculateMemPoolAncestors), ignoring what is being replaced.
  const ancestors = pool.ancestorsOf(parents);
  for (const e of evicted.keys()) ancestors.delete(e);
  if (!opts.bypassLimits) {
    if (ancestors.size + 1 > POLICY.ancestorLimit) return fail('too-long-mempool-chain', `too many unconfirmed ancestors [limit: ${POLICY.ancestorLimit}]`);
    let ancSize = vsize;
    for (const a of ancestors) ancSize += pool.entries.get(a)!.vsize;
    if (ancSize > POLICY.ancestorSizeLimitVb) return fail('too-long-mempool-chain', `exceeds ancestor size limit [limit: ${POLICY.ancestorSizeLimitVb}]`);
    for (const a of ancestors) {
      const desc = pool.descendants(a);
      for (const e of evicted.keys()) desc.delete(e);
      if (desc.size + 2 > POLICY.descendantLimit) {
        return fail('too-long-mempool-chain', `too many descendants for tx ${hashToHexString(pool.entries.get(a)!.txd.txid)} [limit: ${POLICY.descendantLimit}]`);
      }
    }
    const truc = checkTruc(t, vsize, pool, parents, ancestors, evicted);
    if (truc) return fail('TRUC-violation', truc);
    // Core 29's CheckEphemeralSpends: a child must spend every dust output of its unconfirmed parents.
    if (!spendsParentDust(t, pool, parents)) {
      return fail('missing-ephemeral-spends', `tx ${hashToHexString(t.txid)} (wtxid=${hashToHexString(t.wtxid)}) did not spend parent's ephemeral dust`);
    }
  }

  // --- ReplacementChecks (BIP125 rules 2-5, Core 28 policy/rbf.cpp) ---
  if (conflicts.size > 0) {
    const hex = hashToHexString(t.txid);
    for (const p of parents) {
      if (evicted.has(p)) return fail('bad-txns-spends-conflicting-tx', `${hex} spends conflicting transaction ${hashToHexString(pool.entries.get(p)!.txd.txid)}`);
    }
    if (evicted.size > POLICY.maxReplacementCandidates) {
      return fail('too many potential replacements', `rejecting replacement ${hex}; too many potential replacements (${evicted.size} > ${POLICY.maxReplacementCandidates})`);
    }
    // Rule 2: no new unconfirmed inputs beyond those the conflicts already spent.
    const conflictParents = new Set<string>();
    for (const c of conflicts.values()) for (const p of c.parents) conflictParents.add(p);
    for (const p of parents) {
      if (!conflictParents.has(p)) return fail('replacement-adds-unconfirmed', `replacement ${hex} adds unconfirmed input, idx`);
    }
    // The replacement's feerate must beat each directly conflicting transaction's.
    for (const c of conflicts.values()) {
      if (fee * BigInt(c.vsize) <= c.fee * BigInt(vsize)) {
        return fail('insufficient fee', `rejecting replacement ${hex}; new feerate ${feerateString(fee, vsize)} <= old feerate ${feerateString(c.fee, c.vsize)}`);
      }
    }
    // Rule 3: pay at least the fees of everything evicted.
    let evictedFees = 0n;
    for (const e of evicted.values()) evictedFees += e.fee;
    if (fee < evictedFees) return fail('insufficient fee', `rejecting replacement ${hex}, less fees than conflicting txs; ${formatMoney(fee)} < ${formatMoney(evictedFees)}`);
    // Rule 4: pay for its own bandwidth at the incremental relay feerate.
    const needed = feeAt(POLICY.incrementalRelayFeePerKvb, vsize);
    if (fee - evictedFees < needed) {
      return fail('insufficient fee', `rejecting replacement ${hex}, not enough additional fees to relay; ${formatMoney(fee - evictedFees)} < ${formatMoney(needed)}`);
    }
  }

  // --- PolicyScriptChecks / ConsensusScriptChecks ---
  const checker = new TxScriptChecker(tx, coins.map((c): TxOut => ({ value: c.value, script: c.script })));
  for (let i = 0; i < tx.inputs.length; i++) {
    const r = checker.verify(i, standardFlags());
    if (!r.ok) {
      const m = checker.verify(i, mandatoryFlags());
      if (m.ok) return fail(`non-mandatory-script-verify-flag (${scriptErrorText(r.error)})`);
      return fail(`mandatory-script-verify-flag-failed (${scriptErrorText(m.error)})`);
    }
  }

  if (opts.testOnly) return { ok: true, txd: t, fee, vsize, replaced: [...evicted.values()] };
  const replaced: MempoolEntry[] = [];
  for (const c of conflicts.values()) replaced.push(...pool.removeWithDescendants(c.key));
  const entry = pool.add({ txd: t, fee, vsize, time: opts.time, height: chain.tipHeight, sigopCost, seq: opts.seq });
  return { ok: true, txd: t, fee, vsize, replaced, entry };
}

function feerateString(fee: bigint, vsize: number): string {
  // Core prints CFeeRate::ToString(): "<BTC/kvB> BTC/kvB".
  const perK = (fee * 1000n) / BigInt(Math.max(vsize, 1));
  return `${formatMoney(perK)} BTC/kvB`;
}

/**
 * checkTruc applies the TRUC (version 3, BIP431) rules of Core 28: a v3 transaction is at
 * most 10000 vB, has at most one unconfirmed ancestor, and a child of a v3 transaction is at
 * most 1000 vB and its only child; v3 and non-v3 transactions do not spend each other
 * unconfirmed.
 */
function checkTruc(t: TxData, vsize: number, pool: Mempool, parents: Set<string>, ancestors: Set<string>, evicted: Map<string, MempoolEntry>): string | null {
  const v3 = t.tx.version >>> 0 === 3;
  for (const p of parents) {
    const pv3 = pool.entries.get(p)!.txd.tx.version >>> 0 === 3;
    if (pv3 && !v3) return `non-version=3 tx ${hashToHexString(t.txid)} cannot spend from version=3 tx`;
    if (!pv3 && v3) return `version=3 tx ${hashToHexString(t.txid)} cannot spend from non-version=3 tx`;
  }
  if (!v3) return null;
  if (vsize > POLICY.trucMaxVsize) return `version=3 tx ${hashToHexString(t.txid)} is too big: ${vsize} > ${POLICY.trucMaxVsize} virtual bytes`;
  if (ancestors.size > 1) return `tx ${hashToHexString(t.txid)} would have too many ancestors`;
  if (parents.size === 1) {
    if (vsize > POLICY.trucChildMaxVsize) return `version=3 child tx ${hashToHexString(t.txid)} is too big: ${vsize} > ${POLICY.trucChildMaxVsize} virtual bytes`;
    const [p] = parents;
    const others = [...pool.entries.get(p)!.children].filter((c) => !evicted.has(c));
    if (others.length > 0) return `tx ${hashToHexString(pool.entries.get(p)!.txd.txid)} would exceed descendant count limit`;
  }
  return null;
}

/**
 * spendsParentDust is Core 29's ephemeral-dust spend rule (policy/ephemeral_policy.cpp): the
 * dust of each unconfirmed parent must be spent by this transaction, so that the zero-fee
 * parent's dust never reaches the UTXO set.
 */
function spendsParentDust(t: TxData, pool: Mempool, parents: Set<string>): boolean {
  const spent = new Set(t.tx.inputs.map((i) => outpointKey(i.txid, i.vout)));
  for (const p of parents) {
    const parent = pool.entries.get(p)!.txd;
    for (const i of dustOutputs(parent.tx)) if (!spent.has(outpointKey(parent.txid, i))) return false;
  }
  return true;
}
