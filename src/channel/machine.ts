/**
 * The BOLT #2 channel state machine: `step(state, event, env) → { state, effects }`.
 * It routes each event to the handler for the current state (open.ts, updates-protocol.ts,
 * close.ts, reestablish.ts) and enforces "persist before you speak": whenever the state
 * changes, a `persist` effect with the whole new record comes before any message.
 */
import { equalBytes } from '../lib/index.ts';
import { channelIdOf, errorMessage, failChannel, ignore, reject } from './channel-common.ts';
import { acceptOpenChannel, onAcceptChannel, onChannelReady, onFundingConfirmed, onFundingCreated, onFundingSigned, onFundingTxBuilt, openChannel } from './open.ts';
import {
  addHtlc,
  failHtlc,
  failMalformedHtlc,
  fulfillHtlc,
  receiveAddHtlc,
  receiveCommitmentSigned,
  receiveFail,
  receiveFailMalformed,
  receiveFulfill,
  receiveRevokeAndAck,
  receiveUpdateFee,
  signNextCommitment,
  updateFee,
  type UpdateResult,
} from './updates-protocol.ts';
import { beginNegotiation, dropPendingFeeChange, maybeNegotiate, negotiationTimedOut, receiveClosingSigned, receiveShutdown, startShutdown } from './close.ts';
import { receiveClosingComplete, receiveClosingSig } from './close-simple.ts';
import { onChannelReestablish, onDisconnected, onReconnected } from './reestablish.ts';
import { hasCommitments, type ChannelState, type Commitments } from './state.ts';
import type { ChannelMessage, OpenChannel } from '../wire/index.ts';
import type { ChannelEnv, ChannelEvent, Command, Effect, StepResult } from './channel-env.ts';

/** withPersist puts a `persist` of the new state before every other effect when the state changed. */
function withPersist(before: ChannelState, r: StepResult): StepResult {
  if (r.state === before) return r;
  return { state: r.state, effects: [{ kind: 'persist', state: r.state }, ...r.effects] };
}

/** startFunder opens a channel as funder (sends open_channel). */
export function startFunder(cmd: Extract<Command, { kind: 'open' }>, env: ChannelEnv): StepResult {
  const r = openChannel(cmd, env);
  return { state: r.state, effects: [{ kind: 'persist', state: r.state }, ...r.effects] };
}

/** startFundee answers a peer's open_channel (accept_channel or error). */
export function startFundee(open: OpenChannel, channelKeyIndex: bigint, env: ChannelEnv): StepResult {
  const r = acceptOpenChannel(open, channelKeyIndex, env);
  return { state: r.state, effects: [{ kind: 'persist', state: r.state }, ...r.effects] };
}

/** step advances the machine by one event. It never throws for bad peer input. */
export function step(state: ChannelState, event: ChannelEvent, env: ChannelEnv): StepResult {
  return withPersist(state, dispatch(state, event, env));
}

type Live = Extract<ChannelState, { name: 'Normal' | 'ShuttingDown' }>;

function withCommitments(s: Live, c: Commitments): ChannelState {
  return { ...s, commitments: c };
}

/** applyUpdate turns an UpdateResult into a step result for a Normal/ShuttingDown state. */
function applyUpdate(s: Live, r: UpdateResult, what: string, env: ChannelEnv): StepResult {
  if (r.ok) return maybeNegotiate(withCommitments(s, r.c), r.effects, env);
  if (r.kind === 'reject') return reject(s, what, r.reason);
  return failChannel(s, r.reason, env);
}

function dispatch(s: ChannelState, e: ChannelEvent, env: ChannelEnv): StepResult {
  switch (e.kind) {
    case 'disconnected':
      return onDisconnected(s);
    case 'reconnected':
      return onReconnected(s, env);
    case 'funding_tx_built':
      if (s.name !== 'AwaitingFundingTx') return ignore(s, 'funding transaction built in the wrong state');
      return onFundingTxBuilt(s, e.tx, e.outputIndex, env);
    case 'funding_tx_failed':
      if (s.name !== 'AwaitingFundingTx') return ignore(s, 'funding failure in the wrong state');
      return failChannel(s, `could not fund the channel: ${e.reason}`, env);
    case 'funding_confirmed':
      if (s.name !== 'AwaitingFundingConfirmed') return ignore(s, 'funding confirmation in the wrong state');
      return onFundingConfirmed(s, e.depth, e.shortChannelId, e.output, env);
    case 'command':
      return onCommand(s, e.command, env);
    case 'message':
      return onMessage(s, e.message, env);
    case 'funding_spent':
      return onFundingSpent(s, e.mutual);
    case 'block':
      return (s.name === 'Negotiating' ? negotiationTimedOut(s, env) : null) ?? { state: s, effects: [] };
  }
}

/**
 * onFundingSpent: the funding output was spent on chain, so the channel is over whatever the
 * peer says next (BOLT #5). A mutual close ends it; any other spend fails it, keeping the
 * commitments for the on-chain monitor, telling the peer, and broadcasting nothing (our own
 * commitment could no longer confirm).
 */
function onFundingSpent(s: ChannelState, mutual: boolean): StepResult {
  if (s.name === 'Closed' || s.name === 'Errored' || !('commitments' in s) || !s.commitments) return ignore(s, 'funding spend in a state without a live channel');
  const channelId = channelIdOf(s);
  if (mutual) return { state: { name: 'Closed', channelId, reason: 'mutual close confirmed on chain' }, effects: [{ kind: 'log', level: 'info', message: 'mutual close seen on chain' }] };
  const text = 'the funding output was spent on chain';
  const error = errorMessage(channelId, text);
  return {
    state: { name: 'Errored', channelId, commitments: s.commitments, error: text, dataLoss: false },
    effects: [
      { kind: 'log', level: 'warn', message: text },
      { kind: 'send_message', message: error },
      { kind: 'fail_channel', error, broadcastCommitment: false },
    ],
  };
}

/**
 * asShuttingDown views a funded channel that is not yet Normal as ShuttingDown with no
 * shutdown exchanged. BOLT #2: "MAY send a `shutdown` before a `channel_ready`, i.e. before the
 * funding transaction has reached `minimum_depth`."
 */
function asShuttingDown(s: Extract<ChannelState, { name: 'AwaitingFundingConfirmed' | 'AwaitingChannelReady' }>): Live {
  return { name: 'ShuttingDown', commitments: s.commitments, shortChannelId: s.name === 'AwaitingChannelReady' ? s.shortChannelId : null, localShutdown: null, remoteShutdown: null };
}

/** keepIfUnchanged returns the original state when a handler left the synthetic view untouched. */
function keepIfUnchanged(original: ChannelState, view: ChannelState, r: StepResult): StepResult {
  return r.state === view ? { state: original, effects: r.effects } : r;
}

function onCommand(s: ChannelState, cmd: Command, env: ChannelEnv): StepResult {
  if (cmd.kind === 'open') return reject(s, 'open', 'the channel already exists');
  if (cmd.kind === 'force_close') {
    // BOLT #5: either side may close unilaterally at any time by publishing its latest
    // commitment, connected or not. That needs a commitment the peer signed.
    if (!('commitments' in s) || !s.commitments || s.name === 'AwaitingFundingSigned' || s.name === 'Errored') {
      return reject(s, cmd.kind, `no commitment to publish in state ${s.name}`);
    }
    return failChannel(s, 'channel force-closed by its operator', env);
  }
  if (cmd.kind === 'shutdown' && (s.name === 'AwaitingFundingConfirmed' || s.name === 'AwaitingChannelReady')) {
    if (s.commitments.connection !== 'up') return reject(s, cmd.kind, 'the peer is not connected');
    const v = asShuttingDown(s);
    return keepIfUnchanged(s, v, startShutdown(v, cmd.scriptPubkey, env));
  }
  if (s.name !== 'Normal' && s.name !== 'ShuttingDown') return reject(s, cmd.kind, `not allowed in state ${s.name}`);
  const c = s.commitments;
  if (c.connection !== 'up') {
    // Settling or failing an HTLC the peer offered is our decision and must not be lost to
    // a disconnect: keep it with our other unsigned updates (pendingLocalUpdates), which
    // channel_reestablish sends again and signs. Nothing is sent while the link is not up.
    if (cmd.kind === 'fulfill_htlc' || cmd.kind === 'fail_htlc' || cmd.kind === 'fail_malformed_htlc') {
      const r = onLiveCommand(s, cmd, env);
      return { state: r.state, effects: r.effects.filter((e) => e.kind !== 'send_message') };
    }
    return reject(s, cmd.kind, 'the peer is not connected');
  }
  return onLiveCommand(s, cmd, env);
}

function onLiveCommand(s: Live, cmd: Command, env: ChannelEnv): StepResult {
  const c = s.commitments;
  switch (cmd.kind) {
    case 'add_htlc':
      // BOLT #2: "MUST NOT send an `update_add_htlc` after a `shutdown`."
      if (s.name === 'ShuttingDown') return reject(s, cmd.kind, 'the channel is shutting down');
      return applyUpdate(s, addHtlc(c, cmd, env), cmd.kind, env);
    case 'fulfill_htlc':
      return applyUpdate(s, fulfillHtlc(c, cmd.id, cmd.preimage), cmd.kind, env);
    case 'fail_htlc':
      return applyUpdate(s, failHtlc(c, cmd.id, cmd.reason), cmd.kind, env);
    case 'fail_malformed_htlc':
      return applyUpdate(s, failMalformedHtlc(c, cmd.id, cmd.sha256OfOnion, cmd.failureCode), cmd.kind, env);
    case 'update_fee':
      return applyUpdate(s, updateFee(c, cmd.feeratePerKw, env), cmd.kind, env);
    case 'sign':
      return applyUpdate(s, signNextCommitment(c, env), cmd.kind, env);
    case 'shutdown':
      return startShutdown(s, cmd.scriptPubkey, env);
    default:
      return reject(s, cmd.kind, `not allowed in state ${s.name}`);
  }
}

function onMessage(s: ChannelState, m: ChannelMessage, env: ChannelEnv): StepResult {
  if (m.type === 'error') {
    // BOLT #1: "upon receiving `error`: ... MUST fail the channel referred to by `channel_id`, if that channel is with the sending node."
    if (s.name === 'Errored' || s.name === 'Closed') return ignore(s, 'error on a failed channel');
    const r = failChannel(s, 'peer sent error', env);
    // Do not answer an error with an error.
    return { state: r.state, effects: r.effects.filter((x: Effect) => x.kind !== 'send_message') };
  }
  if (m.type === 'warning') return { state: s, effects: [{ kind: 'log', level: 'warn', message: 'peer sent warning' }] };
  if (s.name === 'Errored' || s.name === 'Closed') return ignore(s, `${m.type} on a closed channel`);
  if (hasCommitments(s) && s.commitments.connection !== 'up') {
    if (m.type === 'channel_reestablish') return onChannelReestablish(s, m, env);
    // BOLT #2: "upon reconnection: MUST ignore any redundant `channel_ready` it receives."
    if (m.type === 'channel_ready') return onChannelReady(s, m, env);
    return ignore(s, `${m.type} before channel_reestablish`);
  }
  // BOLT #2: "if it hasn't received a `funding_signed` (if it is a funder) or a
  // `funding_created` (if it is a fundee): SHOULD send an `error` and fail the channel."
  if (m.type === 'shutdown' && (s.name === 'AwaitingAcceptChannel' || s.name === 'AwaitingFundingTx' || s.name === 'AwaitingFundingCreated' || s.name === 'AwaitingFundingSigned')) {
    return failChannel(s, 'shutdown before the channel was funded', env);
  }
  switch (s.name) {
    case 'AwaitingAcceptChannel':
      if (m.type === 'accept_channel') return onAcceptChannel(s, m, env);
      break;
    case 'AwaitingFundingCreated':
      if (m.type === 'funding_created') return onFundingCreated(s, m, env);
      break;
    case 'AwaitingFundingSigned':
      if (m.type === 'funding_signed') return onFundingSigned(s, m, env);
      break;
    case 'AwaitingFundingConfirmed':
    case 'AwaitingChannelReady':
      if (m.type === 'channel_ready') return onChannelReady(s, m, env);
      if (m.type === 'shutdown') {
        const v = asShuttingDown(s);
        return keepIfUnchanged(s, v, receiveShutdown(v, m, env));
      }
      break;

    case 'Normal':
    case 'ShuttingDown':
      return onLiveMessage(s, m, env);
    case 'NegotiatingSimple':
      if (m.type === 'closing_complete') return receiveClosingComplete(s, m, env);
      if (m.type === 'closing_sig') return receiveClosingSig(s, m, env);
      if (m.type === 'shutdown') return ignore(s, 'shutdown retransmission');
      break;
    case 'Negotiating':
      if (m.type === 'closing_signed') return receiveClosingSigned(s, m, env);
      if (m.type === 'shutdown') return ignore(s, 'shutdown retransmission');
      break;
    default:
      break;
  }
  if (m.type === 'channel_reestablish') return ignore(s, 'channel_reestablish while connected');
  return ignore(s, `unexpected ${m.type} in state ${s.name}`);
}

function onLiveMessage(s: Live, m: ChannelMessage, env: ChannelEnv): StepResult {
  const c = s.commitments;
  if ('channel_id' in m && !equalBytes(m.channel_id, c.params.channelId)) return ignore(s, `${m.type} for another channel`);
  switch (m.type) {
    case 'update_add_htlc':
      if (s.name === 'ShuttingDown' && s.remoteShutdown) return failChannel(s, 'update_add_htlc after shutdown', env);
      return applyUpdate(s, receiveAddHtlc(c, m, env), m.type, env);
    case 'update_fulfill_htlc':
      return applyUpdate(s, receiveFulfill(c, m), m.type, env);
    case 'update_fail_htlc':
      return applyUpdate(s, receiveFail(c, m), m.type, env);
    case 'update_fail_malformed_htlc':
      return applyUpdate(s, receiveFailMalformed(c, m), m.type, env);
    case 'update_fee':
      return applyUpdate(s, receiveUpdateFee(c, m, env), m.type, env);
    case 'commitment_signed':
      return applyUpdate(s, receiveCommitmentSigned(c, m, env), m.type, env);
    case 'revoke_and_ack':
      return applyUpdate(s, receiveRevokeAndAck(c, m, env), m.type, env);
    case 'shutdown':
      return receiveShutdown(s, m, env);
    case 'channel_ready':
      return onChannelReady(s, m, env);
    case 'closing_signed': {
      // The peer may have become clear a message before us: start negotiating, then handle it.
      let r = maybeNegotiate(s, [], env);
      if (r.state.name !== 'Negotiating' && r.state.name === 'ShuttingDown' && r.state.localShutdown && r.state.remoteShutdown) {
        // A funder that counts the channel clean once no HTLC remains (Core Lightning does)
        // may start negotiating while its own fee update, or our commitment_signed covering
        // it, is still in flight. A fee change is not an HTLC and leaves the closing outputs
        // as they are: drop it and negotiate rather than fail a healthy channel.
        const dropped = dropPendingFeeChange(r.state.commitments);
        if (dropped) r = beginNegotiation({ ...r.state, commitments: dropped }, r.state.localShutdown, r.state.remoteShutdown, r.effects, env);
      }
      if (r.state.name !== 'Negotiating') {
        const sc = 'commitments' in r.state ? (r.state.commitments as Commitments) : c;
        const why =
          sc.htlcs.length > 0
            ? `closing_signed while ${sc.htlcs.length} HTLC(s) are pending`
            : s.name !== 'ShuttingDown' || !s.remoteShutdown
              ? 'closing_signed before shutdown'
              : 'closing_signed while updates are pending';
        return failChannel(s, why, env);
      }
      const n = receiveClosingSigned(r.state, m, env);
      return { state: n.state, effects: [...r.effects, ...n.effects] };
    }
    default:
      return ignore(s, `unexpected ${m.type} in state ${s.name}`);
  }
}
