/**
 * Closing a channel the peer funded, with the message orders Core Lightning produces (seen
 * against Core Lightning v26.06 on regtest): a funder fee_range of one value (min = max), and
 * a funder that starts closing_signed while its own update_fee is still being committed.
 * A is the funder playing Core Lightning's part; B is Kite as the non-funder.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { msat, sat, type Sat } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { fundingScript, legacyClosingTx, CLOSING_NEGOTIATION_TIMEOUT_BLOCKS, type ChannelMessage, type Commitments } from '../../src/channel/index.ts';
import type { ClosingSigned, Shutdown } from '../../src/wire/index.ts';
import { deliver, flush, openPair, Party, preimageFor, stateName } from './machine-harness.ts';

function closingTxOf(p: Party) {
  const e = p.effects.find((x) => x.kind === 'broadcast' && x.label === 'closing');
  assert.ok(e && e.kind === 'broadcast', `${p.name} broadcast no closing transaction`);
  return e.tx;
}

function take<T extends ChannelMessage['type']>(p: Party, type: T): Extract<ChannelMessage, { type: T }> {
  const i = p.outbox.findIndex((m) => m.type === type);
  assert.ok(i >= 0, `${p.name} has no ${type} queued (has ${p.outbox.map((m) => m.type).join(', ')})`);
  return p.outbox.splice(i, 1)[0] as Extract<ChannelMessage, { type: T }>;
}

/** What Core Lightning's closingd sends as funder: one fee, fee_range min = max = that fee. */
function clnClosingSigned(funder: Party, local: Shutdown, remote: Shutdown, fee: Sat): ClosingSigned {
  const c = funder.c;
  const tx = legacyClosingTx(c, local, remote, fee);
  const ws = fundingScript(c.params.local.pubkeys.fundingPubkey, c.params.remote.pubkeys.fundingPubkey);
  const sig = funder.env.signer.signClosing({ tx, inputIndex: 0, witnessScript: ws, amount: c.params.fundingAmount });
  return { type: 'closing_signed', channel_id: c.params.channelId, fee_satoshis: fee, signature: sig.sig, tlvs: { fee_range: { min_fee_satoshis: fee, max_fee_satoshis: fee } } };
}

function feeOf(p: Party): bigint {
  const tx = closingTxOf(p);
  return 1_000_000n - tx.outputs.reduce((a, o) => a + o.value, 0n);
}

describe('closing a channel the peer funded', () => {
  for (const initiator of ['funder', 'non-funder'] as const) {
    test(`a funder fee_range of exactly one value (min = max) is accepted, ${initiator} asking to close`, () => {
      // Core Lightning derived 151 sat from the 253 sat/kw floor; Kite's default range as a
      // funder (200 to 20,000 here) would not overlap it, but B is not the funder.
      const { a, b } = openPair({ configA: { closingFeeRange: { min: sat(151), max: sat(151) } } });
      const opener = initiator === 'funder' ? a : b;
      opener.step({ kind: 'command', command: { kind: 'shutdown' } });
      flush(a, b);
      assert.equal(stateName(a), 'Closing');
      assert.equal(stateName(b), 'Closing');
      assert.equal(feeOf(b), 151n);
      assert.deepEqual(closingTxOf(a), closingTxOf(b));
      assert.ok(!b.effects.some((e) => e.kind === 'send_message' && e.message.type === 'warning'), 'no warning from the non-funder');
      // The non-funder's own fee_range reaches down to the relay floor and up to all the funder has.
      const reply = b.effects.find((e) => e.kind === 'send_message' && e.message.type === 'closing_signed');
      assert.ok(reply && reply.kind === 'send_message' && reply.message.type === 'closing_signed');
      const range = reply.message.tlvs.fee_range!;
      assert.ok(range.min_fee_satoshis <= 151n && range.min_fee_satoshis > 0n);
      assert.equal(range.max_fee_satoshis, 1_000_000n);
    });
  }

  test('as the funder Kite still offers only what it is prepared to pay', () => {
    const { a, b } = openPair({ configA: { closingFeeRange: { min: sat(300), max: sat(900) } } });
    a.step({ kind: 'command', command: { kind: 'shutdown' } });
    flush(a, b);
    const first = a.effects.find((e) => e.kind === 'send_message' && e.message.type === 'closing_signed');
    assert.ok(first && first.kind === 'send_message' && first.message.type === 'closing_signed');
    assert.deepEqual(first.message.tlvs.fee_range, { min_fee_satoshis: 300n, max_fee_satoshis: 900n });
    assert.equal(stateName(b), 'Closing');
    assert.ok(feeOf(b) >= 300n && feeOf(b) <= 900n);
  });

  test('no overlap: our close is answered at once with the reason, and the negotiation fails after its timeout', () => {
    const { a, b } = openPair({ configA: { closingFeeRange: { min: sat(200), max: sat(300) } }, configB: { closingFeeRange: { min: sat(5000), max: sat(6000) }, closingFeeRangeForced: true } });
    b.step({ kind: 'command', command: { kind: 'shutdown' } });
    flush(a, b);
    assert.equal(stateName(b), 'Negotiating');
    const refusal = b.effects.find((e) => e.kind === 'command_rejected');
    assert.ok(refusal && refusal.kind === 'command_rejected' && refusal.command === 'shutdown');
    assert.match(refusal.reason, /cannot succeed: no overlap between fee ranges: the peer's 200-300 sat, ours 5000-6000 sat/);
    // Blocks pass without a satisfying fee_range: at the timeout the channel fails (BOLT #2 MUST).
    const start = b.env.blockHeight;
    b.env = { ...b.env, blockHeight: start + CLOSING_NEGOTIATION_TIMEOUT_BLOCKS - 1 };
    b.step({ kind: 'block' });
    assert.equal(stateName(b), 'Negotiating');
    b.env = { ...b.env, blockHeight: start + CLOSING_NEGOTIATION_TIMEOUT_BLOCKS };
    b.step({ kind: 'block' });
    assert.equal(stateName(b), 'Errored');
    assert.ok(b.effects.some((e) => e.kind === 'fail_channel'));
  });

  test('a block event leaves every other state alone', () => {
    const { a } = openPair();
    const before = a.state;
    assert.deepEqual(a.step({ kind: 'block' }), []);
    assert.equal(a.state, before);
  });
});

describe('a fee update crossing the shutdown (Core Lightning the funder, Kite closing)', () => {
  for (const order of ['closing_signed before its revoke_and_ack', 'closing_signed after its revoke_and_ack'] as const) {
    test(`a fee update and shutdown from the funder, then ${order}: the channel closes cooperatively`, () => {
      const { a, b } = openPair({ push: msat(200_000_000n), configA: { closingFeeRange: { min: sat(183), max: sat(183) } } });
      // 1. Kite (B) -> shutdown.
      b.step({ kind: 'command', command: { kind: 'shutdown' } });
      const bShutdown = take(b, 'shutdown');
      // 2. The funder -> update_fee, commitment_signed, then shutdown.
      a.step({ kind: 'command', command: { kind: 'update_fee', feeratePerKw: 3000 } });
      a.step({ kind: 'command', command: { kind: 'sign' } });
      a.step({ kind: 'message', message: bShutdown });
      const aState = a.state;
      assert.ok(aState.name === 'ShuttingDown' && aState.localShutdown && aState.remoteShutdown);
      for (const t of ['update_fee', 'commitment_signed', 'shutdown'] as const) b.step({ kind: 'message', message: take(a, t) });
      // 3. Kite -> revoke_and_ack and, covering the fee on the funder's commitment, commitment_signed.
      assert.equal(stateName(b), 'ShuttingDown');
      const types = b.outbox.map((m) => m.type);
      assert.ok(types.includes('revoke_and_ack') && types.includes('commitment_signed'), `B sent ${types.join(', ')}`);
      if (order === 'closing_signed before its revoke_and_ack') {
        // 4. Core Lightning, having the revoke_and_ack, counts the channel clean: closing_signed
        //    (our commitment_signed is answered only by a warning from its closing daemon).
        const cs = clnClosingSigned(a, aState.localShutdown!, aState.remoteShutdown!, sat(183));
        b.outbox = [];
        b.step({ kind: 'message', message: cs });
        b.step({ kind: 'message', message: { type: 'warning', channel_id: cs.channel_id, data: new TextEncoder().encode('Expected closing_signed') } });
        const reply = take(b, 'closing_signed');
        assert.equal(reply.fee_satoshis, 183n);
      } else {
        // The strict order: the funder revokes first, then negotiates.
        flush(a, b);
        assert.equal(stateName(a), 'Closing');
        assert.deepEqual(closingTxOf(a), closingTxOf(b));
      }
      // 5. Kite negotiated instead of failing the channel.
      assert.equal(stateName(b), 'Closing');
      assert.ok(!b.effects.some((e) => e.kind === 'fail_channel' || (e.kind === 'broadcast' && e.label === 'commitment')));
      assert.equal(feeOf(b), 183n);
      // The closing outputs are the balances, untouched by the fee change: the fundee gets its 200,000 sat.
      assert.ok(closingTxOf(b).outputs.some((o) => o.value === 200_000n), 'the fundee output carries exactly its balance');
    });
  }

  test('closing_signed while an HTLC is pending still fails the channel, and says so', () => {
    const { a, b } = openPair({ push: msat(200_000_000n) });
    a.step({ kind: 'command', command: { kind: 'add_htlc', amount: msat(5_000_000n), paymentHash: sha256(preimageFor(1)), cltvExpiry: 800_144, onion: new Uint8Array(1366) } });
    a.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    b.step({ kind: 'command', command: { kind: 'shutdown' } });
    deliver(b, a);
    const aState = a.state;
    assert.ok(aState.name === 'ShuttingDown' && aState.localShutdown && aState.remoteShutdown);
    deliver(a, b);
    b.outbox = [];
    b.step({ kind: 'message', message: clnClosingSigned(a, aState.localShutdown!, aState.remoteShutdown!, sat(183)) });
    assert.equal(stateName(b), 'Errored');
    const err = b.effects.find((e) => e.kind === 'fail_channel');
    assert.ok(err && err.kind === 'fail_channel');
    assert.match(new TextDecoder().decode(err.error.data), /closing_signed while 1 HTLC\(s\) are pending/);
  });
});

export type { Commitments };
