/**
 * Channel establishment v1 (BOLT #2): the happy path for funder and fundee, and every
 * open_channel / accept_channel / funding_created / funding_signed / funding-output rule,
 * each checked for the spec's response (fail the channel with `error`, never sign wrongly).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { msat, sat, utf8 } from '../../src/lib/index.ts';
import {
  channelTypeFor,
  startFundee,
  startFunder,
  step,
  type AcceptChannel,
  type ChannelState,
  type Effect,
  type OpenChannel,
  type StepResult,
} from '../../src/channel/index.ts';
import { deliver, fakeFundingTx, flush, openPair, Party, Rng, stateName, testEnv } from './machine-harness.ts';

function validOpen(over: { anchors?: boolean } = {}): OpenChannel {
  const env = testEnv('A', 1n);
  const r = startFunder({ kind: 'open', temporaryChannelId: new Uint8Array(32).fill(9), fundingAmount: sat(1_000_000), pushAmount: msat(0), channelKeyIndex: 1n, announce: false, anchors: over.anchors ?? true }, env);
  const m = r.effects.find((e) => e.kind === 'send_message');
  assert.ok(m && m.kind === 'send_message' && m.message.type === 'open_channel');
  return m.message;
}

function failedWith(r: StepResult, pattern: RegExp): void {
  assert.equal(r.state.name, 'Errored', 'the channel must fail');
  const err = r.effects.find((e) => e.kind === 'send_message' && e.message.type === 'error');
  assert.ok(err, 'an error message must be sent');
  const fail = r.effects.find((e) => e.kind === 'fail_channel') as Extract<Effect, { kind: 'fail_channel' }> | undefined;
  assert.ok(fail);
  const text = new TextDecoder().decode(fail.error.data);
  assert.match(text, pattern);
  // Nothing of ours was signed or accepted.
  assert.ok(!r.effects.some((e) => e.kind === 'send_message' && ['accept_channel', 'funding_signed', 'funding_created'].includes(e.message.type)));
}

describe('open_channel: the fundee fails the channel for each violation', () => {
  const badKey = Uint8Array.from([0x02, ...new Uint8Array(32).fill(0xff)]);
  const cases: [string, (m: OpenChannel) => OpenChannel, RegExp][] = [
    ['unknown chain_hash', (m) => ({ ...m, chain_hash: new Uint8Array(32) }), /chain_hash/],
    ['push_msat > funding * 1000', (m) => ({ ...m, push_msat: msat(m.funding_satoshis * 1000n + 1n) }), /push_msat/],
    ['to_self_delay unreasonably large', (m) => ({ ...m, to_self_delay: 5000 }), /to_self_delay/],
    ['max_accepted_htlcs > 483', (m) => ({ ...m, max_accepted_htlcs: 484 }), /greater than 483/],
    ['max_accepted_htlcs too small', (m) => ({ ...m, max_accepted_htlcs: 2 }), /too small/],
    ['feerate too low', (m) => ({ ...m, feerate_per_kw: 100 }), /feerate_per_kw .* too small/],
    ['feerate unreasonably large', (m) => ({ ...m, feerate_per_kw: 200_000 }), /unreasonably large/],
    ['dust_limit > channel_reserve', (m) => ({ ...m, dust_limit_satoshis: sat(m.channel_reserve_satoshis + 1n) }), /dust_limit_satoshis is greater than channel_reserve_satoshis/],
    ['dust_limit below 354', (m) => ({ ...m, dust_limit_satoshis: sat(353) }), /smaller than 354/],
    ['dust_limit too large', (m) => ({ ...m, dust_limit_satoshis: sat(10_001), channel_reserve_satoshis: sat(20_000) }), /dust_limit_satoshis .* too large/],
    ['channel_reserve too large', (m) => ({ ...m, channel_reserve_satoshis: sat(300_000) }), /channel_reserve_satoshis .* too large/],
    ['htlc_minimum too large', (m) => ({ ...m, htlc_minimum_msat: msat(20_000_000) }), /htlc_minimum_msat/],
    ['max_htlc_value_in_flight too small', (m) => ({ ...m, max_htlc_value_in_flight_msat: msat(1) }), /max_htlc_value_in_flight_msat/],
    ['invalid funding_pubkey', (m) => ({ ...m, funding_pubkey: badKey }), /funding_pubkey/],
    ['invalid revocation_basepoint', (m) => ({ ...m, revocation_basepoint: badKey }), /revocation_basepoint/],
    ['invalid payment_basepoint', (m) => ({ ...m, payment_basepoint: badKey }), /payment_basepoint/],
    ['invalid delayed_payment_basepoint', (m) => ({ ...m, delayed_payment_basepoint: badKey }), /delayed_payment_basepoint/],
    ['invalid htlc_basepoint', (m) => ({ ...m, htlc_basepoint: badKey }), /htlc_basepoint/],
    ['no channel_type', (m) => ({ ...m, tlvs: { upfront_shutdown_script: new Uint8Array(0) } }), /no channel_type/],
    ['unsuitable channel_type', (m) => ({ ...m, tlvs: { channel_type: Uint8Array.of(0x40, 0, 0, 0, 0, 0, 0x10, 0x00) } }), /channel_type is not suitable/],
    ['funding >= 2^24 without large channels', (m) => ({ ...m, funding_satoshis: sat(1 << 24) }), /2\^24/],
    ['funding too small', (m) => ({ ...m, funding_satoshis: sat(10_000), channel_reserve_satoshis: sat(546) }), /too small/],
    ['funder cannot pay the fee', (m) => ({ ...m, push_msat: msat(m.funding_satoshis * 1000n - 1000n) }), /cannot pay the initial commitment fee/],
    ['invalid upfront_shutdown_script', (m) => ({ ...m, tlvs: { ...m.tlvs, upfront_shutdown_script: Uint8Array.of(0x76, 0xa9) } }), /upfront_shutdown_script/],
  ];
  for (const [name, mutate, pattern] of cases) {
    test(name, () => {
      failedWith(startFundee(mutate(validOpen()), 7n, testEnv('B', 7n)), pattern);
    });
  }

  test('both outputs at or below reserve', () => {
    const m = { ...validOpen(), funding_satoshis: sat(20_000), channel_reserve_satoshis: sat(15_000), push_msat: msat(5_000_000) };
    const env = testEnv('B', 7n, { channelReservePpm: 700_000, maxChannelReservePpm: 1_000_000 });
    failedWith(startFundee(m, 7n, env), /at or below channel_reserve_satoshis/);
  });

  test("our reserve is raised to the funder's dust limit; their reserve below our dust limit fails", () => {
    const open = { ...validOpen(), dust_limit_satoshis: sat(5_000), channel_reserve_satoshis: sat(10_000) };
    const r = startFundee(open, 7n, testEnv('B', 7n, { channelReservePpm: 1000 }));
    const acc = r.effects.find((e) => e.kind === 'send_message');
    assert.ok(acc && acc.kind === 'send_message' && acc.message.type === 'accept_channel');
    assert.equal(acc.message.channel_reserve_satoshis, 5_000n);
    failedWith(startFundee({ ...validOpen(), channel_reserve_satoshis: sat(500), dust_limit_satoshis: sat(400) }, 7n, testEnv('B', 7n)), /below our dust_limit_satoshis/);
  });

  test('a valid open_channel is accepted with the same channel_type', () => {
    const open = validOpen();
    const r = startFundee(open, 7n, testEnv('B', 7n));
    assert.equal(r.state.name, 'AwaitingFundingCreated');
    assert.equal(r.effects[0]!.kind, 'persist');
    const acc = r.effects.find((e) => e.kind === 'send_message');
    assert.ok(acc && acc.kind === 'send_message' && acc.message.type === 'accept_channel');
    assert.deepEqual(acc.message.tlvs.channel_type, open.tlvs.channel_type);
    assert.equal(acc.message.minimum_depth, 3);
  });

  test('anchors are offered as bits 22 and 12; static_remotekey-only is accepted when configured', () => {
    assert.deepEqual(validOpen().tlvs.channel_type, Uint8Array.of(0x40, 0x10, 0x00));
    const legacy = validOpen({ anchors: false });
    assert.deepEqual(legacy.tlvs.channel_type, Uint8Array.of(0x10, 0x00));
    assert.equal(startFundee(legacy, 7n, testEnv('B', 7n)).state.name, 'AwaitingFundingCreated');
    failedWith(startFundee(legacy, 7n, testEnv('B', 7n, { acceptStaticRemotekey: false })), /channel_type is not suitable/);
  });
});

/** Drives A (funder) to AwaitingAcceptChannel and returns B's accept_channel. */
function funderWithAccept(): { a: Party; accept: AcceptChannel } {
  const a = new Party('A', testEnv('A', 1n));
  a.absorb(null, startFunder({ kind: 'open', temporaryChannelId: new Uint8Array(32).fill(9), fundingAmount: sat(1_000_000), pushAmount: msat(0), channelKeyIndex: 1n, announce: false, anchors: true }, a.env));
  const open = a.outbox.shift() as OpenChannel;
  const b = startFundee(open, 7n, testEnv('B', 7n));
  const m = b.effects.find((e) => e.kind === 'send_message');
  assert.ok(m && m.kind === 'send_message' && m.message.type === 'accept_channel');
  return { a, accept: m.message };
}

describe('accept_channel: the funder fails the channel for each violation', () => {
  const cases: [string, (m: AcceptChannel) => AcceptChannel, RegExp][] = [
    ['minimum_depth unreasonably large', (m) => ({ ...m, minimum_depth: 1000 }), /minimum_depth/],
    ['channel_reserve below open dust_limit', (m) => ({ ...m, channel_reserve_satoshis: sat(500), dust_limit_satoshis: sat(400) }), /less than dust_limit_satoshis within open_channel/],
    ['open channel_reserve below accept dust_limit', (m) => ({ ...m, dust_limit_satoshis: sat(10_001), channel_reserve_satoshis: sat(15_000) }), /from open_channel is less than dust_limit_satoshis/],
    ['no channel_type', (m) => ({ ...m, tlvs: {} }), /no channel_type/],
    ['channel_type mismatch', (m) => ({ ...m, tlvs: { channel_type: channelTypeFor('static_remotekey') } }), /does not match/],
    ['max_accepted_htlcs > 483', (m) => ({ ...m, max_accepted_htlcs: 484 }), /483/],
    ['to_self_delay too large', (m) => ({ ...m, to_self_delay: 60000 }), /to_self_delay/],
    ['dust limit below 354', (m) => ({ ...m, dust_limit_satoshis: sat(300) }), /354/],
    ['invalid first_per_commitment_point', (m) => ({ ...m, first_per_commitment_point: new Uint8Array(33) }), /first_per_commitment_point/],
  ];
  for (const [name, mutate, pattern] of cases) {
    test(name, () => {
      const { a, accept } = funderWithAccept();
      failedWith(step(a.state, { kind: 'message', message: mutate(accept) }, a.env), pattern);
    });
  }
  test('a valid accept_channel asks the wallet for the funding transaction', () => {
    const { a, accept } = funderWithAccept();
    const r = step(a.state, { kind: 'message', message: accept }, a.env);
    assert.equal(r.state.name, 'AwaitingFundingTx');
    const b = r.effects.find((e) => e.kind === 'build_funding_tx');
    assert.ok(b && b.kind === 'build_funding_tx' && b.amount === 1_000_000n && b.script.length === 34);
  });
});

/** Runs an open up to the funding_created message from A and B in AwaitingFundingCreated. */
function toFundingCreated(): { a: Party; b: Party } {
  const rng = new Rng(5);
  const a = new Party('A', testEnv('A', 1n));
  const b = new Party('B', testEnv('B', 7n));
  a.absorb(null, startFunder({ kind: 'open', temporaryChannelId: rng.bytes(32), fundingAmount: sat(500_000), pushAmount: msat(10_000_000), channelKeyIndex: 1n, announce: true, anchors: true }, a.env));
  b.absorb(null, startFundee(a.outbox.shift() as OpenChannel, 7n, b.env));
  deliver(b, a);
  const build = a.effects.find((e) => e.kind === 'build_funding_tx');
  assert.ok(build && build.kind === 'build_funding_tx');
  a.step({ kind: 'funding_tx_built', tx: fakeFundingTx(build.script, build.amount, rng), outputIndex: 1 });
  return { a, b };
}

describe('funding_created / funding_signed', () => {
  test('a bad signature in funding_created fails the channel and nothing is signed', () => {
    const { a, b } = toFundingCreated();
    const fc = a.outbox.shift()!;
    assert.equal(fc.type, 'funding_created');
    const bad = { ...fc, signature: Uint8Array.from(fc.type === 'funding_created' ? fc.signature : []).fill(1, 40, 41) };
    failedWith(step(b.state, { kind: 'message', message: bad }, b.env), /funding_created: invalid signature/);
  });

  test('a high-S signature is rejected (LOW-S rule)', async () => {
    const { CURVE_ORDER } = await import('../../src/crypto/index.ts');
    const { a, b } = toFundingCreated();
    const fc = a.outbox.shift()!;
    assert.ok(fc.type === 'funding_created');
    const sig = Uint8Array.from(fc.signature);
    let s = 0n;
    for (const x of sig.subarray(32)) s = (s << 8n) | BigInt(x);
    let hs = CURVE_ORDER - s;
    for (let i = 63; i >= 32; i--) {
      sig[i] = Number(hs & 0xffn);
      hs >>= 8n;
    }
    failedWith(step(b.state, { kind: 'message', message: { ...fc, signature: sig } }, b.env), /invalid signature/);
  });

  test('a bad signature in funding_signed fails the channel and the funding tx is not broadcast', () => {
    const { a, b } = toFundingCreated();
    deliver(a, b);
    assert.equal(stateName(b), 'AwaitingFundingConfirmed');
    const fs = b.outbox.shift()!;
    assert.ok(fs.type === 'funding_signed');
    const r = step(a.state, { kind: 'message', message: { ...fs, signature: new Uint8Array(64).fill(3) } }, a.env);
    failedWith(r, /funding_signed: invalid signature/);
    assert.ok(!r.effects.some((e) => e.kind === 'broadcast'));
  });

  test('a valid funding_signed broadcasts the funding tx and watches it; channel_id is txid xor index', () => {
    const { a, b } = toFundingCreated();
    deliver(a, b);
    const r = step(a.state, { kind: 'message', message: b.outbox.shift()! }, a.env);
    assert.equal(r.state.name, 'AwaitingFundingConfirmed');
    assert.deepEqual(r.effects.map((e) => e.kind), ['persist', 'watch_confirmations', 'watch_spend', 'broadcast']);
    const c = (r.state as Extract<ChannelState, { name: 'AwaitingFundingConfirmed' }>).commitments;
    const x = Uint8Array.from(c.params.funding.txid);
    x[31]! ^= 1;
    assert.deepEqual(c.params.channelId, x);
    assert.equal(c.localCommit.spec.toRemote, 10_000_000n);
  });
});

describe('funding confirmation and channel_ready', () => {
  test('the fundee checks the funding output script and amount before channel_ready', () => {
    const { a, b } = toFundingCreated();
    deliver(a, b);
    deliver(b, a);
    const c = (b.state as Extract<ChannelState, { name: 'AwaitingFundingConfirmed' }>).commitments;
    const scid = 0x1234n as never;
    const wrongAmount = step(b.state, { kind: 'funding_confirmed', depth: 3, shortChannelId: scid, output: { value: 499_999n, script: new Uint8Array(34) } }, b.env);
    failedWith(wrongAmount, /funding output on chain/);
    const missing = step(b.state, { kind: 'funding_confirmed', depth: 3, shortChannelId: scid, output: null }, b.env);
    failedWith(missing, /funding output on chain/);
    assert.equal(c.params.minimumDepth, 3);
  });

  test('below minimum_depth nothing is sent; channel_ready carries the alias and point #1; early channel_ready is kept', () => {
    const { a, b } = toFundingCreated();
    deliver(a, b);
    deliver(b, a);
    const watch = a.effects.find((e) => e.kind === 'watch_confirmations');
    assert.ok(watch && watch.kind === 'watch_confirmations');
    const out = { value: 500_000n, script: watch.script };
    const scid = 0x1234n as never;
    const early = step(b.state, { kind: 'funding_confirmed', depth: 2, shortChannelId: scid, output: out }, b.env);
    assert.equal(early.state, b.state);
    assert.ok(!early.effects.some((e) => e.kind === 'send_message'));
    a.step({ kind: 'funding_confirmed', depth: 3, shortChannelId: scid, output: out });
    assert.equal(stateName(a), 'AwaitingChannelReady');
    const ready = a.outbox[0]!;
    assert.ok(ready.type === 'channel_ready');
    assert.deepEqual(ready.second_per_commitment_point, a.env.signer.perCommitmentPoint(1n));
    assert.ok(ready.tlvs.short_channel_id !== undefined);
    deliver(a, b); // B gets channel_ready before its own confirmation
    assert.equal(stateName(b), 'AwaitingFundingConfirmed');
    b.step({ kind: 'funding_confirmed', depth: 3, shortChannelId: scid, output: out });
    assert.equal(stateName(b), 'Normal');
    flush(a, b);
    assert.equal(stateName(a), 'Normal');
  });

  test('the whole open, with a push, ends Normal on both sides with matching commitments', () => {
    const { a, b } = openPair({ push: msat(123_456_789n) });
    assert.equal(a.c.localCommit.spec.toRemote, 123_456_789n);
    assert.equal(b.c.localCommit.spec.toLocal, 123_456_789n);
    assert.deepEqual(a.c.remoteCommit.txid, b.c.localCommit.txid);
    assert.deepEqual(b.c.remoteCommit.txid, a.c.localCommit.txid);
  });

  test('a wallet that cannot fund the channel fails it with an error', () => {
    const { a, accept } = funderWithAccept();
    a.step({ kind: 'message', message: accept });
    a.step({ kind: 'funding_tx_failed', reason: 'insufficient funds' });
    assert.equal(stateName(a), 'Errored');
    assert.ok(a.outbox.some((m) => m.type === 'error'));
  });

  test('a funding tx that does not pay the funding output is refused', () => {
    const { a, accept } = funderWithAccept();
    a.step({ kind: 'message', message: accept });
    const rng = new Rng(3);
    a.step({ kind: 'funding_tx_built', tx: fakeFundingTx(new Uint8Array(34), 1_000_000n, rng), outputIndex: 1 });
    assert.equal(stateName(a), 'Errored');
    assert.ok(!a.outbox.some((m) => m.type === 'funding_created'));
  });

  test('disconnecting before funding_signed forgets the channel', () => {
    const { a } = toFundingCreated();
    a.step({ kind: 'disconnected' });
    assert.equal(stateName(a), 'Closed');
  });

  test('a peer error fails the channel without answering with an error', () => {
    const { a } = openPair();
    const r = step(a.state, { kind: 'message', message: { type: 'error', channel_id: a.c.params.channelId, data: utf8('boom') } }, a.env);
    assert.equal(r.state.name, 'Errored');
    assert.ok(!r.effects.some((e) => e.kind === 'send_message'));
    assert.ok(r.effects.some((e) => e.kind === 'broadcast' && e.label === 'commitment'));
  });
});
