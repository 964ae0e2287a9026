/**
 * Package acceptance (Bitcoin Core 30's submitpackage): a child with its unconfirmed
 * parents. Each transaction is tried alone first; those failing only on feerate (and the
 * package transactions that depend on them) are then judged together at the package
 * feerate, so a parent below the minimum relay fee enters with a child paying for both —
 * the CPFP that anchor channels rely on.
 */
import { txidKey } from './encoding.ts';
import { rejectString, type AcceptResult } from './mempool-accept.ts';
import type { Mempool, MempoolEntry } from './mempool.ts';
import { feeAt } from './policy.ts';
import type { TxData } from './tx-data.ts';

/**
 * What package acceptance needs of the chain (RegtestChain provides it); declared here so
 * that chain.ts imports this file and not the other way round (no import cycle).
 */
export interface PackageChain {
  readonly mempool: Mempool;
  acceptTx(t: TxData, opts?: { testOnly?: boolean; maxFeeRatePerKvb?: bigint; skipFeeCheck?: boolean }): AcceptResult;
  /** The feerate (sat/kvB) the package as a whole must pay. */
  mempoolMinFee(): bigint;
}

/** Outcome for one transaction of a package. */
export interface PackageTxResult {
  txd: TxData;
  /** Accepted now or already in the mempool. */
  ok: boolean;
  alreadyInMempool?: boolean;
  error?: string;
  fee?: bigint;
  vsize?: number;
  effectiveFeeRatePerKvb?: bigint;
  effectiveIncludes?: TxData[];
}

/** Outcome of a package submission: per-transaction results, what was replaced, and Core's package-level message on failure. */
export interface PackageResult {
  results: PackageTxResult[];
  replaced: MempoolEntry[];
  packageError?: string;
}

/**
 * submitPackage accepts a child with its unconfirmed parents (Core 28's submitpackage):
 * each transaction is tried alone first; those failing only on feerate (and their
 * descendants in the package) are then judged together at the package feerate, so a
 * parent below the minimum relay fee gets in with a child that pays for both (CPFP).
 */
export function submitPackage(chain: PackageChain, txs: TxData[], opts: { maxFeeRatePerKvb?: bigint; testOnly?: boolean } = {}): PackageResult {
  const results: PackageTxResult[] = txs.map((txd) => ({ txd, ok: false }));
  const replaced: MempoolEntry[] = [];
  const deferred: number[] = [];
  const deferredKeys = new Set<string>();
  const snapshot = opts.testOnly ? chain.mempool.ordered() : null;
  const base = { maxFeeRatePerKvb: opts.maxFeeRatePerKvb };
  let failed = false;
  let unspentDust = false;
  txs.forEach((t, i) => {
    if (failed) return;
    const existing = chain.mempool.get(t.txid);
    if (existing) {
      Object.assign(results[i], { ok: true, alreadyInMempool: true, fee: existing.fee, vsize: existing.vsize });
      return;
    }
    const dependsOnDeferred = t.tx.inputs.some((inp) => deferredKeys.has(txidKey(inp.txid)));
    if (dependsOnDeferred) {
      deferred.push(i);
      deferredKeys.add(txidKey(t.txid));
      return;
    }
    const r = chain.acceptTx(t, base);
    if (r.ok) {
      Object.assign(results[i], { ok: true, fee: r.fee, vsize: r.vsize, effectiveFeeRatePerKvb: (r.fee * 1000n) / BigInt(r.vsize), effectiveIncludes: [t] });
      replaced.push(...r.replaced);
    } else if (r.reconsiderable) {
      deferred.push(i);
      deferredKeys.add(txidKey(t.txid));
      Object.assign(results[i], { error: rejectString(r), fee: r.fee, vsize: r.vsize });
    } else {
      results[i].error = rejectString(r);
      if (r.reason === 'missing-ephemeral-spends') unspentDust = true;
      failed = true;
    }
  });
  if (!failed && deferred.length > 0) {
    // Judge the deferred transactions together at their combined feerate.
    const added: MempoolEntry[] = [];
    let fee = 0n;
    let vsize = 0;
    let err: string | null = null;
    for (const i of deferred) {
      const r = chain.acceptTx(txs[i], { ...base, skipFeeCheck: true });
      if (!r.ok) {
        err = rejectString(r);
        results[i].error = err;
        if (r.reason === 'missing-ephemeral-spends') unspentDust = true;
        break;
      }
      if (r.entry) added.push(r.entry);
      replaced.push(...r.replaced);
      fee += r.fee;
      vsize += r.vsize;
      Object.assign(results[i], { fee: r.fee, vsize: r.vsize });
    }
    const minFee = feeAt(chain.mempoolMinFee(), vsize);
    if (err === null && fee < minFee) err = `package-fee-too-low, ${fee} < ${minFee}`;
    if (err !== null) {
      for (const e of added.reverse()) chain.mempool.remove(e.key);
      for (const i of deferred) if (!results[i].error) results[i].error = err.startsWith('package-fee-too-low') ? 'package-fee-too-low' : 'package-error';
      failed = true;
    } else {
      const rate = (fee * 1000n) / BigInt(vsize);
      const includes = deferred.map((i) => txs[i]);
      for (const i of deferred) Object.assign(results[i], { ok: true, error: undefined, effectiveFeeRatePerKvb: rate, effectiveIncludes: includes });
    }
  }
  if (snapshot) restoreMempool(chain.mempool, snapshot);
  return { results, replaced, packageError: failed ? (unspentDust ? 'unspent-dust' : 'transaction failed') : undefined };
}

function restoreMempool(pool: Mempool, entries: MempoolEntry[]): void {
  pool.clear();
for (const e of entries) pool.add({ txd: e.txd, fee: e.fee, vsize: e.vsize, time: e.time, height: e.height, sigopCost: e.sigopCost, seq: e.seq });
}
