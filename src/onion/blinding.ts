/**
 * BOLT #4 route blinding ("Route Blinding"): creating a blinded path (the recipient's
 * side), reading encrypted_recipient_data (each blinded hop's side), the
 * encrypted_data_tlv format, and the relay arithmetic of blinded forwards.
 */
import { aeadDecrypt, aeadEncrypt, ecdh, getPublicKey, privTweakMul, pubTweakMul, sha256 } from '../crypto/index.ts';
import { DecodeError, Reader, Writer, concatBytes, msat } from '../lib/index.ts';
import type { Msat, Result, ShortChannelId } from '../lib/index.ts';
import { decodeTlvStream, decodeTu64, encodeTlvStream, encodeTu64 } from '../wire/tlv.ts';
import type { TlvRecord } from '../wire/tlv.ts';
import { KEY_BLINDED_NODE_ID, KEY_RHO, ZERO_NONCE, generateKey } from './keys.ts';

/** TLV types of BOLT #4 `encrypted_data_tlv`. */
export const ENCRYPTED_DATA_TYPES = {
  padding: 1n,
  short_channel_id: 2n,
  next_node_id: 4n,
  path_id: 6n,
  next_path_key_override: 8n,
  payment_relay: 10n,
  payment_constraints: 12n,
  allowed_features: 14n,
} as const;
const KNOWN = new Set<bigint>(Object.values(ENCRYPTED_DATA_TYPES));

/** BOLT #4 payment_relay: "[`u16`:`cltv_expiry_delta`] [`u32`:`fee_proportional_millionths`] [`tu32`:`fee_base_msat`]". */
export interface PaymentRelay {
  cltvExpiryDelta: number;
  feeProportionalMillionths: number;
  feeBaseMsat: number;
}
/** BOLT #4 payment_constraints: "[`u32`:`max_cltv_expiry`] [`tu64`:`htlc_minimum_msat`]". */
export interface PaymentConstraints {
  maxCltvExpiry: number;
  htlcMinimumMsat: Msat;
}
/** A decoded encrypted_data_tlv. */
export interface EncryptedData {
  padding?: Uint8Array;
  shortChannelId?: ShortChannelId;
  nextNodeId?: Uint8Array;
  pathId?: Uint8Array;
  nextPathKeyOverride?: Uint8Array;
  paymentRelay?: PaymentRelay;
  paymentConstraints?: PaymentConstraints;
  allowedFeatures?: Uint8Array;
  /** Unknown odd records. */
  unknown: TlvRecord[];
}

const u16 = (v: number): Uint8Array => Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
const u32 = (v: number): Uint8Array => Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
const readU16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const readU32 = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** encodeEncryptedData serialises an encrypted_data_tlv stream (before encryption). */
export function encodeEncryptedData(d: Omit<EncryptedData, 'unknown'> & { unknown?: TlvRecord[] }): Uint8Array {
  const T = ENCRYPTED_DATA_TYPES;
  const recs: TlvRecord[] = [];
  if (d.padding !== undefined) recs.push({ type: T.padding, value: d.padding });
  if (d.shortChannelId !== undefined) {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigUint64(0, d.shortChannelId);
    recs.push({ type: T.short_channel_id, value: v });
  }
  if (d.nextNodeId !== undefined) recs.push({ type: T.next_node_id, value: d.nextNodeId });
  if (d.pathId !== undefined) recs.push({ type: T.path_id, value: d.pathId });
  if (d.nextPathKeyOverride !== undefined) recs.push({ type: T.next_path_key_override, value: d.nextPathKeyOverride });
  if (d.paymentRelay !== undefined) {
    const r = d.paymentRelay;
    recs.push({ type: T.payment_relay, value: concatBytes(u16(r.cltvExpiryDelta), u32(r.feeProportionalMillionths), encodeTu64(r.feeBaseMsat)) });
  }
  if (d.paymentConstraints !== undefined) {
    const c = d.paymentConstraints;
    recs.push({ type: T.payment_constraints, value: concatBytes(u32(c.maxCltvExpiry), encodeTu64(c.htlcMinimumMsat)) });
  }
  if (d.allowedFeatures !== undefined) recs.push({ type: T.allowed_features, value: d.allowedFeatures });
  for (const u of d.unknown ?? []) recs.push(u);
  return encodeTlvStream(recs);
}

/**
 * decodeEncryptedData parses a decrypted encrypted_data_tlv. Throws DecodeError on a
 * malformed stream or an unknown even type (BOLT #4: "If the `encrypted_recipient_data`
 * field ... contains unknown even fields: MUST return an error").
 */
export function decodeEncryptedData(b: Uint8Array): EncryptedData {
  const T = ENCRYPTED_DATA_TYPES;
  const d: EncryptedData = { unknown: [] };
  for (const rec of decodeTlvStream(b, (t) => KNOWN.has(t))) {
    const v = rec.value;
    switch (rec.type) {
      case T.padding:
        d.padding = v;
        break;
      case T.short_channel_id:
        if (v.length !== 8) throw new DecodeError('short_channel_id must be 8 bytes');
        d.shortChannelId = new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0) as ShortChannelId;
        break;
      case T.next_node_id:
        if (v.length !== 33) throw new DecodeError('next_node_id must be 33 bytes');
        d.nextNodeId = v;
        break;
      case T.path_id:
        d.pathId = v;
        break;
      case T.next_path_key_override:
        if (v.length !== 33) throw new DecodeError('next_path_key_override must be 33 bytes');
        d.nextPathKeyOverride = v;
        break;
      case T.payment_relay:
        if (v.length < 6) throw new DecodeError('payment_relay too short');
        d.paymentRelay = { cltvExpiryDelta: readU16(v, 0), feeProportionalMillionths: readU32(v, 2), feeBaseMsat: Number(decodeTu64(v.subarray(6), 4)) };
        break;
      case T.payment_constraints:
        if (v.length < 4) throw new DecodeError('payment_constraints too short');
        d.paymentConstraints = { maxCltvExpiry: readU32(v, 0), htlcMinimumMsat: msat(decodeTu64(v.subarray(4), 8)) };
        break;
      case T.allowed_features:
        d.allowedFeatures = v;
        break;
      default:
        d.unknown.push(rec);
    }
  }
  return d;
}

/** One hop of a blinded path as handed to a sender (BOLT #4 `blinded_path_hop`). */
export interface BlindedPathHop {
  blindedNodeId: Uint8Array;
  encryptedRecipientData: Uint8Array;
}
/**
 * A blinded path (BOLT #4 `blinded_path`). `firstNodeId` is the raw `sciddir_or_pubkey`:
 * a 33-byte public key, or (BOLT #1) 9 bytes, "if the first byte is 0 or 1, then an 8-byte
 * `short_channel_id` follows".
 */
export interface BlindedPath {
  firstNodeId: Uint8Array;
  firstPathKey: Uint8Array;
  hops: BlindedPathHop[];
}
/** The per-hop values the creator derives, exposed for tests and debugging. */
export interface BlindedHopSecrets {
  pathPrivkey: Uint8Array;
  pathKey: Uint8Array;
  sharedSecret: Uint8Array;
  rho: Uint8Array;
}

/**
 * createBlindedPath builds a blinded path to the last of `hops` (BOLT #4 "Route Blinding",
 * the writer of a `blinded_path`): for each node, "ss_i = SHA256(e_i * N_i)", "rho_i =
 * HMAC256("rho", ss_i)", "e_{i+1} = SHA256(E_i || ss_i) * e_i", the blinded node id "B_i =
 * HMAC256("blinded_node_id", ss_i) * N_i", and each encrypted_data_tlv is encrypted "with
 * ChaCha20-Poly1305 using the corresponding rho_i key and an all-zero nonce". The session
 * key e_0 is injected ("e_0 SHOULD be obtained via CSPRNG"). `data` is each hop's serialised
 * encrypted_data_tlv (see encodeEncryptedData).
 */
export function createBlindedPath(sessionKey: Uint8Array, hops: { nodeId: Uint8Array; data: Uint8Array }[]): { path: BlindedPath; secrets: BlindedHopSecrets[] } {
  if (hops.length === 0) throw new RangeError('blinded path must have at least one hop');
  let e = sessionKey;
  const out: BlindedPathHop[] = [];
  const secrets: BlindedHopSecrets[] = [];
  for (let i = 0; i < hops.length; i++) {
    const E = getPublicKey(e);
    const ss = ecdh(e, hops[i].nodeId);
    const rho = generateKey(KEY_RHO, ss);
    out.push({
      blindedNodeId: pubTweakMul(hops[i].nodeId, generateKey(KEY_BLINDED_NODE_ID, ss)),
      encryptedRecipientData: aeadEncrypt(rho, ZERO_NONCE, new Uint8Array(0), hops[i].data),
    });
    secrets.push({ pathPrivkey: e, pathKey: E, sharedSecret: ss, rho });
    if (i + 1 < hops.length) e = privTweakMul(e, sha256(concatBytes(E, ss)));
  }
  return { path: { firstNodeId: hops[0].nodeId, firstPathKey: secrets[0].pathKey, hops: out }, secrets };
}

/**
 * nextPathKey computes the path key for the next hop (BOLT #4: "E_{i+1} = SHA256(E_i ||
 * ss_i) * E_i"), one point multiplication.
 */
export function nextPathKey(pathKey: Uint8Array, sharedSecret: Uint8Array): Uint8Array {
  return pubTweakMul(pathKey, sha256(concatBytes(pathKey, sharedSecret)));
}

/** The result of decrypting this node's encrypted_recipient_data. */
export interface RecipientData {
  /** The decrypted encrypted_data_tlv bytes. */
  raw: Uint8Array;
  data: EncryptedData;
  /** The path_key to send to the next node: the override if present, else E_{i+1}. */
  nextPathKey: Uint8Array;
  /** ss_i = SHA256(k_i * E_i). */
  sharedSecret: Uint8Array;
}

/**
 * decryptRecipientData reads this node's encrypted_recipient_data (BOLT #4, the reader of
 * the `encrypted_recipient_data`): "MUST decrypt the `encrypted_recipient_data` field using
 * rho_i as a key using ChaCha20-Poly1305 and an all-zero nonce key." "If the
 * `encrypted_data_tlv` contains a `next_path_key_override`: MUST use it as the next
 * `path_key`. Otherwise: MUST use E_{i+1} = SHA256(E_i || ss_i) * E_i as the next
 * `path_key`". Errors are returned as strings: the caller turns any of them into
 * invalid_onion_blinding.
 */
export function decryptRecipientData(nodeSecret: Uint8Array, pathKey: Uint8Array, encrypted: Uint8Array): Result<RecipientData, string> {
  let ss: Uint8Array;
  try {
    ss = ecdh(nodeSecret, pathKey);
  } catch {
    return { ok: false, error: 'path_key is not a valid public key' };
  }
  const raw = aeadDecrypt(generateKey(KEY_RHO, ss), ZERO_NONCE, new Uint8Array(0), encrypted);
  // "If the `encrypted_recipient_data` field is missing, cannot be decrypted into an
  // `encrypted_data_tlv` or contains unknown even fields: MUST return an error"
  if (raw === null) return { ok: false, error: 'encrypted_recipient_data does not decrypt' };
  let data: EncryptedData;
  try {
    data = decodeEncryptedData(raw);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { ok: false, error: `encrypted_data_tlv: ${e.message}` };
  }
  const next = data.nextPathKeyOverride ?? nextPathKey(pathKey, ss);
  return { ok: true, value: { raw, data, nextPathKey: next, sharedSecret: ss } };
}

/**
 * blindedRelayAmounts computes what a blinded forwarding hop sends on (BOLT #4, not the
 * final node): "`amt_to_forward = ((amount_msat - fee_base_msat) * 1000000 + 1000000 +
 * fee_proportional_millionths - 1) / (1000000 + fee_proportional_millionths)`" and
 * "`outgoing_cltv_value = cltv_expiry - payment_relay.cltv_expiry_delta`". Returns null when
 * the incoming amount does not even cover the base fee.
 */
export function blindedRelayAmounts(amountMsat: Msat, cltvExpiry: number, relay: PaymentRelay): { amtToForward: Msat; outgoingCltvValue: number } | null {
  const base = BigInt(relay.feeBaseMsat);
  const prop = BigInt(relay.feeProportionalMillionths);
  if (amountMsat < base || cltvExpiry < relay.cltvExpiryDelta) return null;
  const amt = ((amountMsat - base) * 1000000n + 1000000n + prop - 1n) / (1000000n + prop);
  return { amtToForward: msat(amt), outgoingCltvValue: cltvExpiry - relay.cltvExpiryDelta };
}

/**
 * checkBlindedForward applies the reader rules on a decrypted encrypted_data_tlv of a
 * forwarding node (BOLT #4): "MUST return an error if `encrypted_recipient_data` does not
 * contain either `short_channel_id` or `next_node_id`", "... contains both
 * `short_channel_id` and `next_node_id`", "... does not contain `payment_relay`", and, if
 * `payment_constraints` is present, "the expiry is greater than
 * `encrypted_recipient_data.payment_constraints.max_cltv_expiry`" or "the amount is below
 * `encrypted_recipient_data.payment_constraints.htlc_minimum_msat`". `allowed_features`
 * must be empty: Kite knows no feature a blinded payment may use. Returns the outgoing
 * amount and CLTV, or a reason (to be reported as invalid_onion_blinding).
 */
export function checkBlindedForward(d: EncryptedData, amountMsat: Msat, cltvExpiry: number): Result<{ amtToForward: Msat; outgoingCltvValue: number }, string> {
  if (d.shortChannelId === undefined && d.nextNodeId === undefined) return { ok: false, error: 'neither short_channel_id nor next_node_id' };
  if (d.shortChannelId !== undefined && d.nextNodeId !== undefined) return { ok: false, error: 'both short_channel_id and next_node_id' };
  if (!d.paymentRelay) return { ok: false, error: 'missing payment_relay' };
  const c = checkConstraints(d, amountMsat, cltvExpiry);
  if (!c.ok) return c;
  const r = blindedRelayAmounts(amountMsat, cltvExpiry, d.paymentRelay);
  if (!r) return { ok: false, error: 'amount below the base fee or expiry below the delta' };
  return { ok: true, value: r };
}

/** checkConstraints applies payment_constraints and allowed_features to an incoming HTLC. */
export function checkConstraints(d: EncryptedData, amountMsat: Msat, cltvExpiry: number): Result<true, string> {
  if (d.paymentConstraints) {
    if (cltvExpiry > d.paymentConstraints.maxCltvExpiry) return { ok: false, error: 'expiry above max_cltv_expiry' };
    if (amountMsat < d.paymentConstraints.htlcMinimumMsat) return { ok: false, error: 'amount below htlc_minimum_msat' };
  }
  // "MUST return an error if: `encrypted_recipient_data.allowed_features.features` contains
  // an unknown feature bit (even if it is odd)."
  if (d.allowedFeatures && d.allowedFeatures.some((x) => x !== 0)) return { ok: false, error: 'allowed_features has an unknown feature bit' };
  return { ok: true, value: true };
}

/**
 * encodeBlindedPath serialises a `blinded_path` (BOLT #4): "[`sciddir_or_pubkey`:`first_node_id`]
 * [`point`:`first_path_key`] [`byte`:`num_hops`] [`num_hops*blinded_path_hop`:`path`]", each
 * hop being "[`point`:`blinded_node_id`] [`u16`:`enclen`] [`enclen*byte`:`encrypted_recipient_data`]".
 */
export function encodeBlindedPath(p: BlindedPath): Uint8Array {
  const f = p.firstNodeId;
  const sciddir = f.length === 9 && (f[0] === 0 || f[0] === 1);
  const point = f.length === 33 && (f[0] === 2 || f[0] === 3);
  if (!sciddir && !point) throw new RangeError('first_node_id must be a sciddir_or_pubkey');
  if (p.hops.length === 0 || p.hops.length > 255) throw new RangeError('blinded path must have 1 to 255 hops');
  const w = new Writer(64 + p.hops.length * 100);
  w.bytes(f).bytes(p.firstPathKey).u8(p.hops.length);
  for (const h of p.hops) {
    if (h.encryptedRecipientData.length > 0xffff) throw new RangeError('encrypted_recipient_data too long');
    w.bytes(h.blindedNodeId).u16(h.encryptedRecipientData.length).bytes(h.encryptedRecipientData);
  }
  return w.finish();
}

/** readBlindedPath reads one `blinded_path` from r (they appear in sequences in BOLT #12). */
export function readBlindedPath(r: Reader): BlindedPath {
  const first = r.bytes(1)[0];
  let firstNodeId: Uint8Array;
  if (first === 0 || first === 1) firstNodeId = concatBytes(Uint8Array.of(first), r.bytes(8));
  else if (first === 2 || first === 3) firstNodeId = concatBytes(Uint8Array.of(first), r.bytes(32));
  else throw new DecodeError(`invalid sciddir_or_pubkey prefix ${first}`);
  const firstPathKey = r.bytes(33);
  const n = r.u8();
  if (n === 0) throw new DecodeError('blinded path has no hops');
  const hops: BlindedPathHop[] = [];
  for (let i = 0; i < n; i++) {
    const blindedNodeId = r.bytes(33);
    hops.push({ blindedNodeId, encryptedRecipientData: r.bytes(r.u16()) });
  }
  return { firstNodeId, firstPathKey, hops };
}

/** decodeBlindedPath parses exactly one `blinded_path`; throws DecodeError otherwise. */
export function decodeBlindedPath(b: Uint8Array): BlindedPath {
  const r = new Reader(b);
  const p = readBlindedPath(r);
  if (!r.done()) throw new DecodeError('trailing bytes after blinded_path');
  return p;
}
