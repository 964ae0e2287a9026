/**
 * Sweep and penalty transactions: any set of claims (outputs we can spend with our keys
 * alone) spent into one output of ours, with the fee taken from the expected weight (BOLT
 * #3 Appendix A / BOLT #5 Appendix A witness sizes, 73-byte signatures) at a given feerate.
 * Claims not worth their own input at that feerate are left out and reported; a set too
 * heavy for one standard transaction is split (BOLT #5 "Penalty Transactions Weight
 * Calculation").
 */
import { sat, toHex, type Sat } from '../lib/index.ts';
import { compactSizeLength, precomputeTxData, SIGHASH_ALL, witnessProgram, type Tx, type TxSigHashCache } from '../bitcoin/index.ts';
import {
  anchorOwnerWitness,
  htlcRevokedWitness,
  offeredHtlcPreimageWitness,
  receivedHtlcTimeoutWitness,
  SEGWIT_INPUT_BASE_WEIGHT,
  SpendWitnessWeight,
  toLocalDelayedWitness,
  toLocalRevokedWitness,
  toRemoteAnchorsWitness,
  toRemoteP2wpkhWitness,
  type Outpoint,
} from '../channel/index.ts';
import type { ChannelSigner, SpendRef } from '../keys/index.ts';
import type { Claim, ClaimSpend, Deadline } from './types.ts';

/** Bitcoin Core's MAX_STANDARD_TX_WEIGHT. */
export const MAX_STANDARD_TX_WEIGHT = 400_000;

/** nSequence of an input with no relative lock: signals BIP125 and leaves nLockTime enforced. */
export const SEQUENCE_NO_CSV = 0xfffffffd;

/** Core's dust relay feerate (sat per 1000 vbytes). */
const DUST_RELAY_FEE_PER_KVB = 3000n;

/**
 * claimWitnessWeight is the expected (maximum) witness weight of a claim's spend.
 *
 * BOLT #5 Appendix A: "to_local_penalty_witness: 160 bytes", "offered_htlc_penalty_witness:
 * 243 bytes", "accepted_htlc_penalty_witness: 249 bytes" (with anchors the HTLC scripts
 * are 3 bytes longer, and so are the witnesses).
 */
export function claimWitnessWeight(kind: ClaimSpend['kind'], witnessScript: Uint8Array | null): number {
  const len = witnessScript?.length ?? 0;
  switch (kind) {
    case 'to_local_delayed':
      return SpendWitnessWeight.toLocalDelayed(len);
    case 'to_local_revoked':
      return SpendWitnessWeight.toLocalRevoked(len);
    case 'htlc_revoked':
      return SpendWitnessWeight.htlcRevoked(len);
    case 'to_remote':
      return witnessScript ? SpendWitnessWeight.toRemoteAnchors() : SpendWitnessWeight.toRemoteP2wpkh();
    case 'offered_htlc_preimage':
      return SpendWitnessWeight.offeredHtlcPreimage(len);
    case 'received_htlc_timeout':
      return SpendWitnessWeight.receivedHtlcTimeout(len);
    case 'anchor':
      return SpendWitnessWeight.anchorOwner();
  }
}

/** The spent output and timing of a claim (makeClaim adds nSequence and the weight). */
export interface ClaimOutput {
  outpoint: Outpoint;
  value: Sat;
  scriptPubkey: Uint8Array;
  witnessScript: Uint8Array | null;
  csv: number;
  locktime: number;
  deadline: Deadline | null;
}

/** makeClaim assembles a claim: nSequence is the CSV delay when there is one. */
export function makeClaim(spend: ClaimSpend, o: ClaimOutput): Claim {
  if (spend.kind !== 'to_remote' && o.witnessScript === null) throw new RangeError(`${spend.kind} needs a witness script`);
  return {
    ...spend,
    ...o,
    sequence: o.csv > 0 ? o.csv : SEQUENCE_NO_CSV,
    witnessWeight: claimWitnessWeight(spend.kind, o.witnessScript),
  };
}

/** claimInputWeight is the weight a claim adds to a transaction: the input and its witness. */
export function claimInputWeight(c: Pick<Claim, 'witnessWeight'>): number {
  return SEGWIT_INPUT_BASE_WEIGHT + c.witnessWeight;
}

/** outputWeight is the weight of an output paying `script`. */
export function outputWeight(script: Uint8Array): number {
  return 4 * (8 + compactSizeLength(script.length) + script.length);
}

/**
 * sweepTxWeight is the expected weight of a version-2 segwit transaction with these inputs
 * and output scripts: version, locktime and the two counts (times 4), the segwit marker and
 * flag, then inputs and outputs.
 */
export function sweepTxWeight(inputWeights: readonly number[], outputScripts: readonly Uint8Array[]): number {
  let w = 4 * (4 + 4 + compactSizeLength(inputWeights.length) + compactSizeLength(outputScripts.length)) + 2;
  for (const x of inputWeights) w += x;
  for (const s of outputScripts) w += outputWeight(s);
  return w;
}

/** feeForWeight is `feeratePerKw * weight / 1000`, rounded up. */
export function feeForWeight(feeratePerKw: number, weight: number): Sat {
  if (!Number.isInteger(feeratePerKw) || feeratePerKw < 0) throw new RangeError('feerate_per_kw must be a non-negative integer');
  return sat((BigInt(feeratePerKw) * BigInt(weight) + 999n) / 1000n);
}

/**
 * dustThreshold is Bitcoin Core's GetDustThreshold at the 3000 sat/kvB dust relay feerate:
 * 294 sat for P2WPKH, 330 for P2WSH and P2TR, 546 for P2PKH; 0 for OP_RETURN.
 */
export function dustThreshold(script: Uint8Array): Sat {
  if (script.length > 0 && script[0] === 0x6a) return sat(0);
  let size = 8 + compactSizeLength(script.length) + script.length;
  size += witnessProgram(script) ? 32 + 4 + 1 + Math.floor(107 / 4) + 4 : 32 + 4 + 1 + 107 + 4;
  return sat((DUST_RELAY_FEE_PER_KVB * BigInt(size)) / 1000n);
}

/** What a sweep pays to, at which feerate. */
export interface SweepParams {
  /** scriptPubKey of our output (a wallet address). */
  destination: Uint8Array;
  feeratePerKw: number;
  /** nLockTime when no claim needs a higher one (e.g. the tip height, against fee sniping). */
  locktime?: number;
  /** Largest weight of one transaction (default Core's 400000). */
  maxWeight?: number;
}

/** An unsigned sweep: `claims[i]` is spent by `tx.inputs[i]`. */
export interface SweepTx {
  tx: Tx;
  claims: Claim[];
  fee: Sat;
  /** The weight the fee was computed for (the signed transaction weighs at most this). */
  expectedWeight: number;
}

/** Sweeps built from a set of claims, and the claims left out as not worth sweeping. */
export interface SweepBuild {
  sweeps: SweepTx[];
  /** Claims whose value does not cover their own input's fee, or groups whose output would be dust. */
  uneconomic: Claim[];
}

/** isClaimEconomic: the claim is worth more than the fee its own input costs at `feeratePerKw`. */
export function isClaimEconomic(c: Claim, feeratePerKw: number): boolean {
  return c.value > feeForWeight(feeratePerKw, claimInputWeight(c));
}

function assemble(claims: Claim[], p: SweepParams): SweepTx | null {
  const weight = sweepTxWeight(claims.map(claimInputWeight), [p.destination]);
  const fee = feeForWeight(p.feeratePerKw, weight);
  let total = 0n;
  for (const c of claims) total += c.value;
  const value = total - fee;
  if (value < dustThreshold(p.destination)) return null;
  let locktime = p.locktime ?? 0;
  for (const c of claims) if (c.locktime > locktime) locktime = c.locktime;
  const tx: Tx = {
    version: 2,
    inputs: claims.map((c) => ({ txid: c.outpoint.txid, vout: c.outpoint.vout, scriptSig: new Uint8Array(0), sequence: c.sequence, witness: [] })),
    outputs: [{ value, script: p.destination }],
    locktime,
  };
  return { tx, claims, fee, expectedWeight: weight };
}

/**
 * buildSweeps spends `claims` (in the order given) into `params.destination`, one
 * transaction per group that fits in `maxWeight`. nLockTime is the highest any claim needs,
 * each input carries its claim's nSequence (CSV delay, else 0xfffffffd), and the fee is the
 * expected weight at `feeratePerKw`. A claim worth less than its own input's fee is left
 * out, and so is a group whose output would be below the dust threshold; both are reported
 * in `uneconomic`.
 */
export function buildSweeps(claims: readonly Claim[], params: SweepParams): SweepBuild {
  const maxWeight = params.maxWeight ?? MAX_STANDARD_TX_WEIGHT;
  const uneconomic: Claim[] = [];
  const groups: Claim[][] = [];
  let current: Claim[] = [];
  let weight = sweepTxWeight([], [params.destination]);
  for (const c of claims) {
    if (!isClaimEconomic(c, params.feeratePerKw)) {
      uneconomic.push(c);
      continue;
    }
    const w = claimInputWeight(c);
    // A count above 252 takes two more bytes: allow for it once, generously.
    if (current.length > 0 && weight + w + 16 > maxWeight) {
      groups.push(current);
      current = [];
      weight = sweepTxWeight([], [params.destination]);
    }
    current.push(c);
    weight += w;
  }
  if (current.length > 0) groups.push(current);
  const sweeps: SweepTx[] = [];
  for (const g of groups) {
    const s = assemble(g, params);
    if (s) sweeps.push(s);
    else uneconomic.push(...g);
  }
  return { sweeps, uneconomic };
}

/** buildSweep is buildSweeps for a set expected to fit one transaction (throws otherwise). */
export function buildSweep(claims: readonly Claim[], params: SweepParams): { sweep: SweepTx | null; uneconomic: Claim[] } {
  const b = buildSweeps(claims, params);
  if (b.sweeps.length > 1) throw new RangeError('the claims do not fit in one transaction');
  return { sweep: b.sweeps[0] ?? null, uneconomic: b.uneconomic };
}

/**
 * claimWitness signs input `inputIndex` of `tx` (which spends `claim`) with the one key the
 * claim needs and returns the witness stack (BOLT #3 witnesses, SIGHASH_ALL).
 */
export function claimWitness(tx: Tx, inputIndex: number, claim: Claim, signer: ChannelSigner, sighashCache?: TxSigHashCache): Uint8Array[] {
  const ws = claim.witnessScript;
  const ref = (): SpendRef => {
    if (ws === null) throw new RangeError(`${claim.kind} needs a witness script`);
    return { tx, inputIndex, witnessScript: ws, amount: claim.value, sighashCache };
  };
  switch (claim.kind) {
    case 'to_local_delayed':
      return toLocalDelayedWitness(signer.signDelayed(ref(), claim.perCommitmentPoint), ws!);
    case 'to_local_revoked':
      return toLocalRevokedWitness(signer.signRevoked(ref(), claim.perCommitmentSecret), ws!);
    case 'htlc_revoked':
      return htlcRevokedWitness(signer.signRevoked(ref(), claim.perCommitmentSecret), claim.revocationPubkey, ws!);
    case 'to_remote': {
      const sig = signer.signToRemote({ tx, inputIndex, witnessScript: ws, amount: claim.value, sighashCache });
      return ws ? toRemoteAnchorsWitness(sig, ws) : toRemoteP2wpkhWitness(sig, signer.pubkeys.paymentBasepoint);
    }
    case 'offered_htlc_preimage':
      return offeredHtlcPreimageWitness(signer.signHtlc(ref(), claim.perCommitmentPoint, SIGHASH_ALL), claim.preimage, ws!);
    case 'received_htlc_timeout':
      return receivedHtlcTimeoutWitness(signer.signHtlc(ref(), claim.perCommitmentPoint, SIGHASH_ALL), ws!);
    case 'anchor':
      return anchorOwnerWitness(signer.signAnchor(ref()), ws!);
  }
}

/** signSweep signs every input of a sweep and returns the complete transaction. */
export function signSweep(sweep: SweepTx, signer: ChannelSigner): Tx {
  const cache = precomputeTxData(sweep.tx);
  const inputs = sweep.tx.inputs.map((input, i) => ({ ...input, witness: claimWitness(sweep.tx, i, sweep.claims[i]!, signer, cache) }));
  return { ...sweep.tx, inputs };
}

/** claimPrevouts lists the outputs a sweep spends, in input order (for verifyTx). */
export function claimPrevouts(claims: readonly Claim[]): { value: bigint; script: Uint8Array }[] {
  return claims.map((c) => ({ value: c.value, script: c.scriptPubkey }));
}

/**
 * readyHeight is the lowest tip height at which a transaction spending `claim` enters the
 * mempool, given the height of the block that confirmed the spent output: nLockTime L is
 * final in block L + 1, and a CSV delay of n blocks is met in block (confirmation + n).
 * 0 means at once (the spent output may even be unconfirmed).
 */
export function readyHeight(claim: Pick<Claim, 'csv' | 'locktime'>, spentConfirmationHeight: number): number {
  return Math.max(claim.locktime, claim.csv > 0 ? spentConfirmationHeight + claim.csv - 1 : 0);
}

/** deadlineHeight turns a claim's deadline into an absolute height (null: no deadline). */
export function deadlineHeight(deadline: Deadline | null, spentConfirmationHeight: number): number | null {
  if (deadline === null) return null;
  return 'height' in deadline ? deadline.height : spentConfirmationHeight + deadline.blocksAfterConfirmation;
}

/**
 * unspentClaims drops the claims whose outpoint one of `spenders` spends: after the
 * counterparty spent an HTLC output with its own HTLC transaction, a penalty transaction
 * including it is no longer valid and is rebuilt without it.
 *
 * BOLT #5: "MUST handle its transactions being invalidated by HTLC transactions."
 */
export function unspentClaims(claims: readonly Claim[], spenders: readonly Tx[]): Claim[] {
  const spent = new Set<string>();
  for (const t of spenders) for (const i of t.inputs) spent.add(`${toHex(i.txid)}:${i.vout}`);
  return claims.filter((c) => !spent.has(`${toHex(c.outpoint.txid)}:${c.outpoint.vout}`));
}

/**
 * claimsReadyAt keeps the claims a transaction could spend in the next block on top of
 * `tipHeight`, given where each spent output confirmed (`confirmationHeight` returns null
 * when it is unconfirmed: only claims without a CSV delay may then be spent).
 */
export function claimsReadyAt(claims: readonly Claim[], tipHeight: number, confirmationHeight: (txid: Uint8Array) => number | null): Claim[] {
  return claims.filter((c) => {
    const conf = confirmationHeight(c.outpoint.txid);
    if (conf === null) return c.csv === 0 && c.locktime <= tipHeight;
    return readyHeight(c, conf) <= tipHeight;
  });
}
