/**
 * Real signed BOLT #7 messages for tests and benchmarks: deterministic keys, channel
 * announcements with their funding outputs, node announcements and channel updates, and a
 * fake chain to look outputs up in.
 */
import { compareBytes, concatBytes, msat, sat, shortChannelId, utf8, type Sat, type ShortChannelId } from '../../src/lib/index.ts';
import { getPublicKey, sha256, signEcdsa } from '../../src/crypto/index.ts';
import { encodeMessage, gossipSigHash, type AddressDescriptor, type MessageByName } from '../../src/wire/index.ts';
import { fundingScriptPubKey, type FundingLookup, type FundingOutputInfo } from '../../src/gossip/index.ts';

/** The chain hash the fixtures use (Bitcoin mainnet's, as in BOLT #7). */
export const CHAIN = Uint8Array.from(Buffer.from('6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000', 'hex'));

/** A key pair. */
export interface Key {
  priv: Uint8Array;
  pub: Uint8Array;
}

/** key derives a deterministic key pair from a label. */
export function key(label: string): Key {
  const priv = sha256(utf8(`kite-gossip-fixture:${label}`));
  return { priv, pub: getPublicKey(priv) };
}

/** A channel's four keys (node 1 is the lesser node id) and its messages. */
export interface FixtureChannel {
  scid: ShortChannelId;
  node1: Key;
  node2: Key;
  bitcoin1: Key;
  bitcoin2: Key;
  capacity: Sat;
  announcement: Uint8Array;
  funding: FundingOutputInfo;
}

type Ann = MessageByName<'channel_announcement'>;
type Upd = MessageByName<'channel_update'>;
type NodeAnn = MessageByName<'node_announcement'>;

const ZERO_SIG = new Uint8Array(64);

/** signAnnouncement fills in the four signatures (or the ones given in `sign`). */
export function signChannelAnnouncement(m: Ann, keys: { node1: Key; node2: Key; bitcoin1: Key; bitcoin2: Key }): Uint8Array {
  const h = gossipSigHash(encodeMessage({ ...m, node_signature_1: ZERO_SIG, node_signature_2: ZERO_SIG, bitcoin_signature_1: ZERO_SIG, bitcoin_signature_2: ZERO_SIG }));
  return encodeMessage({
    ...m,
    node_signature_1: signEcdsa(h, keys.node1.priv),
    node_signature_2: signEcdsa(h, keys.node2.priv),
    bitcoin_signature_1: signEcdsa(h, keys.bitcoin1.priv),
    bitcoin_signature_2: signEcdsa(h, keys.bitcoin2.priv),
  });
}

/** makeChannel builds a validly signed announcement between two labelled nodes, and its output. */
export function makeChannel(
  a: string,
  b: string,
  scid: ShortChannelId = shortChannelId(800_000, 1, 0),
  o: { capacity?: Sat; features?: Uint8Array; confirmations?: number; swapNodes?: boolean; chain?: Uint8Array } = {},
): FixtureChannel {
  let [node1, node2] = [key(`node:${a}`), key(`node:${b}`)];
  let [bitcoin1, bitcoin2] = [key(`btc:${a}:${scid}`), key(`btc:${b}:${scid}`)];
  if (compareBytes(node1.pub, node2.pub) > 0 !== (o.swapNodes ?? false)) {
    [node1, node2] = [node2, node1];
    [bitcoin1, bitcoin2] = [bitcoin2, bitcoin1];
  }
  const capacity = o.capacity ?? sat(1_000_000);
  const m: Ann = {
    type: 'channel_announcement',
    node_signature_1: ZERO_SIG,
    node_signature_2: ZERO_SIG,
    bitcoin_signature_1: ZERO_SIG,
    bitcoin_signature_2: ZERO_SIG,
    features: o.features ?? new Uint8Array(0),
    chain_hash: o.chain ?? CHAIN,
    short_channel_id: scid,
    node_id_1: node1.pub,
    node_id_2: node2.pub,
    bitcoin_key_1: bitcoin1.pub,
    bitcoin_key_2: bitcoin2.pub,
  };
  const announcement = signChannelAnnouncement(m, { node1, node2, bitcoin1, bitcoin2 });
  const funding: FundingOutputInfo = { script: fundingScriptPubKey(bitcoin1.pub, bitcoin2.pub), value: capacity, confirmations: o.confirmations ?? 10, spent: false };
  return { scid, node1, node2, bitcoin1, bitcoin2, capacity, announcement, funding };
}

/** Fields of a channel_update a test may set. */
export type UpdateFields = Partial<Omit<Upd, 'type' | 'signature' | 'short_channel_id'>>;

/** makeUpdate signs a channel_update for direction `dir` (signed by that direction's node unless `signer` is given). */
export function makeUpdate(c: FixtureChannel, dir: 0 | 1, timestamp: number, f: UpdateFields = {}, signer?: Key, tail: Uint8Array = new Uint8Array(0)): Uint8Array {
  const m: Upd = {
    type: 'channel_update',
    signature: ZERO_SIG,
    chain_hash: CHAIN,
    short_channel_id: c.scid,
    timestamp,
    message_flags: 1,
    channel_flags: dir,
    cltv_expiry_delta: 40,
    htlc_minimum_msat: msat(1000),
    fee_base_msat: msat(1000),
    fee_proportional_millionths: 100,
    htlc_maximum_msat: msat(c.capacity * 990n),
    ...f,
  };
  const h = gossipSigHash(concatBytes(encodeMessage(m), tail));
  return concatBytes(encodeMessage({ ...m, signature: signEcdsa(h, (signer ?? (dir === 0 ? c.node1 : c.node2)).priv) }), tail);
}

/** Fields of a node_announcement a test may set. */
export type NodeFields = Partial<Omit<NodeAnn, 'type' | 'signature' | 'node_id'>>;

/** makeNodeAnnouncement signs a node_announcement by `k` (or by `signer`). */
export function makeNodeAnnouncement(k: Key, timestamp: number, f: NodeFields = {}, signer?: Key): Uint8Array {
  const alias = new Uint8Array(32);
  alias.set(utf8('kite-fixture'));
  const addresses: AddressDescriptor[] = [{ type: 'ipv4', addr: Uint8Array.of(203, 0, 113, 9), port: 9735 }];
  const m: NodeAnn = { type: 'node_announcement', signature: ZERO_SIG, features: new Uint8Array(0), timestamp, node_id: k.pub, rgb_color: Uint8Array.of(1, 2, 3), alias, addresses, ...f };
  const h = gossipSigHash(encodeMessage(m));
  return encodeMessage({ ...m, signature: signEcdsa(h, (signer ?? k).priv) });
}

/** FakeChain is a FundingLookup over a map, with a call counter. */
export class FakeChain implements FundingLookup {
  readonly outputs = new Map<ShortChannelId, FundingOutputInfo>();
  calls = 0;
  add(c: FixtureChannel): this {
    this.outputs.set(c.scid, c.funding);
    return this;
  }
  lookupFunding(scid: ShortChannelId): FundingOutputInfo | null {
    this.calls++;
    return this.outputs.get(scid) ?? null;
  }
}
