/**
 * BOLT #2 "Channel Establishment v1": open_channel / accept_channel, funding_created /
 * funding_signed, waiting for the funding depth, and channel_ready — for both the funder
 * and the fundee.
 */
import { equalBytes, msat, type Sat, type ShortChannelId } from '../lib/index.ts';
import { segwitV0SigHash, SIGHASH_ALL, txid as computeTxid, type Tx } from '../bitcoin/index.ts';
import { verifyEcdsa } from '../crypto/index.ts';
import { obscuringFactor, ShachainStore } from '../keys/index.ts';
import { fundingOutput } from './funding.ts';
import { buildSide, signRemote, type CommitmentView } from './updates.ts';
import { channelTypeFor, fundeeReserve, reserveFor, validateAcceptChannel, validateOpenChannel } from './limits.ts';
import { failChannel, ignore, reject } from './channel-common.ts';
import type { AcceptChannel, ChannelReady, FundingCreated, FundingSigned, OpenChannel } from '../wire/index.ts';
import type { ChannelEnv, Command, Effect, StepResult } from './channel-env.ts';
import type { ChannelState, Commitments, PendingOpen, SideParams } from './state.ts';
import type { CommitmentType } from './commitment-fees.ts';

/** The commitment type a channel_type bitmap stands for (already validated). */
function typeOf(channelType: Uint8Array): CommitmentType {
  return channelType.length === 3 ? 'anchors' : 'static_remotekey';
}

/** Our side's parameters, as we announce them. */
function ourParams(env: ChannelEnv, funding: Sat): Omit<OpenChannel, 'type' | 'chain_hash' | 'temporary_channel_id' | 'funding_satoshis' | 'push_msat' | 'feerate_per_kw' | 'channel_flags' | 'tlvs'> {
  const c = env.config;
  const k = env.signer.pubkeys;
  return {
    dust_limit_satoshis: c.dustLimit,
    max_htlc_value_in_flight_msat: c.maxHtlcValueInFlight,
    channel_reserve_satoshis: reserveFor(funding, c),
    htlc_minimum_msat: c.htlcMinimum,
    to_self_delay: c.toSelfDelay,
    max_accepted_htlcs: c.maxAcceptedHtlcs,
    funding_pubkey: k.fundingPubkey,
    revocation_basepoint: k.revocationBasepoint,
    payment_basepoint: k.paymentBasepoint,
    delayed_payment_basepoint: k.delayedPaymentBasepoint,
    htlc_basepoint: k.htlcBasepoint,
    first_per_commitment_point: env.signer.perCommitmentPoint(0n),
  };
}

function sideParams(m: OpenChannel | AcceptChannel): SideParams {
  return {
    dustLimit: m.dust_limit_satoshis,
    maxHtlcValueInFlight: m.max_htlc_value_in_flight_msat,
    channelReserve: m.channel_reserve_satoshis,
    htlcMinimum: m.htlc_minimum_msat,
    toSelfDelay: m.to_self_delay,
    maxAcceptedHtlcs: m.max_accepted_htlcs,
    pubkeys: {
      fundingPubkey: m.funding_pubkey,
      revocationBasepoint: m.revocation_basepoint,
      paymentBasepoint: m.payment_basepoint,
      delayedPaymentBasepoint: m.delayed_payment_basepoint,
      htlcBasepoint: m.htlc_basepoint,
    },
    upfrontShutdownScript: m.tlvs.upfront_shutdown_script ?? new Uint8Array(0),
  };
}

/**
 * openChannel starts a channel as funder: sends open_channel offering
 * option_anchors+option_static_remotekey (or static_remotekey only).
 */
export function openChannel(cmd: Extract<Command, { kind: 'open' }>, env: ChannelEnv): StepResult {
  const type: CommitmentType = cmd.anchors ? 'anchors' : 'static_remotekey';
  const open: OpenChannel = {
    type: 'open_channel',
    chain_hash: env.chainHash,
    temporary_channel_id: cmd.temporaryChannelId,
    funding_satoshis: cmd.fundingAmount,
    push_msat: cmd.pushAmount,
    feerate_per_kw: env.feerates.commitment,
    ...ourParams(env, cmd.fundingAmount),
    // BOLT #2: "MUST set undefined bits in `channel_flags` to 0."
    channel_flags: cmd.announce ? 1 : 0,
    // BOLT #2: "if it includes `open_channel_tlvs`: MUST include `upfront_shutdown_script`."
    tlvs: { upfront_shutdown_script: env.config.upfrontShutdown ? env.config.shutdownScript : new Uint8Array(0), channel_type: channelTypeFor(type) },
  };
  const pending: PendingOpen = { channelKeyIndex: cmd.channelKeyIndex, open, localIsFunder: true };
  return { state: { name: 'AwaitingAcceptChannel', pending }, effects: [{ kind: 'send_message', message: open }] };
}

/**
 * acceptOpenChannel handles an open_channel as fundee: validates every field and replies
 * accept_channel, or fails the channel with `error`.
 */
export function acceptOpenChannel(open: OpenChannel, channelKeyIndex: bigint, env: ChannelEnv): StepResult {
  const pending: PendingOpen = { channelKeyIndex, open, localIsFunder: false };
  const v = validateOpenChannel(open, env);
  if (!v.ok) return failChannel({ name: 'AwaitingAcceptChannel', pending }, v.violation.message, env);
  const accept: AcceptChannel = {
    type: 'accept_channel',
    temporary_channel_id: open.temporary_channel_id,
    ...ourParams(env, open.funding_satoshis),
    channel_reserve_satoshis: fundeeReserve(open, env.config),
    minimum_depth: env.config.minimumDepth,
    // BOLT #2: "MUST set `channel_type` to the `channel_type` from `open_channel`."
    tlvs: { upfront_shutdown_script: env.config.upfrontShutdown ? env.config.shutdownScript : new Uint8Array(0), channel_type: open.tlvs.channel_type! },
  };
  return { state: { name: 'AwaitingFundingCreated', pending, accept }, effects: [{ kind: 'send_message', message: accept }] };
}

/** onAcceptChannel: the funder checks accept_channel and asks the wallet for a funding tx. */
export function onAcceptChannel(s: Extract<ChannelState, { name: 'AwaitingAcceptChannel' }>, m: AcceptChannel, env: ChannelEnv): StepResult {
  if (!equalBytes(m.temporary_channel_id, s.pending.open.temporary_channel_id)) return ignore(s, 'accept_channel for another channel');
  const violation = validateAcceptChannel(m, s.pending.open, env.config, typeOf(s.pending.open.tlvs.channel_type!));
  if (violation) return failChannel(s, violation.message, env);
  const open = s.pending.open;
  const out = fundingOutput(env.signer.pubkeys.fundingPubkey, m.funding_pubkey, open.funding_satoshis);
  return {
    state: { name: 'AwaitingFundingTx', pending: s.pending, accept: m },
    effects: [{ kind: 'build_funding_tx', script: out.script, amount: open.funding_satoshis, feeratePerKw: env.feerates.commitment }],
  };
}

/** channelIdFromOutpoint: BOLT #2 "exclusive-OR of the `funding_txid` and the `funding_output_index`". */
export function channelIdFromOutpoint(fundingTxid: Uint8Array, outputIndex: number): Uint8Array {
  const id = Uint8Array.from(fundingTxid);
  id[30]! ^= (outputIndex >> 8) & 0xff;
  id[31]! ^= outputIndex & 0xff;
  return id;
}

/** initialCommitments builds the commitments record both sides start from (commitment #0). */
function initialCommitments(pending: PendingOpen, accept: AcceptChannel, fundingTxid: Uint8Array, outputIndex: number): Commitments {
  const open = pending.open;
  const funder = sideParams(open);
  const fundee = sideParams(accept);
  const local = pending.localIsFunder ? funder : fundee;
  const remote = pending.localIsFunder ? fundee : funder;
  const funderBalance = open.funding_satoshis * 1000n - open.push_msat;
  const spec = {
    feeratePerKw: open.feerate_per_kw,
    toLocal: msat(pending.localIsFunder ? funderBalance : open.push_msat),
    toRemote: msat(pending.localIsFunder ? open.push_msat : funderBalance),
  };
  const remoteFirstPoint = pending.localIsFunder ? accept.first_per_commitment_point : open.first_per_commitment_point;
  return {
    params: {
      channelId: channelIdFromOutpoint(fundingTxid, outputIndex),
      temporaryChannelId: open.temporary_channel_id,
      channelKeyIndex: pending.channelKeyIndex,
      localIsFunder: pending.localIsFunder,
      type: typeOf(open.tlvs.channel_type!),
      channelType: open.tlvs.channel_type!,
      announce: (open.channel_flags & 1) === 1,
      funding: { txid: fundingTxid, vout: outputIndex },
      fundingAmount: open.funding_satoshis,
      minimumDepth: accept.minimum_depth,
      local,
      remote,
      obscuringFactor: obscuringFactor(funder.pubkeys.paymentBasepoint, fundee.pubkeys.paymentBasepoint),
    },
    htlcs: [],
    fees: [],
    localCommit: { number: 0n, spec, txid: new Uint8Array(32), remoteSig: new Uint8Array(0), remoteHtlcSigs: [] },
    remoteCommit: { number: 0n, spec, txid: new Uint8Array(32), perCommitmentPoint: remoteFirstPoint },
    remoteNextPoint: null,
    awaitingRevocation: false,
    remotePrevPoint: null,
    signPending: false,
    nextLocalHtlcId: 0n,
    nextRemoteHtlcId: 0n,
    remoteSecrets: new ShachainStore().serialize(),
    pendingLocalUpdates: [],
    lastSentCommit: null,
    lastSentRevoke: null,
    revokeAfterCommit: false,
    connection: 'up',
  };
}

const EMPTY_VIEW = (c: Commitments): CommitmentView => ({ spec: c.localCommit.spec, htlcs: [] });

/** checkFirstSignature verifies the peer's signature on our commitment #0. */
function checkFirstSignature(c: Commitments, sig: Uint8Array, env: ChannelEnv): { ok: true; txid: Uint8Array } | { ok: false } {
  const local = buildSide(c, 'local', EMPTY_VIEW(c), 0n, env.signer.perCommitmentPoint(0n));
  const digest = segwitV0SigHash(local.tx, 0, local.fundingWitnessScript, c.params.fundingAmount, SIGHASH_ALL);
  if (!verifyEcdsa(sig, digest, c.params.remote.pubkeys.fundingPubkey)) return { ok: false };
  return { ok: true, txid: local.txid };
}

/** onFundingTxBuilt: the funder signs the fundee's commitment #0 and sends funding_created. */
export function onFundingTxBuilt(s: Extract<ChannelState, { name: 'AwaitingFundingTx' }>, tx: Tx, outputIndex: number, env: ChannelEnv): StepResult {
  const fundingTxid = computeTxid(tx);
  const c0 = initialCommitments(s.pending, s.accept, fundingTxid, outputIndex);
  const out = tx.outputs[outputIndex];
  const expected = fundingOutput(c0.params.local.pubkeys.fundingPubkey, c0.params.remote.pubkeys.fundingPubkey, c0.params.fundingAmount);
  if (!out || out.value !== expected.value || !equalBytes(out.script, expected.script)) {
    return failChannel(s, 'the wallet built a funding transaction that does not pay the funding output', env);
  }
  const signed = signRemote(c0, EMPTY_VIEW(c0), 0n, c0.remoteCommit.perCommitmentPoint, env.signer);
  const c: Commitments = { ...c0, remoteCommit: { ...c0.remoteCommit, txid: signed.commitment.txid } };
  const msg: FundingCreated = {
    type: 'funding_created',
    temporary_channel_id: s.pending.open.temporary_channel_id,
    funding_txid: fundingTxid,
    funding_output_index: outputIndex,
    signature: signed.signature.sig,
  };
  return { state: { name: 'AwaitingFundingSigned', commitments: c, fundingTx: tx }, effects: [{ kind: 'send_message', message: msg }] };
}

function watchEffects(c: Commitments): Effect[] {
  const out = fundingOutput(c.params.local.pubkeys.fundingPubkey, c.params.remote.pubkeys.fundingPubkey, c.params.fundingAmount);
  return [
    { kind: 'watch_confirmations', txid: c.params.funding.txid, depth: c.params.minimumDepth, script: out.script },
    { kind: 'watch_spend', txid: c.params.funding.txid, vout: c.params.funding.vout },
  ];
}

/**
 * onFundingCreated: the fundee checks the funder's signature on our commitment #0, signs
 * theirs and replies funding_signed.
 *
 * BOLT #2: "if `signature` is incorrect OR non-compliant with LOW-S-standard rule: MUST send a
 * `warning` and close the connection, or send an `error` and fail the channel."
 */
export function onFundingCreated(s: Extract<ChannelState, { name: 'AwaitingFundingCreated' }>, m: FundingCreated, env: ChannelEnv): StepResult {
  if (!equalBytes(m.temporary_channel_id, s.pending.open.temporary_channel_id)) return ignore(s, 'funding_created for another channel');
  const c0 = initialCommitments(s.pending, s.accept, m.funding_txid, m.funding_output_index);
  const check = checkFirstSignature(c0, m.signature, env);
  if (!check.ok) return failChannel(s, 'funding_created: invalid signature for our first commitment', env);
  const signed = signRemote(c0, EMPTY_VIEW(c0), 0n, c0.remoteCommit.perCommitmentPoint, env.signer);
  const c: Commitments = {
    ...c0,
    localCommit: { ...c0.localCommit, txid: check.txid, remoteSig: m.signature },
    remoteCommit: { ...c0.remoteCommit, txid: signed.commitment.txid },
  };
  const reply: FundingSigned = { type: 'funding_signed', channel_id: c.params.channelId, signature: signed.signature.sig };
  return {
    state: { name: 'AwaitingFundingConfirmed', commitments: c, fundingTx: null, remoteReady: false },
    effects: [{ kind: 'send_message', message: reply }, ...watchEffects(c)],
  };
}

/**
 * onFundingSigned: the funder checks the fundee's signature on our commitment #0, then
 * broadcasts the funding transaction.
 *
 * BOLT #2: "MUST NOT broadcast the funding transaction before receipt of a valid
 * `funding_signed`." and "on receipt of a valid `funding_signed`: SHOULD broadcast the funding
 * transaction."
 */
export function onFundingSigned(s: Extract<ChannelState, { name: 'AwaitingFundingSigned' }>, m: FundingSigned, env: ChannelEnv): StepResult {
  const c0 = s.commitments;
  if (!equalBytes(m.channel_id, c0.params.channelId)) return ignore(s, 'funding_signed for another channel');
  const check = checkFirstSignature(c0, m.signature, env);
  if (!check.ok) return failChannel(s, 'funding_signed: invalid signature for our first commitment', env);
  const c: Commitments = { ...c0, localCommit: { ...c0.localCommit, txid: check.txid, remoteSig: m.signature } };
  return {
    state: { name: 'AwaitingFundingConfirmed', commitments: c, fundingTx: s.fundingTx, remoteReady: false },
    effects: [...watchEffects(c), { kind: 'broadcast', tx: s.fundingTx, label: 'funding' }],
  };
}

/** A fresh random short_channel_id alias (BOLT #2: "a value not related to the real `short_channel_id`"). */
function randomAlias(env: ChannelEnv): ShortChannelId {
  const b = env.randomBytes(8);
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v as ShortChannelId;
}

/** channelReadyMessage builds our channel_ready. */
export function channelReadyMessage(c: Commitments, alias: ShortChannelId, env: ChannelEnv): ChannelReady {
  return {
    type: 'channel_ready',
    channel_id: c.params.channelId,
    // BOLT #2: "MUST set `second_per_commitment_point` to the per-commitment point to be used for
    // commitment transaction #1"
    second_per_commitment_point: env.signer.perCommitmentPoint(1n),
    tlvs: { short_channel_id: alias },
  };
}

/**
 * onFundingConfirmed checks the funding output the chain shows and, at the required depth,
 * sends channel_ready.
 *
 * BOLT #2: "MUST NOT send `channel_ready` unless outpoint of given by `funding_txid` and
 * `funding_output_index` in the `funding_created` message pays exactly `funding_satoshis` to the
 * scriptpubkey specified in [BOLT #3]".
 */
export function onFundingConfirmed(
  s: Extract<ChannelState, { name: 'AwaitingFundingConfirmed' }>,
  depth: number,
  shortChannelId: ShortChannelId,
  output: { value: bigint; script: Uint8Array } | null,
  env: ChannelEnv,
): StepResult {
  const c = s.commitments;
  const expected = fundingOutput(c.params.local.pubkeys.fundingPubkey, c.params.remote.pubkeys.fundingPubkey, c.params.fundingAmount);
  if (output === null || output.value !== expected.value || !equalBytes(output.script, expected.script)) {
    return failChannel(s, 'the funding output on chain does not pay funding_satoshis to the funding script', env);
  }
  if (depth < c.params.minimumDepth) return ignore(s, `funding at depth ${depth}, waiting for ${c.params.minimumDepth}`);
  const alias = randomAlias(env);
  const ready = channelReadyMessage(c, alias, env);
  if (s.remoteReady) {
    return {
      state: { name: 'Normal', commitments: c, shortChannelId, localAlias: alias, remoteAlias: null },
      effects: [{ kind: 'send_message', message: ready }, { kind: 'channel_ready', shortChannelId }],
    };
  }
  return { state: { name: 'AwaitingChannelReady', commitments: c, shortChannelId, localAlias: alias }, effects: [{ kind: 'send_message', message: ready }] };
}

/** onChannelReady records the peer's second per-commitment point (it may come early). */
export function onChannelReady(s: ChannelState, m: ChannelReady, env: ChannelEnv): StepResult {
  void env;
  if (s.name === 'AwaitingFundingConfirmed') {
    const c = { ...s.commitments, remoteNextPoint: m.second_per_commitment_point };
    return { state: { ...s, commitments: c, remoteReady: true }, effects: [] };
  }
  if (s.name === 'AwaitingChannelReady') {
    const c = { ...s.commitments, remoteNextPoint: m.second_per_commitment_point };
    return {
      state: { name: 'Normal', commitments: c, shortChannelId: s.shortChannelId, localAlias: s.localAlias, remoteAlias: m.tlvs.short_channel_id ?? null },
      effects: [{ kind: 'channel_ready', shortChannelId: s.shortChannelId }],
    };
  }
  // BOLT #2: "upon reconnection: MUST ignore any redundant `channel_ready` it receives."
  if (s.name === 'Normal' && m.tlvs.short_channel_id !== undefined) return { state: { ...s, remoteAlias: m.tlvs.short_channel_id }, effects: [] };
  return ignore(s, 'redundant channel_ready');
}

/** rejectOpenCommand: a second open on an existing channel. */
export function rejectOpen(s: ChannelState): StepResult {
  return reject(s, 'open', 'the channel already exists');
}
