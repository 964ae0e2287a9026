/**
 * The BOLT 8 handshake, Noise_XK_secp256k1_ChaChaPoly_SHA256, as pure steps for the
 * initiator and the responder. Each step takes the state and the bytes just read, and
 * returns the bytes to send plus the next state, or a typed HandshakeError. Ephemeral keys
 * are injected (the caller draws them from its randomness source); nothing here does I/O.
 *
 *   initiator                                responder
 *   initiatorStart()      -- act one (50) ->  responderActOne()
 *   initiatorActTwo()     <- act two (50) --
 *                         -- act three (66) -> responderActThree()
 *   both: a Session (sending and receiving CipherStates)
 */
import { aeadDecrypt, aeadEncrypt, ecdh, getPublicKey, hkdf2, sha256 } from '../crypto/index.ts';
import { concatBytes, err, ok, utf8, type Result } from '../lib/index.ts';
import { CipherState, writeNonce } from './cipher-state.ts';
import { HandshakeError, type HandshakeErrorCode } from './errors.ts';

/** BOLT #8: the protocol name is "Noise_XK_secp256k1_ChaChaPoly_SHA256". */
export const PROTOCOL_NAME = 'Noise_XK_secp256k1_ChaChaPoly_SHA256';
/** BOLT #8: "where `prologue` is the ASCII string: `lightning`". */
export const PROLOGUE = 'lightning';
/** The only handshake version defined (BOLT 8 "Handshake Versioning"). */
export const HANDSHAKE_VERSION = 0;
/** BOLT #8: "**Act One**: 50 bytes". */
export const ACT_ONE_SIZE = 50;
/** BOLT #8: "**Act Two**: 50 bytes". */
export const ACT_TWO_SIZE = 50;
/** BOLT #8: "**Act Three**: 66 bytes". */
export const ACT_THREE_SIZE = 66;

const EMPTY = new Uint8Array(0);
// BOLT #8: "`h = SHA-256(protocolName)`", "`ck = h`", "`h = SHA-256(h || prologue)`".
const INITIAL_CK = sha256(utf8(PROTOCOL_NAME));
const INITIAL_H = sha256(concatBytes(INITIAL_CK, utf8(PROLOGUE)));

/** An established session: what both sides hold after act three. */
export interface Session {
  /** The peer's static public key (for the initiator, the one it dialled). */
  readonly remotePubkey: Uint8Array;
  /** Encrypts what we send: `sk`, `sn`, `sck`. */
  readonly sender: CipherState;
  /** Decrypts what we receive: `rk`, `rn`, `rck`. */
  readonly receiver: CipherState;
  /** The final handshake hash `h` (unique per session; usable as a channel binding). */
  readonly handshakeHash: Uint8Array;
}

/** Keys for the initiator: its static secret, the responder's node id, a fresh ephemeral. */
export interface InitiatorKeys {
  localSecret: Uint8Array;
  remotePubkey: Uint8Array;
  ephemeralSecret: Uint8Array;
  /** getPublicKey(localSecret), when the caller already has it (saves a multiplication). */
  localPubkey?: Uint8Array;
}

/** Keys for the responder: its static secret and a fresh ephemeral. */
export interface ResponderKeys {
  localSecret: Uint8Array;
  ephemeralSecret: Uint8Array;
  /** getPublicKey(localSecret), when the caller already has it (saves a multiplication). */
  localPubkey?: Uint8Array;
}

/** The initiator after sending act one. */
export interface InitiatorAwaitingActTwo {
  readonly kind: 'InitiatorAwaitingActTwo';
  readonly localSecret: Uint8Array;
  readonly localPubkey: Uint8Array;
  readonly remotePubkey: Uint8Array;
  readonly ephemeralSecret: Uint8Array;
  readonly ck: Uint8Array;
  readonly h: Uint8Array;
}

/** The responder before anything was read. */
export interface ResponderAwaitingActOne {
  readonly kind: 'ResponderAwaitingActOne';
  readonly localSecret: Uint8Array;
  readonly localPubkey: Uint8Array;
  readonly ephemeralSecret: Uint8Array;
  readonly ck: Uint8Array;
  readonly h: Uint8Array;
}

/** The responder after sending act two. */
export interface ResponderAwaitingActThree {
  readonly kind: 'ResponderAwaitingActThree';
  readonly ephemeralSecret: Uint8Array;
  readonly ck: Uint8Array;
  readonly h: Uint8Array;
  readonly tempK2: Uint8Array;
}

function mixHash(h: Uint8Array, data: Uint8Array): Uint8Array {
  return sha256(concatBytes(h, data));
}

function nonce(n: number): Uint8Array {
  return writeNonce(new Uint8Array(12), n);
}

/**
 * peerEcdh is ECDH with a public key received from the peer: null when the bytes are not a
 * compressed secp256k1 point (the caller maps that to ..._BAD_PUBKEY).
 */
function peerEcdh(priv: Uint8Array, pub: Uint8Array): Uint8Array | null {
  if (pub.length !== 33 || (pub[0] !== 2 && pub[0] !== 3)) return null;
  try {
    return ecdh(priv, pub);
  } catch {
    return null;
  }
}

function fail(code: HandshakeErrorCode, message?: string): Result<never, HandshakeError> {
  return err(new HandshakeError(code, message));
}

/** The fixed part of acts one and two: version || ephemeral pubkey || tag. */
function sendEphemeralAct(
  ck: Uint8Array,
  h: Uint8Array,
  ephemeralSecret: Uint8Array,
  remote: Uint8Array,
): { ck: Uint8Array; h: Uint8Array; act: Uint8Array; tempK: Uint8Array } {
  // 1. `e = generateKey()` (injected)  2. `h = SHA-256(h || e.pub.serializeCompressed())`
  const ePub = getPublicKey(ephemeralSecret, true);
  let h2 = mixHash(h, ePub);
  // 3. `es = ECDH(e.priv, rs)` / `ee = ECDH(e.priv, re)`
  const ss = peerEcdh(ephemeralSecret, remote);
  if (ss === null) throw new RangeError('remote public key is not a valid compressed secp256k1 point');
  // 4. `ck, temp_k = HKDF(ck, ss)`
  const [ck2, tempK] = hkdf2(ck, ss);
  // 5. `c = encryptWithAD(temp_k, 0, h, zero)`
  const c = aeadEncrypt(tempK, nonce(0), h2, EMPTY);
  // 6. `h = SHA-256(h || c)`
  h2 = mixHash(h2, c);
  // 7. `m = 0 || e.pub.serializeCompressed() || c`
  const act = new Uint8Array(ACT_ONE_SIZE);
  act[0] = HANDSHAKE_VERSION;
  act.set(ePub, 1);
  act.set(c, 34);
  return { ck: ck2, h: h2, act, tempK };
}

/** The receiving side of acts one and two; `n` is 1 or 2 (for error labels). */
function receiveEphemeralAct(
  n: 1 | 2,
  ck: Uint8Array,
  h: Uint8Array,
  localPriv: Uint8Array,
  act: Uint8Array,
): Result<{ ck: Uint8Array; h: Uint8Array; re: Uint8Array; tempK: Uint8Array }, HandshakeError> {
  const p = n === 1 ? 'ACT1' : 'ACT2';
  // 1. "Read _exactly_ 50 bytes from the network buffer."
  if (act.length !== ACT_ONE_SIZE) return fail(`${p}_READ_FAILED`, `expected 50 bytes, got ${act.length}`);
  // 3. BOLT #8: "If `v` is an unrecognized handshake version, then the responder MUST
  //    abort the connection attempt."
  if (act[0] !== HANDSHAKE_VERSION) return fail(`${p}_BAD_VERSION`, `version ${act[0]}`);
  const re = act.slice(1, 34);
  const c = act.subarray(34, 50);
  // 5. `es = ECDH(s.priv, re)` / `ee = ECDH(e.priv, re)`: re must parse as a point.
  const ss = peerEcdh(localPriv, re);
  if (ss === null) return fail(`${p}_BAD_PUBKEY`);
  // 4. `h = SHA-256(h || re.serializeCompressed())`
  let h2 = mixHash(h, re);
  // 6. `ck, temp_k = HKDF(ck, ss)`
  const [ck2, tempK] = hkdf2(ck, ss);
  // 7. `p = decryptWithAD(temp_k, 0, h, c)`. BOLT #8: "If the MAC check in this operation
  //    fails, then the initiator MUST terminate the connection without any further
  //    messages." (act two) and "If the MAC check in this operation fails, then the
  //    responder MUST terminate the connection without any further messages." (act three)
  if (aeadDecrypt(tempK, nonce(0), h2, c) === null) return fail(`${p}_BAD_TAG`);
  // 8. `h = SHA-256(h || c)`
  h2 = mixHash(h2, c);
  return ok({ ck: ck2, h: h2, re, tempK });
}

/**
 * initiatorStart builds act one (`-> e, es`) for a connection to `remotePubkey`.
 * BOLT 8 "Handshake State Initialization" and "Act One", sender actions. Throws RangeError
 * only for bad local arguments (an invalid secret or a remote key that is not a point).
 */
export function initiatorStart(keys: InitiatorKeys): { state: InitiatorAwaitingActTwo; actOne: Uint8Array } {
  const localPubkey = keys.localPubkey ?? getPublicKey(keys.localSecret, true);
  // BOLT #8: "The initiating node mixes in the responding node's static public key
  // serialized in Bitcoin's compressed format: `h = SHA-256(h || rs.pub.serializeCompressed())`"
  const h = mixHash(INITIAL_H, keys.remotePubkey);
  const a = sendEphemeralAct(INITIAL_CK, h, keys.ephemeralSecret, keys.remotePubkey);
  return {
    state: {
      kind: 'InitiatorAwaitingActTwo',
      localSecret: keys.localSecret,
      localPubkey,
      remotePubkey: Uint8Array.from(keys.remotePubkey),
      ephemeralSecret: keys.ephemeralSecret,
      ck: a.ck,
      h: a.h,
    },
    actOne: a.act,
  };
}

/**
 * initiatorActTwo checks act two (`<- e, ee`) and builds act three (`-> s, se`), ending the
 * handshake with the session keys. BOLT 8 "Act Two" receiver actions and "Act Three"
 * sender actions.
 */
export function initiatorActTwo(
  state: InitiatorAwaitingActTwo,
  actTwo: Uint8Array,
): Result<{ actThree: Uint8Array; session: Session }, HandshakeError> {
  const r = receiveEphemeralAct(2, state.ck, state.h, state.ephemeralSecret, actTwo);
  if (!r.ok) return r;
  const { re, tempK: tempK2 } = r.value;
  let { ck, h } = r.value;
  // 1. `c = encryptWithAD(temp_k2, 1, h, s.pub.serializeCompressed())`
  const c = aeadEncrypt(tempK2, nonce(1), h, state.localPubkey);
  // 2. `h = SHA-256(h || c)`
  h = mixHash(h, c);
  // 3. `se = ECDH(s.priv, re)`
  const se = ecdh(state.localSecret, re);
  // 4. `ck, temp_k3 = HKDF(ck, se)`
  const [ck3, tempK3] = hkdf2(ck, se);
  ck = ck3;
  // 5. `t = encryptWithAD(temp_k3, 0, h, zero)`
  const t = aeadEncrypt(tempK3, nonce(0), h, EMPTY);
  // 6. `sk, rk = HKDF(ck, zero)`
  const [sk, rk] = hkdf2(ck, EMPTY);
  // 9. `m = 0 || c || t`
  const actThree = new Uint8Array(ACT_THREE_SIZE);
  actThree[0] = HANDSHAKE_VERSION;
  actThree.set(c, 1);
  actThree.set(t, 50);
  // 7. `rn = 0, sn = 0`  8. `rck = sck = ck`
  return ok({
    actThree,
    session: { remotePubkey: state.remotePubkey, sender: new CipherState(sk, ck), receiver: new CipherState(rk, ck), handshakeHash: h },
  });
}

/**
 * responderStart prepares a responder: BOLT #8: "The responding node mixes in their local
 * static public key serialized in Bitcoin's compressed format:
 * `h = SHA-256(h || ls.pub.serializeCompressed())`"
 */
export function responderStart(keys: ResponderKeys): ResponderAwaitingActOne {
  const localPubkey = keys.localPubkey ?? getPublicKey(keys.localSecret, true);
  return {
    kind: 'ResponderAwaitingActOne',
    localSecret: keys.localSecret,
    localPubkey,
    ephemeralSecret: keys.ephemeralSecret,
    ck: INITIAL_CK,
    h: mixHash(INITIAL_H, localPubkey),
  };
}

/**
 * responderActOne checks act one (`-> e, es`) and builds act two (`<- e, ee`).
 * BOLT 8 "Act One" receiver actions and "Act Two" sender actions.
 */
export function responderActOne(
  state: ResponderAwaitingActOne,
  actOne: Uint8Array,
): Result<{ state: ResponderAwaitingActThree; actTwo: Uint8Array }, HandshakeError> {
  const r = receiveEphemeralAct(1, state.ck, state.h, state.localSecret, actOne);
  if (!r.ok) return r;
  const a = sendEphemeralAct(r.value.ck, r.value.h, state.ephemeralSecret, r.value.re);
  return ok({
    state: { kind: 'ResponderAwaitingActThree', ephemeralSecret: state.ephemeralSecret, ck: a.ck, h: a.h, tempK2: a.tempK },
    actTwo: a.act,
  });
}

/**
 * responderActThree checks act three (`-> s, se`), learns the initiator's static key and
 * derives the session keys. BOLT 8 "Act Three" receiver actions.
 */
export function responderActThree(state: ResponderAwaitingActThree, actThree: Uint8Array): Result<Session, HandshakeError> {
  // 1. "Read _exactly_ 66 bytes from the network buffer."
  if (actThree.length !== ACT_THREE_SIZE) return fail('ACT3_READ_FAILED', `expected 66 bytes, got ${actThree.length}`);
  // 3. BOLT #8: "If `v` is an unrecognized handshake version, then the responder MUST
  //    abort the connection attempt."
  if (actThree[0] !== HANDSHAKE_VERSION) return fail('ACT3_BAD_VERSION', `version ${actThree[0]}`);
  const c = actThree.subarray(1, 50);
  const t = actThree.subarray(50, 66);
  // 4. `rs = decryptWithAD(temp_k2, 1, h, c)`. BOLT #8: "If the MAC check in this operation
  //    fails, then the responder MUST terminate the connection without any further messages."
  const rs = aeadDecrypt(state.tempK2, nonce(1), state.h, c);
  if (rs === null) return fail('ACT3_BAD_CIPHERTEXT');
  // 5. `h = SHA-256(h || c)`
  const h = mixHash(state.h, c);
  // 6. `se = ECDH(e.priv, rs)`
  const se = peerEcdh(state.ephemeralSecret, rs);
  if (se === null) return fail('ACT3_BAD_PUBKEY');
  // 7. `ck, temp_k3 = HKDF(ck, se)`
  const [ck, tempK3] = hkdf2(state.ck, se);
  // 8. `p = decryptWithAD(temp_k3, 0, h, t)`. BOLT #8: "If the MAC check in this operation
  //    fails, then the responder MUST terminate the connection without any further messages."
  if (aeadDecrypt(tempK3, nonce(0), h, t) === null) return fail('ACT3_BAD_TAG');
  // 9. `rk, sk = HKDF(ck, zero)`
  const [rk, sk] = hkdf2(ck, EMPTY);
  // 10. `rn = 0, sn = 0`  11. `rck = sck = ck`
  return ok({ remotePubkey: Uint8Array.from(rs), sender: new CipherState(sk, ck), receiver: new CipherState(rk, ck), handshakeHash: h });
}
