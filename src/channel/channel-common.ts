/**
 * Helpers every part of the channel machine shares: building `error` messages, failing the
 * channel (BOLT #5 "Failing a Channel": broadcast our latest commitment unless the peer
 * proved we lost data), and our fully signed latest commitment.
 */
import { utf8 } from '../lib/index.ts';
import type { Tx } from '../bitcoin/index.ts';
import { fundingSpendWitness } from './witness.ts';
import { buildSide, currentView } from './updates.ts';
import type { ErrorMessage } from '../wire/index.ts';
import type { ChannelEnv, Effect, StepResult } from './channel-env.ts';
import type { ChannelState, Commitments } from './state.ts';

/** errorMessage builds a BOLT #1 `error` for a channel. */
export function errorMessage(channelId: Uint8Array, text: string): ErrorMessage {
  return { type: 'error', channel_id: channelId, data: utf8(text) };
}

/**
 * signedLocalCommitment returns our latest commitment transaction with both funding
 * signatures in its witness: what we broadcast when the channel fails.
 */
export function signedLocalCommitment(c: Commitments, env: ChannelEnv): Tx {
  const view = currentView(c, 'local');
  const built = buildSide(c, 'local', view, c.localCommit.number, env.signer.perCommitmentPoint(c.localCommit.number));
  const ours = env.signer.signCommitment({ tx: built.tx, inputIndex: 0, witnessScript: built.fundingWitnessScript, amount: c.params.fundingAmount });
  const witness = fundingSpendWitness(
    c.params.local.pubkeys.fundingPubkey,
    ours,
    c.params.remote.pubkeys.fundingPubkey,
    c.localCommit.remoteSig,
    built.fundingWitnessScript,
  );
  const input = { ...built.tx.inputs[0]!, witness };
  return { ...built.tx, inputs: [input] };
}

/** channelIdOf returns the channel id a state is known by. */
export function channelIdOf(s: ChannelState): Uint8Array {
  switch (s.name) {
    case 'AwaitingAcceptChannel':
    case 'AwaitingFundingTx':
    case 'AwaitingFundingCreated':
      return s.pending.open.temporary_channel_id;
    case 'Closed':
    case 'Errored':
      return s.channelId;
    default:
      return s.commitments.params.channelId;
  }
}

/**
 * failChannel sends `error`, moves to Errored and (when we hold a signed commitment and the
 * peer did not prove we lost data) broadcasts our latest commitment.
 *
 * BOLT #1: "A sending node ... when failure was caused by an invalid signature check: SHOULD
 * include the raw, hex-encoded transaction in reply to a `funding_created`, `funding_signed`,
 * `closing_signed`, or `commitment_signed` message." (Kite sends a plain description.)
 */
export function failChannel(s: ChannelState, text: string, env: ChannelEnv, opts: { dataLoss?: boolean } = {}): StepResult {
  const channelId = channelIdOf(s);
  const error = errorMessage(channelId, text);
  const commitments = 'commitments' in s && s.commitments ? s.commitments : null;
  // Only a commitment the peer signed can be broadcast (AwaitingFundingSigned has none yet).
  const canBroadcast = commitments !== null && s.name !== 'AwaitingFundingSigned' && !opts.dataLoss && commitments.localCommit.remoteSig.length === 64;
  const effects: Effect[] = [
    { kind: 'log', level: 'warn', message: `failing channel: ${text}` },
    { kind: 'fail_channel', error, broadcastCommitment: canBroadcast },
  ];
  // Our commitment goes to the chain before the peer is told: told first, the peer may
  // publish its own and ours would then be a conflicting replacement.
  if (canBroadcast) effects.push({ kind: 'broadcast', tx: signedLocalCommitment(commitments, env), label: 'commitment' });
  effects.push({ kind: 'send_message', message: error });
  return { state: { name: 'Errored', channelId, commitments, error: text, dataLoss: opts.dataLoss ?? false }, effects };
}

/** reject returns the state unchanged with a command_rejected effect. */
export function reject(s: ChannelState, command: string, reason: string): StepResult {
  return { state: s, effects: [{ kind: 'command_rejected', command: command as never, reason }] };
}

/** ignore returns the state unchanged with a log line. */
export function ignore(s: ChannelState, message: string): StepResult {
  return { state: s, effects: [{ kind: 'log', level: 'debug', message }] };
}
