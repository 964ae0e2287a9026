/**
 * Fee estimation for estimatesmartfee on a regtest chain: no network to learn from, so the
 * estimate is read from the feerates paid in recent blocks.
 */
import type { TxData } from './tx-data.ts';
import { COIN, POLICY } from './params.ts';

/**
 * What fee estimation reads of the chain (RegtestChain provides it); declared here so that
 * chain.ts imports this file and not the other way round (no import cycle).
 */
export interface FeeHistory {
  readonly height: number;
  entryAt(height: number): { block: { txs: TxData[] }; fees?: bigint[] } | undefined;
  readonly opts: { fallbackFeeRate?: number };
}

/**
 * estimateFee derives a feerate (sat/kvB) for confirmation within `target` blocks from the
 * feerates paid in recent blocks — a higher percentile for nearer targets — or the
 * configured fallback. Never below the minimum relay feerate.
 */
export function estimateFee(chain: FeeHistory, target: number): bigint | null {
  const rates: bigint[] = [];
  const depth = Math.min(chain.height, Math.max(6, 2 * target));
  for (let h = chain.height; h > chain.height - depth && h > 0; h--) {
    const e = chain.entryAt(h)!;
    e.block.txs.forEach((t, i) => {
      if (i === 0 || !e.fees) return;
      rates.push((e.fees[i - 1] * 1000n) / BigInt(t.vsize));
    });
  }
  let rate: bigint;
  if (rates.length === 0) {
    if (chain.opts.fallbackFeeRate === undefined) return null;
    rate = BigInt(Math.round(chain.opts.fallbackFeeRate * Number(COIN)));
  } else {
    rates.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const pct = target <= 2 ? 0.9 : target <= 6 ? 0.75 : 0.5;
    rate = rates[Math.min(rates.length - 1, Math.floor(pct * rates.length))];
  }
  return rate < POLICY.minRelayFeePerKvb ? POLICY.minRelayFeePerKvb : rate;
}
