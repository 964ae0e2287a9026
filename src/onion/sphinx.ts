/**
 * The Sphinx packet of BOLT #4: construction by the origin node ("Packet Construction",
 * "Filler Generation") and processing by each hop ("Onion Decryption").
 *
 * A version 0 payment onion is 1366 bytes: version (1), ephemeral public key (33),
 * hop_payloads (1300), hmac (32). Onion messages use the same construction with a
 * different hop_payloads length, so the length is a parameter here.
 */
import { ecdh, getPublicKey, hmacSha256, privTweakMul, pubTweakMul, sha256 } from '../crypto/index.ts';
import { Reader, Writer, bigSizeLength, readBigSize, writeBigSize, DecodeError } from '../lib/index.ts';
import { FAILURE_CODES } from './failure.ts';
import type { BadOnionName } from './failure.ts';
import { KEY_BLINDED_NODE_ID, KEY_MU, KEY_PAD, KEY_RHO, constantTimeEqual, generateCipherStream, generateKey, xorCipherStream } from './keys.ts';

/** BOLT #4: "For this specification (_version 0_), `version` has a constant value of `0x00`." */
export const ONION_VERSION = 0;
/** BOLT #4: "a 1300-byte `hop_payloads`" */
export const HOP_PAYLOADS_SIZE = 1300;
/** BOLT #4: "a 32-byte `hmac`, used to verify the packet's integrity" */
export const HMAC_SIZE = 32;
/** version + public_key + hmac around the hop_payloads. */
export const ONION_OVERHEAD = 1 + 33 + HMAC_SIZE;
/** The size of a payment onion_packet: 1366 bytes. */
export const ONION_PACKET_SIZE = ONION_OVERHEAD + HOP_PAYLOADS_SIZE;

/** One hop of a route to build an onion for: its (possibly blinded) node id and its payload. */
export interface OnionHop {
  /** 33-byte compressed public key the hop decrypts with (a blinded node id inside a blinded path). */
  pubkey: Uint8Array;
  /** The hop's TLV payload, without the BigSize length prefix. */
  payload: Uint8Array;
}

/** Parameters of createOnion. */
export interface CreateOnionParams {
  /** 32-byte random session key (injected: protocol code draws no randomness itself). */
  sessionKey: Uint8Array;
  hops: OnionHop[];
  /** Data the HMACs commit to: the payment_hash for payments, empty for onion messages. */
  associatedData: Uint8Array;
  /** hop_payloads length: 1300 for payments (the default); onion messages may use more. */
  payloadsLength?: number;
}

/** The result of createOnion. */
export interface CreatedOnion {
  /** The serialised onion_packet (1366 bytes for payments). */
  packet: Uint8Array;
  /** The shared secret with each hop, in route order: keep them to decrypt a returned error. */
  sharedSecrets: Uint8Array[];
}

/**
 * hopShiftSize is how many bytes a hop takes in hop_payloads (BOLT #4 "Packet
 * Construction"): "`shift_size` is defined as the length of the `hop_payload` plus the
 * bigsize encoding of the length and the length of that HMAC."
 */
export function hopShiftSize(payloadLength: number): number {
  return bigSizeLength(payloadLength) + payloadLength + HMAC_SIZE;
}

/**
 * computeSharedSecrets derives, for each hop, the ECDH shared secret with the sender's
 * ephemeral key at that hop, blinding the ephemeral key after each hop (BOLT #4 "Packet
 * Construction"): "The ephemeral private key for the next hop `ek_{k+1}` is computed by
 * multiplying the current ephemeral private key `ek_k` by the blinding factor", and "The
 * blinding factor is the `SHA256` hash of the concatenation between the ephemeral public key
 * `epk_k` and the shared secret `ss_k`."
 *
 * Cost per hop: one ECDH, one base-point multiplication (the ephemeral public key) and one
 * scalar multiplication (cheap).
 */
export function computeSharedSecrets(sessionKey: Uint8Array, pubkeys: Uint8Array[]): { sharedSecrets: Uint8Array[]; ephemeralPubkeys: Uint8Array[] } {
  const sharedSecrets: Uint8Array[] = [];
  const ephemeralPubkeys: Uint8Array[] = [];
  let ek = sessionKey;
  const buf = new Uint8Array(33 + 32);
  for (let i = 0; i < pubkeys.length; i++) {
    const epk = getPublicKey(ek);
    const ss = ecdh(ek, pubkeys[i]);
    sharedSecrets.push(ss);
    ephemeralPubkeys.push(epk);
    if (i + 1 < pubkeys.length) {
      buf.set(epk, 0);
      buf.set(ss, 33);
      ek = privTweakMul(ek, sha256(buf));
    }
  }
  return { sharedSecrets, ephemeralPubkeys };
}

/**
 * generateFiller computes the filler (BOLT #4 "Filler Generation"): the bytes that the
 * hops before the last will have shifted into the tail of hop_payloads, so that the origin
 * can compute the HMACs they will see. "The last hop need not obfuscate the `filler`, since
 * it won't forward the packet any further".
 *
 * This is the efficient form the spec invites ("the `filler` can be generated much more
 * efficiently"): the filler grows by each hop's shift size, and is XORed with the part of
 * that hop's rho stream that lands on it.
 */
export function generateFiller(sharedSecrets: Uint8Array[], shiftSizes: number[], payloadsLength = HOP_PAYLOADS_SIZE): Uint8Array {
  const streams = sharedSecrets.slice(0, -1).map((ss, i) => generateCipherStream(generateKey(KEY_RHO, ss), payloadsLength + shiftSizes[i]));
  return fillerFromStreams(streams, shiftSizes, payloadsLength);
}

/**
 * fillerFromStreams is generateFiller given each forwarding hop's rho stream (at least
 * payloadsLength + shift bytes long), so that createOnion derives each stream only once.
 */
function fillerFromStreams(streams: Uint8Array[], shiftSizes: number[], payloadsLength: number): Uint8Array {
  let total = 0;
  for (let i = 0; i < streams.length; i++) total += shiftSizes[i];
  const filler = new Uint8Array(total);
  let len = 0; // current filler length
  for (let i = 0; i < streams.length; i++) {
    const stream = streams[i];
    // The previous filler (len bytes) plus `shift` fresh zero bytes sit at stream offset
    // payloadsLength - len of hop i's extended buffer.
    const off = payloadsLength - len;
    len += shiftSizes[i];
    for (let j = 0; j < len; j++) filler[j] ^= stream[off + j];
  }
  return filler;
}

/**
 * createOnion builds an onion_packet for a route (BOLT #4 "Packet Construction"). The
 * session key is injected; the packet is deterministic given it. Throws RangeError when the
 * payloads do not fit (the sum of shift sizes exceeds hop_payloads) or the route is empty.
 */
export function createOnion(params: CreateOnionParams): CreatedOnion {
  const { sessionKey, hops, associatedData } = params;
  const L = params.payloadsLength ?? HOP_PAYLOADS_SIZE;
  if (hops.length === 0) throw new RangeError('onion route must have at least one hop');
  const shifts = hops.map((h) => hopShiftSize(h.payload.length));
  const totalShift = shifts.reduce((a, b) => a + b, 0);
  if (totalShift > L) throw new RangeError(`hop payloads need ${totalShift} bytes, more than the ${L} available`);

  const { sharedSecrets, ephemeralPubkeys } = computeSharedSecrets(
    sessionKey,
    hops.map((h) => h.pubkey),
  );
  // One rho stream per hop serves both the filler (forwarding hops need L + shift bytes)
  // and the obfuscation of hop_payloads (L bytes).
  const streams = sharedSecrets.map((ss, i) => generateCipherStream(generateKey(KEY_RHO, ss), L + (i < hops.length - 1 ? shifts[i] : 0)));
  const filler = fillerFromStreams(streams.slice(0, -1), shifts, L);

  // BOLT #4: "The packet is initialized with 1300 _random_ bytes derived from a CSPRNG
  // (ChaCha20). The _pad_ key referenced above is used to extract additional random bytes".
  const mix = generateCipherStream(generateKey(KEY_PAD, sessionKey), L);
  let hmac: Uint8Array = new Uint8Array(HMAC_SIZE);
  const macInput = new Uint8Array(L + associatedData.length);
  macInput.set(associatedData, L);
  for (let i = hops.length - 1; i >= 0; i--) {
    const shift = shifts[i];
    const payload = hops[i].payload;
    // BOLT #4: "The `hop_payload` field is right-shifted by `shift_size` bytes, discarding
    // the last `shift_size` bytes that exceed its 1300-byte size."
    mix.copyWithin(shift, 0, L - shift);
    // "The bigsize-serialized length, serialized `hop_payload` and `hmac` are copied into
    // the following `shift_size` bytes."
    const lenPrefix = new Writer(9);
    writeBigSize(lenPrefix, payload.length);
    const prefix = lenPrefix.finish();
    mix.set(prefix, 0);
    mix.set(payload, prefix.length);
    mix.set(hmac, prefix.length + payload.length);
    // "The _rho_-key is used to generate 1300 bytes of pseudo-random byte stream which is
    // then applied, with `XOR`, to the `hop_payloads` field."
    const stream = streams[i];
    for (let j = 0; j < L; j++) mix[j] ^= stream[j];
    // "If this is the last hop, i.e. the first iteration, then the tail of the
    // `hop_payloads` field is overwritten with the routing information `filler`."
    if (i === hops.length - 1) mix.set(filler, L - filler.length);
    // "The next HMAC is computed (with the _mu_-key as HMAC-key) over the concatenated
    // `hop_payloads` and associated data."
    macInput.set(mix, 0);
    hmac = hmacSha256(generateKey(KEY_MU, sharedSecrets[i]), macInput);
  }

  const packet = new Uint8Array(ONION_OVERHEAD + L);
  packet[0] = ONION_VERSION;
  packet.set(ephemeralPubkeys[0], 1);
  packet.set(mix, 34);
  packet.set(hmac, 34 + L);
  return { packet, sharedSecrets };
}

/** Options of peelOnion. */
export interface PeelOptions {
  /**
   * The `path_key` received alongside the onion (update_add_htlc's TLV or onion_message),
   * when this node is inside a blinded path and not its introduction point.
   */
  pathKey?: Uint8Array;
  /** Older spec name of pathKey. */
  blindingPoint?: Uint8Array;
  /**
   * 'payment' (default): a payload length below 2 is rejected ("length values of 0 and 1
   * are reserved"). 'message': onion messages, where "a 0 `length` would mean an empty
   * `onionmsg_payload`".
   */
  kind?: 'payment' | 'message';
}

/** A successfully peeled onion layer. */
export interface PeeledOnion {
  ok: true;
  /** This hop's payload (a TLV stream), without its length prefix. */
  payload: Uint8Array;
  /** The packet to forward, or undefined when this node is the final destination. */
  nextPacket?: Uint8Array;
  /** The shared secret with the origin: keep it to wrap or create a returned error. */
  sharedSecret: Uint8Array;
  /** The next hop's HMAC (all zero for the final node). */
  nextHmac: Uint8Array;
}

/** Why an onion could not be peeled, as the failure this node returns for it. */
export interface OnionFailure {
  ok: false;
  /**
   * BADONION failures (the packet could not be authenticated) are answered with
   * update_fail_malformed_htlc, which carries the code and sha256_of_onion.
   * invalid_onion_payload (the packet is authentic but its hop payload framing is bad) is
   * answered with update_fail_htlc encrypted with sharedSecret.
   */
  name: BadOnionName | 'invalid_onion_payload';
  code: number;
  /** SHA256 of the onion_packet as received. */
  sha256OfOnion: Uint8Array;
  /** Present when the shared secret was computed (invalid_onion_payload; blinded HMAC failures). */
  sharedSecret?: Uint8Array;
  /** The underlying cause when name is invalid_onion_blinding, and a human explanation. */
  cause: BadOnionName | 'invalid_onion_payload';
  reason: string;
}

/** The result of peelOnion. */
export type PeelResult = PeeledOnion | OnionFailure;

function fail(packet: Uint8Array, cause: BadOnionName | 'invalid_onion_payload', blinded: boolean, reason: string, sharedSecret?: Uint8Array): OnionFailure {
  // BOLT #4: "An _erring node_: if `path_key` is set in the incoming `update_add_htlc`:
  // MUST return an `invalid_onion_blinding` error."
  const name = blinded ? 'invalid_onion_blinding' : cause;
  return { ok: false, name, code: FAILURE_CODES[name], sha256OfOnion: sha256(packet), sharedSecret, cause, reason };
}

/**
 * blindedNodeSecret returns the private key a node in a blinded path decrypts its onion
 * with (BOLT #4 "Onion Decryption"): "Calculate the `blinding_ss` as ECDH(`path_key`,
 * `node_privkey`)" then "Tweak its own `node_privkey` below by multiplying by
 * HMAC256("blinded_node_id", blinding_ss)". Tweaking the private key is a cheap scalar
 * multiplication, where tweaking the onion's public key would be a point multiplication.
 */
export function blindedNodeSecret(nodeSecret: Uint8Array, pathKey: Uint8Array): Uint8Array {
  const blindingSs = ecdh(nodeSecret, pathKey);
  return privTweakMul(nodeSecret, generateKey(KEY_BLINDED_NODE_ID, blindingSs));
}

let scratchBuf = new Uint8Array(2 * HOP_PAYLOADS_SIZE);
/**
 * scratch returns a reusable work buffer of n bytes (contents undefined). peelOnion is
 * synchronous and never hands these bytes out, so one buffer serves every call and saves
 * two allocations per peel on the forwarding hot path.
 */
function scratch(n: number): Uint8Array {
  if (scratchBuf.length < n) scratchBuf = new Uint8Array(n);
  return scratchBuf.subarray(0, n);
}

/**
 * peelOnion processes one layer of an onion_packet (BOLT #4 "Onion Decryption"): it
 * authenticates the packet, extracts this hop's payload and, unless this is the final
 * node, builds the packet to forward. Failures are returned as values naming the BOLT #4
 * failure to send back; nothing is thrown for bad input.
 *
 * The hop_payloads length is the packet length minus 66; callers that receive payment
 * onions get exactly 1366 bytes from update_add_htlc.
 *
 * Cost: one ECDH, one point multiplication (the next ephemeral key), two HMACs (mu key and
 * packet MAC), one rho key HMAC, one ChaCha20 pass over 2x hop_payloads and one SHA256.
 */
export function peelOnion(packet: Uint8Array, nodeSecret: Uint8Array, associatedData: Uint8Array, opts: PeelOptions = {}): PeelResult {
  const pathKey = opts.pathKey ?? opts.blindingPoint;
  const blinded = pathKey !== undefined;
  if (packet.length < ONION_OVERHEAD) return fail(packet, 'invalid_onion_version', blinded, `onion is ${packet.length} bytes, shorter than ${ONION_OVERHEAD}`);
  const L = packet.length - ONION_OVERHEAD;
  // BOLT #4: "if `version` is not 0: MUST abort processing the packet and fail."
  if (packet[0] !== ONION_VERSION) return fail(packet, 'invalid_onion_version', blinded, `unknown onion version ${packet[0]}`);
  const publicKey = packet.subarray(1, 34);
  const hopPayloads = packet.subarray(34, 34 + L);
  const hmac = packet.subarray(34 + L);

  let secret = nodeSecret;
  if (pathKey) {
    try {
      secret = blindedNodeSecret(nodeSecret, pathKey);
    } catch {
      return fail(packet, 'invalid_onion_blinding', true, 'path_key is not a valid public key');
    }
  }
  // BOLT #4: "if `public_key` is not a valid pubkey: MUST abort processing the packet and
  // fail." The ECDH itself rejects an invalid point, so no separate check is paid for.
  let ss: Uint8Array;
  try {
    if (publicKey[0] !== 2 && publicKey[0] !== 3) throw new Error('not compressed');
    ss = ecdh(secret, publicKey);
  } catch {
    return fail(packet, 'invalid_onion_key', blinded, 'onion public_key is not a valid point');
  }

  // BOLT #4: "Derive the HMAC as HMAC256(mu, hop_payloads || associated_data)."
  // "MUST use a constant time comparison of the computed HMAC and `hmac`."
  let macInput: Uint8Array = hopPayloads;
  if (associatedData.length) {
    macInput = scratch(L + associatedData.length);
    macInput.set(hopPayloads, 0);
    macInput.set(associatedData, L);
  }
  const expected = hmacSha256(generateKey(KEY_MU, ss), macInput);
  if (!constantTimeEqual(expected, hmac)) {
    return fail(packet, 'invalid_onion_hmac', blinded, 'onion hmac does not match', blinded ? ss : undefined);
  }

  // BOLT #4: "Derive `bytestream` of twice the length of `hop_payloads` using `rho`" and
  // "Set `unwrapped_payloads` to the XOR of `hop_payloads` and `bytestream`."
  const extended = scratch(2 * L);
  extended.set(hopPayloads, 0);
  extended.fill(0, L);
  const unwrapped = xorCipherStream(generateKey(KEY_RHO, ss), extended);

  const r = new Reader(unwrapped);
  let payloadLength: number;
  try {
    const len = readBigSize(r);
    // "If the `payload_length` is less than two: MUST abort processing the packet and fail."
    if (len < ((opts.kind ?? 'payment') === 'payment' ? 2n : 0n)) throw new DecodeError(`payload length ${len} is reserved`);
    // "If there are fewer than `payload_length` bytes remaining in `unwrapped_payloads`:
    // MUST abort processing the packet and fail."
    if (len > BigInt(L)) throw new DecodeError(`payload length ${len} exceeds hop_payloads`);
    payloadLength = Number(len);
  } catch (e) {
    return fail(packet, 'invalid_onion_payload', blinded, e instanceof Error ? e.message : 'bad payload length', ss);
  }
  const start = r.pos;
  const end = start + payloadLength;
  // "If there are fewer than 32 bytes remaining" / "If `unwrapped_payloads` is smaller
  // than `hop_payloads`: MUST abort processing the packet and fail."
  if (end + HMAC_SIZE + L > 2 * L) return fail(packet, 'invalid_onion_payload', blinded, 'hop payload leaves less than hop_payloads bytes', ss);
  const payload = unwrapped.subarray(start, end);
  const nextHmac = unwrapped.subarray(end, end + HMAC_SIZE);

  let isFinal = true;
  for (let i = 0; i < HMAC_SIZE; i++) {
    if (nextHmac[i] !== 0) {
      isFinal = false;
      break;
    }
  }
  if (isFinal) return { ok: true, payload, sharedSecret: ss, nextHmac };

  // BOLT #4: "`public_key` set to the incoming `public_key` multiplied by
  // `blinding_tweak`", where "`blinding_tweak` as SHA256(public_key || ss)".
  const bf = new Uint8Array(65);
  bf.set(publicKey, 0);
  bf.set(ss, 33);
  let nextKey: Uint8Array;
  try {
    nextKey = pubTweakMul(publicKey, sha256(bf));
  } catch {
    return fail(packet, 'invalid_onion_key', blinded, 'cannot blind the ephemeral key', ss);
  }
  const nextPacket = new Uint8Array(packet.length);
  nextPacket[0] = ONION_VERSION;
  nextPacket.set(nextKey, 1);
  // "`hop_payloads` set to the `unwrapped_payloads`, truncated to the incoming
  // `hop_payloads` size." and "`hmac` set to `next_hmac`."
  nextPacket.set(unwrapped.subarray(end + HMAC_SIZE, end + HMAC_SIZE + L), 34);
  nextPacket.set(nextHmac, 34 + L);
  return { ok: true, payload, nextPacket, sharedSecret: ss, nextHmac };
}
