/**
 * BOLT #2 "Message Retransmission": what a disconnect undoes, the channel_reestablish we
 * send, and how we answer the peer's: retransmitting exactly what it missed (revoke_and_ack
 * and/or commitment_signed with its updates, in the original order), the
 * option_data_loss_protect checks, channel_ready and shutdown retransmission.
 */
import { equalBytes } from '../lib/index.ts';
import { commitmentIndex, ShachainStore } from '../keys/index.ts';
import { revertOnDisconnect, signNextCommitment } from './updates-protocol.ts';
import { channelReadyMessage } from './open.ts';
import { errorMessage, failChannel, ignore } from './channel-common.ts';
import type { ChannelMessage, ChannelReestablish } from '../wire/index.ts';
import type { ChannelEnv, Effect, StepResult } from './channel-env.ts';
import type { ChannelState, Commitments, FundedState } from './state.ts';
import { hasCommitments } from './state.ts';

const ZERO32 = new Uint8Array(32);

/**
 * onDisconnected forgets what the peer will forget. Channels not yet remembered by the
 * funder (before funding_signed) are dropped; legacy fee negotiation restarts on reconnection.
 *
 * BOLT #2: "A funding node: upon disconnection: if it has broadcast the funding transaction:
 * MUST remember the channel for reconnection. otherwise: SHOULD NOT remember the channel for
 * reconnection."
 */
export function onDisconnected(s: ChannelState): StepResult {
  switch (s.name) {
    case 'AwaitingAcceptChannel':
    case 'AwaitingFundingTx':
    case 'AwaitingFundingCreated':
    case 'AwaitingFundingSigned':
      return { state: { name: 'Closed', channelId: s.name === 'AwaitingFundingSigned' ? s.commitments.params.channelId : s.pending.open.temporary_channel_id, reason: 'disconnected before funding' }, effects: [] };
    case 'Closed':
    case 'Errored':
    case 'Closing':
      return { state: s, effects: [] };
    case 'Negotiating': {
      // "negotiation restarts on reconnection"
      const c = revertOnDisconnect(s.commitments);
      return { state: { name: 'ShuttingDown', commitments: c, shortChannelId: null, localShutdown: s.localShutdown, remoteShutdown: null }, effects: [] };
    }
    case 'NegotiatingSimple': {
      // Each side retransmits shutdown and sends a fresh closing_complete after reconnection.
      const c = revertOnDisconnect(s.commitments);
      const localShutdown = { type: 'shutdown' as const, channel_id: c.params.channelId, scriptpubkey: s.localScript };
      return { state: { name: 'ShuttingDown', commitments: c, shortChannelId: null, localShutdown, remoteShutdown: null }, effects: [] };
    }
    case 'ShuttingDown':
      // The peer's shutdown is retransmitted by it on reconnection.
      return { state: { ...s, commitments: revertOnDisconnect(s.commitments), remoteShutdown: null }, effects: [] };
    default:
      return { state: { ...s, commitments: revertOnDisconnect(s.commitments) } as ChannelState, effects: [] };
  }
}

/**
 * ourReestablish builds our channel_reestablish.
 *
 * BOLT #2: "MUST set `next_commitment_number` to the commitment number of the next
 * `commitment_signed` it expects to receive.", "MUST set `next_revocation_number` to the
 * commitment number of the next `revoke_and_ack` message it expects to receive.", "if
 * `next_revocation_number` equals 0: MUST set `your_last_per_commitment_secret` to all zeroes
 * otherwise: MUST set `your_last_per_commitment_secret` to the last `per_commitment_secret` it
 * received"
 */
export function ourReestablish(c: Commitments, env: ChannelEnv): ChannelReestablish {
  const store = ShachainStore.deserialize(c.remoteSecrets);
  const received = store.count;
  const last = received === 0n ? ZERO32 : store.derive(commitmentIndex(received - 1n))!;
  return {
    type: 'channel_reestablish',
    channel_id: c.params.channelId,
    next_commitment_number: c.localCommit.number + 1n,
    next_revocation_number: c.awaitingRevocation ? c.remoteCommit.number - 1n : c.remoteCommit.number,
    your_last_per_commitment_secret: last,
    my_current_per_commitment_point: env.signer.perCommitmentPoint(c.localCommit.number),
    tlvs: {},
  };
}

/**
 * onReconnected sends channel_reestablish (or, for a failed channel, the error again).
 *
 * BOLT #2: "upon reconnection: if a channel is in an error state: SHOULD retransmit the error
 * packet and ignore any other packets for that channel. otherwise: MUST transmit
 * `channel_reestablish` for each channel."
 */
export function onReconnected(s: ChannelState, env: ChannelEnv): StepResult {
  // A restart is a disconnection the machine did not see: the state loaded from the store may
  // still hold the peer's uncommitted updates. BOLT #2: "upon disconnection: MUST reverse any
  // uncommitted updates sent by the other side".
  if (hasCommitments(s) && s.commitments.connection !== 'down') s = onDisconnected(s).state;
  if (s.name === 'Errored') return { state: s, effects: [{ kind: 'send_message', message: errorMessage(s.channelId, s.error) }] };
  if (!hasCommitments(s) || s.name === 'AwaitingFundingSigned' || s.name === 'Closing') return { state: s, effects: [] };
  const c: Commitments = { ...s.commitments, connection: 'reestablishing' };
  return { state: { ...s, commitments: c } as ChannelState, effects: [{ kind: 'send_message', message: ourReestablish(c, env) }] };
}

/**
 * onChannelReestablish checks the peer's channel_reestablish and retransmits what it missed.
 *
 * BOLT #2: "if `next_revocation_number` is greater than expected above, AND
 * `your_last_per_commitment_secret` is correct for that `next_revocation_number` minus 1: MUST
 * NOT broadcast its commitment transaction. SHOULD send an `error` to request the peer to fail
 * the channel. otherwise: if `your_last_per_commitment_secret` does not match the expected
 * values: SHOULD send an `error` and fail the channel."
 */
export function onChannelReestablish(s: FundedState, m: ChannelReestablish, env: ChannelEnv): StepResult {
  const c = s.commitments;
  if (c.connection !== 'reestablishing') return ignore(s, 'channel_reestablish while not reconnecting');
  // BOLT #2: "if `next_commitment_number` is zero: MUST immediately fail the channel and
  // broadcast any relevant latest commitment transaction."
  if (m.next_commitment_number === 0n) return failChannel(s, 'channel_reestablish: next_commitment_number is zero', env);
  const n = c.localCommit.number;
  const R = m.next_revocation_number;
  const secretFor = (k: bigint) => (k < 0n ? ZERO32 : env.signer.releasePerCommitmentSecret(k));
  if (R > n) {
    if (equalBytes(m.your_last_per_commitment_secret, secretFor(R - 1n))) {
      return failChannel(s, 'channel_reestablish: the peer proved we lost channel state', env, { dataLoss: true });
    }
    return failChannel(s, `channel_reestablish: next_revocation_number ${R} is in the future`, env);
  }
  if (!equalBytes(m.your_last_per_commitment_secret, secretFor(R - 1n))) {
    return failChannel(s, 'channel_reestablish: your_last_per_commitment_secret does not match', env);
  }
  // Revocations: "if `next_revocation_number` is equal to the commitment number of the last
  // `revoke_and_ack` the receiving node sent ... MUST re-send the `revoke_and_ack`."
  let resendRevoke = false;
  if (R === n - 1n) {
    if (!c.lastSentRevoke) return failChannel(s, 'channel_reestablish: asked for a revoke_and_ack we cannot rebuild', env);
    resendRevoke = true;
  } else if (R !== n) {
    return failChannel(s, `channel_reestablish: unexpected next_revocation_number ${R}`, env);
  }
  // Commitments: "if `next_commitment_number` is equal to the commitment number of the last
  // `commitment_signed` message the receiving node has sent: MUST reuse the same commitment
  // number for its next `commitment_signed`." (we retransmit it with its updates)
  const N = m.next_commitment_number;
  let resendCommit = false;
  if (c.awaitingRevocation && N === c.remoteCommit.number) {
    resendCommit = true;
  } else if (N !== c.remoteCommit.number + 1n) {
    return failChannel(s, `channel_reestablish: unexpected next_commitment_number ${N}`, env);
  }
  const out: ChannelMessage[] = [];
  // BOLT #2: "if `next_commitment_number` is 1 in both the `channel_reestablish` it sent and
  // received ...: MUST retransmit `channel_ready`."
  if (N === 1n && n === 0n && (s.name === 'Normal' || s.name === 'AwaitingChannelReady')) {
    out.push(channelReadyMessage(c, s.localAlias, env));
  }
  const commitMsgs: ChannelMessage[] = resendCommit && c.lastSentCommit ? [...c.lastSentCommit.updates, c.lastSentCommit.commit] : [];
  // "MUST retransmit `revoke_and_ack` and `commitment_signed` in the same relative order as
  // initially transmitted."
  if (resendRevoke && c.revokeAfterCommit) out.push(...commitMsgs, c.lastSentRevoke!);
  else if (resendRevoke) out.push(c.lastSentRevoke!, ...commitMsgs);
  else out.push(...commitMsgs);
  // Our proposals no commitment covered were forgotten by the peer: propose them again.
  out.push(...c.pendingLocalUpdates);
  // BOLT #2: "upon reconnection: if it has sent a previous `shutdown`: MUST retransmit `shutdown`."
  if (s.name === 'ShuttingDown' && s.localShutdown) out.push(s.localShutdown);
  let c1: Commitments = { ...c, connection: 'up' };
  const effects: Effect[] = out.map((message) => ({ kind: 'send_message', message }));
  if (c1.signPending || (c1.pendingLocalUpdates.length > 0 && !c1.awaitingRevocation)) {
    const r = signNextCommitment({ ...c1, signPending: false }, env);
    if (r.ok) {
      c1 = r.c;
      effects.push(...r.effects);
    }
  }
  return { state: { ...s, commitments: c1 } as ChannelState, effects };
}
