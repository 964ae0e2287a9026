/**
 * BOLT #2 limits as pure checks returning errors as values: open_channel / accept_channel
 * field validation, and the per-update limits (reserve, fee affordability with the fee
 * spike buffer, htlc_minimum_msat, max_htlc_value_in_flight_msat, max_accepted_htlcs,
 * dust exposure, CLTV sanity).
 */
import { equalBytes, msat, sat, type Msat, type Sat } from '../lib/index.ts';
import { isPublicKey } from '../crypto/index.ts';
import { ANCHOR_OUTPUT_VALUE, commitmentFee, isHtlcTrimmed, type CommitmentType } from './commitment-fees.ts';
import type { AcceptChannel, OpenChannel } from '../wire/index.ts';
import type { ChannelConfig, Feerates } from './channel-env.ts';
import type { CommitmentView, Side } from './updates.ts';
import type { Commitments, HtlcRecord } from './state.ts';

/** The spec's response to a violation: fail the channel with `error`, or just reject. */
export interface Violation {
  /** 'fail': send `error` and fail the channel. */
  response: 'fail';
  message: string;
}

const fail = (message: string): Violation => ({ response: 'fail', message });

/** BOLT #2: "`max_accepted_htlcs` is greater than 483." */
export const MAX_ACCEPTED_HTLCS_LIMIT = 483;
/** BOLT #2: "`dust_limit_satoshis` is smaller than `354 satoshis`". */
export const MIN_DUST_LIMIT = sat(354);
/** BOLT #2: "MUST set `funding_satoshis` to less than 2^24 satoshi." */
export const MAX_FUNDING_NO_WUMBO = sat(1 << 24);
/** BOLT #2: "MUST set `cltv_expiry` less than 500000000." */
export const CLTV_EXPIRY_LIMIT = 500000000;

/** Channel type feature bits (BOLT #9). */
const BIT_STATIC_REMOTEKEY = 12;
const BIT_ANCHORS = 22;

/** channelTypeBytes encodes a set of feature bits as the smallest big-endian bitmap. */
export function channelTypeBytes(bits: readonly number[]): Uint8Array {
  const max = Math.max(...bits);
  const len = Math.floor(max / 8) + 1;
  const out = new Uint8Array(len);
  for (const b of bits) out[len - 1 - Math.floor(b / 8)]! |= 1 << b % 8;
  return out;
}

/** The channel_type we offer for a commitment type. */
export function channelTypeFor(type: CommitmentType): Uint8Array {
  return type === 'anchors' ? channelTypeBytes([BIT_STATIC_REMOTEKEY, BIT_ANCHORS]) : channelTypeBytes([BIT_STATIC_REMOTEKEY]);
}

/**
 * parseChannelType maps a `channel_type` to the commitment type we build, or null if it is
 * not one we support. BOLT #2 "Defined Channel Types": "`option_static_remotekey` (bit 12)"
 * and "`option_anchors` and `option_static_remotekey` (bits 22 and 12)".
 */
export function parseChannelType(bytes: Uint8Array, config: ChannelConfig): CommitmentType | null {
  if (equalBytes(bytes, channelTypeFor('anchors'))) return 'anchors';
  if (config.acceptStaticRemotekey && equalBytes(bytes, channelTypeFor('static_remotekey'))) return 'static_remotekey';
  return null;
}

/** reserveFor computes the reserve we require from the peer for a funding amount. */
export function reserveFor(funding: Sat, config: ChannelConfig): Sat {
  const r = (funding * BigInt(config.channelReservePpm)) / 1_000_000n;
  return sat(r < config.dustLimit ? config.dustLimit : r);
}

/**
 * fundeeReserve is the reserve the fundee requires from the funder: our policy, raised to the
 * funder's dust limit. BOLT #2 accept_channel: "MUST set `channel_reserve_satoshis` greater
 * than or equal to `dust_limit_satoshis` from the `open_channel` message."
 */
export function fundeeReserve(open: OpenChannel, config: ChannelConfig): Sat {
  const r = reserveFor(open.funding_satoshis, config);
  return r < open.dust_limit_satoshis ? open.dust_limit_satoshis : r;
}

/** The fields open_channel and accept_channel share. */
type PeerParams = Pick<
  OpenChannel,
  | 'dust_limit_satoshis'
  | 'max_htlc_value_in_flight_msat'
  | 'channel_reserve_satoshis'
  | 'htlc_minimum_msat'
  | 'to_self_delay'
  | 'max_accepted_htlcs'
  | 'funding_pubkey'
  | 'revocation_basepoint'
  | 'payment_basepoint'
  | 'delayed_payment_basepoint'
  | 'htlc_basepoint'
  | 'first_per_commitment_point'
>;

/** checkCommonParams checks the requirements open_channel and accept_channel share. */
function checkCommonParams(m: PeerParams, funding: Sat, config: ChannelConfig): Violation | null {
  // BOLT #2: "`to_self_delay` is unreasonably large."
  if (m.to_self_delay > config.maxToSelfDelay) return fail(`to_self_delay ${m.to_self_delay} is unreasonably large (max ${config.maxToSelfDelay})`);
  // BOLT #2: "`max_accepted_htlcs` is greater than 483."
  if (m.max_accepted_htlcs > MAX_ACCEPTED_HTLCS_LIMIT) return fail(`max_accepted_htlcs ${m.max_accepted_htlcs} is greater than 483`);
  // BOLT #2: "it considers `max_accepted_htlcs` too small."
  if (m.max_accepted_htlcs < config.minMaxAcceptedHtlcs) return fail(`max_accepted_htlcs ${m.max_accepted_htlcs} is too small`);
  // BOLT #2: "`funding_pubkey`, `revocation_basepoint`, `htlc_basepoint`, `payment_basepoint`, or
  // `delayed_payment_basepoint` are not valid secp256k1 pubkeys in compressed format."
  for (const [name, key] of [
    ['funding_pubkey', m.funding_pubkey],
    ['revocation_basepoint', m.revocation_basepoint],
    ['payment_basepoint', m.payment_basepoint],
    ['delayed_payment_basepoint', m.delayed_payment_basepoint],
    ['htlc_basepoint', m.htlc_basepoint],
    ['first_per_commitment_point', m.first_per_commitment_point],
  ] as const) {
    if (key.length !== 33 || (key[0] !== 2 && key[0] !== 3) || !isPublicKey(key)) return fail(`${name} is not a valid compressed secp256k1 pubkey`);
  }
  // BOLT #2: "`dust_limit_satoshis` is smaller than `354 satoshis`"
  if (m.dust_limit_satoshis < MIN_DUST_LIMIT) return fail(`dust_limit_satoshis ${m.dust_limit_satoshis} is smaller than 354 satoshis`);
  // BOLT #2: "it considers `dust_limit_satoshis` too large"
  if (m.dust_limit_satoshis > config.maxDustLimit) return fail(`dust_limit_satoshis ${m.dust_limit_satoshis} is too large`);
  // BOLT #2: "it considers `htlc_minimum_msat` too large."
  if (m.htlc_minimum_msat > config.maxHtlcMinimum) return fail(`htlc_minimum_msat ${m.htlc_minimum_msat} is too large`);
  // BOLT #2: "it considers `channel_reserve_satoshis` too large."
  if (m.channel_reserve_satoshis * 1_000_000n > funding * BigInt(config.maxChannelReservePpm)) {
    return fail(`channel_reserve_satoshis ${m.channel_reserve_satoshis} is too large`);
  }
  // BOLT #2: "it considers `max_htlc_value_in_flight_msat` too small."
  if (m.max_htlc_value_in_flight_msat < config.htlcMinimum) return fail(`max_htlc_value_in_flight_msat ${m.max_htlc_value_in_flight_msat} is too small`);
  return null;
}

/** The initial balances and fee check shared by both sides of an open. */
function checkInitialCommitment(
  funding: Sat,
  push: Msat,
  feeratePerKw: number,
  type: CommitmentType,
  funderReserve: Sat,
  fundeeReserve: Sat,
): Violation | null {
  const funderBalance = funding * 1000n - push;
  const fee = (commitmentFee(feeratePerKw, 0, type) + (type === 'anchors' ? 2n * ANCHOR_OUTPUT_VALUE : 0n)) * 1000n;
  // BOLT #2: "the funder's amount for the initial commitment transaction is not sufficient for full fee payment."
  if (funderBalance < fee) return fail('the funder cannot pay the initial commitment fee');
  // BOLT #2: "both `to_local` and `to_remote` amounts for the initial commitment transaction are
  // less than or equal to `channel_reserve_satoshis`"
  if (funderBalance - fee <= funderReserve * 1000n && push <= fundeeReserve * 1000n) {
    return fail('both to_local and to_remote are at or below channel_reserve_satoshis');
  }
  return null;
}

/**
 * validateOpenChannel checks a received open_channel (we are the fundee). Returns the
 * commitment type on success.
 */
export function validateOpenChannel(
  m: OpenChannel,
  env: { chainHash: Uint8Array; config: ChannelConfig; feerates: Feerates },
): { ok: true; type: CommitmentType } | { ok: false; violation: Violation } {
  const { config } = env;
  const v = (message: string) => ({ ok: false as const, violation: fail(message) });
  // BOLT #2: "the `chain_hash` value is set to a hash of a chain that is unknown to the receiver."
  if (!equalBytes(m.chain_hash, env.chainHash)) return v('unknown chain_hash');
  // BOLT #2: "if the message doesn't include a `channel_type`: fail the channel."
  if (m.tlvs.channel_type === undefined) return v('open_channel has no channel_type');
  // BOLT #2: "the `channel_type` is not suitable."
  const type = parseChannelType(m.tlvs.channel_type, config);
  if (type === null) return v('channel_type is not suitable');
  // BOLT #2: "`funding_satoshis` is greater than or equal to 2^24 and the receiver does not support
  // `option_support_large_channel`."
  if (m.funding_satoshis >= MAX_FUNDING_NO_WUMBO && !config.largeChannels) return v('funding_satoshis >= 2^24 without option_support_large_channel');
  // BOLT #2: "`funding_satoshis` is too small."
  if (m.funding_satoshis < config.minFundingSat) return v(`funding_satoshis ${m.funding_satoshis} is too small`);
  // BOLT #2: "`push_msat` is greater than `funding_satoshis` * 1000."
  if (m.push_msat > m.funding_satoshis * 1000n) return v('push_msat is greater than funding_satoshis * 1000');
  // BOLT #2: "it considers `feerate_per_kw` too small for timely processing or unreasonably large."
  if (m.feerate_per_kw < env.feerates.min) return v(`feerate_per_kw ${m.feerate_per_kw} is too small`);
  if (m.feerate_per_kw > env.feerates.max) return v(`feerate_per_kw ${m.feerate_per_kw} is unreasonably large`);
  // BOLT #2: "`dust_limit_satoshis` is greater than `channel_reserve_satoshis`."
  if (m.dust_limit_satoshis > m.channel_reserve_satoshis) return v('dust_limit_satoshis is greater than channel_reserve_satoshis');
  const common = checkCommonParams(m, m.funding_satoshis, config);
  if (common) return { ok: false, violation: common };
  // accept_channel: "MUST set `dust_limit_satoshis` less than or equal to
  // `channel_reserve_satoshis` from the `open_channel` message."
  if (config.dustLimit > m.channel_reserve_satoshis) return v('channel_reserve_satoshis is below our dust_limit_satoshis');
  const ourReserve = fundeeReserve(m, config);
  if (m.tlvs.upfront_shutdown_script !== undefined && m.tlvs.upfront_shutdown_script.length > 0) {
    if (!isValidShutdownScript(m.tlvs.upfront_shutdown_script, config.anySegwit)) return v('upfront_shutdown_script is not a valid shutdown script');
  }
  // The funder keeps our reserve; we keep theirs.
  const initial = checkInitialCommitment(m.funding_satoshis, m.push_msat, m.feerate_per_kw, type, ourReserve, m.channel_reserve_satoshis);
  if (initial) return { ok: false, violation: initial };
  return { ok: true, type };
}

/** validateAcceptChannel checks a received accept_channel against the open_channel we sent. */
export function validateAcceptChannel(m: AcceptChannel, open: OpenChannel, config: ChannelConfig, type: CommitmentType): Violation | null {
  // BOLT #2: "if `minimum_depth` is unreasonably large: MAY fail the channel."
  if (m.minimum_depth > config.maxMinimumDepth) return fail(`minimum_depth ${m.minimum_depth} is unreasonably large`);
  // BOLT #2: "if `channel_reserve_satoshis` is less than `dust_limit_satoshis` within the `open_channel` message: MUST fail the channel."
  if (m.channel_reserve_satoshis < open.dust_limit_satoshis) return fail('channel_reserve_satoshis is less than dust_limit_satoshis within open_channel');
  // BOLT #2: "if `channel_reserve_satoshis` from the `open_channel` message is less than `dust_limit_satoshis`: MUST fail the channel."
  if (open.channel_reserve_satoshis < m.dust_limit_satoshis) return fail('channel_reserve_satoshis from open_channel is less than dust_limit_satoshis');
  // BOLT #2: "if the message doesn't include a `channel_type`: MUST fail the channel."
  if (m.tlvs.channel_type === undefined) return fail('accept_channel has no channel_type');
  // BOLT #2: "if `channel_type` does not match the `channel_type` from `open_channel`: MUST fail the channel."
  if (open.tlvs.channel_type === undefined || !equalBytes(m.tlvs.channel_type, open.tlvs.channel_type)) return fail('channel_type does not match open_channel');
  // "Other fields have the same requirements as their counterparts in `open_channel`."
  if (m.dust_limit_satoshis > m.channel_reserve_satoshis) return fail('dust_limit_satoshis is greater than channel_reserve_satoshis');
  const common = checkCommonParams(m, open.funding_satoshis, config);
  if (common) return common;
  if (m.tlvs.upfront_shutdown_script !== undefined && m.tlvs.upfront_shutdown_script.length > 0) {
    if (!isValidShutdownScript(m.tlvs.upfront_shutdown_script, config.anySegwit)) return fail('upfront_shutdown_script is not a valid shutdown script');
  }
  return checkInitialCommitment(open.funding_satoshis, open.push_msat, open.feerate_per_kw, type, m.channel_reserve_satoshis, open.channel_reserve_satoshis);
}

/**
 * isValidShutdownScript checks a `shutdown` scriptpubkey form.
 *
 * BOLT #2: "1. `OP_0` `20` 20-bytes (version 0 pay to witness pubkey hash), OR 2. `OP_0` `32`
 * 32-bytes (version 0 pay to witness script hash), OR 3. if (and only if)
 * `option_shutdown_anysegwit` is negotiated: * `OP_1` through `OP_16` inclusive, followed by a
 * single push of 2 to 40 bytes", and OP_RETURN forms only with option_simple_close.
 */
export function isValidShutdownScript(s: Uint8Array, anySegwit: boolean, simpleClose = false): boolean {
  if (s.length === 22 && s[0] === 0x00 && s[1] === 20) return true;
  // BOLT #2: "if (and only if) `option_simple_close` is negotiated: * `OP_RETURN` followed by one
  // of: * `6` to `75` inclusive followed by exactly that many bytes * `76` followed by `76` to
  // `80` followed by exactly that many bytes"
  if (simpleClose && s[0] === 0x6a && s.length >= 2) {
    const n = s[1]!;
    if (n >= 6 && n <= 75) return s.length === n + 2;
    if (n === 76 && s.length >= 3) return s[2]! >= 76 && s[2]! <= 80 && s.length === s[2]! + 3;
    return false;
  }
  if (s.length === 34 && s[0] === 0x00 && s[1] === 32) return true;
  if (anySegwit && s.length >= 4 && s.length <= 42 && s[0]! >= 0x51 && s[0]! <= 0x60) {
    const n = s[1]!;
    return n >= 2 && n <= 40 && s.length === n + 2;
  }
  return false;
}

/**
 * dustThreshold is Bitcoin Core's dust threshold for an output script (BOLT #3 "Dust Limits"):
 * p2pkh 546, p2sh 540, p2wpkh 294, p2wsh 330, unknown segwit 354, OP_RETURN never dust.
 */
export function dustThreshold(script: Uint8Array): Sat {
  if (script[0] === 0x6a) return sat(0);
  if (script.length === 22 && script[0] === 0x00) return sat(294);
  if (script.length === 34 && script[0] === 0x00) return sat(330);
  if (script.length === 25 && script[0] === 0x76) return sat(546);
  if (script.length === 23 && script[0] === 0xa9) return sat(540);
  return sat(354);
}

/** commitmentFeeMsat is the funder's cost of a commitment view: base fee plus anchors. */
export function funderCost(view: CommitmentView, owner: Side, c: Commitments, feeratePerKw: number, extraHtlcs = 0): Msat {
  const p = c.params;
  const dust = owner === 'local' ? p.local.dustLimit : p.remote.dustLimit;
  let untrimmed = extraHtlcs;
  for (const h of view.htlcs) {
    const dir = (h.direction === 'offered') === (owner === 'local') ? 'offered' : 'received';
    if (!isHtlcTrimmed(dir, h.amount, feeratePerKw, dust, p.type)) untrimmed++;
  }
  const fee = commitmentFee(feeratePerKw, untrimmed, p.type) + (p.type === 'anchors' ? 2n * ANCHOR_OUTPUT_VALUE : 0n);
  return msat(fee * 1000n);
}

/** dustExposure sums the trimmed HTLCs of a commitment view ("dust balance"). */
export function dustExposure(view: CommitmentView, owner: Side, c: Commitments, feeratePerKw: number): Msat {
  const dust = owner === 'local' ? c.params.local.dustLimit : c.params.remote.dustLimit;
  let t = 0n;
  for (const h of view.htlcs) {
    const dir = (h.direction === 'offered') === (owner === 'local') ? 'offered' : 'received';
    if (isHtlcTrimmed(dir, h.amount, feeratePerKw, dust, c.params.type)) t += h.amount;
  }
  return msat(t);
}

/**
 * checkFunderAffords: in commitment `view` (owned by `owner`), the funder's balance must
 * cover the fee and anchors at `feeratePerKw` and still keep its reserve.
 *
 * BOLT #2: "MUST NOT offer `amount_msat` if, after adding that HTLC to its commitment
 * transaction, it cannot pay the fee for either the local or remote commitment transaction at
 * the current `feerate_per_kw` while maintaining its channel reserve".
 */
export function checkFunderAffords(view: CommitmentView, owner: Side, c: Commitments, feeratePerKw: number, extraHtlcs = 0): string | null {
  const p = c.params;
  const funderBalance = p.localIsFunder ? view.spec.toLocal : view.spec.toRemote;
  // The reserve the funder must keep is set by the other side.
  const reserve = p.localIsFunder ? p.remote.channelReserve : p.local.channelReserve;
  const cost = funderCost(view, owner, c, feeratePerKw, extraHtlcs);
  if (funderBalance < cost + reserve * 1000n) {
    return `funder balance ${funderBalance} msat cannot pay fee ${cost} msat and reserve ${reserve} sat at feerate ${feeratePerKw}`;
  }
  return null;
}

/** Limits an HTLC add must respect, checked on the commitment that will receive it. */
export function checkAddLimits(
  view: CommitmentView,
  owner: Side,
  c: Commitments,
  add: Pick<HtlcRecord, 'amount' | 'cltvExpiry' | 'direction'>,
): string | null {
  const p = c.params;
  // The receiver of the HTLC sets the limits.
  const receiverParams = add.direction === 'offered' ? p.remote : p.local;
  // BOLT #2: "MUST offer `amount_msat` greater than 0."
  if (add.amount <= 0n) return 'amount_msat must be greater than 0';
  // BOLT #2: "MUST NOT offer `amount_msat` below the receiving node's `htlc_minimum_msat`"
  if (add.amount < receiverParams.htlcMinimum) return `amount_msat ${add.amount} is below htlc_minimum_msat ${receiverParams.htlcMinimum}`;
  // BOLT #2: "MUST set `cltv_expiry` less than 500000000."
  if (add.cltvExpiry >= CLTV_EXPIRY_LIMIT) return `cltv_expiry ${add.cltvExpiry} is greater or equal to 500000000`;
  const offered = view.htlcs.filter((h) => h.direction === add.direction);
  // BOLT #2: "if result would be offering more than the remote's `max_accepted_htlcs` HTLCs, in the
  // remote commitment transaction: MUST NOT add an HTLC."
  if (offered.length > receiverParams.maxAcceptedHtlcs) return `more than max_accepted_htlcs ${receiverParams.maxAcceptedHtlcs} HTLCs`;
  let inFlight = 0n;
  for (const h of offered) inFlight += h.amount;
  // BOLT #2: "if the total value of offered HTLCs would exceed the remote's
  // `max_htlc_value_in_flight_msat`: MUST NOT add an HTLC."
  if (inFlight > receiverParams.maxHtlcValueInFlight) return `HTLCs in flight ${inFlight} msat exceed max_htlc_value_in_flight_msat`;
  // The adder keeps the reserve the other side asked for.
  const adderBalance = add.direction === 'offered' ? view.spec.toLocal : view.spec.toRemote;
  const adderIsFunder = (add.direction === 'offered') === p.localIsFunder;
  const reserve = add.direction === 'offered' ? p.remote.channelReserve : p.local.channelReserve;
  const fee = adderIsFunder ? funderCost(view, owner, c, view.spec.feeratePerKw) : 0n;
  // BOLT #2: "receiving an `amount_msat` that the sending node cannot afford at the current
  // `feerate_per_kw` (while maintaining its channel reserve and any `to_local_anchor` and
  // `to_remote_anchor` costs)"
  if (adderBalance < fee + reserve * 1000n) return `sender cannot afford the HTLC while keeping its reserve ${reserve} sat`;
  return null;
}
