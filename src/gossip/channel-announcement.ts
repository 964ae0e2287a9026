/**
 * `channel_announcement` checks (BOLT #7 "The `channel_announcement` Message"): chain,
 * node id order, features, the four signatures, and the funding output through an injected
 * chain lookup.
 */
import { compareBytes, equalBytes, type Sat, type ShortChannelId } from '../lib/index.ts';
import { gossipSigHash, Features, type MessageByName } from '../wire/index.ts';
import { compileScript, OP, p2wshScript } from '../bitcoin/index.ts';
import { accept, reject, type GossipCheck } from './result.ts';
import { defaultVerify, isKnownChain, type GossipContext } from './context.ts';

export type ChannelAnnouncementMessage = MessageByName<'channel_announcement'>;

/** A channel_announcement whose signatures and form have been checked (not yet its output). */
export interface CheckedChannelAnnouncement {
  msg: ChannelAnnouncementMessage;
  scid: ShortChannelId;
  /**
   * The first unknown even feature bit, or null. BOLT #7: "if there is an unknown even bit in
   * the `features` field:" / "MUST NOT attempt to route messages through the channel."
   */
  unknownEvenFeature: number | null;
}

/** firstUnknownEvenBit returns the lowest unknown even feature bit of a field, or null. */
export function firstUnknownEvenBit(features: Uint8Array): number | null {
  if (features.length === 0) return null;
  for (const b of Features.fromBytes(features).unknownBits()) if (b % 2 === 0) return b;
  return null;
}

/**
 * checkChannelAnnouncement checks everything that needs no chain access. `raw` is the
 * message as received (with its type); `msg` its decoding. Cheap checks come first, the four
 * signature checks last.
 */
export function checkChannelAnnouncement(raw: Uint8Array, msg: ChannelAnnouncementMessage, ctx: GossipContext): GossipCheck<CheckedChannelAnnouncement> {
  // BOLT #7: "if the specified `chain_hash` is unknown to the receiver:" / "MUST ignore the message."
  if (!isKnownChain(ctx, msg.chain_hash)) return reject('ignore', 'unknown_chain', 'channel_announcement for a chain we do not follow');
  // BOLT #7 (origin): "MUST set `node_id_1` and `node_id_2` to the public keys of the two nodes
  // operating the channel, such that `node_id_1` is the lexicographically-lesser of the
  // two compressed keys sorted in ascending lexicographic order."
  // A message breaking this MUST is invalid: we warn the peer who relayed it.
  if (compareBytes(msg.node_id_1, msg.node_id_2) >= 0) return reject('warn', 'node_ids_unordered', 'node_id_1 is not lexicographically less than node_id_2');
  const verify = ctx.verify ?? defaultVerify;
  const h = gossipSigHash(raw);
  // BOLT #7: "MUST verify the integrity AND authenticity of the message by verifying the
  // signatures." and "if `bitcoin_signature_1`, `bitcoin_signature_2`, `node_signature_1` OR
  // `node_signature_2` are invalid OR NOT correct:" / "SHOULD send a `warning`." /
  // "MAY close the connection." / "MUST ignore the message."
  const sigs: [Uint8Array, Uint8Array, string][] = [
    [msg.node_signature_1, msg.node_id_1, 'node_signature_1'],
    [msg.node_signature_2, msg.node_id_2, 'node_signature_2'],
    [msg.bitcoin_signature_1, msg.bitcoin_key_1, 'bitcoin_signature_1'],
    [msg.bitcoin_signature_2, msg.bitcoin_key_2, 'bitcoin_signature_2'],
  ];
  for (const [sig, key, name] of sigs) {
    if (!verify(sig, h, key)) return reject('warn', 'bad_signature', `channel_announcement ${name} is not a valid signature`);
  }
  return accept({ msg, scid: msg.short_channel_id, unknownEvenFeature: firstUnknownEvenBit(msg.features) });
}

/** What the chain says about the output a short_channel_id names. */
export interface FundingOutputInfo {
  /** The output's scriptPubKey. */
  script: Uint8Array;
  value: Sat;
  /** Confirmations of the transaction holding it (1 = in the tip block). */
  confirmations: number;
  /** The output has been spent (on the best chain). */
  spent: boolean;
}

/**
 * FundingLookup is the chain seam of gossip: find the output a short_channel_id names
 * (block height, transaction index, output index). `null` when the block, the transaction
 * or the output does not exist. May throw (backend down): the caller maps that to ignore.
 */
export interface FundingLookup {
  lookupFunding(scid: ShortChannelId): Promise<FundingOutputInfo | null> | FundingOutputInfo | null;
}

/**
 * fundingScriptPubKey is the P2WSH of BOLT #3's funding script for two funding keys:
 * BOLT #3: "The funding output script is a P2WSH to: `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG`"
 * with "`pubkey1` is the lexicographically lesser of the two `funding_pubkey` in compressed
 * format". (Written here rather than imported from `channel/`, a sibling layer.)
 */
export function fundingScriptPubKey(bitcoinKey1: Uint8Array, bitcoinKey2: Uint8Array): Uint8Array {
  const [p1, p2] = compareBytes(bitcoinKey1, bitcoinKey2) <= 0 ? [bitcoinKey1, bitcoinKey2] : [bitcoinKey2, bitcoinKey1];
  return p2wshScript(compileScript([OP.OP_2, p1, p2, OP.OP_2, OP.OP_CHECKMULTISIG]));
}

/** Default confirmations an announced output needs (BOLT #7: "at least 6 confirmations"). */
export const ANNOUNCEMENT_MIN_CONFIRMATIONS = 6;

/**
 * checkFundingOutput checks the output found for an announcement and returns the channel's
 * capacity (the output's value).
 */
export function checkFundingOutput(
  ann: ChannelAnnouncementMessage,
  out: FundingOutputInfo | null,
  minConfirmations: number = ANNOUNCEMENT_MIN_CONFIRMATIONS,
): GossipCheck<{ capacity: Sat }> {
  // BOLT #7: "if the `short_channel_id`'s output does NOT correspond to a P2WSH (using
  // `bitcoin_key_1` and `bitcoin_key_2`, as specified in
  // [BOLT #3](03-transactions.md#funding-transaction-output)) OR the output is
  // spent:" / "MUST ignore the message."
  if (out === null) return reject('ignore', 'funding_missing', 'no output at this short_channel_id');
  if (out.spent) return reject('ignore', 'funding_spent', 'the funding output is spent');
  if (!equalBytes(out.script, fundingScriptPubKey(ann.bitcoin_key_1, ann.bitcoin_key_2))) {
    return reject('ignore', 'funding_wrong_script', 'the output is not the P2WSH 2-of-2 of bitcoin_key_1 and bitcoin_key_2');
  }
  // BOLT #7: "if the `short_channel_id`'s output does NOT have at least 6 confirmations:" /
  // "SHOULD ignore the message." (a caller MAY lower minConfirmations by a block or two:
  // "MAY accept the message if the output is close to 6 confirmations")
  if (out.confirmations < minConfirmations) return reject('ignore', 'funding_unconfirmed', `the funding output has ${out.confirmations} confirmations, ${minConfirmations} needed`);
  if (out.value <= 0n) return reject('ignore', 'funding_wrong_script', 'the funding output has no value');
  return accept({ capacity: out.value });
}

/** sameChannelParties: an announcement names the same two nodes as a known channel. */
export function sameChannelParties(a: ChannelAnnouncementMessage, b: { nodeId1: Uint8Array; nodeId2: Uint8Array }): boolean {
  return equalBytes(a.node_id_1, b.nodeId1) && equalBytes(a.node_id_2, b.nodeId2);
}
