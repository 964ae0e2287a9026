/**
 * Property tests for the BOLT 8 transport: random messages round-trip through an
 * initiator/responder session across key rotations and arbitrary chunking; random bytes fed
 * to the responder handshake or to the message decoder produce typed errors only.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getPublicKey } from '../../src/crypto/index.ts';
import {
  ACT_ONE_SIZE,
  ACT_THREE_SIZE,
  CipherState,
  encryptMessage,
  HandshakeError,
  initiatorActTwo,
  initiatorStart,
  KEY_ROTATION_INTERVAL,
  MessageDecoder,
  MessageError,
  responderActOne,
  responderActThree,
  responderStart,
  type Session,
} from '../../src/transport/index.ts';

const secretI = new Uint8Array(32).fill(0x11);
const secretR = new Uint8Array(32).fill(0x21);

function handshake(eI: Uint8Array, eR: Uint8Array): { i: Session; r: Session } {
  const a = initiatorStart({ localSecret: secretI, remotePubkey: getPublicKey(secretR), ephemeralSecret: eI });
  const r1 = responderActOne(responderStart({ localSecret: secretR, ephemeralSecret: eR }), a.actOne);
  assert.ok(r1.ok);
  const a2 = initiatorActTwo(a.state, r1.value.actTwo);
  assert.ok(a2.ok);
  const r3 = responderActThree(r1.value.state, a2.value.actThree);
  assert.ok(r3.ok);
  return { i: a2.value.session, r: r3.value };
}

/** A valid secret derived from a seed byte pattern (never zero, far below the order). */
function secretFrom(seed: number): Uint8Array {
  const k = new Uint8Array(32);
  k[0] = 0x01;
  k[31] = (seed & 0xff) | 1;
  k[30] = (seed >>> 8) & 0xff;
  return k;
}

/** Splits bytes into chunks at the given cut fractions. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    if (p > prev) out.push(bytes.subarray(prev, p));
    prev = Math.max(prev, p);
  }
  out.push(bytes.subarray(prev));
  return out;
}

describe('session round-trip', () => {
  test('random messages round-trip both ways with arbitrary chunking', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60000 }),
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
        (seed, msgs, cuts) => {
          const { i, r } = handshake(secretFrom(seed), secretFrom(seed + 7));
          for (const [from, to] of [
            [i, r],
            [r, i],
          ] as const) {
            const frames = msgs.map((m) => {
              const f = encryptMessage(from.sender, m);
              assert.ok(f.ok);
              return f.value;
            });
            const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
            let off = 0;
            for (const f of frames) {
              stream.set(f, off);
              off += f.length;
            }
            const dec = new MessageDecoder(to.receiver);
            const got: Uint8Array[] = [];
            for (const c of chunked(stream, cuts)) {
              const res = dec.drain(c);
              assert.ok(res.ok);
              got.push(...res.value);
            }
            assert.deepEqual(got, msgs);
            assert.equal(dec.bufferedBytes, 0);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  test('messages keep round-tripping across several key rotations (both sides rotate in step)', () => {
    const { i, r } = handshake(secretFrom(1), secretFrom(2));
    const dec = new MessageDecoder(r.receiver);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (m) => {
        const f = encryptMessage(i.sender, m);
        assert.ok(f.ok);
        const got = dec.drain(f.value);
        assert.ok(got.ok);
        assert.deepEqual(got.value, [m]);
        // Each message uses two nonces; sender and receiver nonces stay equal.
        assert.equal(i.sender.nonce, r.receiver.nonce);
        assert.deepEqual(i.sender.currentKey, r.receiver.currentKey);
      }),
      { numRuns: 1600 }, // 3200 key uses: three rotations
    );
  });

  test('rotation happens exactly when the nonce reaches 1000', () => {
    const cs = new CipherState(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
    const k0 = Uint8Array.from(cs.currentKey);
    for (let n = 0; n < KEY_ROTATION_INTERVAL - 1; n++) cs.encrypt(new Uint8Array(0));
    assert.equal(cs.nonce, KEY_ROTATION_INTERVAL - 1);
    assert.deepEqual(cs.currentKey, k0);
    cs.encrypt(new Uint8Array(0));
    assert.equal(cs.nonce, 0);
    assert.notDeepEqual(cs.currentKey, k0);
  });

  test('oversized messages are refused without consuming a nonce', () => {
    const cs = new CipherState(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
    const r = encryptMessage(cs, new Uint8Array(65536));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'MESSAGE_TOO_LARGE');
    assert.equal(cs.nonce, 0);
  });
});

describe('fuzz: garbage yields typed errors only', () => {
  test('random act one bytes: responder returns a HandshakeError (never throws)', () => {
    const s0 = responderStart({ localSecret: secretR, ephemeralSecret: secretFrom(3) });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 80 }),
          fc.uint8Array({ minLength: ACT_ONE_SIZE, maxLength: ACT_ONE_SIZE }),
          // version 0 and a valid-looking prefix, so the key and MAC checks are reached
          fc.uint8Array({ minLength: 49, maxLength: 49 }).map((b) => Uint8Array.of(0, 2 + (b[0]! & 1), ...b.subarray(1))),
        ),
        (bytes) => {
          const r = responderActOne(s0, bytes);
          assert.equal(r.ok, false);
          if (!r.ok) {
            assert.ok(r.error instanceof HandshakeError);
            assert.match(r.error.code, /^ACT1_(READ_FAILED|BAD_VERSION|BAD_PUBKEY|BAD_TAG)$/);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('random act three bytes after a good act one: a HandshakeError (never throws)', () => {
    const a = initiatorStart({ localSecret: secretI, remotePubkey: getPublicKey(secretR), ephemeralSecret: secretFrom(4) });
    const r1 = responderActOne(responderStart({ localSecret: secretR, ephemeralSecret: secretFrom(5) }), a.actOne);
    assert.ok(r1.ok);
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: ACT_THREE_SIZE - 1, maxLength: ACT_THREE_SIZE - 1 }).map((b) => Uint8Array.of(0, ...b))),
        (bytes) => {
          const r = responderActThree(r1.value.state, bytes);
          assert.equal(r.ok, false);
          if (!r.ok) {
            assert.ok(r.error instanceof HandshakeError);
            assert.match(r.error.code, /^ACT3_/);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('random act two bytes: the initiator returns a HandshakeError (never throws)', () => {
    const a = initiatorStart({ localSecret: secretI, remotePubkey: getPublicKey(secretR), ephemeralSecret: secretFrom(6) });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const r = initiatorActTwo(a.state, bytes);
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.error.code, /^ACT2_/);
      }),
      { numRuns: 200 },
    );
  });

  test('random bytes to the message decoder: no messages, a MessageError or a wait for more', () => {
    const { r } = handshake(secretFrom(8), secretFrom(9));
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }), (chunks) => {
        const dec = new MessageDecoder(new CipherState(r.receiver.currentKey, new Uint8Array(32)));
        let failed: MessageError | null = null;
        for (const c of chunks) {
          const res = dec.drain(c);
          if (!res.ok) {
            failed = res.error;
            break;
          }
          assert.equal(res.value.length, 0); // forging a MAC is not a thing random bytes do
        }
        const total = chunks.reduce((n, c) => n + c.length, 0);
        if (total >= 18) {
          assert.ok(failed instanceof MessageError);
          assert.equal(failed.code, 'BAD_LENGTH_TAG');
          // A failed decoder stays failed.
          const again = dec.next();
          assert.equal(again.ok, false);
        } else assert.equal(failed, null);
      }),
      { numRuns: 200 },
    );
  });

  test('a corrupted bit anywhere in a frame is detected', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (m, pos, bit) => {
        const { i, r } = handshake(secretFrom(10), secretFrom(11));
        const f = encryptMessage(i.sender, m);
        assert.ok(f.ok);
        const frame = Uint8Array.from(f.value);
        frame[pos % frame.length]! ^= 1 << bit;
        const res = new MessageDecoder(r.receiver).drain(frame);
        // Either an error, or (if only the body was hit) no message is ever released.
        if (res.ok) assert.fail('corrupted frame decoded');
        assert.ok(res.error.code === 'BAD_LENGTH_TAG' || res.error.code === 'BAD_MESSAGE_TAG');
      }),
      { numRuns: 150 },
    );
  });
});
