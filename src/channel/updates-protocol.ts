/**
 * BOLT #2 "Normal Operation" on a Commitments record: proposing and receiving updates
 * (update_add_htlc, update_fulfill_htlc, update_fail_htlc, update_fail_malformed_htlc,
 * update_fee), signing (commitment_signed) and revoking (revoke_and_ack). Each function is
 * pure and returns the new record and its effects, a rejection (our command is refused, the
 * state is unchanged) or a failure (the peer broke a rule: fail the channel with `error`).
 */
import { equalBytes, type Msat } from '../lib/index.ts';
import { isPrivateKey, sha256 } from '../crypto/index.ts';
import { commitmentIndex, perCommitmentPoint, ShachainStore } from '../keys/index.ts';
import { isHtlcTrimmed } from './commitment-fees.ts';
import { onRecvCommit, onRecvRevoke, onSendCommit, onSendRevoke } from './htlc-state.ts';
import {
  applyTransition,
  currentView,
  hasChangesForRemote,
  projectView,
  signRemote,
  verifyLocalSignatures,
} from './updates.ts';
import { checkAddLimits, checkFunderAffords, dustExposure } from './limits.ts';
import type {
  CommitmentSigned,
  RevokeAndAck,
  UpdateAddHtlc,
  UpdateFailHtlc,
  UpdateFailMalformedHtlc,
  UpdateFee,
  UpdateFulfillHtlc,
} from '../wire/index.ts';
import type { ChannelEnv, Command, Effect } from './channel-env.ts';
import type { Commitments, HtlcRecord } from './state.ts';

/** The outcome of one update operation. */
export type UpdateResult =
  | { ok: true; c: Commitments; effects: Effect[] }
  | { ok: false; kind: 'reject'; reason: string }
  | { ok: false; kind: 'fail'; reason: string };

const ok = (c: Commitments, effects: Effect[] = []): UpdateResult => ({ ok: true, c, effects });
const rejected = (reason: string): UpdateResult => ({ ok: false, kind: 'reject', reason });
const failed = (reason: string): UpdateResult => ({ ok: false, kind: 'fail', reason });

/** BOLT #4: "0x8000 (BADONION): unparsable onion encrypted by sending peer". */
export const BADONION = 0x8000;

function withHtlc(c: Commitments, h: HtlcRecord): Commitments {
  return { ...c, htlcs: [...c.htlcs, h] };
}

function replaceHtlc(c: Commitments, h: HtlcRecord): Commitments {
  return { ...c, htlcs: c.htlcs.map((x) => (x.direction === h.direction && x.id === h.id ? h : x)) };
}

/** Dust exposure of both commitments once `c`'s proposed changes are applied. */
function dustCheck(c: Commitments, env: ChannelEnv, feerateOverride?: number): string | null {
  const local = projectView(c, 'local', (s) => onRecvCommit(onSendCommit(s)));
  const remote = projectView(c, 'remote', (s) => onSendCommit(onRecvCommit(s)));
  // Include HTLCs still proposed by either side, since they will enter both commitments.
  const pendingAdds = c.htlcs.filter((h) => h.state === 'SENT_ADD_HTLC' || h.state === 'RCVD_ADD_HTLC');
  for (const [side, view] of [['local', local], ['remote', remote]] as const) {
    const has = (h: HtlcRecord) => view.htlcs.some((x) => x.direction === h.direction && x.id === h.id);
    const all = { spec: view.spec, htlcs: [...view.htlcs, ...pendingAdds.filter((h) => !has(h))] };
    const feerate = feerateOverride ?? view.spec.feeratePerKw;
    const exposure = dustExposure(all, side, c, feerate);
    if (exposure > env.config.maxDustExposure) return `dust exposure ${exposure} msat on the ${side} commitment exceeds ${env.config.maxDustExposure} msat`;
  }
  return null;
}

/**
 * addHtlc proposes an HTLC (our command). Checks every limit on the peer's next commitment,
 * the fee spike buffer when we are the funder, and dust exposure on both commitments.
 */
export function addHtlc(c: Commitments, cmd: Extract<Command, { kind: 'add_htlc' }>, env: ChannelEnv): UpdateResult {
  const h: HtlcRecord = {
    direction: 'offered',
    id: c.nextLocalHtlcId,
    amount: cmd.amount,
    paymentHash: cmd.paymentHash,
    cltvExpiry: cmd.cltvExpiry,
    onion: cmd.onion,
    state: 'SENT_ADD_HTLC',
    removal: null,
  };
  if (cmd.paymentHash.length !== 32) return rejected('payment_hash must be 32 bytes');
  const c1 = withHtlc(c, h);
  const view = projectView(c1, 'remote', onSendCommit);
  const limit = checkAddLimits(view, 'remote', c1, h);
  if (limit) return rejected(limit);
  const feerate = view.spec.feeratePerKw;
  if (c.params.localIsFunder) {
    // BOLT #2: "It is recommended that this "fee spike buffer" can handle twice the current
    // `feerate_per_kw` to ensure predictability between implementations."
    const spike = checkFunderAffords(view, 'remote', c1, 2 * feerate, 1);
    if (spike) return rejected(`fee spike buffer: ${spike}`);
    const localView = projectView(c1, 'local', (s) => onRecvCommit(onSendCommit(s)));
    const localAfford = checkFunderAffords({ spec: localView.spec, htlcs: [...localView.htlcs, h] }, 'local', c1, feerate);
    if (localAfford) return rejected(localAfford);
  } else {
    // BOLT #2: "SHOULD NOT offer `amount_msat` if, once the remote node adds that HTLC to its
    // commitment transaction, it cannot pay the fee for the updated local or remote transaction"
    const afford = checkFunderAffords(view, 'remote', c1, feerate);
    if (afford) return rejected(afford);
  }
  const dust = dustCheck(c1, env);
  if (dust) return rejected(dust);
  const msg: UpdateAddHtlc = {
    type: 'update_add_htlc',
    channel_id: c.params.channelId,
    id: h.id,
    amount_msat: h.amount,
    payment_hash: h.paymentHash,
    cltv_expiry: h.cltvExpiry,
    onion_routing_packet: h.onion,
    tlvs: {},
  };
  return ok({ ...c1, nextLocalHtlcId: c.nextLocalHtlcId + 1n, pendingLocalUpdates: [...c.pendingLocalUpdates, msg] }, [{ kind: 'send_message', message: msg }]);
}

/**
 * receiveAddHtlc accepts a peer's update_add_htlc after checking its id and every limit on
 * our next commitment.
 *
 * BOLT #2: "if other `id` violations occur: MAY send a `warning` and close the connection, or
 * send an `error` and fail the channel."
 */
export function receiveAddHtlc(c: Commitments, m: UpdateAddHtlc, env: ChannelEnv): UpdateResult {
  if (m.id !== c.nextRemoteHtlcId) return failed(`update_add_htlc id ${m.id} out of sequence (expected ${c.nextRemoteHtlcId})`);
  const h: HtlcRecord = {
    direction: 'received',
    id: m.id,
    amount: m.amount_msat,
    paymentHash: m.payment_hash,
    cltvExpiry: m.cltv_expiry,
    onion: m.onion_routing_packet,
    state: 'RCVD_ADD_HTLC',
    removal: null,
  };
  const c1 = withHtlc(c, h);
  const view = projectView(c1, 'local', onRecvCommit);
  // BOLT #2: amount 0 or below htlc_minimum_msat, unaffordable, more than max_accepted_htlcs or
  // max_htlc_value_in_flight_msat, cltv_expiry >= 500000000: "SHOULD send a `warning` and close
  // the connection, or send an `error` and fail the channel."
  const limit = checkAddLimits(view, 'local', c1, h);
  if (limit) return failed(`update_add_htlc: ${limit}`);
  // BOLT #2 (dust exposure): "SHOULD fail this HTLC once it's committed".
  const over = dustCheck(c1, env) !== null;
  const stored = over ? { ...h, overDustExposure: true } : h;
  return ok({ ...c, htlcs: [...c.htlcs, stored], nextRemoteHtlcId: c.nextRemoteHtlcId + 1n });
}

function findReceivedCommitted(c: Commitments, id: bigint): HtlcRecord | string {
  const h = c.htlcs.find((x) => x.direction === 'received' && x.id === id);
  if (!h) return `no received HTLC with id ${id}`;
  // BOLT #2: "until the corresponding HTLC is irrevocably committed in both sides' commitment
  // transactions: MUST NOT send an `update_fulfill_htlc`, `update_fail_htlc`, or
  // `update_fail_malformed_htlc`."
  if (h.state !== 'RCVD_ADD_ACK_REVOCATION') return `HTLC ${id} is not irrevocably committed (state ${h.state})`;
  return h;
}

/** fulfillHtlc removes a received HTLC with its preimage (our command). */
export function fulfillHtlc(c: Commitments, id: bigint, preimage: Uint8Array): UpdateResult {
  const h = findReceivedCommitted(c, id);
  if (typeof h === 'string') return rejected(h);
  if (!equalBytes(sha256(preimage), h.paymentHash)) return rejected('the preimage does not match the payment hash');
  const msg: UpdateFulfillHtlc = { type: 'update_fulfill_htlc', channel_id: c.params.channelId, id, payment_preimage: preimage, tlvs: {} };
  const c1 = replaceHtlc(c, { ...h, state: 'SENT_REMOVE_HTLC', removal: { kind: 'fulfill', preimage } });
  return ok({ ...c1, pendingLocalUpdates: [...c.pendingLocalUpdates, msg] }, [{ kind: 'send_message', message: msg }]);
}

/** failHtlc removes a received HTLC with an (onion-encrypted) reason (our command). */
export function failHtlc(c: Commitments, id: bigint, reason: Uint8Array): UpdateResult {
  const h = findReceivedCommitted(c, id);
  if (typeof h === 'string') return rejected(h);
  const msg: UpdateFailHtlc = { type: 'update_fail_htlc', channel_id: c.params.channelId, id, reason, tlvs: {} };
  const c1 = replaceHtlc(c, { ...h, state: 'SENT_REMOVE_HTLC', removal: { kind: 'fail', reason } });
  return ok({ ...c1, pendingLocalUpdates: [...c.pendingLocalUpdates, msg] }, [{ kind: 'send_message', message: msg }]);
}

/** failMalformedHtlc removes a received HTLC whose onion we could not parse (our command). */
export function failMalformedHtlc(c: Commitments, id: bigint, sha256OfOnion: Uint8Array, failureCode: number): UpdateResult {
  const h = findReceivedCommitted(c, id);
  if (typeof h === 'string') return rejected(h);
  if ((failureCode & BADONION) === 0) return rejected('update_fail_malformed_htlc needs the BADONION bit in failure_code');
  const msg: UpdateFailMalformedHtlc = { type: 'update_fail_malformed_htlc', channel_id: c.params.channelId, id, sha256_of_onion: sha256OfOnion, failure_code: failureCode };
  const c1 = replaceHtlc(c, { ...h, state: 'SENT_REMOVE_HTLC', removal: { kind: 'fail_malformed', sha256OfOnion, failureCode } });
  return ok({ ...c1, pendingLocalUpdates: [...c.pendingLocalUpdates, msg] }, [{ kind: 'send_message', message: msg }]);
}

/**
 * findOfferedCommitted finds the HTLC a peer's removal refers to.
 *
 * BOLT #2: "if the `id` does not correspond to an HTLC in its current commitment transaction:
 * MUST send a `warning` and close the connection, or send an `error` and fail the channel."
 */
function findOfferedCommitted(c: Commitments, id: bigint): HtlcRecord | string {
  const h = c.htlcs.find((x) => x.direction === 'offered' && x.id === id);
  if (!h || h.state !== 'SENT_ADD_ACK_REVOCATION') return `no committed offered HTLC with id ${id}`;
  return h;
}

/**
 * receiveFulfill accepts the peer's preimage for one of our HTLCs.
 *
 * BOLT #2: "if the `payment_preimage` value in `update_fulfill_htlc` doesn't SHA256 hash to the
 * corresponding HTLC `payment_hash`: MUST send a `warning` and close the connection, or send an
 * `error` and fail the channel."
 */
export function receiveFulfill(c: Commitments, m: UpdateFulfillHtlc): UpdateResult {
  const h = findOfferedCommitted(c, m.id);
  if (typeof h === 'string') return failed(`update_fulfill_htlc: ${h}`);
  if (!equalBytes(sha256(m.payment_preimage), h.paymentHash)) return failed('update_fulfill_htlc: the preimage does not hash to payment_hash');
  const c1 = replaceHtlc(c, { ...h, state: 'RCVD_REMOVE_HTLC', removal: { kind: 'fulfill', preimage: m.payment_preimage } });
  // The preimage is ours as soon as we see it: tell the payments layer at once.
  return ok(c1, [{ kind: 'htlc_settled', id: h.id, paymentHash: h.paymentHash, preimage: m.payment_preimage }]);
}

/** receiveFail accepts the peer's update_fail_htlc for one of our HTLCs. */
export function receiveFail(c: Commitments, m: UpdateFailHtlc): UpdateResult {
  const h = findOfferedCommitted(c, m.id);
  if (typeof h === 'string') return failed(`update_fail_htlc: ${h}`);
  return ok(replaceHtlc(c, { ...h, state: 'RCVD_REMOVE_HTLC', removal: { kind: 'fail', reason: m.reason } }));
}

/**
 * receiveFailMalformed accepts the peer's update_fail_malformed_htlc.
 *
 * BOLT #2: "if the `BADONION` bit in `failure_code` is not set for `update_fail_malformed_htlc`:
 * MUST send a `warning` and close the connection, or send an `error` and fail the channel."
 */
export function receiveFailMalformed(c: Commitments, m: UpdateFailMalformedHtlc): UpdateResult {
  const h = findOfferedCommitted(c, m.id);
  if (typeof h === 'string') return failed(`update_fail_malformed_htlc: ${h}`);
  if ((m.failure_code & BADONION) === 0) return failed('update_fail_malformed_htlc: the BADONION bit is not set');
  return ok(replaceHtlc(c, { ...h, state: 'RCVD_REMOVE_HTLC', removal: { kind: 'fail_malformed', sha256OfOnion: m.sha256_of_onion, failureCode: m.failure_code } }));
}

/**
 * updateFee proposes a new feerate (our command; only the funder may).
 *
 * BOLT #2: "The node _not responsible_ for paying the Bitcoin fee: MUST NOT send `update_fee`."
 */
export function updateFee(c: Commitments, feeratePerKw: number, env: ChannelEnv): UpdateResult {
  if (!c.params.localIsFunder) return rejected('only the funder sends update_fee');
  if (!Number.isInteger(feeratePerKw) || feeratePerKw < 253 || feeratePerKw > 0xffffffff) return rejected('feerate_per_kw out of range');
  // A newer proposal replaces one we have not signed yet.
  const fees = [...c.fees.filter((u) => u.state !== 'SENT_ADD_HTLC'), { feeratePerKw, state: 'SENT_ADD_HTLC' as const }];
  const pendingLocalUpdates = c.pendingLocalUpdates.filter((u) => u.type !== 'update_fee');
  const c1 = { ...c, fees };
  const view = projectView(c1, 'remote', onSendCommit);
  const afford = checkFunderAffords(view, 'remote', c1, feeratePerKw);
  if (afford) return rejected(afford);
  const oldRate = c.remoteCommit.spec.feeratePerKw;
  if (c.params.type !== 'anchors' && feeratePerKw > oldRate) {
    // BOLT #2: "if the dust balance of the remote transaction at the updated `feerate_per_kw` is
    // greater than `max_dust_htlc_exposure_msat`: MAY NOT send `update_fee`"
    const dust = dustCheck(c1, env, feeratePerKw);
    if (dust) return rejected(dust);
  }
  const msg: UpdateFee = { type: 'update_fee', channel_id: c.params.channelId, feerate_per_kw: feeratePerKw };
  return ok({ ...c1, pendingLocalUpdates: [...pendingLocalUpdates, msg] }, [{ kind: 'send_message', message: msg }]);
}

/**
 * receiveUpdateFee accepts the funder's new feerate.
 *
 * BOLT #2: "if the sender is not responsible for paying the Bitcoin fee: MUST send a `warning`
 * and close the connection, or send an `error` and fail the channel." and "if the `update_fee`
 * is too low for timely processing, OR is unreasonably large: MUST send a `warning` and close
 * the connection, or send an `error` and fail the channel."
 */
export function receiveUpdateFee(c: Commitments, m: UpdateFee, env: ChannelEnv): UpdateResult {
  if (c.params.localIsFunder) return failed('update_fee from the node not responsible for the fee');
  if (m.feerate_per_kw < env.feerates.min) return failed(`update_fee ${m.feerate_per_kw} is too low`);
  if (m.feerate_per_kw > env.feerates.max) return failed(`update_fee ${m.feerate_per_kw} is unreasonably large`);
  const fees = [...c.fees.filter((u) => u.state !== 'RCVD_ADD_HTLC'), { feeratePerKw: m.feerate_per_kw, state: 'RCVD_ADD_HTLC' as const }];
  const c1 = { ...c, fees };
  const view = projectView(c1, 'local', onRecvCommit);
  // BOLT #2: "if the sender cannot afford the new fee rate on the receiving node's current
  // commitment transaction: SHOULD send a `warning` and close the connection, or send an `error`
  // and fail the channel."
  const afford = checkFunderAffords(view, 'local', c1, m.feerate_per_kw);
  if (afford) return failed(`update_fee: ${afford}`);
  if (c.params.type !== 'anchors' && m.feerate_per_kw > c.localCommit.spec.feeratePerKw) {
    const dust = dustCheck(c1, env, m.feerate_per_kw);
    if (dust) return failed(`update_fee: ${dust}`);
  }
  return ok(c1);
}

/**
 * sign sends commitment_signed for the peer's next commitment (our command, or automatically
 * when acknowledged changes are waiting). While we wait for a revocation it only remembers
 * that a signature is wanted.
 *
 * BOLT #2: "MUST include one `htlc_signature` for every HTLC transaction corresponding to the
 * ordering of the commitment transaction".
 */
export function signNextCommitment(c: Commitments, env: ChannelEnv): UpdateResult {
  if (!hasChangesForRemote(c)) return ok(c);
  if (c.awaitingRevocation) return ok({ ...c, signPending: true });
  if (c.remoteNextPoint === null) return rejected('the peer has not sent its next per-commitment point yet');
  if (c.connection !== 'up') return ok({ ...c, signPending: true });
  const view = projectView(c, 'remote', onSendCommit);
  const number = c.remoteCommit.number + 1n;
  const signed = signRemote(c, view, number, c.remoteNextPoint, env.signer);
  const commit: CommitmentSigned = {
    type: 'commitment_signed',
    channel_id: c.params.channelId,
    signature: signed.signature.sig,
    htlc_signature: signed.htlcSignatures.map((s) => s.sig),
    tlvs: {},
  };
  const moved = applyTransition(c, onSendCommit);
  const next: Commitments = {
    ...c,
    ...moved,
    remoteCommit: { number, spec: view.spec, txid: signed.commitment.txid, perCommitmentPoint: c.remoteNextPoint },
    remotePrevPoint: c.remoteCommit.perCommitmentPoint,
    remoteNextPoint: null,
    awaitingRevocation: true,
    signPending: false,
    lastSentCommit: { updates: c.pendingLocalUpdates, commit },
    pendingLocalUpdates: [],
    revokeAfterCommit: false,
  };
  return ok(next, [{ kind: 'send_message', message: commit }]);
}

/** hasChangesForLocal: does a commitment_signed from the peer change our commitment? */
function hasChangesForLocal(c: Commitments): boolean {
  const moving = (s: string) => s === 'RCVD_ADD_HTLC' || s === 'RCVD_REMOVE_HTLC' || s === 'RCVD_ADD_REVOCATION' || s === 'RCVD_REMOVE_REVOCATION';
  return c.htlcs.some((h) => moving(h.state)) || c.fees.some((u) => moving(u.state));
}

/**
 * receiveCommitmentSigned checks the peer's signatures on our next commitment, makes it our
 * current one and revokes the previous one with revoke_and_ack.
 *
 * BOLT #2: "Otherwise: MUST respond with a `revoke_and_ack` message." and for the sender "MUST
 * NOT send a `commitment_signed` message that does not include any updates."
 */
export function receiveCommitmentSigned(c: Commitments, m: CommitmentSigned, env: ChannelEnv): UpdateResult {
  if (!hasChangesForLocal(c)) return failed('commitment_signed without any updates');
  const view = projectView(c, 'local', onRecvCommit);
  const number = c.localCommit.number + 1n;
  const point = env.signer.perCommitmentPoint(number);
  const check = verifyLocalSignatures(c, view, number, point, m.signature, m.htlc_signature);
  if (!check.ok) return failed(`commitment_signed: ${check.error}`);
  const moved1 = applyTransition(c, onRecvCommit);
  const c1: Commitments = {
    ...c,
    ...moved1,
    localCommit: { number, spec: view.spec, txid: check.commitment.txid, remoteSig: m.signature, remoteHtlcSigs: m.htlc_signature },
  };
  // BOLT #2: "MUST set `per_commitment_secret` to the secret used to generate keys for the
  // previous commitment transaction." and "MUST set `next_per_commitment_point` to the values for
  // its next commitment transaction."
  const revoke: RevokeAndAck = {
    type: 'revoke_and_ack',
    channel_id: c.params.channelId,
    per_commitment_secret: env.signer.releasePerCommitmentSecret(c.localCommit.number),
    next_per_commitment_point: env.signer.perCommitmentPoint(number + 1n),
  };
  const moved2 = applyTransition(c1, onSendRevoke);
  let c2: Commitments = { ...c1, ...moved2, lastSentRevoke: revoke, revokeAfterCommit: c.awaitingRevocation };
  const effects: Effect[] = [{ kind: 'send_message', message: revoke }];
  // Changes the peer has now acknowledged go into its commitment without waiting.
  const s = signNextCommitment(c2, env);
  if (s.ok) {
    c2 = s.c;
    effects.push(...s.effects);
    if (s.effects.length > 0) c2 = { ...c2, revokeAfterCommit: false };
  }
  return ok(c2, effects);
}

/**
 * receiveRevokeAndAck checks the revealed secret against the point of the peer's previous
 * commitment, stores it, and moves every update the peer has now irrevocably committed.
 *
 * BOLT #2: "if `per_commitment_secret` is not a valid secret key or does not generate the
 * previous `per_commitment_point`: MUST send an `error` and fail the channel."
 */
export function receiveRevokeAndAck(c: Commitments, m: RevokeAndAck, env: ChannelEnv): UpdateResult {
  if (!c.awaitingRevocation || c.remotePrevPoint === null) return failed('unexpected revoke_and_ack');
  if (!isPrivateKey(m.per_commitment_secret) || !equalBytes(perCommitmentPoint(m.per_commitment_secret), c.remotePrevPoint)) {
    return failed('revoke_and_ack: per_commitment_secret does not generate the previous per_commitment_point');
  }
  const store = ShachainStore.deserialize(c.remoteSecrets);
  // BOLT #2: "if the `per_commitment_secret` was not generated by the protocol in BOLT #3: MAY
  // send a `warning` and close the connection, or send an `error` and fail the channel."
  if (!store.insert(commitmentIndex(c.remoteCommit.number - 1n), m.per_commitment_secret)) {
    return failed('revoke_and_ack: per_commitment_secret was not generated by the BOLT #3 protocol');
  }
  const effects: Effect[] = [];
  for (const h of c.htlcs) {
    const next = onRecvRevoke(h.state);
    if (next === h.state) continue;
    if (next === 'RCVD_ADD_ACK_REVOCATION') {
      effects.push({
        kind: 'htlc_received',
        id: h.id,
        amount: h.amount,
        paymentHash: h.paymentHash,
        cltvExpiry: h.cltvExpiry,
        onion: h.onion,
        mustFail: h.overDustExposure === true,
      });
    }
    if (next === 'RCVD_REMOVE_ACK_REVOCATION' && h.removal && h.removal.kind !== 'fulfill') {
      effects.push({ kind: 'htlc_failed', id: h.id, paymentHash: h.paymentHash, removal: h.removal });
    }
  }
  const moved = applyTransition(c, onRecvRevoke);
  let c1: Commitments = {
    ...c,
    ...moved,
    remoteSecrets: store.serialize(),
    remoteNextPoint: m.next_per_commitment_point,
    remotePrevPoint: null,
    awaitingRevocation: false,
    lastSentCommit: null,
  };
  if (c.signPending || hasChangesForRemote(c1)) {
    const s = signNextCommitment(c1, env);
    if (s.ok) {
      c1 = s.c;
      effects.push(...s.effects);
    }
  }
  return ok(c1, effects);
}

/**
 * revertOnDisconnect forgets the peer's updates that no commitment_signed covered.
 *
 * BOLT #2: "upon disconnection: MUST reverse any uncommitted updates sent by the other side
 * (i.e. all messages beginning with `update_` for which no `commitment_signed` has been
 * received)."
 */
export function revertOnDisconnect(c: Commitments): Commitments {
  let nextRemoteHtlcId = c.nextRemoteHtlcId;
  const htlcs: HtlcRecord[] = [];
  for (const h of c.htlcs) {
    if (h.state === 'RCVD_ADD_HTLC') {
      if (h.id < nextRemoteHtlcId) nextRemoteHtlcId = h.id;
      continue;
    }
    htlcs.push(h.state === 'RCVD_REMOVE_HTLC' ? { ...h, state: 'SENT_ADD_ACK_REVOCATION', removal: null } : h);
  }
  return { ...c, htlcs, fees: c.fees.filter((u) => u.state !== 'RCVD_ADD_HTLC'), nextRemoteHtlcId, connection: 'down' };
}

/** balances returns our and the peer's balance in our current commitment (for tests and RPC). */
export function localBalances(c: Commitments): { toLocal: Msat; toRemote: Msat; htlcs: HtlcRecord[] } {
  const v = currentView(c, 'local');
  return { toLocal: v.spec.toLocal, toRemote: v.spec.toRemote, htlcs: v.htlcs };
}

/** isTrimmedFor tells whether an HTLC is dust on the given side's commitment. */
export function isTrimmedFor(c: Commitments, h: HtlcRecord, side: 'local' | 'remote', feeratePerKw: number): boolean {
  const dir = (h.direction === 'offered') === (side === 'local') ? 'offered' : 'received';
  return isHtlcTrimmed(dir, h.amount, feeratePerKw, side === 'local' ? c.params.local.dustLimit : c.params.remote.dustLimit, c.params.type);
}
