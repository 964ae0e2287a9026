/**
 * BOLT 8 Appendix A: every initiator, responder and message-encryption vector, read from
 * ../shared/spec/bolts/08-transport.md at test time.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { getPublicKey } from '../../src/crypto/index.ts';
import { toHex, utf8 } from '../../src/lib/index.ts';
import {
  CipherState,
  encryptMessage,
  initiatorActTwo,
  initiatorStart,
  MessageDecoder,
  responderActOne,
  responderActThree,
  responderStart,
  type Session,
} from '../../src/transport/index.ts';
import { errorCode, field, hex, initiatorCases, messageCases, responderCases } from './spec-vectors.ts';

/** The [sk, rk] pair from "sk,rk=0x..,0x.." or "rk,sk=0x..,0x..". */
function keyPair(output: string): { sk: string; rk: string } {
  const m = output.match(/^(sk|rk),(sk|rk)=(?:0x)?([0-9a-f]+),(?:0x)?([0-9a-f]+)$/);
  assert.ok(m, `unparsed key output: ${output}`);
  const a = { [m[1]!]: m[3]!, [m[2]!]: m[4]! } as Record<string, string>;
  return { sk: a.sk!, rk: a.rk! };
}

describe('BOLT 8 Appendix A: initiator tests', () => {
  const cases = initiatorCases();
  test('the spec has the expected initiator cases', () => {
    assert.equal(cases.length, 5);
  });
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(toHex(getPublicKey(hex(field(c, 'ls.priv')))), toHex(hex(field(c, 'ls.pub'))));
      assert.equal(toHex(getPublicKey(hex(field(c, 'e.priv')))), toHex(hex(field(c, 'e.pub'))));
      const io = c.fields.filter(([k]) => k === 'input' || k === 'output');
      // First: act one out.
      const start = initiatorStart({
        localSecret: hex(field(c, 'ls.priv')),
        remotePubkey: hex(field(c, 'rs.pub')),
        ephemeralSecret: hex(field(c, 'e.priv')),
      });
      assert.deepEqual(io[0], ['output', '0x' + toHex(start.actOne)]);
      assert.equal(io[1]![0], 'input');
      const r = initiatorActTwo(start.state, hex(io[1]![1]));
      const expected = io[2]![1];
      const code = errorCode(expected);
      if (code) {
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.error.code, code);
        assert.equal(io.length, 3);
        return;
      }
      assert.ok(r.ok, `unexpected error ${!r.ok ? r.error.message : ''}`);
      assert.equal('0x' + toHex(r.value.actThree), expected);
      const keys = keyPair(io[3]![1]);
      assert.equal(toHex(r.value.session.sender.currentKey), keys.sk);
      assert.equal(toHex(r.value.session.receiver.currentKey), keys.rk);
      assert.equal(toHex(r.value.session.remotePubkey), toHex(hex(field(c, 'rs.pub'))));
    });
  }
});

describe('BOLT 8 Appendix A: responder tests', () => {
  const cases = responderCases();
  test('the spec has the expected responder cases', () => {
    assert.equal(cases.length, 10);
  });
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(toHex(getPublicKey(hex(field(c, 'ls.priv')))), toHex(hex(field(c, 'ls.pub'))));
      const io = c.fields.filter(([k]) => k === 'input' || k === 'output');
      const s0 = responderStart({ localSecret: hex(field(c, 'ls.priv')), ephemeralSecret: hex(field(c, 'e.priv')) });
      assert.equal(io[0]![0], 'input');
      const r1 = responderActOne(s0, hex(io[0]![1]));
      const code1 = errorCode(io[1]![1]);
      if (code1) {
        assert.equal(r1.ok, false);
        if (!r1.ok) assert.equal(r1.error.code, code1);
        assert.equal(io.length, 2);
        return;
      }
      assert.ok(r1.ok);
      assert.equal('0x' + toHex(r1.value.actTwo), io[1]![1]);
      assert.equal(io[2]![0], 'input');
      const r3 = responderActThree(r1.value.state, hex(io[2]![1]));
      const code3 = errorCode(io[3]![1]);
      if (code3) {
        assert.equal(r3.ok, false);
        if (!r3.ok) assert.equal(r3.error.code, code3);
        return;
      }
      assert.ok(r3.ok, `unexpected error ${!r3.ok ? r3.error.message : ''}`);
      const keys = keyPair(io[3]![1]);
      assert.equal(toHex(r3.value.sender.currentKey), keys.sk);
      assert.equal(toHex(r3.value.receiver.currentKey), keys.rk);
      // The initiator of the initiator tests uses ls.priv 0x11..11.
      assert.equal(toHex(r3.value.remotePubkey), toHex(getPublicKey(new Uint8Array(32).fill(0x11))));
    });
  }
});

describe('BOLT 8 Appendix A: message encryption tests', () => {
  const [c] = messageCases();
  test('transport-message test: outputs 0, 1, 500, 501, 1000, 1001', () => {
    assert.ok(c);
    const outputs = new Map<number, string>();
    for (const [k, v] of c.fields) {
      const m = k.match(/^output (\d+)$/);
      if (m) outputs.set(Number(m[1]), v);
    }
    assert.deepEqual([...outputs.keys()], [0, 1, 500, 501, 1000, 1001]);
    const ck = hex(field(c, 'ck'));
    const sender = new CipherState(hex(field(c, 'sk')), ck);
    // The responder's view of the same stream: its rk is the initiator's sk.
    const decoder = new MessageDecoder(new CipherState(hex(field(c, 'sk')), ck));
    const hello = utf8('hello');
    const last = Math.max(...outputs.keys());
    let seen = 0;
    for (let i = 0; i <= last; i++) {
      const frame = encryptMessage(sender, hello);
      assert.ok(frame.ok);
      const want = outputs.get(i);
      if (want !== undefined) {
        assert.equal('0x' + toHex(frame.value), want, `output ${i}`);
        seen++;
      }
      const got = decoder.drain(frame.value);
      assert.ok(got.ok);
      assert.equal(got.value.length, 1);
      assert.deepEqual(got.value[0], hello);
    }
    assert.equal(seen, 6);
  });

  test('the rk of the vector session is the initiator-to-responder direction only', () => {
    // rk is given in the vector: a decoder keyed with it must reject the initiator's frames.
    const ck = hex(field(c!, 'ck'));
    const sender = new CipherState(hex(field(c!, 'sk')), ck);
    const wrong = new MessageDecoder(new CipherState(hex(field(c!, 'rk')), ck));
    const frame = encryptMessage(sender, utf8('hello'));
    assert.ok(frame.ok);
    const r = wrong.drain(frame.value);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'BAD_LENGTH_TAG');
  });
});

describe('handshake: initiator and responder agree', () => {
  test('a full in-memory handshake gives mirrored sessions', () => {
    const c = initiatorCases()[0]!;
    const lsI = hex(field(c, 'ls.priv'));
    const lsR = hex(responderCases()[0]!.fields.find(([k]) => k === 'ls.priv')![1]);
    const a = initiatorStart({ localSecret: lsI, remotePubkey: getPublicKey(lsR), ephemeralSecret: new Uint8Array(32).fill(0x33) });
    const r1 = responderActOne(responderStart({ localSecret: lsR, ephemeralSecret: new Uint8Array(32).fill(0x44) }), a.actOne);
    assert.ok(r1.ok);
    const a2 = initiatorActTwo(a.state, r1.value.actTwo);
    assert.ok(a2.ok);
    const r3 = responderActThree(r1.value.state, a2.value.actThree);
    assert.ok(r3.ok);
    const si: Session = a2.value.session;
    const sr: Session = r3.value;
    assert.deepEqual(si.sender.currentKey, sr.receiver.currentKey);
    assert.deepEqual(si.receiver.currentKey, sr.sender.currentKey);
    assert.deepEqual(si.handshakeHash, sr.handshakeHash);
    assert.deepEqual(sr.remotePubkey, getPublicKey(lsI));
  });
});
