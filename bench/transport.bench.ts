/**
 * bench/transport: BOLT 8 costs against their floors, measured in the same run.
 *  1. Sustained encrypt+decrypt of max-size (65535-byte) messages through a session's
 *     CipherState pair (encryptMessage + MessageDecoder), in MB/s, against raw
 *     ChaCha20-Poly1305 (aeadEncrypt + aeadDecrypt of the same buffer). Target ratio >= 0.7.
 *  2. Full in-memory handshakes per second (three acts, both sides), against the
 *     secp256k1 work a handshake must do, timed with libsecp256k1 native:
 *     floor_rate = 1 / (6/ecdh_rate + 2/keygen_rate). Target ratio >= 0.6.
 * Subject and baseline run in interleaved short rounds and the best of each is kept, so a
 * load spike on the shared machine does not land on one side only.
 */
import { aeadDecrypt, aeadEncrypt, getPublicKey } from '../src/crypto/index.ts';
import {
  encryptMessage,
  initiatorActTwo,
  initiatorStart,
  MAX_MESSAGE_SIZE,
  MessageDecoder,
  responderActOne,
  responderActThree,
  responderStart,
  type Session,
} from '../src/transport/index.ts';
import { nativeSecp, opsPerSec, report } from './harness.ts';

const MS = 1500;

function pair(): { i: Session; r: Session } {
  const sI = new Uint8Array(32).fill(0x11);
  const sR = new Uint8Array(32).fill(0x21);
  const a = initiatorStart({ localSecret: sI, remotePubkey: getPublicKey(sR), ephemeralSecret: new Uint8Array(32).fill(0x12) });
  const r1 = responderActOne(responderStart({ localSecret: sR, ephemeralSecret: new Uint8Array(32).fill(0x22) }), a.actOne);
  if (!r1.ok) throw r1.error;
  const a2 = initiatorActTwo(a.state, r1.value.actTwo);
  if (!a2.ok) throw a2.error;
  const r3 = responderActThree(r1.value.state, a2.value.actThree);
  if (!r3.ok) throw r3.error;
  return { i: a2.value.session, r: r3.value };
}

export async function run(): Promise<void> {
  // 1. Throughput.
  const msg = new Uint8Array(MAX_MESSAGE_SIZE).fill(0xab);
  const key = new Uint8Array(32).fill(7);
  const nonce = new Uint8Array(12);
  const empty = new Uint8Array(0);
  const { i, r } = pair();
  const dec = new MessageDecoder(r.receiver);
  let raw = 0;
  let session = 0;
  for (let round = 0; round < 4; round++) {
    raw = Math.max(
      raw,
      opsPerSec(() => {
        const c = aeadEncrypt(key, nonce, empty, msg);
        if (aeadDecrypt(key, nonce, empty, c) === null) throw new Error('raw aead failed');
      }, MS / 4),
    );
    session = Math.max(
      session,
      opsPerSec(() => {
        const f = encryptMessage(i.sender, msg);
        if (!f.ok) throw f.error;
        dec.push(f.value);
        const m = dec.next();
        if (!m.ok || m.value === null || m.value.length !== MAX_MESSAGE_SIZE) throw new Error('session decrypt failed');
      }, MS / 4),
    );
  }
  const mb = (ops: number): number => (ops * MAX_MESSAGE_SIZE) / 1e6;
  report({
    name: 'transport.session_throughput_65535',
    value: mb(session),
    unit: 'MB/s',
    baseline: 'raw ChaCha20-Poly1305 encrypt+decrypt of the same 65535-byte buffer (crypto facade)',
    baseline_value: mb(raw),
    target_ratio: 0.7,
  });

  // 2. Handshakes per second vs the secp256k1 floor.
  const n = nativeSecp();
  const sI = new Uint8Array(32).fill(0x11);
  const sR = new Uint8Array(32).fill(0x21);
  const pI = getPublicKey(sI);
  const pR = getPublicKey(sR);
  const eI = new Uint8Array(32).fill(0x12);
  const eR = new Uint8Array(32).fill(0x22);
  const handshake = (): void => {
    const a = initiatorStart({ localSecret: sI, localPubkey: pI, remotePubkey: pR, ephemeralSecret: eI });
    const r1 = responderActOne(responderStart({ localSecret: sR, localPubkey: pR, ephemeralSecret: eR }), a.actOne);
    if (!r1.ok) throw r1.error;
    const a2 = initiatorActTwo(a.state, r1.value.actTwo);
    if (!a2.ok) throw a2.error;
    const r3 = responderActThree(r1.value.state, a2.value.actThree);
    if (!r3.ok) throw r3.error;
  };
  // The machine is shared: interleave short rounds of floor and subject and keep the best
  // of each, so a load spike in one window does not skew the ratio.
  let ecdhRate = 0;
  let keygenRate = 0;
  let hs = 0;
  for (let round = 0; round < 5; round++) {
    ecdhRate = Math.max(ecdhRate, opsPerSec(() => n.ecdh(pR, eI), 150, 16));
    keygenRate = Math.max(keygenRate, opsPerSec(() => n.publicKeyCreate(eI, true), 100, 16));
    hs = Math.max(hs, opsPerSec(handshake, 300, 4));
  }
  const floor = 1 / (6 / ecdhRate + 2 / keygenRate);
  report({
    name: 'transport.handshakes',
    value: hs,
    unit: 'handshakes/s',
    baseline: 'libsecp256k1 native floor: 1/(6/ecdh + 2/keygen)',
    baseline_value: floor,
    ecdh_per_s: Math.round(ecdhRate),
    keygen_per_s: Math.round(keygenRate),
    target_ratio: 0.6,
  });
}
