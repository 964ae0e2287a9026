/**
 * Closing (BOLT #2 "Channel Close"): shutdown scripts and upfront_shutdown_script, no new
 * HTLCs after shutdown, waiting for HTLCs to clear, and legacy closing_signed negotiation
 * with fee_range.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { msat, sat } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { isValidShutdownScript, step, type Effect, type StepResult } from '../../src/channel/index.ts';
import { deliver, flush, openPair, Party, preimageFor, stateName } from './machine-harness.ts';

const P2WPKH = Uint8Array.from([0x00, 20, ...new Uint8Array(20).fill(1)]);
const P2WSH = Uint8Array.from([0x00, 32, ...new Uint8Array(32).fill(2)]);
const P2TR = Uint8Array.from([0x51, 32, ...new Uint8Array(32).fill(3)]);
const P2PKH = Uint8Array.from([0x76, 0xa9, 20, ...new Uint8Array(20), 0x88, 0xac]);
const OP_RETURN = Uint8Array.from([0x6a, 6, 1, 2, 3, 4, 5, 6]);

function rejection(effects: Effect[]): string | null {
  const r = effects.find((e) => e.kind === 'command_rejected');
  return r && r.kind === 'command_rejected' ? r.reason : null;
}

function closingTxOf(p: Party) {
  const e = p.effects.find((x) => x.kind === 'broadcast' && x.label === 'closing');
  assert.ok(e && e.kind === 'broadcast');
  return e.tx;
}

describe('shutdown scripts', () => {
  test('the BOLT #2 forms', () => {
    assert.ok(isValidShutdownScript(P2WPKH, false));
    assert.ok(isValidShutdownScript(P2WSH, false));
    assert.ok(!isValidShutdownScript(P2TR, false));
    assert.ok(isValidShutdownScript(P2TR, true));
    assert.ok(!isValidShutdownScript(Uint8Array.from([0x51, 1, 9]), true), 'witness program of 1 byte');
    assert.ok(!isValidShutdownScript(Uint8Array.from([0x51, 41, ...new Uint8Array(41)]), true), 'witness program of 41 bytes');
    assert.ok(!isValidShutdownScript(P2PKH, true));
    assert.ok(!isValidShutdownScript(OP_RETURN, true), 'OP_RETURN needs option_simple_close');
  });

  test('our shutdown command refuses an invalid script and pending updates', () => {
    const { a, b } = openPair();
    assert.match(rejection(a.step({ kind: 'command', command: { kind: 'shutdown', scriptPubkey: P2PKH } }))!, /not a valid form/);
    a.step({ kind: 'command', command: { kind: 'add_htlc', amount: msat(1_000_000n), paymentHash: sha256(preimageFor(1)), cltvExpiry: 800_144, onion: new Uint8Array(1366) } });
    assert.match(rejection(a.step({ kind: 'command', command: { kind: 'shutdown' } }))!, /sign them first/);
    void b;
  });

  test('an invalid peer script gets a warning and changes nothing', () => {
    const { a } = openPair();
    const r = step(a.state, { kind: 'message', message: { type: 'shutdown', channel_id: a.c.params.channelId, scriptpubkey: P2PKH } }, a.env);
    assert.equal(r.state, a.state);
    assert.ok(r.effects.some((e) => e.kind === 'send_message' && e.message.type === 'warning'));
  });

  test('upfront_shutdown_script: a different script fails the connection; our own is enforced', () => {
    const { a, b } = openPair({ configA: { upfrontShutdown: true }, configB: { upfrontShutdown: true } });
    assert.deepEqual(a.c.params.remote.upfrontShutdownScript, b.env.config.shutdownScript);
    const r = step(a.state, { kind: 'message', message: { type: 'shutdown', channel_id: a.c.params.channelId, scriptpubkey: P2WSH } }, a.env);
    assert.ok(r.effects.some((e) => e.kind === 'send_message' && e.message.type === 'warning'));
    assert.ok(r.effects.some((e) => e.kind === 'disconnect'));
    assert.equal(r.state, a.state);
    assert.match(rejection(b.step({ kind: 'command', command: { kind: 'shutdown', scriptPubkey: P2WSH } }))!, /upfront/);
    assert.equal(rejection(b.step({ kind: 'command', command: { kind: 'shutdown' } })), null);
    flush(a, b);
    assert.equal(stateName(a), 'Closing');
  });
});

describe('closing', () => {
  test('no HTLC may be added after shutdown; closing waits for HTLCs to clear', () => {
    const { a, b } = openPair({ push: msat(200_000_000n) });
    a.step({ kind: 'command', command: { kind: 'add_htlc', amount: msat(7_000_000n), paymentHash: sha256(preimageFor(1)), cltvExpiry: 800_144, onion: new Uint8Array(1366) } });
    a.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    a.step({ kind: 'command', command: { kind: 'shutdown' } });
    flush(a, b);
    assert.equal(stateName(a), 'ShuttingDown');
    assert.equal(stateName(b), 'ShuttingDown');
    assert.match(rejection(b.step({ kind: 'command', command: { kind: 'add_htlc', amount: msat(1_000_000n), paymentHash: sha256(preimageFor(2)), cltvExpiry: 800_144, onion: new Uint8Array(1366) } }))!, /shutting down/);
    const r = step(a.state, {
      kind: 'message',
      message: { type: 'update_add_htlc', channel_id: a.c.params.channelId, id: 0n, amount_msat: msat(1_000_000n), payment_hash: sha256(preimageFor(3)), cltv_expiry: 800_144, onion_routing_packet: new Uint8Array(1366), tlvs: {} },
    }, a.env);
    assert.equal(r.state.name, 'Errored');
    // Settling the HTLC lets the negotiation start.
    b.step({ kind: 'command', command: { kind: 'fulfill_htlc', id: 0n, preimage: preimageFor(1) } });
    b.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    assert.equal(stateName(a), 'Closing');
    assert.equal(stateName(b), 'Closing');
    const tx = closingTxOf(a);
    const bOut = tx.outputs.find((o) => o.script[2] === 8);
    assert.equal(bOut?.value, 207_000n);
    assert.equal(tx.inputs[0]!.sequence, 0xffffffff);
    assert.equal(tx.inputs[0]!.witness.length, 4);
  });

  test('fee_range: a fundee given a range for this close picks a fee in the overlap and the funder agrees', () => {
    const { a, b } = openPair({ configB: { closingFeeRange: { min: sat(5000), max: sat(6000) }, closingFeeRangeForced: true } });
    a.step({ kind: 'command', command: { kind: 'shutdown' } });
    deliver(a, b);
    deliver(b, a); // B's shutdown → A's first closing_signed
    const first = a.outbox[0]!;
    assert.ok(first.type === 'closing_signed' && first.tlvs.fee_range !== undefined && first.fee_satoshis < 5000n);
    flush(a, b);
    assert.equal(stateName(a), 'Closing');
    assert.equal(stateName(b), 'Closing');
    let out = 0n;
    for (const o of closingTxOf(a).outputs) out += o.value;
    assert.equal(1_000_000n - out, 5000n);
    assert.deepEqual(closingTxOf(a), closingTxOf(b));
  });

  test('fee_range without overlap (both ranges forced): a warning, still negotiating', () => {
    const { a, b } = openPair({ configA: { closingFeeRange: { min: sat(200), max: sat(1000) } }, configB: { closingFeeRange: { min: sat(5000), max: sat(6000) }, closingFeeRangeForced: true } });
    a.step({ kind: 'command', command: { kind: 'shutdown' } });
    flush(a, b);
    assert.equal(stateName(b), 'Negotiating');
    assert.ok(b.effects.some((e) => e.kind === 'send_message' && e.message.type === 'warning'));
  });

  test('a closing_signed with a bad signature fails the channel', () => {
    const { a, b } = openPair();
    a.step({ kind: 'command', command: { kind: 'shutdown' } });
    deliver(a, b);
    deliver(b, a);
    const cs = a.outbox.shift()!;
    assert.ok(cs.type === 'closing_signed');
    const r: StepResult = step(b.state, { kind: 'message', message: { ...cs, signature: new Uint8Array(64).fill(5) } }, b.env);
    assert.equal(r.state.name, 'Errored');
    assert.ok(!r.effects.some((e) => e.kind === 'broadcast' && e.label === 'closing'));
  });

  test('without fee_range, a fee in our range is accepted and echoed', () => {
    const { a, b } = openPair();
    a.step({ kind: 'command', command: { kind: 'shutdown' } });
    deliver(a, b);
    deliver(b, a);
    const cs = a.outbox.shift()!;
    assert.ok(cs.type === 'closing_signed');
    b.step({ kind: 'message', message: { ...cs, tlvs: {} } });
    assert.equal(stateName(b), 'Closing');
    const reply = b.outbox.shift()!;
    assert.ok(reply.type === 'closing_signed' && reply.fee_satoshis === cs.fee_satoshis && reply.tlvs.fee_range === undefined);
    a.step({ kind: 'message', message: reply });
    assert.equal(stateName(a), 'Closing');
    assert.deepEqual(closingTxOf(a), closingTxOf(b));
  });

  test('a disconnect while shutting down: shutdown is retransmitted and negotiation restarts', () => {
    const { a, b } = openPair({ push: msat(50_000_000n) });
    a.step({ kind: 'command', command: { kind: 'add_htlc', amount: msat(7_000_000n), paymentHash: sha256(preimageFor(1)), cltvExpiry: 800_144, onion: new Uint8Array(1366) } });
    a.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    a.step({ kind: 'command', command: { kind: 'shutdown' } });
    flush(a, b);
    a.outbox = [];
    b.outbox = [];
    for (const p of [a, b]) p.step({ kind: 'disconnected' });
    for (const p of [a, b]) p.step({ kind: 'reconnected' });
    const ra = a.outbox.shift()!;
    const rb = b.outbox.shift()!;
    b.step({ kind: 'message', message: ra });
    a.step({ kind: 'message', message: rb });
    assert.ok(a.outbox.some((m) => m.type === 'shutdown'));
    assert.ok(b.outbox.some((m) => m.type === 'shutdown'));
    flush(a, b);
    b.step({ kind: 'command', command: { kind: 'fail_htlc', id: 0n, reason: new Uint8Array(20) } });
    b.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    assert.equal(stateName(a), 'Closing');
    assert.equal(stateName(b), 'Closing');
    assert.ok(a.effects.some((e) => e.kind === 'htlc_failed'));
  });

  test('a shutdown received while our updates wait for a revocation is answered once they are signed', () => {
    const { a, b } = openPair({ push: msat(50_000_000n) });
    const addCmd = (n: number) => ({ kind: 'command' as const, command: { kind: 'add_htlc' as const, amount: msat(2_000_000n), paymentHash: sha256(preimageFor(n)), cltvExpiry: 800_144, onion: new Uint8Array(1366) } });
    a.step(addCmd(1));
    a.step({ kind: 'command', command: { kind: 'sign' } });
    a.step(addCmd(2)); // unsigned: A waits for B's revocation before it can sign it
    b.step({ kind: 'command', command: { kind: 'shutdown' } });
    deliver(b, a);
    assert.equal(stateName(a), 'ShuttingDown');
    assert.ok(!a.outbox.some((m) => m.type === 'shutdown'), 'no shutdown while updates are unsigned');
    flush(a, b);
    assert.ok(a.effects.some((e) => e.kind === 'send_message' && e.message.type === 'shutdown'));
    for (const id of [0n, 1n]) b.step({ kind: 'command', command: { kind: 'fulfill_htlc', id, preimage: preimageFor(Number(id) + 1) } });
    b.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    assert.equal(stateName(a), 'Closing');
    assert.equal(stateName(b), 'Closing');
  });

  test('shutdown before channel_ready closes the unconfirmed channel; before funding it fails', async () => {
    const { Rng, fakeFundingTx, testEnv } = await import('./machine-harness.ts');
    const { startFunder, startFundee } = await import('../../src/channel/index.ts');
    const rng = new Rng(11);
    const a = new Party('A', testEnv('A', 1n));
    const b = new Party('B', testEnv('B', 7n, { shutdownScript: P2WSH }));
    a.absorb(null, startFunder({ kind: 'open', temporaryChannelId: rng.bytes(32), fundingAmount: sat(300_000), pushAmount: msat(0), channelKeyIndex: 1n, announce: false, anchors: true }, a.env));
    const open = a.outbox.shift()!;
    assert.ok(open.type === 'open_channel');
    b.absorb(null, startFundee(open, 7n, b.env));
    deliver(b, a);
    const early = step(a.state, { kind: 'message', message: { type: 'shutdown', channel_id: new Uint8Array(32), scriptpubkey: P2WPKH } }, a.env);
    assert.equal(early.state.name, 'Errored');
    const build = a.effects.find((e) => e.kind === 'build_funding_tx');
    assert.ok(build && build.kind === 'build_funding_tx');
    a.step({ kind: 'funding_tx_built', tx: fakeFundingTx(build.script, build.amount, rng), outputIndex: 1 });
    flush(a, b);
    assert.equal(stateName(a), 'AwaitingFundingConfirmed');
    assert.equal(rejection(a.step({ kind: 'command', command: { kind: 'shutdown' } })), null);
    flush(a, b);
    assert.equal(stateName(a), 'Closing');
    assert.equal(stateName(b), 'Closing');
    const tx = closingTxOf(b);
    assert.equal(tx.outputs.length, 1, 'the fundee has nothing, so only the funder output');
  });
});
