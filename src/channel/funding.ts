/**
 * BOLT #3 "Funding Transaction Output" and the transactions around it: the funding output
 * itself, a funding transaction in BIP 69 order (Appendix B), and closing transactions that
 * spend the funding output cooperatively ("Legacy Closing Transaction", "Closing Transaction").
 */
import { compareBytes, msatToSat, type Msat, type Sat } from '../lib/index.ts';
import { p2wshScript, type Tx, type TxIn, type TxOut } from '../bitcoin/index.ts';
import { compareOutputs, type Outpoint } from './commitment.ts';
import { fundingScript } from './scripts.ts';

/** The funding output: its P2WSH scriptPubKey and 2-of-2 witness script. */
export interface FundingOutput {
  witnessScript: Uint8Array;
  script: Uint8Array;
  value: Sat;
}

/** fundingOutput builds the channel's funding output (BOLT #3 "Funding Transaction Output"). */
export function fundingOutput(fundingPubkeyA: Uint8Array, fundingPubkeyB: Uint8Array, value: Sat): FundingOutput {
  const witnessScript = fundingScript(fundingPubkeyA, fundingPubkeyB);
  return { witnessScript, script: p2wshScript(witnessScript), value };
}

/**
 * sortBip69 orders a transaction's inputs (by txid as displayed, then index) and outputs (by
 * value, then script), as BIP 69 and the Appendix B funding transaction do. Returns a new Tx.
 */
export function sortBip69(tx: Tx): Tx {
  const inputs = [...tx.inputs].sort((a: TxIn, b: TxIn) => {
    // BIP 69 compares txids in the byte order they are displayed (reversed from internal).
    for (let i = 31; i >= 0; i--) if (a.txid[i] !== b.txid[i]) return a.txid[i]! - b.txid[i]!;
    return a.vout - b.vout;
  });
  const outputs = [...tx.outputs].sort((a: TxOut, b: TxOut) => compareOutputs({ out: a, cltv: 0 }, { out: b, cltv: 0 }));
  return { ...tx, inputs, outputs };
}

/** A funding transaction and where its funding output ended up. */
export interface FundingTx {
  tx: Tx;
  fundingOutputIndex: number;
}

/**
 * buildFundingTx assembles an unsigned version-2 funding transaction from wallet inputs, the
 * funding output and optional change, in BIP 69 order (the wallet signs the inputs).
 */
export function buildFundingTx(inputs: Outpoint[], funding: FundingOutput, change: TxOut | null, locktime = 0): FundingTx {
  const tx = sortBip69({
    version: 2,
    inputs: inputs.map((o) => ({ txid: o.txid, vout: o.vout, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] })),
    outputs: change ? [{ value: funding.value, script: funding.script }, change] : [{ value: funding.value, script: funding.script }],
    locktime,
  });
  const fundingOutputIndex = tx.outputs.findIndex((o) => o.value === funding.value && compareBytes(o.script, funding.script) === 0);
  return { tx, fundingOutputIndex };
}

/** One side's share of a cooperative close. */
export interface ClosingShare {
  scriptPubkey: Uint8Array;
  balance: Msat;
}

/**
 * buildLegacyClosingTx builds the `closing_signed` closing transaction (no
 * option_simple_close): the funder pays `fee`, each output is rounded down to whole
 * satoshis, and an output below the signer's dust limit is left out.
 *
 * BOLT #3: "MUST round each output down to whole satoshis.", "MUST subtract the fee given
 * by `fee_satoshis` from the output to the funder.", "MUST remove any output below its own
 * `dust_limit_satoshis`."
 */
export function buildLegacyClosingTx(funding: Outpoint, local: ClosingShare, remote: ClosingShare, localIsFunder: boolean, fee: Sat, dustLimit: Sat): Tx {
  const outs: TxOut[] = [];
  for (const [share, isFunder] of [[local, localIsFunder], [remote, !localIsFunder]] as const) {
    let v: bigint = msatToSat(share.balance);
    if (isFunder) v -= fee;
    if (v >= dustLimit && v > 0n) outs.push({ value: v, script: share.scriptPubkey });
  }
  return sortBip69({
    version: 2,
    inputs: [{ txid: funding.txid, vout: funding.vout, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] }],
    outputs: outs,
    locktime: 0,
  });
}

const OP_RETURN = 0x6a;

/**
 * buildClosingTx builds the option_simple_close closing transaction: the closer pays the
 * fee, nSequence is 0xFFFFFFFD, and OP_RETURN outputs carry 0 sats. Pass null for a side
 * whose output is omitted (BOLT #3: "The side with lesser funds can opt to omit their own
 * output.").
 *
 * BOLT #3: "MUST subtract the fee given by `fee_satoshis` from the closer output." and
 * "MUST set the output amount to 0 if the `scriptpubkey` is `OP_RETURN`."
 */
export function buildClosingTx(
  funding: Outpoint,
  closer: ClosingShare | null,
  closee: ClosingShare | null,
  fee: Sat,
  locktime: number,
): Tx {
  const outs: TxOut[] = [];
  if (closer) {
    const v = closer.scriptPubkey[0] === OP_RETURN ? 0n : msatToSat(closer.balance) - fee;
    outs.push({ value: v < 0n ? 0n : v, script: closer.scriptPubkey });
  }
  if (closee) {
    const v = closee.scriptPubkey[0] === OP_RETURN ? 0n : msatToSat(closee.balance);
    outs.push({ value: v, script: closee.scriptPubkey });
  }
  const sorted = [...outs].sort((a, b) => compareOutputs({ out: a, cltv: 0 }, { out: b, cltv: 0 }));
  return {
    version: 2,
    inputs: [{ txid: funding.txid, vout: funding.vout, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] }],
    outputs: sorted,
    locktime,
  };
}
