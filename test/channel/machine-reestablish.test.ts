/**
 * Reestablishment (BOLT #2 "Message Retransmission"): retransmitting exactly what the peer
 * missed in the original order, channel_ready retransmission, the data-loss-protect checks
 * (a peer that proves we are behind → we must not broadcast), and messages before
 * channel_reestablish.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { msat } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { step, type ChannelMessage, type ChannelReestablish, type ChannelState } from '../../src/channel/index.ts';
import { checkInvariants, deliver, flush, openPair, Party, preimageFor, stateName } from './machine-harness.ts';

function add(p: Party, amount: bigint, n: number): void {
  p.step({ kind: 'command', command: { kind: 'add_htlc', amount: msat(amount), paymentHash: sha256(preimageFor(n)), cltvExpiry: 800_144, onion: new Uint8Array(1366) } });
}

/** Disconnects (dropping in-flight messages) and reconnects; returns both reestablish messages. */
function reconnect(a: Party, b: Party): { ra: ChannelReestablish; rb: ChannelReestablish } {
  a.outbox = [];
  b.outbox = [];
  for (const p of [a, b]) p.step({ kind: 'disconnected' });
  for (const p of [a, b]) p.step({ kind: 'reconnected' });
  const ra = a.outbox.shift()!;
  const rb = b.outbox.shift()!;
  assert.ok(ra.type === 'channel_reestablish' && rb.type === 'channel_reestablish');
  return { ra, rb };
}

const types = (ms: ChannelMessage[]) => ms.map((m) => m.type);

describe('retransmission', () => {
  test('channel_ready is retransmitted when both next_commitment_number are 1', () => {
    const { a, b } = openPair();
    const { ra, rb } = reconnect(a, b);
    assert.equal(ra.next_commitment_number, 1n);
    assert.equal(ra.next_revocation_number, 0n);
    assert.deepEqual(ra.your_last_per_commitment_secret, new Uint8Array(32));
    b.step({ kind: 'message', message: ra });
    a.step({ kind: 'message', message: rb });
    assert.deepEqual(types(a.outbox), ['channel_ready']);
    flush(a, b);
    assert.equal(stateName(a), 'Normal');
    checkInvariants(a, b, true);
  });

  test('revoke_and_ack then commitment_signed, retransmitted in that order with the updates', () => {
    const { a, b } = openPair({ push: msat(100_000_000n) });
    add(a, 2_000_000n, 1);
    a.step({ kind: 'command', command: { kind: 'sign' } });
    add(b, 3_000_000n, 2);
    deliver(a, b); // B revokes, then signs (its own add and A's add)
    assert.deepEqual(types(b.outbox), ['update_add_htlc', 'revoke_and_ack', 'commitment_signed']);
    const { ra, rb } = reconnect(a, b);
    b.step({ kind: 'message', message: ra });
    a.step({ kind: 'message', message: rb });
    assert.deepEqual(types(b.outbox), ['revoke_and_ack', 'update_add_htlc', 'commitment_signed']);
    flush(a, b);
    checkInvariants(a, b, true);
    assert.equal(a.c.htlcs.length, 2);
  });

  test('commitment_signed then revoke_and_ack, retransmitted in that order', () => {
    const { a, b } = openPair({ push: msat(100_000_000n) });
    add(a, 2_000_000n, 1);
    add(b, 3_000_000n, 2);
    a.step({ kind: 'command', command: { kind: 'sign' } });
    b.step({ kind: 'command', command: { kind: 'sign' } });
    assert.deepEqual(types(b.outbox), ['update_add_htlc', 'commitment_signed']);
    const bSent = b.outbox;
    b.outbox = [];
    deliver(a, b); // B gets A's add and commit while its own commit is unacknowledged
    assert.deepEqual(types(b.outbox), ['revoke_and_ack']);
    // A received nothing from B.
    void bSent;
    const { ra, rb } = reconnect(a, b);
    b.step({ kind: 'message', message: ra });
    a.step({ kind: 'message', message: rb });
    assert.deepEqual(types(b.outbox), ['update_add_htlc', 'commitment_signed', 'revoke_and_ack']);
    flush(a, b);
    checkInvariants(a, b, true);
  });

  test('unsigned proposals are proposed again after reconnection, and the peer forgot its own', () => {
    const { a, b } = openPair({ push: msat(100_000_000n) });
    add(a, 2_000_000n, 1);
    add(b, 2_500_000n, 2);
    deliver(a, b);
    assert.equal(b.c.htlcs.length, 2);
    const { ra, rb } = reconnect(a, b);
    // B reversed A's uncommitted add; A reversed none of its own.
    assert.equal(b.c.htlcs.filter((h) => h.direction === 'received').length, 0);
    assert.equal(b.c.nextRemoteHtlcId, 0n);
    b.step({ kind: 'message', message: ra });
    a.step({ kind: 'message', message: rb });
    assert.ok(types(a.outbox).includes('update_add_htlc'));
    flush(a, b);
    for (const p of [a, b]) p.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    checkInvariants(a, b, true);
    assert.equal(a.c.htlcs.length, 2);
  });

  test('a restart (no disconnected event) also reverses the peer uncommitted updates', () => {
    const { a, b } = openPair({ push: msat(100_000_000n) });
    add(a, 2_000_000n, 1);
    deliver(a, b);
    assert.equal(b.c.htlcs.length, 1, 'B holds A\'s unsigned add');
    // B restarts from its store: the loaded state still says the link is up.
    b.restart();
    a.outbox = [];
    a.step({ kind: 'disconnected' });
    for (const p of [a, b]) p.step({ kind: 'reconnected' });
    assert.equal(b.c.htlcs.length, 0, 'the uncommitted add is reversed');
    assert.equal(b.c.nextRemoteHtlcId, 0n);
    flush(a, b); // A proposes it again with the same id: no "out of sequence" failure
    a.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    assert.equal(stateName(b), 'Normal');
    assert.equal(b.c.htlcs.length, 1);
    checkInvariants(a, b, true);
  });

  test('a fulfill decided while the link is down is kept and sent after reestablish', () => {
    const { a, b } = openPair({ push: msat(100_000_000n) });
    add(a, 2_000_000n, 1);
    a.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    a.outbox = [];
    b.outbox = [];
    for (const p of [a, b]) p.step({ kind: 'disconnected' });
    const effects = b.step({ kind: 'command', command: { kind: 'fulfill_htlc', id: 0n, preimage: preimageFor(1) } });
    assert.ok(!effects.some((e) => e.kind === 'command_rejected'), 'accepted while down');
    assert.ok(!effects.some((e) => e.kind === 'send_message'), 'nothing sent while down');
    for (const p of [a, b]) p.step({ kind: 'reconnected' });
    flush(a, b);
    b.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    assert.ok(a.effects.some((e) => e.kind === 'htlc_settled'), 'the payer learns the preimage');
    assert.equal(a.c.htlcs.length, 0);
    assert.equal(b.c.htlcs.length, 0);
    checkInvariants(a, b, true);
  });

  test('messages before channel_reestablish are ignored; an early channel_ready is tolerated', () => {
    const { a, b } = openPair();
    reconnect(a, b);
    const r = step(a.state, { kind: 'message', message: { type: 'update_fee', channel_id: a.c.params.channelId, feerate_per_kw: 3000 } }, a.env);
    assert.equal(r.state.name, 'Normal');
    assert.equal(r.effects.some((e) => e.kind === 'persist'), false);
    const ready = step(a.state, { kind: 'message', message: { type: 'channel_ready', channel_id: a.c.params.channelId, second_per_commitment_point: b.env.signer.perCommitmentPoint(1n), tlvs: {} } }, a.env);
    assert.equal(ready.state.name, 'Normal');
  });
});

describe('data loss protection', () => {
  test('a peer proving we lost state: we fail without broadcasting our commitment', () => {
    const { a, b } = openPair({ push: msat(100_000_000n) });
    const old: ChannelState = a.state;
    for (let i = 0; i < 3; i++) {
      add(a, 1_000_000n, i);
      a.step({ kind: 'command', command: { kind: 'sign' } });
      flush(a, b);
    }
    a.state = old; // A restored from an old backup
    const { ra, rb } = reconnect(a, b);
    assert.ok(rb.next_revocation_number > ra.next_commitment_number - 1n);
    const r = step(a.state, { kind: 'message', message: rb }, a.env);
    assert.equal(r.state.name, 'Errored');
    assert.ok(r.state.name === 'Errored' && r.state.dataLoss);
    assert.ok(!r.effects.some((e) => e.kind === 'broadcast'), 'must not broadcast our commitment');
    assert.ok(r.effects.some((e) => e.kind === 'send_message' && e.message.type === 'error'));
  });

  test('a wrong your_last_per_commitment_secret fails the channel', () => {
    const { a, b } = openPair();
    add(a, 1_000_000n, 1);
    a.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    const { rb } = reconnect(a, b);
    assert.equal(rb.next_revocation_number, 1n);
    const r = step(a.state, { kind: 'message', message: { ...rb, your_last_per_commitment_secret: new Uint8Array(32).fill(1) } }, a.env);
    assert.equal(r.state.name, 'Errored');
    assert.ok(r.effects.some((e) => e.kind === 'broadcast' && e.label === 'commitment'));
  });

  test('next_commitment_number of zero, or from the future without proof, fails the channel', () => {
    const { a, b } = openPair();
    const { rb } = reconnect(a, b);
    assert.equal(step(a.state, { kind: 'message', message: { ...rb, next_commitment_number: 0n } }, a.env).state.name, 'Errored');
    assert.equal(step(a.state, { kind: 'message', message: { ...rb, next_commitment_number: 9n } }, a.env).state.name, 'Errored');
    assert.equal(step(a.state, { kind: 'message', message: { ...rb, next_revocation_number: 4n } }, a.env).state.name, 'Errored');
  });
});
