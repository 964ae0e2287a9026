/**
 * The data the BOLT #5 resolution library works on: what a channel monitor knows about a
 * channel (MonitorParams, HtlcStub), the outputs it can spend (Claim), when (timelocks) and
 * by when (Deadline), and what to do with each output of a transaction that spent the
 * funding output (ResolutionPlan). Everything is plain data, so a plan can be persisted and
 * recomputed after a restart or a reorganisation (BOLT #5: "MUST be prepared to resolve
 * outputs multiple times, in case of blockchain reorganizations").
 */
import type { Sat } from '../lib/index.ts';
import type { ChannelParams, HtlcTx, Outpoint } from '../channel/index.ts';
import type { TxSignature } from '../keys/index.ts';

/**
 * The fixed channel facts the monitor needs: both sides' keys and delays, the funding
 * outpoint, the channel type and the commitment number obscuring factor. A subset of the
 * channel machine's ChannelParams, so `c.params` can be passed as is.
 */
export type MonitorParams = Pick<ChannelParams, 'type' | 'funding' | 'fundingAmount' | 'localIsFunder' | 'obscuringFactor' | 'local' | 'remote'>;

/**
 * An HTLC as the monitor remembers it, enough to rebuild its output script on any
 * commitment: direction from OUR side ('offered' = we offered it), payment hash and expiry.
 * Revoked commitments are resolved by matching their outputs against these (the monitor
 * must keep a stub for every HTLC that may be on a commitment it has not yet seen resolved).
 */
export interface HtlcStub {
  direction: 'offered' | 'received';
  paymentHash: Uint8Array;
  cltvExpiry: number;
  /** The channel's HTLC id, if known (reported back so the node can settle it upstream). */
  id?: bigint;
}

/** When a claim must confirm by: an absolute height, or blocks after the spent output confirms. */
export type Deadline = { height: number } | { blocksAfterConfirmation: number };

/** How a claimed output is spent: which signature, from which key, in which witness. */
export type ClaimSpend =
  /** Our `to_local` (or our HTLC transaction's output) after `to_self_delay`: `<local_delayedsig> <>`. */
  | { kind: 'to_local_delayed'; perCommitmentPoint: Uint8Array }
  /** Their revoked `to_local` (or their HTLC transaction's output): `<revocation_sig> 1`. */
  | { kind: 'to_local_revoked'; perCommitmentSecret: Uint8Array }
  /** An HTLC output of their revoked commitment: `<revocation_sig> <revocationpubkey>`. */
  | { kind: 'htlc_revoked'; perCommitmentSecret: Uint8Array; revocationPubkey: Uint8Array }
  /** Our `to_remote` on their commitment: P2WPKH `<sig> <pubkey>`, or with anchors `<sig>` (nSequence 1). */
  | { kind: 'to_remote' }
  /** An HTLC they offered on their commitment, claimed with the preimage: `<remotehtlcsig> <payment_preimage>`. */
  | { kind: 'offered_htlc_preimage'; perCommitmentPoint: Uint8Array; preimage: Uint8Array }
  /** An HTLC they received on their commitment (we offered), after `cltv_expiry`: `<remotehtlcsig> <>`. */
  | { kind: 'received_htlc_timeout'; perCommitmentPoint: Uint8Array }
  /** Our anchor, with our funding key: `<local_sig>`. */
  | { kind: 'anchor' };

export type ClaimKind = ClaimSpend['kind'];

/**
 * One output we can spend with our keys alone, with everything needed to build, weigh and
 * sign its input. `sequence` and `locktime` are what the spending input / transaction must
 * carry; `csv` is the relative delay (blocks after the spent output confirms).
 */
export type Claim = ClaimSpend & {
  outpoint: Outpoint;
  value: Sat;
  /** The spent output's scriptPubKey (for prevouts and verification). */
  scriptPubkey: Uint8Array;
  /** The P2WSH witness script, or null for a P2WPKH `to_remote`. */
  witnessScript: Uint8Array | null;
  /** nSequence of the spending input (the CSV delay, or 0xfffffffd). */
  sequence: number;
  /** Relative delay in blocks after the spent output confirms (0 = none). */
  csv: number;
  /** Absolute height the spending transaction's nLockTime must reach (0 = none). */
  locktime: number;
  deadline: Deadline | null;
  /** Expected (maximum) witness weight, BOLT #3 Appendix A / BOLT #5 Appendix A style. */
  witnessWeight: number;
};

/**
 * One of our second-stage HTLC transactions on our own commitment (BOLT #3 "HTLC-Timeout
 * and HTLC-Success Transactions"), with the counterparty's signature we already hold. Without
 * anchors it is complete and pays its own fee; with anchors it is zero-fee and needs
 * fee inputs (`addHtlcTxFeeInputs`). Its output is swept after `toSelfDelay`.
 */
export interface HolderHtlcResolution {
  kind: 'timeout' | 'success';
  htlcTx: HtlcTx;
  remoteSig: TxSignature;
  perCommitmentPoint: Uint8Array;
  preimage: Uint8Array | null;
  /** The delay on the HTLC transaction's output (the counterparty's `to_self_delay`). */
  toSelfDelay: number;
  anchors: boolean;
  /** nLockTime (the HTLC's `cltv_expiry` for HTLC-timeout, else 0). */
  locktime: number;
  /** 1 with anchors (the HTLC output's `1 OP_CHECKSEQUENCEVERIFY`), else 0. */
  csv: number;
  deadline: Deadline | null;
}

/** What to do with one output. */
export type OutputAction =
  /** Spend it to our wallet (may be batched with other claims). */
  | { kind: 'sweep'; claim: Claim }
  /** Broadcast our HTLC-timeout / HTLC-success transaction, then sweep its output. */
  | { kind: 'htlc_tx'; resolution: HolderHtlcResolution }
  /** Our anchor: spend it with wallet inputs to bump the commitment (CPFP) while unconfirmed. */
  | { kind: 'anchor'; claim: Claim }
  /** Nothing to do now: a received HTLC without its preimage (the peer may time it out). */
  | { kind: 'wait'; reason: string }
  /** Not ours to spend, or resolved by the transaction itself. */
  | { kind: 'none'; reason: string }
  /** An output we cannot recognise (BOLT #5: "MUST warn the user of potentially lost funds"). */
  | { kind: 'unknown'; reason: string };

/** Which output of a commitment this is, from the commitment owner's side (BOLT #3 names). */
export type ResolvedOutputKind = 'to_local' | 'to_remote' | 'local_anchor' | 'remote_anchor' | 'htlc' | 'unknown';

/** An HTLC an output carries, from OUR side. */
export interface HtlcRef extends HtlcStub {
  /** Index into the HTLC list the plan was made from (CommitmentInput.htlcs or the stubs). */
  index: number;
}

/** One output of the spending transaction and what to do with it. */
export interface OutputResolution {
  vout: number;
  value: Sat;
  kind: ResolvedOutputKind;
  htlc?: HtlcRef;
  action: OutputAction;
}

/** The resolution of one commitment transaction (or HTLC transaction) output by output. */
export interface ResolutionPlan {
  /** The transaction resolved. */
  txid: Uint8Array;
  outputs: OutputResolution[];
  /**
   * HTLCs with no output on this transaction (trimmed, or not in this commitment). BOLT #5:
   * "if the payment preimage is known: MUST fulfill the corresponding incoming HTLC (if any)",
   * otherwise fail it once the commitment is deep enough.
   */
  htlcsWithoutOutput: HtlcRef[];
}

