/**
 * BOLT #2 "Closing Negotiation: `closing_complete` and `closing_sig`" (option_simple_close):
 * each side builds the closing transaction it pays the fee for, signs its variants and sends
 * closing_complete; the other side checks, signs the variant it picks, broadcasts it and
 * answers closing_sig; the closer then broadcasts too. No fee negotiation rounds.
 */
import { equalBytes, sat, type Sat } from '../lib/index.ts';
import { segwitV0SigHash, SIGHASH_ALL, txWeight, type Tx } from '../bitcoin/index.ts';
import { verifyEcdsa } from '../crypto/index.ts';
import { buildClosingTx, type ClosingShare } from './funding.ts';
import { fundingScript } from './scripts.ts';
import { fundingSpendWitness } from './witness.ts';
import { dustThreshold, isValidShutdownScript } from './limits.ts';
import { failChannel, ignore } from './channel-common.ts';
import type { ClosingComplete, ClosingSig, ClosingTlvs, Shutdown } from '../wire/index.ts';
import type { ChannelEnv, Effect, StepResult } from './channel-env.ts';
import type { ChannelState, Commitments } from './state.ts';
import { utf8 } from '../lib/index.ts';

type Simple = Extract<ChannelState, { name: 'NegotiatingSimple' }>;
type Variant = keyof ClosingTlvs;

/** Balances in msat: ours and the peer's, from our current commitment (no HTLCs left). */
function balances(c: Commitments): { local: bigint; remote: bigint } {
  return { local: c.localCommit.spec.toLocal, remote: c.localCommit.spec.toRemote };
}

/** The closer's and closee's outputs of one variant (null = omitted). */
function shares(variant: Variant, closer: ClosingShare, closee: ClosingShare): [ClosingShare | null, ClosingShare | null] {
  if (variant === 'closer_output_only') return [closer, null];
  if (variant === 'closee_output_only') return [null, closee];
  return [closer, closee];
}

/** closingVariantTx builds one variant of a simple-close transaction. */
export function closingVariantTx(c: Commitments, variant: Variant, closer: ClosingShare, closee: ClosingShare, fee: Sat, locktime: number): Tx {
  const [a, b] = shares(variant, closer, closee);
  return buildClosingTx(c.params.funding, a, b, fee, locktime);
}

function sigFor(c: Commitments, tx: Tx, env: ChannelEnv): Uint8Array {
  const ws = fundingScript(c.params.local.pubkeys.fundingPubkey, c.params.remote.pubkeys.fundingPubkey);
  return env.signer.signClosing({ tx, inputIndex: 0, witnessScript: ws, amount: c.params.fundingAmount }).sig;
}

function verifySig(c: Commitments, tx: Tx, sig: Uint8Array): boolean {
  const ws = fundingScript(c.params.local.pubkeys.fundingPubkey, c.params.remote.pubkeys.fundingPubkey);
  return verifyEcdsa(sig, segwitV0SigHash(tx, 0, ws, c.params.fundingAmount, SIGHASH_ALL), c.params.remote.pubkeys.fundingPubkey);
}

function withWitness(c: Commitments, tx: Tx, ours: Uint8Array, theirs: Uint8Array): Tx {
  const ws = fundingScript(c.params.local.pubkeys.fundingPubkey, c.params.remote.pubkeys.fundingPubkey);
  const witness = fundingSpendWitness(c.params.local.pubkeys.fundingPubkey, ours, c.params.remote.pubkeys.fundingPubkey, theirs, ws);
  return { ...tx, inputs: [{ ...tx.inputs[0]!, witness }] };
}

const isDust = (amountSat: bigint, script: Uint8Array) => script[0] !== 0x6a && amountSat < dustThreshold(script);

/**
 * closingComplete builds our closing_complete: we pay `fee` from our balance.
 *
 * BOLT #2: "If the local outstanding balance (in millisatoshi) is less than the remote
 * outstanding balance: MUST NOT set `closer_output_only`. MUST set `closee_output_only` if the
 * local output amount is dust." ... "If the closee's output amount is dust: MUST set
 * `closer_output_only`. MUST NOT set `closer_and_closee_outputs`. Otherwise: MUST set both
 * `closer_output_only` and `closer_and_closee_outputs`."
 */
export function closingComplete(c: Commitments, localScript: Uint8Array, remoteScript: Uint8Array, env: ChannelEnv): ClosingComplete | string {
  const { local, remote } = balances(c);
  const weight = txWeight(buildClosingTx(c.params.funding, { scriptPubkey: localScript, balance: c.localCommit.spec.toLocal }, { scriptPubkey: remoteScript, balance: c.localCommit.spec.toRemote }, sat(0), 0)) + 222;
  let fee = sat((BigInt(env.feerates.closing) * BigInt(weight)) / 1000n);
  // BOLT #2: "MUST set `fee_satoshis` to a fee less than or equal to its outstanding balance".
  if (fee * 1000n > local) fee = sat(local / 1000n);
  const closer: ClosingShare = { scriptPubkey: localScript, balance: c.localCommit.spec.toLocal };
  const closee: ClosingShare = { scriptPubkey: remoteScript, balance: c.localCommit.spec.toRemote };
  const ourAmount = local / 1000n - fee;
  const theirAmount = remote / 1000n;
  const variants: Variant[] = [];
  if (local < remote) {
    if (isDust(ourAmount, localScript)) variants.push('closee_output_only');
    else variants.push('closee_output_only', 'closer_and_closee_outputs');
  } else if (isDust(theirAmount, remoteScript)) {
    variants.push('closer_output_only');
  } else {
    variants.push('closer_output_only', 'closer_and_closee_outputs');
  }
  // BOLT #2: "MUST set `fee_satoshis` so that at least one output is not dust."
  if (isDust(ourAmount, localScript) && isDust(theirAmount, remoteScript)) return 'both closing outputs would be dust';
  const locktime = env.blockHeight;
  const tlvs: ClosingTlvs = {};
  for (const v of variants) tlvs[v] = sigFor(c, closingVariantTx(c, v, closer, closee, fee, locktime), env);
  return { type: 'closing_complete', channel_id: c.params.channelId, closer_scriptpubkey: localScript, closee_scriptpubkey: remoteScript, fee_satoshis: fee, locktime, tlvs };
}

/** startSimpleClose enters NegotiatingSimple and sends our closing_complete. */
export function startSimpleClose(c: Commitments, local: Shutdown, remote: Shutdown, effects: Effect[], env: ChannelEnv): StepResult {
  const s: Simple = { name: 'NegotiatingSimple', commitments: c, localScript: local.scriptpubkey, remoteScript: remote.scriptpubkey, sentComplete: null, closingTxs: [] };
  const cc = closingComplete(c, s.localScript, s.remoteScript, env);
  // BOLT #2: "SHOULD send a `closing_complete` message." (we cannot if our output would be the only one and dust)
  if (typeof cc === 'string') return { state: s, effects: [...effects, { kind: 'log', level: 'info', message: cc }] };
  return { state: { ...s, sentComplete: cc }, effects: [...effects, { kind: 'send_message', message: cc }] };
}

function warn(s: Simple, text: string): StepResult {
  return {
    state: s,
    effects: [
      { kind: 'send_message', message: { type: 'warning', channel_id: s.commitments.params.channelId, data: utf8(text) } },
      { kind: 'disconnect', reason: text },
    ],
  };
}

/**
 * receiveClosingComplete: as closee, pick the variant, check the closer's signature, sign,
 * broadcast and answer closing_sig.
 *
 * BOLT #2: "If `fee_satoshis` is greater than the closer's outstanding balance: MUST either send
 * a `warning` and close the connection, or send an `error` and fail the channel." and "If the
 * local output amount is dust: MUST use `closer_output_only`. ... Otherwise, if
 * `closer_and_closee_outputs` is present: MUST use `closer_and_closee_outputs`. Otherwise: MUST
 * use `closee_output_only`."
 */
export function receiveClosingComplete(s: Simple, m: ClosingComplete, env: ChannelEnv): StepResult {
  const c = s.commitments;
  const { local, remote } = balances(c);
  if (m.fee_satoshis * 1000n > remote) return failChannel(s, 'closing_complete: fee_satoshis exceeds the closer balance', env);
  if (!equalBytes(m.closee_scriptpubkey, s.localScript)) return warn(s, 'closing_complete: closee_scriptpubkey is not our script');
  if (!isValidShutdownScript(m.closer_scriptpubkey, env.config.anySegwit, true)) return warn(s, 'closing_complete: invalid closer_scriptpubkey');
  const closer: ClosingShare = { scriptPubkey: m.closer_scriptpubkey, balance: c.localCommit.spec.toRemote };
  const closee: ClosingShare = { scriptPubkey: m.closee_scriptpubkey, balance: c.localCommit.spec.toLocal };
  const variant: Variant = isDust(local / 1000n, s.localScript)
    ? 'closer_output_only'
    : m.tlvs.closer_and_closee_outputs !== undefined
      ? 'closer_and_closee_outputs'
      : 'closee_output_only';
  const theirSig = m.tlvs[variant];
  if (theirSig === undefined) return failChannel(s, `closing_complete: missing ${variant}`, env);
  const tx = closingVariantTx(c, variant, closer, closee, m.fee_satoshis, m.locktime);
  if (!verifySig(c, tx, theirSig)) return failChannel(s, 'closing_complete: invalid signature', env);
  const ours = sigFor(c, tx, env);
  const reply: ClosingSig = { ...m, type: 'closing_sig', tlvs: { [variant]: ours } };
  const signed = withWitness(c, tx, ours, theirSig);
  // "MUST use `closer_scriptpubkey` for its own future `closing_complete` messages."
  return {
    state: { ...s, remoteScript: m.closer_scriptpubkey, closingTxs: [...s.closingTxs, signed] },
    effects: [{ kind: 'send_message', message: reply }, { kind: 'broadcast', tx: signed, label: 'closing' }],
  };
}

/**
 * receiveClosingSig: as closer, check the closee's signature on the variant it picked and
 * broadcast our closing transaction.
 *
 * BOLT #2: "If `tlvs` does not contain exactly one signature: MUST either send a `warning` and
 * close the connection, or send an `error` and fail the channel."
 */
export function receiveClosingSig(s: Simple, m: ClosingSig, env: ChannelEnv): StepResult {
  const c = s.commitments;
  const sent = s.sentComplete;
  if (!sent) return ignore(s, 'closing_sig without closing_complete');
  if (!equalBytes(m.closer_scriptpubkey, sent.closer_scriptpubkey) || !equalBytes(m.closee_scriptpubkey, sent.closee_scriptpubkey) || m.fee_satoshis !== sent.fee_satoshis || m.locktime !== sent.locktime) {
    return failChannel(s, 'closing_sig does not match our closing_complete', env);
  }
  const present = (Object.keys(m.tlvs) as Variant[]).filter((k) => m.tlvs[k] !== undefined);
  if (present.length !== 1) return failChannel(s, 'closing_sig must carry exactly one signature', env);
  const variant = present[0]!;
  if (sent.tlvs[variant] === undefined) return failChannel(s, 'closing_sig signs a variant we did not offer', env);
  const closer: ClosingShare = { scriptPubkey: sent.closer_scriptpubkey, balance: c.localCommit.spec.toLocal };
  const closee: ClosingShare = { scriptPubkey: sent.closee_scriptpubkey, balance: c.localCommit.spec.toRemote };
  const tx = closingVariantTx(c, variant, closer, closee, sent.fee_satoshis, sent.locktime);
  const theirs = m.tlvs[variant]!;
  if (!verifySig(c, tx, theirs)) return failChannel(s, 'closing_sig: invalid signature', env);
  const signed = withWitness(c, tx, sent.tlvs[variant]!, theirs);
  return { state: { ...s, sentComplete: null, closingTxs: [...s.closingTxs, signed] }, effects: [{ kind: 'broadcast', tx: signed, label: 'closing' }] };
}
