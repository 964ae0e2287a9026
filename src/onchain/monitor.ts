/**
 * The entry point for the node: a snapshot of what the monitor knows about a channel (built
 * from the channel machine's Commitments record), and `resolveFundingSpend`, which
 * classifies a transaction spending the funding output and plans the resolution of each of
 * its outputs.
 */
import { equalBytes } from '../lib/index.ts';
import type { Tx } from '../bitcoin/index.ts';
import { commitmentInput, currentView, type CommitmentInput, type Commitments } from '../channel/index.ts';
import { ShachainStore, type ChannelSigner } from '../keys/index.ts';
import { classifyFundingSpend, type FundingSpend, type RemoteCommitmentRef } from './classify.ts';
import { planCounterpartyCommitment } from './counterparty.ts';
import { planHolderCommitment } from './holder.ts';
import type { Claim, HolderHtlcResolution, HtlcStub, MonitorParams, OutputResolution, ResolutionPlan } from './types.ts';

/** Everything the monitor keeps about one channel, as plain data. */
export interface ChannelMonitorSnapshot {
  params: MonitorParams;
  /** Our latest commitment: its BOLT #3 description and the counterparty's HTLC signatures. */
  local: {
    number: bigint;
    txid: Uint8Array;
    commitment: CommitmentInput;
    remoteHtlcSigs: readonly Uint8Array[];
    /** HTLC ids aligned with `commitment.htlcs`. */
    htlcIds: readonly bigint[];
  };
  remoteCurrent: RemoteCommitmentRef;
  remoteNext: RemoteCommitmentRef | null;
  remoteSecrets: ShachainStore;
  /** Every HTLC that may be on a commitment not yet resolved (current ones plus history). */
  htlcs: readonly HtlcStub[];
  /** Preimages we may use on chain. */
  preimages: readonly Uint8Array[];
}

/**
 * snapshotFromCommitments reads a channel machine's Commitments into a monitor snapshot.
 * `history` adds HTLCs no longer in the channel but possibly on its revoked commitments (the
 * node must keep them: a revoked commitment's HTLC outputs can only be recognised, and
 * taken, by rebuilding their scripts). While a revocation is awaited, the counterparty's
 * current commitment is the one before `remoteCommit` (its txid is not kept; it is
 * recognised by number and outputs) and `remoteCommit` is its pending next one.
 */
export function snapshotFromCommitments(c: Commitments, signer: ChannelSigner, history: readonly HtlcStub[] = []): ChannelMonitorSnapshot {
  const view = currentView(c, 'local');
  const number = c.localCommit.number;
  const latest: RemoteCommitmentRef = { number: c.remoteCommit.number, txid: c.remoteCommit.txid, perCommitmentPoint: c.remoteCommit.perCommitmentPoint };
  const awaiting = c.awaitingRevocation && c.remotePrevPoint !== null;
  const htlcs: HtlcStub[] = c.htlcs.map((h) => ({ direction: h.direction, paymentHash: h.paymentHash, cltvExpiry: h.cltvExpiry, id: h.id }));
  const preimages: Uint8Array[] = [];
  for (const h of c.htlcs) if (h.removal?.kind === 'fulfill') preimages.push(h.removal.preimage);
  return {
    params: c.params,
    local: {
      number,
      txid: c.localCommit.txid,
      commitment: commitmentInput(c, 'local', view, number, signer.perCommitmentPoint(number)),
      remoteHtlcSigs: c.localCommit.remoteHtlcSigs,
      htlcIds: view.htlcs.map((h) => h.id),
    },
    remoteCurrent: awaiting ? { number: latest.number - 1n, txid: null, perCommitmentPoint: c.remotePrevPoint! } : latest,
    remoteNext: awaiting ? latest : null,
    remoteSecrets: ShachainStore.deserialize(c.remoteSecrets),
    htlcs: [...htlcs, ...history],
    preimages,
  };
}

/** Options of resolveFundingSpend. */
export interface ResolveOptions {
  /** Extra preimages (e.g. from the payments layer) beyond the snapshot's. */
  preimages?: readonly Uint8Array[];
  /** Closing transactions we signed. */
  closingTxids?: readonly Uint8Array[];
  /** Our signer, to recognise an old commitment of ours by its `to_local`. */
  signer?: ChannelSigner;
  /** Blocks after `cltv_expiry` by which a timeout should confirm. */
  timeoutDeadlineDelta?: number;
}

/** What a funding spend is and, for commitments we can act on, the plan. */
export interface FundingSpendResolution {
  spend: FundingSpend;
  /** Null for a mutual close, an old commitment of ours, or an unknown transaction. */
  plan: ResolutionPlan | null;
}

/**
 * resolveFundingSpend classifies `tx` (null when it does not spend the funding output) and
 * plans what to do with each of its outputs (BOLT #5). Pure: call it again after a reorg,
 * a restart, or when a preimage is learnt, and act on the differences.
 */
export function resolveFundingSpend(tx: Tx, snap: ChannelMonitorSnapshot, opts: ResolveOptions = {}): FundingSpendResolution | null {
  const spend = classifyFundingSpend(tx, {
    params: snap.params,
    local: { number: snap.local.number, txid: snap.local.txid },
    remoteCurrent: snap.remoteCurrent,
    remoteNext: snap.remoteNext,
    remoteSecrets: snap.remoteSecrets,
    htlcs: snap.htlcs,
    localPerCommitmentPoint: opts.signer ? (n) => opts.signer!.perCommitmentPoint(n) : undefined,
    closingTxids: opts.closingTxids,
  });
  if (spend === null) return null;
  const preimages = [...snap.preimages, ...(opts.preimages ?? [])];
  const delta = opts.timeoutDeadlineDelta;
  switch (spend.kind) {
    case 'local':
      return {
        spend,
        plan: planHolderCommitment(tx, {
          commitment: snap.local.commitment,
          remoteHtlcSigs: snap.local.remoteHtlcSigs,
          preimages,
          htlcIds: snap.local.htlcIds,
          timeoutDeadlineDelta: delta,
        }),
      };
    case 'remote_current':
    case 'remote_next':
      return { spend, plan: planCounterpartyCommitment(tx, { params: snap.params, perCommitmentPoint: spend.perCommitmentPoint, htlcs: snap.htlcs, preimages, timeoutDeadlineDelta: delta }) };
    case 'remote_revoked':
      return {
        spend,
        plan: planCounterpartyCommitment(tx, { params: snap.params, perCommitmentPoint: spend.perCommitmentPoint, perCommitmentSecret: spend.perCommitmentSecret, htlcs: snap.htlcs, preimages }),
      };
    case 'remote_future':
      return { spend, plan: planCounterpartyCommitment(tx, { params: snap.params, perCommitmentPoint: null, htlcs: [], preimages: [] }) };
    default:
      return { spend, plan: null };
  }
}

/** sweepClaims lists the claims of a plan to sweep into our wallet. */
export function sweepClaims(plan: ResolutionPlan): Claim[] {
  const out: Claim[] = [];
  for (const o of plan.outputs) if (o.action.kind === 'sweep') out.push(o.action.claim);
  return out;
}

/** htlcResolutions lists our second-stage HTLC transactions of a plan. */
export function htlcResolutions(plan: ResolutionPlan): HolderHtlcResolution[] {
  const out: HolderHtlcResolution[] = [];
  for (const o of plan.outputs) if (o.action.kind === 'htlc_tx') out.push(o.action.resolution);
  return out;
}

/** anchorClaim returns our anchor on the plan's commitment, if any. */
export function anchorClaim(plan: ResolutionPlan): Claim | null {
  for (const o of plan.outputs) if (o.action.kind === 'anchor') return o.action.claim;
  return null;
}

/**
 * outputsSpentBy lists the outputs of `plan` that `tx` spends: resolved (by us, or by the
 * counterparty — then look for a preimage with extractPreimages, and drop the claims with
 * unspentClaims).
 */
export function outputsSpentBy(plan: ResolutionPlan, tx: Tx): OutputResolution[] {
  return plan.outputs.filter((o) => tx.inputs.some((i) => i.vout === o.vout && equalBytes(i.txid, plan.txid)));
}
