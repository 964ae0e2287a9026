/**
 * Commitment arithmetic as pure functions (Eclair's Commitments, with Core Lightning's HTLC
 * states): which HTLCs and which feerate each commitment holds, the balances that follow,
 * the BOLT #3 commitment each side would build, and the state transitions that
 * `commitment_signed` and `revoke_and_ack` cause. Nothing here sends or stores anything.
 */
import { msat, type Msat } from '../lib/index.ts';
import { segwitV0SigHash, SIGHASH_ALL } from '../bitcoin/index.ts';
import { verifyEcdsa } from '../crypto/index.ts';
import { deriveCommitmentKeys, type ChannelSigner } from '../keys/index.ts';
import { buildCommitment, type Commitment, type CommitmentHtlc, type CommitmentInput } from './commitment.ts';
import { buildHtlcTxs, htlcCounterpartySighashType } from './htlc-tx.ts';
import { signCounterpartyCommitment, type SignedCommitment } from './commitment-sign.ts';
import { inLocalCommitment, inRemoteCommitment, FINAL_STATES, feeUpdateDone, type Transition } from './htlc-state.ts';
import type { CommitmentSpec, Commitments, HtlcRecord } from './state.ts';

/** Which commitment: ours ('local') or the peer's ('remote'). */
export type Side = 'local' | 'remote';

/** A commitment's contents: balances, feerate and the HTLCs in it. */
export interface CommitmentView {
  spec: CommitmentSpec;
  htlcs: HtlcRecord[];
}

const inSide = (side: Side) => (side === 'local' ? inLocalCommitment : inRemoteCommitment);

/** currentView is what our current commitment (or the peer's current one) holds. */
export function currentView(c: Commitments, side: Side): CommitmentView {
  const spec = side === 'local' ? c.localCommit.spec : c.remoteCommit.spec;
  const f = inSide(side);
  return { spec, htlcs: c.htlcs.filter((h) => f(h.state)) };
}

/**
 * projectView computes the commitment of `side` after `t` is applied to every HTLC and fee
 * update: HTLCs that enter it are debited from their offerer, HTLCs that leave it are
 * credited to the fulfiller or refunded, and the latest fee update that enters sets the
 * feerate. Returns the HTLCs with their new states (so `htlcs` is the post-step list).
 */
export function projectView(c: Commitments, side: Side, t: Transition): CommitmentView & { all: HtlcRecord[] } {
  const f = inSide(side);
  const base = side === 'local' ? c.localCommit.spec : c.remoteCommit.spec;
  let toLocal: bigint = base.toLocal;
  let toRemote: bigint = base.toRemote;
  let feeratePerKw = base.feeratePerKw;
  const all: HtlcRecord[] = [];
  for (const h of c.htlcs) {
    const next = t(h.state);
    const was = f(h.state);
    const is = f(next);
    if (!was && is) {
      if (h.direction === 'offered') toLocal -= h.amount;
      else toRemote -= h.amount;
    } else if (was && !is) {
      const fulfilled = h.removal?.kind === 'fulfill';
      // Offered by us: fulfilled pays the peer, failed refunds us (and the mirror).
      if ((h.direction === 'offered') === fulfilled) toRemote += h.amount;
      else toLocal += h.amount;
    }
    all.push(next === h.state ? h : { ...h, state: next });
  }
  for (const u of c.fees) {
    if (!f(u.state) && f(t(u.state))) feeratePerKw = u.feeratePerKw;
  }
  const spec: CommitmentSpec = { feeratePerKw, toLocal: msat(toLocal), toRemote: msat(toRemote) };
  return { spec, htlcs: all.filter((h) => f(h.state)), all };
}

/** applyTransition moves every HTLC and fee update through `t`, dropping finished ones. */
export function applyTransition(c: Commitments, t: Transition): Pick<Commitments, 'htlcs' | 'fees'> {
  const htlcs = c.htlcs.map((h) => ({ ...h, state: t(h.state) })).filter((h) => !FINAL_STATES.has(h.state));
  const fees = c.fees.map((u) => ({ ...u, state: t(u.state) }));
  // A fee update fully applied to both commitments is folded into the specs; keep only live ones.
  return { htlcs, fees: fees.filter((u) => !feeUpdateDone(u.state)) };
}

/** commitmentInput describes the BOLT #3 commitment of `side` for `view` with the owner's point. */
export function commitmentInput(c: Commitments, side: Side, view: CommitmentView, number: bigint, point: Uint8Array): CommitmentInput {
  const p = c.params;
  const owner = side === 'local' ? p.local : p.remote;
  const other = side === 'local' ? p.remote : p.local;
  const htlcs: CommitmentHtlc[] = view.htlcs.map((h) => ({
    // Direction as seen by the commitment's owner.
    direction: (h.direction === 'offered') === (side === 'local') ? 'offered' : 'received',
    amount: h.amount,
    paymentHash: h.paymentHash,
    cltvExpiry: h.cltvExpiry,
  }));
  return {
    type: p.type,
    funding: p.funding,
    fundingAmount: p.fundingAmount,
    localFundingPubkey: owner.pubkeys.fundingPubkey,
    remoteFundingPubkey: other.pubkeys.fundingPubkey,
    keys: deriveCommitmentKeys(owner.pubkeys, other.pubkeys, point),
    toLocal: side === 'local' ? view.spec.toLocal : view.spec.toRemote,
    toRemote: side === 'local' ? view.spec.toRemote : view.spec.toLocal,
    localIsFunder: side === 'local' ? p.localIsFunder : !p.localIsFunder,
    feeratePerKw: view.spec.feeratePerKw,
    // The owner's outputs are delayed by the OTHER side's to_self_delay.
    toSelfDelay: other.toSelfDelay,
    dustLimit: owner.dustLimit,
    htlcs,
    commitmentNumber: number,
    obscuringFactor: p.obscuringFactor,
  };
}

/** signRemote builds and signs the peer's commitment `number` for `view` with its point. */
export function signRemote(c: Commitments, view: CommitmentView, number: bigint, point: Uint8Array, signer: ChannelSigner): SignedCommitment {
  return signCounterpartyCommitment(signer, commitmentInput(c, 'remote', view, number, point));
}

/** Why a peer's commitment signature was rejected. */
export type SignatureCheck = { ok: true; commitment: Commitment } | { ok: false; error: string };

/**
 * verifyLocalSignatures builds our commitment `number` for `view` and checks the peer's
 * commitment signature and HTLC signatures against it.
 *
 * BOLT #2: "if `signature` is not valid for its local commitment transaction OR
 * non-compliant with LOW-S-standard rule", "if `num_htlcs` is not equal to the number of HTLC
 * outputs in the local commitment transaction", "if any `htlc_signature` is not valid for the
 * corresponding HTLC transaction OR non-compliant with LOW-S-standard rule": "MUST send a
 * `warning` and close the connection, or send an `error` and fail the channel."
 */
export function verifyLocalSignatures(
  c: Commitments,
  view: CommitmentView,
  number: bigint,
  point: Uint8Array,
  sig: Uint8Array,
  htlcSigs: readonly Uint8Array[],
): SignatureCheck {
  const input = commitmentInput(c, 'local', view, number, point);
  let commitment: Commitment;
  try {
    commitment = buildCommitment(input);
  } catch (e) {
    return { ok: false, error: `cannot build our commitment: ${(e as Error).message}` };
  }
  const digest = segwitV0SigHash(commitment.tx, 0, commitment.fundingWitnessScript, c.params.fundingAmount, SIGHASH_ALL);
  if (!verifyEcdsa(sig, digest, c.params.remote.pubkeys.fundingPubkey)) return { ok: false, error: 'invalid commitment signature' };
  if (htlcSigs.length !== commitment.htlcOutputs.length) {
    return { ok: false, error: `expected ${commitment.htlcOutputs.length} HTLC signatures, got ${htlcSigs.length}` };
  }
  const htlcTxs = buildHtlcTxs(commitment, input.keys, input.toSelfDelay, input.feeratePerKw, input.type);
  const sighashType = htlcCounterpartySighashType(input.type);
  for (let i = 0; i < htlcTxs.length; i++) {
    const h = htlcTxs[i]!;
    const d = segwitV0SigHash(h.tx, 0, h.inputWitnessScript, h.inputValue, sighashType);
    if (!verifyEcdsa(htlcSigs[i]!, d, input.keys.remoteHtlcPubkey)) return { ok: false, error: `invalid HTLC signature ${i}` };
  }
  return { ok: true, commitment };
}

/** buildSide builds the BOLT #3 transaction of a commitment (for checks and tests). */
export function buildSide(c: Commitments, side: Side, view: CommitmentView, number: bigint, point: Uint8Array): Commitment {
  return buildCommitment(commitmentInput(c, side, view, number, point));
}

/** hasChangesForRemote: would a commitment_signed we send now change the peer's commitment? */
export function hasChangesForRemote(c: Commitments): boolean {
  return c.pendingLocalUpdates.length > 0 || c.htlcs.some((h) => h.state === 'SENT_ADD_REVOCATION' || h.state === 'SENT_REMOVE_REVOCATION')
    || c.fees.some((u) => u.state === 'SENT_ADD_REVOCATION');
}

/** hasChangesForLocal: does the peer have updates not yet in a commitment_signed to us? */
export function hasPendingRemoteUpdates(c: Commitments): boolean {
  return c.htlcs.some((h) => h.state === 'RCVD_ADD_HTLC' || h.state === 'RCVD_REMOVE_HTLC') || c.fees.some((u) => u.state === 'RCVD_ADD_HTLC');
}

/** sumMsat adds amounts. */
export function sumMsat(xs: readonly HtlcRecord[]): Msat {
  let t = 0n;
  for (const h of xs) t += h.amount;
  return msat(t);
}
