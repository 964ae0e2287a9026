/**
 * The output scripts a commitment of either side can carry, rebuilt from the channel's keys
 * and the commitment's per-commitment point, so that a transaction seen on chain can be
 * recognised output by output (BOLT #3 "Commitment Transaction Outputs").
 */
import { equalBytes } from '../lib/index.ts';
import { hash160 } from '../crypto/index.ts';
import { p2wpkhScript, p2wshScript, type Tx } from '../bitcoin/index.ts';
import {
  anchorScript,
  offeredHtlcScript,
  receivedHtlcScript,
  toLocalScript,
  toRemoteAnchorsScript,
} from '../channel/index.ts';
import { deriveCommitmentKeys, type CommitmentKeys } from '../keys/index.ts';
import type { HtlcStub, MonitorParams } from './types.ts';

/** An output script and, for P2WSH, its witness script. */
export interface ScriptPair {
  witnessScript: Uint8Array | null;
  script: Uint8Array;
}

function wsh(witnessScript: Uint8Array): ScriptPair {
  return { witnessScript, script: p2wshScript(witnessScript) };
}

/** Whose commitment: ours ('local') or the counterparty's ('remote'). */
export type CommitmentOwner = 'local' | 'remote';

/** The scripts of one commitment, as its owner and counterparty see them. */
export interface CommitmentScripts {
  owner: CommitmentOwner;
  /** The commitment's keys (null when its per-commitment point is unknown). */
  keys: CommitmentKeys | null;
  /** The delay on the owner's outputs (the other side's `to_self_delay`). */
  toSelfDelay: number;
  /** The owner's `to_local` (null when the point is unknown). */
  toLocal: ScriptPair | null;
  /** The counterparty's `to_remote` (P2WPKH, or the anchors script): static, needs no point. */
  toRemote: ScriptPair;
  /** The owner's and the counterparty's anchors (null without anchors). */
  ownerAnchor: ScriptPair | null;
  otherAnchor: ScriptPair | null;
  /** The script of an HTLC output on this commitment (null when the point is unknown). */
  htlc(stub: HtlcStub): ScriptPair | null;
}

/**
 * commitmentScripts rebuilds every script a commitment owned by `owner` may carry, for the
 * per-commitment point `point` (null: only the point-independent `to_remote` and anchors).
 */
export function commitmentScripts(params: MonitorParams, owner: CommitmentOwner, point: Uint8Array | null): CommitmentScripts {
  const anchors = params.type === 'anchors';
  const ownerSide = owner === 'local' ? params.local : params.remote;
  const otherSide = owner === 'local' ? params.remote : params.local;
  // The owner's outputs are delayed by the OTHER side's to_self_delay.
  const toSelfDelay = otherSide.toSelfDelay;
  const keys = point ? deriveCommitmentKeys(ownerSide.pubkeys, otherSide.pubkeys, point) : null;
  const remotePaymentPubkey = otherSide.pubkeys.paymentBasepoint;
  const toRemote: ScriptPair = anchors
    ? wsh(toRemoteAnchorsScript(remotePaymentPubkey))
    : { witnessScript: null, script: p2wpkhScript(hash160(remotePaymentPubkey)) };
  return {
    owner,
    keys,
    toSelfDelay,
    toLocal: keys ? wsh(toLocalScript(keys.revocationPubkey, toSelfDelay, keys.localDelayedPubkey)) : null,
    toRemote,
    ownerAnchor: anchors ? wsh(anchorScript(ownerSide.pubkeys.fundingPubkey)) : null,
    otherAnchor: anchors ? wsh(anchorScript(otherSide.pubkeys.fundingPubkey)) : null,
    htlc(stub) {
      if (!keys) return null;
      // The stub's direction is ours; on their commitment our offered HTLC is one the owner received.
      const ownerOffered = (stub.direction === 'offered') === (owner === 'local');
      return wsh(ownerOffered ? offeredHtlcScript(keys, stub.paymentHash, anchors) : receivedHtlcScript(keys, stub.paymentHash, stub.cltvExpiry, anchors));
    },
  };
}

/** hasOutput tells whether `tx` has an output paying `script`. */
export function hasOutput(tx: Tx, script: Uint8Array | undefined | null): boolean {
  if (!script) return false;
  return tx.outputs.some((o) => equalBytes(o.script, script));
}
