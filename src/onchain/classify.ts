/**
 * BOLT #5: what kind of transaction spent the funding output — a mutual close, our
 * commitment, the counterparty's current or pending commitment, one of its revoked
 * commitments, or something we cannot explain ("MUST warn the user of potentially lost
 * funds"). The commitment number is read from the obscured number BOLT #3 hides in
 * nLockTime and nSequence; whose commitment it is follows from its outputs.
 */
import { equalBytes } from '../lib/index.ts';
import { txid as txidOf, type Tx } from '../bitcoin/index.ts';
import { commitmentNumberFromTx, type Outpoint } from '../channel/index.ts';
import { commitmentIndex, perCommitmentPoint, type ShachainStore } from '../keys/index.ts';
import { commitmentScripts, hasOutput } from './scripts.ts';
import type { HtlcStub, MonitorParams } from './types.ts';

/** A commitment of the counterparty we signed and that is not revoked. */
export interface RemoteCommitmentRef {
  number: bigint;
  /** Its txid, if we kept it (without it the commitment is recognised by number and outputs). */
  txid?: Uint8Array | null;
  perCommitmentPoint: Uint8Array;
}

/** What the monitor knows, for classification. */
export interface ClassifyInput {
  params: MonitorParams;
  /** Our latest commitment (the only one of ours we may broadcast). */
  local: { number: bigint; txid: Uint8Array };
  /** The counterparty's current commitment: the lowest one it has not revoked. */
  remoteCurrent: RemoteCommitmentRef;
  /** Its pending next commitment: signed by us, the previous one not yet revoked. */
  remoteNext: RemoteCommitmentRef | null;
  /** The counterparty's revealed per-commitment secrets. */
  remoteSecrets: ShachainStore;
  /** HTLCs that may be on some commitment (extra evidence when a commitment has neither main output). */
  htlcs?: readonly HtlcStub[];
  /** Our per-commitment point for commitment n (to recognise an old commitment of ours by its `to_local`). */
  localPerCommitmentPoint?: (commitmentNumber: bigint) => Uint8Array;
  /** Closing transactions we signed (recognised as known mutual closes). */
  closingTxids?: readonly Uint8Array[];
}

/** The kind of a funding spend. */
export type FundingSpend =
  /** BOLT #5 "Mutual Close Handling": nothing more to do (`known`: a closing tx we signed). */
  | { kind: 'mutual_close'; known: boolean }
  /** Our latest commitment. */
  | { kind: 'local'; number: bigint }
  /** An older commitment of ours, already revoked (we lost data): the peer may take everything. */
  | { kind: 'local_revoked'; number: bigint }
  /** The counterparty's current commitment. */
  | { kind: 'remote_current'; number: bigint; perCommitmentPoint: Uint8Array }
  /** The counterparty's pending next commitment. */
  | { kind: 'remote_next'; number: bigint; perCommitmentPoint: Uint8Array }
  /** A revoked commitment of the counterparty: everything is ours with the revocation key. */
  | { kind: 'remote_revoked'; number: bigint; perCommitmentSecret: Uint8Array; perCommitmentPoint: Uint8Array }
  /**
   * A counterparty commitment newer than any we know (we lost data). BOLT #5: "It can
   * derive its own `remotepubkey` for the transaction, in order to salvage its own funds."
   */
  | { kind: 'remote_future'; number: bigint }
  /** BOLT #5: "MUST warn the user of potentially lost funds." */
  | { kind: 'unknown'; reason: string; number?: bigint };

/** spendsOutpoint tells whether some input of `tx` spends `outpoint`. */
export function spendsOutpoint(tx: Tx, outpoint: Outpoint): boolean {
  return tx.inputs.some((i) => i.vout === outpoint.vout && equalBytes(i.txid, outpoint.txid));
}

/**
 * Whether `tx` (a commitment-shaped funding spend) carries outputs of a commitment of
 * `owner`: the other side's static `to_remote`, or the owner's `to_local` or HTLC outputs
 * for `point` when it is known.
 */
function looksOwnedBy(tx: Tx, m: ClassifyInput, owner: 'local' | 'remote', point: Uint8Array | null): boolean {
  const s = commitmentScripts(m.params, owner, point);
  if (hasOutput(tx, s.toRemote.script)) return true;
  if (hasOutput(tx, s.toLocal?.script)) return true;
  return (m.htlcs ?? []).some((h) => hasOutput(tx, s.htlc(h)?.script));
}

/**
 * classifyFundingSpend tells what kind of transaction `tx` is, given that it was seen
 * spending something; returns null when it does not spend the funding output at all.
 *
 * BOLT #5: "upon discovering a transaction that spends a funding transaction output which
 * does not fall into one of the above categories (mutual close, unilateral close, or
 * revoked transaction close): MUST warn the user of potentially lost funds."
 */
export function classifyFundingSpend(tx: Tx, m: ClassifyInput): FundingSpend | null {
  if (!spendsOutpoint(tx, m.params.funding)) return null;
  const id = txidOf(tx);
  if (equalBytes(id, m.local.txid)) return { kind: 'local', number: m.local.number };
  const remotes: { ref: RemoteCommitmentRef; role: 'remote_current' | 'remote_next' }[] = [{ ref: m.remoteCurrent, role: 'remote_current' }];
  if (m.remoteNext) remotes.push({ ref: m.remoteNext, role: 'remote_next' });
  for (const { ref, role } of remotes) {
    if (ref.txid && equalBytes(id, ref.txid)) return { kind: role, number: ref.number, perCommitmentPoint: ref.perCommitmentPoint };
  }
  if (m.closingTxids?.some((t) => equalBytes(t, id))) return { kind: 'mutual_close', known: true };

  // BOLT #3: a commitment's locktime has 0x20 and its input's sequence 0x80 as upper byte.
  const n = commitmentNumberFromTx(tx, m.params.obscuringFactor);
  if (n === null) {
    if (tx.inputs.length !== 1) return { kind: 'unknown', reason: 'spends the funding output together with other inputs' };
    // Not a commitment, and only both funding keys can sign a funding spend: a closing transaction.
    return { kind: 'mutual_close', known: false };
  }

  const ourPoint = m.localPerCommitmentPoint && n <= m.local.number ? m.localPerCommitmentPoint(n) : null;
  const ours = looksOwnedBy(tx, m, 'local', ourPoint);
  if (ours) {
    if (n < m.local.number) return { kind: 'local_revoked', number: n };
    return { kind: 'unknown', reason: `our commitment number ${n} but not the transaction we hold`, number: n };
  }

  for (const { ref, role } of remotes) {
    if (ref.number !== n) continue;
    if (ref.txid) return { kind: 'unknown', reason: `counterparty commitment number ${n} with an unexpected txid`, number: n };
    if (looksOwnedBy(tx, m, 'remote', ref.perCommitmentPoint)) return { kind: role, number: n, perCommitmentPoint: ref.perCommitmentPoint };
    return { kind: 'unknown', reason: `commitment number ${n} matches none of the expected outputs`, number: n };
  }

  if (n < m.remoteCurrent.number) {
    // BOLT #5: "Once a node discovers a commitment transaction for which *it* has a revocation private key"
    const secret = m.remoteSecrets.derive(commitmentIndex(n));
    if (secret === null) return { kind: 'unknown', reason: `old counterparty commitment ${n} whose secret we do not have`, number: n };
    const point = perCommitmentPoint(secret);
    if (!looksOwnedBy(tx, m, 'remote', point)) return { kind: 'unknown', reason: `revoked commitment number ${n} matches none of the expected outputs`, number: n };
    return { kind: 'remote_revoked', number: n, perCommitmentSecret: secret, perCommitmentPoint: point };
  }

  const highest = m.remoteNext?.number ?? m.remoteCurrent.number;
  if (n > highest && looksOwnedBy(tx, m, 'remote', null)) return { kind: 'remote_future', number: n };
  return { kind: 'unknown', reason: `commitment number ${n} is not one we know`, number: n };
}
