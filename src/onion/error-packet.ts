/**
 * BOLT #4 "Returning Errors": the return packet an erring node builds, the obfuscation
 * each hop applies on the way back, and the origin node's attribution of the failure to a
 * hop. Also the update_fail_malformed_htlc path (BOLT #2), where the upstream node builds
 * the return packet on behalf of a peer that could not parse the onion.
 */
import { hmacSha256 } from '../crypto/index.ts';
import { DecodeError, Reader, Writer } from '../lib/index.ts';
import { BADONION, decodeFailureMessage, encodeFailureMessage, failureName } from './failure.ts';
import type { FailureMessage } from './failure.ts';
import { KEY_AMMAG, KEY_UM, constantTimeEqual, generateKey, xorCipherStream } from './keys.ts';

/** BOLT #4: "MUST set `pad` such that the `failure_len` plus `pad_len` is at least 256." */
export const MIN_FAILURE_PAYLOAD = 256;
/**
 * BOLT #4: "SHOULD continue decrypting, until the loop has been repeated 27 times (maximum
 * route length of tlv payload type)."
 */
export const MAX_ERROR_HOPS = 27;

/**
 * buildRawErrorPacket lays out the erring node's return packet before obfuscation: "[`32*byte`:`hmac`]
 * [`u16`:`failure_len`] [`failure_len*byte`:`failuremsg`] [`u16`:`pad_len`]
 * [`pad_len*byte`:`pad`]", where "`hmac` is an HMAC authenticating the remainder of the
 * packet, with a key generated using the above process, with key type `um`".
 * `paddedLength` is failure_len + pad_len: BOLT #4 "SHOULD set `pad` such that the
 * `failure_len` plus `pad_len` is equal to 256" (the default); larger values are allowed.
 */
export function buildRawErrorPacket(sharedSecret: Uint8Array, failure: FailureMessage | Uint8Array, paddedLength = MIN_FAILURE_PAYLOAD): Uint8Array {
  const msg = failure instanceof Uint8Array ? failure : encodeFailureMessage(failure);
  if (msg.length > 0xffff) throw new RangeError('failure message too long');
  const padLen = Math.max(paddedLength, MIN_FAILURE_PAYLOAD) - msg.length;
  const pad = Math.max(padLen, 0);
  const w = new Writer(32 + 4 + msg.length + pad);
  w.bytes(new Uint8Array(32)).u16(msg.length).bytes(msg).u16(pad).bytes(new Uint8Array(pad));
  const out = w.finish();
  out.set(hmacSha256(generateKey(KEY_UM, sharedSecret), out.subarray(32)), 0);
  return out;
}

/**
 * wrapErrorPacket applies one hop's obfuscation (BOLT #4 "Intermediate nodes"): "Generate
 * the node's `ammag` key, generate the pseudo-random byte streams, and apply the result to
 * obfuscate the return packet." The erring node applies it too ("This obfuscation step is
 * identical to the obfuscation steps that the erring node carries out."). It is its own
 * inverse, which is how the origin node peels it.
 */
export function wrapErrorPacket(sharedSecret: Uint8Array, packet: Uint8Array): Uint8Array {
  return xorCipherStream(generateKey(KEY_AMMAG, sharedSecret), packet);
}

/**
 * createErrorPacket is what an erring node puts in update_fail_htlc's `reason`: the raw
 * return packet (buildRawErrorPacket), obfuscated with its own ammag key.
 */
export function createErrorPacket(sharedSecret: Uint8Array, failure: FailureMessage | Uint8Array, paddedLength = MIN_FAILURE_PAYLOAD): Uint8Array {
  return wrapErrorPacket(sharedSecret, buildRawErrorPacket(sharedSecret, failure, paddedLength));
}

/** A return packet attributed to a hop by the origin node. */
export interface DecryptedError {
  /** Index in the route (0 = first hop) of the node that created the failure. */
  hopIndex: number;
  /** The raw failuremsg bytes. */
  failureMessage: Uint8Array;
  /** The decoded failure, or undefined when failuremsg does not parse (see decodeError). */
  failure?: FailureMessage;
  decodeError?: string;
}

/**
 * decryptErrorPacket attributes a return packet (BOLT #4 "Origin node"): it "iteratively
 * decrypts the message, using each hop's `ammag`" key and, with each hop's `um` key, looks
 * for the hop whose HMAC matches: "When the computed HMAC matches `hmac` in the return
 * packet, the origin node will know that the current hop is the sender of the failure."
 * To hide the route length it keeps going to 27 rounds ("SHOULD continue decrypting, until
 * the loop has been repeated 27 times"), with dummy keys past the end of the route.
 * Returns null when no hop's HMAC matches (a hop garbled the packet).
 */
export function decryptErrorPacket(sharedSecrets: Uint8Array[], packet: Uint8Array): DecryptedError | null {
  let found: { hopIndex: number; body: Uint8Array } | null = null;
  let p = packet;
  const dummy = new Uint8Array(32);
  const rounds = Math.max(MAX_ERROR_HOPS, sharedSecrets.length);
  for (let i = 0; i < rounds; i++) {
    const ss = i < sharedSecrets.length ? sharedSecrets[i] : dummy;
    p = wrapErrorPacket(ss, p);
    if (p.length < 32) continue;
    const mac = hmacSha256(generateKey(KEY_UM, ss), p.subarray(32));
    if (found === null && i < sharedSecrets.length && constantTimeEqual(mac, p.subarray(0, 32))) {
      found = { hopIndex: i, body: p.subarray(32) };
    }
  }
  if (found === null) return null;
  const r = new Reader(found.body);
  let failureMessage: Uint8Array;
  try {
    failureMessage = r.bytes(r.u16());
  } catch {
    return { hopIndex: found.hopIndex, failureMessage: new Uint8Array(0), decodeError: 'failure_len exceeds the packet' };
  }
  try {
    return { hopIndex: found.hopIndex, failureMessage, failure: decodeFailureMessage(failureMessage) };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { hopIndex: found.hopIndex, failureMessage, decodeError: e.message };
  }
}

/** The body of update_fail_malformed_htlc (BOLT #2). */
export interface MalformedHtlc {
  sha256OfOnion: Uint8Array;
  failureCode: number;
}

/**
 * errorFromMalformed turns an update_fail_malformed_htlc received from downstream into the
 * return packet this node sends upstream (BOLT #2): "a receiving node which has an outgoing
 * HTLC canceled by `update_fail_malformed_htlc`: MUST return an error in the
 * `update_fail_htlc` sent to the link which originally sent the HTLC, using the
 * `failure_code` given and setting the data to `sha256_of_onion`." `sharedSecret` is this
 * node's secret from the incoming onion. Returns null when "the `BADONION` bit in
 * `failure_code` is not set", which BOLT #2 makes a protocol violation for the channel
 * layer to handle.
 */
export function errorFromMalformed(sharedSecret: Uint8Array, m: MalformedHtlc): Uint8Array | null {
  if ((m.failureCode & BADONION) === 0 || m.sha256OfOnion.length !== 32) return null;
  const w = new Writer(34);
  w.u16(m.failureCode).bytes(m.sha256OfOnion);
  return createErrorPacket(sharedSecret, w.finish());
}

/** isKnownBadOnionCode reports whether a malformed failure_code is one BOLT #4 defines. */
export function isKnownBadOnionCode(code: number): boolean {
  const n = failureName(code);
  return n !== undefined && (code & BADONION) !== 0;
}
