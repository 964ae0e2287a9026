/**
 * BOLT #5 "Unilateral Close Handling: Remote Commitment Transaction" and "Revoked
 * Transaction Close Handling": the counterparty's commitment is on chain. Its outputs are
 * recognised by rebuilding their scripts from the commitment's per-commitment point and the
 * HTLCs the monitor remembers; ours are claimed directly (no second stage on their
 * commitment), and on a revoked commitment everything is claimed with the revocation key,
 * including the outputs of any HTLC transaction they publish from it.
 */
import { equalBytes, sat } from '../lib/index.ts';
import { txid as txidOf, type Tx } from '../bitcoin/index.ts';
import { perCommitmentPoint as pointOf } from '../keys/index.ts';
import { DEFAULT_TIMEOUT_DEADLINE_DELTA } from './holder.ts';
import { PreimageBook } from './preimages.ts';
import { commitmentScripts, type CommitmentScripts } from './scripts.ts';
import { makeClaim } from './sweep.ts';
import type { HtlcRef, HtlcStub, MonitorParams, OutputResolution, ResolutionPlan } from './types.ts';

/** What is needed to resolve a commitment of the counterparty. */
export interface CounterpartyPlanInput {
  params: MonitorParams;
  /** Its per-commitment point (null when unknown: a commitment newer than ours, after data loss). */
  perCommitmentPoint: Uint8Array | null;
  /** For a revoked commitment: the per-commitment secret it revealed. */
  perCommitmentSecret?: Uint8Array | null;
  /** HTLCs that may be on it, from our side. */
  htlcs: readonly HtlcStub[];
  /** Preimages we may use to claim HTLCs offered to us. */
  preimages?: readonly Uint8Array[];
  /** Blocks after `cltv_expiry` by which a timeout should confirm. */
  timeoutDeadlineDelta?: number;
}

function stubRef(stubs: readonly HtlcStub[], i: number): HtlcRef {
  return { ...stubs[i]!, index: i };
}

/**
 * matchHtlcStubs pairs each output of `tx` with the HTLC whose script it pays (each HTLC at
 * most once, so identical HTLCs map to distinct outputs); returns output index → stub index.
 */
function matchHtlcStubs(tx: Tx, scripts: CommitmentScripts, stubs: readonly HtlcStub[]): Map<number, number> {
  const byOutput = new Map<number, number>();
  const candidates = stubs.map((s) => scripts.htlc(s)?.script ?? null);
  const used = new Set<number>();
  tx.outputs.forEach((o, vout) => {
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i];
      if (c && !used.has(i) && equalBytes(c, o.script)) {
        used.add(i);
        byOutput.set(vout, i);
        return;
      }
    }
  });
  return byOutput;
}

/**
 * planCounterpartyCommitment resolves a commitment of the counterparty, current, pending,
 * newer than known (point null: only `to_remote`), or revoked (with its secret):
 *
 * - our `to_remote`: swept to our wallet (P2WPKH, or with anchors after 1 block).
 * - their `to_local`: BOLT #5 "MAY take no action"; if revoked, "MUST *resolve* the _remote
 *   node's main output_ by spending it using the revocation private key."
 * - HTLCs we offered: "MUST *resolve* the output, by spending it to a convenient address"
 *   once timed out; HTLCs offered to us: spent with the preimage when we have it. If
 *   revoked, every HTLC output: "spend the *commitment tx* using the payment revocation
 *   private key."
 */
export function planCounterpartyCommitment(tx: Tx, p: CounterpartyPlanInput): ResolutionPlan {
  const secret = p.perCommitmentSecret ?? null;
  let point = p.perCommitmentPoint;
  if (secret) {
    const derived = pointOf(secret);
    if (point && !equalBytes(point, derived)) throw new Error('planCounterpartyCommitment: the secret does not match the point');
    point = derived;
  }
  const revoked = secret !== null;
  const anchors = p.params.type === 'anchors';
  const id = txidOf(tx);
  const scripts = commitmentScripts(p.params, 'remote', point);
  const keys = scripts.keys;
  const preimages = new PreimageBook(p.preimages);
  const delta = p.timeoutDeadlineDelta ?? DEFAULT_TIMEOUT_DEADLINE_DELTA;
  const htlcMatch = matchHtlcStubs(tx, scripts, p.htlcs);
  const outputs: OutputResolution[] = [];
  tx.outputs.forEach((o, vout) => {
    const value = sat(o.value);
    const base = { vout, value };
    const claimOf = { outpoint: { txid: id, vout }, value, scriptPubkey: o.script };
    if (equalBytes(o.script, scripts.toRemote.script)) {
      const claim = makeClaim({ kind: 'to_remote' }, { ...claimOf, witnessScript: scripts.toRemote.witnessScript, csv: anchors ? 1 : 0, locktime: 0, deadline: null });
      outputs.push({ ...base, kind: 'to_remote', action: { kind: 'sweep', claim } });
      return;
    }
    if (scripts.toLocal && equalBytes(o.script, scripts.toLocal.script)) {
      if (!revoked) {
        outputs.push({ ...base, kind: 'to_local', action: { kind: 'none', reason: "the counterparty's output" } });
        return;
      }
      const claim = makeClaim(
        { kind: 'to_local_revoked', perCommitmentSecret: secret },
        { ...claimOf, witnessScript: scripts.toLocal.witnessScript, csv: 0, locktime: 0, deadline: { blocksAfterConfirmation: scripts.toSelfDelay } },
      );
      outputs.push({ ...base, kind: 'to_local', action: { kind: 'sweep', claim } });
      return;
    }
    if (scripts.ownerAnchor && equalBytes(o.script, scripts.ownerAnchor.script)) {
      outputs.push({ ...base, kind: 'local_anchor', action: { kind: 'none', reason: "the counterparty's anchor" } });
      return;
    }
    if (scripts.otherAnchor && equalBytes(o.script, scripts.otherAnchor.script)) {
      const claim = makeClaim({ kind: 'anchor' }, { ...claimOf, witnessScript: scripts.otherAnchor.witnessScript, csv: 0, locktime: 0, deadline: null });
      outputs.push({ ...base, kind: 'remote_anchor', action: { kind: 'anchor', claim } });
      return;
    }
    const si = htlcMatch.get(vout);
    if (si === undefined || !keys) {
      outputs.push({ ...base, kind: 'unknown', action: { kind: 'unknown', reason: 'an output we cannot recognise' } });
      return;
    }
    const stub = p.htlcs[si]!;
    const htlc = stubRef(p.htlcs, si);
    const witnessScript = scripts.htlc(stub)!.witnessScript;
    if (revoked) {
      const claim = makeClaim(
        { kind: 'htlc_revoked', perCommitmentSecret: secret, revocationPubkey: keys.revocationPubkey },
        { ...claimOf, witnessScript, csv: 0, locktime: 0, deadline: { height: stub.cltvExpiry } },
      );
      outputs.push({ ...base, kind: 'htlc', htlc, action: { kind: 'sweep', claim } });
      return;
    }
    // With anchors, both non-revocation paths carry `1 OP_CHECKSEQUENCEVERIFY`.
    const csv = anchors ? 1 : 0;
    if (stub.direction === 'offered') {
      // BOLT #5: "if the commitment transaction HTLC output has *timed out* AND NOT been *resolved*: MUST *resolve* the output, by spending it to a convenient address."
      const claim = makeClaim(
        { kind: 'received_htlc_timeout', perCommitmentPoint: point! },
        { ...claimOf, witnessScript, csv, locktime: stub.cltvExpiry, deadline: { height: stub.cltvExpiry + delta } },
      );
      outputs.push({ ...base, kind: 'htlc', htlc, action: { kind: 'sweep', claim } });
      return;
    }
    const preimage = preimages.get(stub.paymentHash);
    if (preimage === null) {
      outputs.push({ ...base, kind: 'htlc', htlc, action: { kind: 'wait', reason: 'offered HTLC without its preimage: the counterparty may time it out' } });
      return;
    }
    const claim = makeClaim(
      { kind: 'offered_htlc_preimage', perCommitmentPoint: point!, preimage },
      { ...claimOf, witnessScript, csv, locktime: 0, deadline: { height: stub.cltvExpiry } },
    );
    outputs.push({ ...base, kind: 'htlc', htlc, action: { kind: 'sweep', claim } });
  });
  const matched = new Set(htlcMatch.values());
  const htlcsWithoutOutput = p.htlcs.map((_, i) => i).filter((i) => !matched.has(i)).map((i) => stubRef(p.htlcs, i));
  return { txid: id, outputs, htlcsWithoutOutput };
}

/** What is needed to punish an HTLC transaction spent from a revoked commitment. */
export interface RevokedHtlcTxInput {
  params: MonitorParams;
  /** The revoked commitment the HTLC transaction spends from. */
  commitmentTxid: Uint8Array;
  perCommitmentSecret: Uint8Array;
}

/**
 * planRevokedHtlcTx resolves an HTLC-timeout or HTLC-success transaction the counterparty
 * published from its revoked commitment: every output paying the revocable delayed script of
 * that commitment (output i of a transaction that may batch several HTLC inputs with
 * SIGHASH_SINGLE) is claimed with the revocation key before `to_self_delay` runs out.
 * Returns null when `tx` spends nothing of that commitment.
 *
 * BOLT #5: "MUST *resolve* the _remote node's HTLC-timeout transaction_ by spending it using
 * the revocation private key." and the same for the HTLC-success transaction.
 */
export function planRevokedHtlcTx(tx: Tx, p: RevokedHtlcTxInput): ResolutionPlan | null {
  if (!tx.inputs.some((i) => equalBytes(i.txid, p.commitmentTxid))) return null;
  const scripts = commitmentScripts(p.params, 'remote', pointOf(p.perCommitmentSecret));
  const toLocal = scripts.toLocal!;
  const id = txidOf(tx);
  const outputs: OutputResolution[] = tx.outputs.map((o, vout) => {
    const value = sat(o.value);
    if (!equalBytes(o.script, toLocal.script)) return { vout, value, kind: 'unknown', action: { kind: 'none', reason: 'not a revocable HTLC transaction output' } };
    const claim = makeClaim(
      { kind: 'to_local_revoked', perCommitmentSecret: p.perCommitmentSecret },
      {
        outpoint: { txid: id, vout },
        value,
        scriptPubkey: o.script,
        witnessScript: toLocal.witnessScript,
        csv: 0,
        locktime: 0,
        deadline: { blocksAfterConfirmation: scripts.toSelfDelay },
      },
    );
    return { vout, value, kind: 'to_local', action: { kind: 'sweep', claim } };
  });
  return { txid: id, outputs, htlcsWithoutOutput: [] };
}
