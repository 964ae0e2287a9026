/**
 * BOLT #2 "Channel Close": `shutdown` (script forms, upfront_shutdown_script enforcement,
 * waiting for the channel to be clear of HTLCs) and the legacy `closing_signed` fee
 * negotiation with `fee_range`, ending in a fully signed closing transaction to broadcast.
 */
import { equalBytes, sat, type Sat } from '../lib/index.ts';
import { segwitV0SigHash, SIGHASH_ALL, txWeight, type Tx } from '../bitcoin/index.ts';
import { verifyEcdsa } from '../crypto/index.ts';
import { buildLegacyClosingTx } from './funding.ts';
import { fundingScript } from './scripts.ts';
import { fundingSpendWitness } from './witness.ts';
import { isValidShutdownScript } from './limits.ts';
import { signNextCommitment } from './updates-protocol.ts';
import { startSimpleClose } from './close-simple.ts';
import { failChannel, ignore, reject } from './channel-common.ts';
import type { ClosingSigned, Shutdown, WarningMessage } from '../wire/index.ts';
import type { ChannelEnv, Effect, StepResult } from './channel-env.ts';
import type { ChannelState, Commitments } from './state.ts';
import { utf8 } from '../lib/index.ts';

type Normalish = Extract<ChannelState, { name: 'Normal' | 'ShuttingDown' }>;
type Negotiating = Extract<ChannelState, { name: 'Negotiating' }>;

function warning(c: Commitments, text: string): WarningMessage {
  return { type: 'warning', channel_id: c.params.channelId, data: utf8(text) };
}

/** Our shutdown script: the upfront one if we committed to it, else the requested one. */
function ourScript(c: Commitments, env: ChannelEnv, requested?: Uint8Array): Uint8Array | string {
  const upfront = c.params.local.upfrontShutdownScript;
  // BOLT #2: "if it sent a non-zero-length `shutdown_scriptpubkey` in `open_channel` or
  // `accept_channel`: MUST send the same value in `scriptpubkey`."
  if (upfront.length > 0) {
    if (requested && !equalBytes(requested, upfront)) return 'we committed to an upfront shutdown script';
    return upfront;
  }
  const s = requested ?? env.config.shutdownScript;
  if (!isValidShutdownScript(s, env.config.anySegwit, env.config.simpleClose ?? false)) return 'the shutdown script is not a valid form';
  return s;
}

/**
 * startShutdown sends our `shutdown` (our command).
 *
 * BOLT #2: "if there are updates pending on the receiving node's commitment transaction: MUST
 * NOT send a `shutdown`." and "MUST NOT send multiple `shutdown` messages."
 */
export function startShutdown(s: Normalish, requested: Uint8Array | undefined, env: ChannelEnv): StepResult {
  const c = s.commitments;
  if (s.name === 'ShuttingDown' && s.localShutdown) return reject(s, 'shutdown', 'shutdown already sent');
  if (c.pendingLocalUpdates.length > 0) return reject(s, 'shutdown', 'updates pending on the peer commitment: sign them first');
  const script = ourScript(c, env, requested);
  if (typeof script === 'string') return reject(s, 'shutdown', script);
  const msg: Shutdown = { type: 'shutdown', channel_id: c.params.channelId, scriptpubkey: script };
  const next: ChannelState = {
    name: 'ShuttingDown',
    commitments: c,
    shortChannelId: s.shortChannelId,
    localShutdown: msg,
    remoteShutdown: s.name === 'ShuttingDown' ? s.remoteShutdown : null,
  };
  return maybeNegotiate(next, [{ kind: 'send_message', message: msg }], env);
}

/**
 * receiveShutdown handles the peer's `shutdown`.
 *
 * BOLT #2: "if the `scriptpubkey` is not in one of the above forms: SHOULD send a `warning`.",
 * "once there are no outstanding updates on the peer, UNLESS it has already sent a `shutdown`:
 * MUST reply to a `shutdown` message with a `shutdown`", and "if both nodes advertised the
 * `option_upfront_shutdown_script` feature, and the receiving node received a non-zero-length
 * `shutdown_scriptpubkey` in `open_channel` or `accept_channel`, and that `shutdown_scriptpubkey`
 * is not equal to `scriptpubkey`: MAY send a `warning`. MUST fail the connection."
 */
export function receiveShutdown(s: Normalish, m: Shutdown, env: ChannelEnv): StepResult {
  let c = s.commitments;
  if (!isValidShutdownScript(m.scriptpubkey, env.config.anySegwit, env.config.simpleClose ?? false)) {
    return { state: s, effects: [{ kind: 'send_message', message: warning(c, 'invalid shutdown scriptpubkey') }] };
  }
  const upfront = c.params.remote.upfrontShutdownScript;
  if (env.config.upfrontShutdown && upfront.length > 0 && !equalBytes(upfront, m.scriptpubkey)) {
    return {
      state: s,
      effects: [
        { kind: 'send_message', message: warning(c, 'shutdown scriptpubkey differs from upfront_shutdown_script') },
        { kind: 'disconnect', reason: 'upfront_shutdown_script violated' },
      ],
    };
  }
  if (s.name === 'ShuttingDown' && s.remoteShutdown) return ignore(s, 'duplicate shutdown');
  const effects: Effect[] = [];
  let local = s.name === 'ShuttingDown' ? s.localShutdown : null;
  if (local === null) {
    // Commit anything we proposed before replying, so our shutdown finds the channel clean.
    if (c.pendingLocalUpdates.length > 0) {
      const r = signNextCommitment(c, env);
      if (r.ok) {
        c = r.c;
        effects.push(...r.effects);
      }
    }
    if (c.pendingLocalUpdates.length === 0) {
      const script = ourScript(c, env);
      if (typeof script === 'string') return failChannel(s, script, env);
      local = { type: 'shutdown', channel_id: c.params.channelId, scriptpubkey: script };
      effects.push({ kind: 'send_message', message: local });
    }
  }
  const next: ChannelState = { name: 'ShuttingDown', commitments: c, shortChannelId: s.shortChannelId, localShutdown: local, remoteShutdown: m };
  return maybeNegotiate(next, effects, env);
}

/** isChannelClear: no HTLCs in either commitment, nothing pending, no revocation owed either way. */
export function isChannelClear(c: Commitments): boolean {
  return c.htlcs.length === 0 && c.fees.length === 0 && c.pendingLocalUpdates.length === 0 && !c.awaitingRevocation;
}

/**
 * dropPendingFeeChange: a channel with no HTLC in either commitment whose only outstanding
 * business is a fee update (and the revocation of the commitment that carries it), as the
 * funder's peer sees it when the funder starts closing negotiation one message early (Core
 * Lightning does). A fee change does not change the closing outputs, so negotiation can go
 * on without it; returns the commitments with it dropped, or null when HTLCs remain or an
 * update other than a fee change is pending.
 *
 * BOLT #2 (the funder's trigger): "after `shutdown` has been received, AND no HTLCs remain in
 * either commitment transaction: SHOULD send a `closing_signed` message."
 */
export function dropPendingFeeChange(c: Commitments): Commitments | null {
  if (c.htlcs.length > 0) return null;
  if (c.pendingLocalUpdates.some((u) => u.type !== 'update_fee')) return null;
  // Our own fee proposals not yet signed go; what commitments already carry stays recorded
  // (the revocation still owed keeps its bookkeeping for retransmission and the chain watch).
  return { ...c, fees: c.fees.filter((f) => f.state !== 'SENT_ADD_HTLC'), pendingLocalUpdates: [] };
}

/**
 * negotiationTimedOut fails a legacy closing negotiation that has gone on for
 * CLOSING_NEGOTIATION_TIMEOUT_BLOCKS blocks without agreement (see that constant).
 */
export function negotiationTimedOut(s: Negotiating, env: ChannelEnv): StepResult | null {
  const start = s.startedAtHeight;
  if (start === undefined || env.blockHeight < start + CLOSING_NEGOTIATION_TIMEOUT_BLOCKS) return null;
  return failChannel(s, `closing fee negotiation did not agree within ${CLOSING_NEGOTIATION_TIMEOUT_BLOCKS} blocks`, env);
}

/** closingTx builds the legacy closing transaction for a fee. */
export function legacyClosingTx(c: Commitments, local: Shutdown, remote: Shutdown, fee: Sat): Tx {
  const spec = c.localCommit.spec;
  const dust = c.params.local.dustLimit > c.params.remote.dustLimit ? c.params.local.dustLimit : c.params.remote.dustLimit;
  return buildLegacyClosingTx(
    c.params.funding,
    { scriptPubkey: local.scriptpubkey, balance: spec.toLocal },
    { scriptPubkey: remote.scriptpubkey, balance: spec.toRemote },
    c.params.localIsFunder,
    fee,
    dust,
  );
}

/** The funder's balance in sat: the most it can pay in closing fees. */
function funderBalanceSat(c: Commitments): Sat {
  const b = c.params.localIsFunder ? c.localCommit.spec.toLocal : c.localCommit.spec.toRemote;
  return sat(b / 1000n);
}

/**
 * The relay floor the non-funder accepts a closing fee down to: Bitcoin Core 30's minimum
 * relay fee, 0.1 sat/vB, in sat per 1000 weight units.
 */
export const CLOSING_RELAY_FLOOR_PER_KW = 25;

/**
 * How many blocks a legacy closing negotiation may last before the channel is failed.
 * BOLT #2: "if it doesn't receive a `closing_signed` response after a reasonable amount of
 * time: MUST fail the channel" and "MUST fail the channel if it doesn't receive a satisfying
 * `fee_range` after a reasonable amount of time".
 */
export const CLOSING_NEGOTIATION_TIMEOUT_BLOCKS = 6;

/** The weight of the legacy closing transaction with its witness: two DER signatures, the 2-of-2 script and item lengths (about 222 bytes). */
function closingWeight(c: Commitments, local: Shutdown, remote: Shutdown): number {
  return txWeight(legacyClosingTx(c, local, remote, sat(0))) + 222;
}

/**
 * Our acceptable closing fee range (sat), capped by what the funder can pay.
 *
 * As the funder: the configured range, what we are prepared to pay. As the non-funder we
 * pay nothing, so (unless the operator forced a range for this close) we accept anything
 * from a relay floor at the actual closing weight up to all the funder could pay. BOLT #2:
 * "if it is not the funder: SHOULD set `max_fee_satoshis` to at least the `max_fee_satoshis`
 * received" and "SHOULD set `min_fee_satoshis` to a fairly low value".
 */
function feeRange(c: Commitments, env: ChannelEnv, local: Shutdown, remote: Shutdown): { min: Sat; max: Sat } {
  const cap = funderBalanceSat(c);
  if (c.params.localIsFunder || env.config.closingFeeRangeForced) {
    const max = env.config.closingFeeRange.max < cap ? env.config.closingFeeRange.max : cap;
    const min = env.config.closingFeeRange.min < max ? env.config.closingFeeRange.min : max;
    return { min, max };
  }
  const floor = sat((BigInt(closingWeight(c, local, remote)) * BigInt(CLOSING_RELAY_FLOOR_PER_KW) + 999n) / 1000n);
  return { min: floor < cap ? floor : cap, max: cap };
}

/** Our preferred closing fee at the current closing feerate. */
function preferredFee(c: Commitments, local: Shutdown, remote: Shutdown, env: ChannelEnv): Sat {
  const weight = closingWeight(c, local, remote);
  const r = feeRange(c, env, local, remote);
  const f = sat((BigInt(env.feerates.closing) * BigInt(weight)) / 1000n);
  return f < r.min ? r.min : f > r.max ? r.max : f;
}

function signClosing(c: Commitments, local: Shutdown, remote: Shutdown, fee: Sat, env: ChannelEnv, withRange: boolean): ClosingSigned {
  const tx = legacyClosingTx(c, local, remote, fee);
  const ws = fundingScript(c.params.local.pubkeys.fundingPubkey, c.params.remote.pubkeys.fundingPubkey);
  const sig = env.signer.signClosing({ tx, inputIndex: 0, witnessScript: ws, amount: c.params.fundingAmount });
  const r = feeRange(c, env, local, remote);
  return {
    type: 'closing_signed',
    channel_id: c.params.channelId,
    fee_satoshis: fee,
    signature: sig.sig,
    tlvs: withRange ? { fee_range: { min_fee_satoshis: r.min, max_fee_satoshis: r.max } } : {},
  };
}

/**
 * maybeNegotiate moves a ShuttingDown channel to Negotiating once both shutdowns are
 * exchanged and the channel is clear; the funder then sends the first closing_signed.
 *
 * BOLT #2: "after `shutdown` has been received, AND no HTLCs remain in either commitment
 * transaction: SHOULD send a `closing_signed` message."
 */
export function maybeNegotiate(s: ChannelState, effects: Effect[], env: ChannelEnv): StepResult {
  if (s.name === 'ShuttingDown' && !s.localShutdown && s.remoteShutdown && s.commitments.pendingLocalUpdates.length === 0) {
    // Our reply was held back while our own updates were unsigned: send it now.
    const script = ourScript(s.commitments, env);
    if (typeof script !== 'string') {
      const local: Shutdown = { type: 'shutdown', channel_id: s.commitments.params.channelId, scriptpubkey: script };
      return maybeNegotiate({ ...s, localShutdown: local }, [...effects, { kind: 'send_message', message: local }], env);
    }
  }
  if (s.name !== 'ShuttingDown' || !s.localShutdown || !s.remoteShutdown) return { state: s, effects };
  const c = s.commitments;
  const early = env.config.devEarlyClosingSigned === true && c.params.localIsFunder && c.htlcs.length === 0 && c.pendingLocalUpdates.length === 0 && !c.awaitingRevocation;
  if (!isChannelClear(c) && !early) return { state: s, effects };
  return beginNegotiation(s, s.localShutdown, s.remoteShutdown, effects, env);
}

/** beginNegotiation enters closing negotiation once both shutdowns are exchanged; the funder sends the first closing_signed. */
export function beginNegotiation(s: Extract<ChannelState, { name: 'ShuttingDown' }>, localShutdown: Shutdown, remoteShutdown: Shutdown, effects: Effect[], env: ChannelEnv): StepResult {
  const c = s.commitments;
  s = { ...s, localShutdown, remoteShutdown };
  if (env.config.simpleClose) return startSimpleClose(c, localShutdown, remoteShutdown, effects, env);
  const next: Negotiating = {
    name: 'Negotiating',
    commitments: c,
    localShutdown,
    remoteShutdown,
    lastSent: null,
    lastReceived: null,
    startedAtHeight: env.blockHeight,
  };
  if (!c.params.localIsFunder) return { state: next, effects };
  const msg = signClosing(c, localShutdown, remoteShutdown, preferredFee(c, localShutdown, remoteShutdown, env), env, true);
  return { state: { ...next, lastSent: msg }, effects: [...effects, { kind: 'send_message', message: msg }] };
}

/** finish builds the fully signed closing transaction for an agreed fee and broadcasts it. */
function finish(s: Negotiating, theirs: ClosingSigned, env: ChannelEnv, reply: ClosingSigned | null): StepResult {
  const c = s.commitments;
  const tx = legacyClosingTx(c, s.localShutdown, s.remoteShutdown, theirs.fee_satoshis);
  const ws = fundingScript(c.params.local.pubkeys.fundingPubkey, c.params.remote.pubkeys.fundingPubkey);
  const ours = env.signer.signClosing({ tx, inputIndex: 0, witnessScript: ws, amount: c.params.fundingAmount });
  const witness = fundingSpendWitness(c.params.local.pubkeys.fundingPubkey, ours, c.params.remote.pubkeys.fundingPubkey, theirs.signature, ws);
  const signed: Tx = { ...tx, inputs: [{ ...tx.inputs[0]!, witness }] };
  const effects: Effect[] = [];
  if (reply) effects.push({ kind: 'send_message', message: reply });
  effects.push({ kind: 'broadcast', tx: signed, label: 'closing' });
  return { state: { name: 'Closing', commitments: c, closingTx: signed }, effects };
}

/**
 * receiveClosingSigned runs one round of the legacy fee negotiation.
 *
 * BOLT #2: "if the `signature` is not valid for either variant of closing transaction
 * specified in [BOLT #3] OR non-compliant with LOW-S-standard rule: MUST send a `warning` and
 * close the connection, or send an `error` and fail the channel."
 */
export function receiveClosingSigned(s: Negotiating, m: ClosingSigned, env: ChannelEnv): StepResult {
  const c = s.commitments;
  const tx = legacyClosingTx(c, s.localShutdown, s.remoteShutdown, m.fee_satoshis);
  const ws = fundingScript(c.params.local.pubkeys.fundingPubkey, c.params.remote.pubkeys.fundingPubkey);
  const digest = segwitV0SigHash(tx, 0, ws, c.params.fundingAmount, SIGHASH_ALL);
  if (!verifyEcdsa(m.signature, digest, c.params.remote.pubkeys.fundingPubkey)) return failChannel(s, 'closing_signed: invalid signature', env);
  if (m.fee_satoshis > funderBalanceSat(c)) return failChannel(s, 'closing_signed: fee exceeds the funder balance', env);
  const s1: Negotiating = { ...s, lastReceived: m };
  // BOLT #2: "if `fee_satoshis` is equal to its previously sent `fee_satoshis`: SHOULD sign and
  // broadcast the final closing transaction."
  if (s.lastSent && s.lastSent.fee_satoshis === m.fee_satoshis) return finish(s1, m, env, null);
  const ours = feeRange(c, env, s.localShutdown, s.remoteShutdown);
  const theirs = m.tlvs.fee_range;
  if (theirs) {
    const lo = theirs.min_fee_satoshis > ours.min ? theirs.min_fee_satoshis : ours.min;
    const hi = theirs.max_fee_satoshis < ours.max ? theirs.max_fee_satoshis : ours.max;
    // BOLT #2: "if there is no overlap between that and its own `fee_range`: SHOULD send a warning"
    // The negotiation then waits for a satisfying fee_range until its timeout; a close
    // command of ours waiting on it is told at once why it cannot succeed.
    if (lo > hi) {
      const why = `no overlap between fee ranges: the peer's ${theirs.min_fee_satoshis}-${theirs.max_fee_satoshis} sat, ours ${ours.min}-${ours.max} sat`;
      return {
        state: s1,
        effects: [
          { kind: 'send_message', message: warning(c, why) },
          { kind: 'command_rejected', command: 'shutdown', reason: `closing fee negotiation cannot succeed: ${why}` },
        ],
      };
    }
    const inOverlap = m.fee_satoshis >= lo && m.fee_satoshis <= hi;
    if (c.params.localIsFunder || s.lastSent) {
      // BOLT #2: "if `fee_satoshis` is not in the overlap between the sent and received
      // `fee_range`: MUST fail the channel otherwise: MUST reply with the same `fee_satoshis`."
      // (and for the non-funder that already sent: "if `fee_satoshis` is not the same as the
      // value it sent: MUST fail the channel")
      if (!inOverlap || (!c.params.localIsFunder && s.lastSent)) return failChannel(s1, 'closing_signed: fee_satoshis outside the fee range overlap', env);
      return finish(s1, m, env, signClosing(c, s.localShutdown, s.remoteShutdown, m.fee_satoshis, env, true));
    }
    // Fundee, first reply: "MUST propose a `fee_satoshis` in the overlap between received and
    // (about-to-be) sent `fee_range`."
    if (inOverlap) return finish(s1, m, env, signClosing(c, s.localShutdown, s.remoteShutdown, m.fee_satoshis, env, true));
    const fee = m.fee_satoshis < lo ? lo : hi;
    const reply = signClosing(c, s.localShutdown, s.remoteShutdown, fee, env, true);
    return { state: { ...s1, lastSent: reply }, effects: [{ kind: 'send_message', message: reply }] };
  }
  // Without fee_range: accept a fee within our range, else move strictly toward it.
  if (m.fee_satoshis >= ours.min && m.fee_satoshis <= ours.max) {
    return finish(s1, m, env, signClosing(c, s.localShutdown, s.remoteShutdown, m.fee_satoshis, env, false));
  }
  const prev = s.lastSent?.fee_satoshis ?? preferredFee(c, s.localShutdown, s.remoteShutdown, env);
  const mid = sat((prev + m.fee_satoshis) / 2n);
  if (mid === prev || mid === m.fee_satoshis) return failChannel(s1, 'closing_signed: fee negotiation cannot progress', env);
  const reply = signClosing(c, s.localShutdown, s.remoteShutdown, mid, env, false);
  return { state: { ...s1, lastSent: reply }, effects: [{ kind: 'send_message', message: reply }] };
}
