/**
 * BOLT #3 "Fees" and "Trimmed Outputs": HTLC transaction fees, the commitment base fee, and
 * which HTLCs are too small to get an output.
 */
import { msatToSat, sat, type Msat, type Sat } from '../lib/index.ts';
import { commitmentWeight, htlcSuccessWeight, htlcTimeoutWeight } from './weights.ts';

/** The two channel types Kite builds commitments for. */
export type CommitmentType = 'static_remotekey' | 'anchors';

/** BOLT #3: "The amount of the output is fixed at 330 sats, the default dust limit for P2WSH." */
export const ANCHOR_OUTPUT_VALUE = sat(330);

/** The direction of an HTLC as seen from the commitment transaction's owner. */
export type HtlcDirection = 'offered' | 'received';

/**
 * htlcTimeoutFee is the fee of an HTLC-timeout transaction.
 *
 * BOLT #3: "If `option_anchors` applies: 1. MUST be 0. - Otherwise, MUST be calculated to
 * match: 1. Multiply `feerate_per_kw` by 663 and divide by 1000 (rounding down)."
 */
export function htlcTimeoutFee(feeratePerKw: number, type: CommitmentType): Sat {
  if (type === 'anchors') return sat(0);
  return sat((BigInt(feeratePerKw) * BigInt(htlcTimeoutWeight(false))) / 1000n);
}

/**
 * htlcSuccessFee is the fee of an HTLC-success transaction.
 *
 * BOLT #3: "If `option_anchors` applies: 1. MUST be 0. - Otherwise, MUST be calculated to
 * match: 1. Multiply `feerate_per_kw` by 703 and divide by 1000 (rounding down)."
 */
export function htlcSuccessFee(feeratePerKw: number, type: CommitmentType): Sat {
  if (type === 'anchors') return sat(0);
  return sat((BigInt(feeratePerKw) * BigInt(htlcSuccessWeight(false))) / 1000n);
}

/**
 * htlcSecondStageFee is the fee of the HTLC transaction that spends an HTLC output of the
 * given direction: HTLC-timeout for offered HTLCs, HTLC-success for received ones.
 */
export function htlcSecondStageFee(direction: HtlcDirection, feeratePerKw: number, type: CommitmentType): Sat {
  return direction === 'offered' ? htlcTimeoutFee(feeratePerKw, type) : htlcSuccessFee(feeratePerKw, type);
}

/**
 * isHtlcTrimmed tells whether an HTLC gets no output on a commitment transaction.
 *
 * BOLT #3 (for every offered HTLC): "if the HTLC amount minus the HTLC-timeout fee would be
 * less than `dust_limit_satoshis` set by the transaction owner:" "MUST NOT contain that
 * output." (and the same with the HTLC-success fee for received HTLCs).
 */
export function isHtlcTrimmed(direction: HtlcDirection, amount: Msat, feeratePerKw: number, dustLimit: Sat, type: CommitmentType): boolean {
  const amountSat = msatToSat(amount);
  return amountSat - htlcSecondStageFee(direction, feeratePerKw, type) < dustLimit;
}

/**
 * commitmentFee is the base commitment fee the funder pays.
 *
 * BOLT #3: "3. Multiply `feerate_per_kw` by `weight`, divide by 1000 (rounding down)."
 */
export function commitmentFee(feeratePerKw: number, numUntrimmedHtlcs: number, type: CommitmentType): Sat {
  return sat((BigInt(feeratePerKw) * BigInt(commitmentWeight(numUntrimmedHtlcs, type === 'anchors'))) / 1000n);
}
