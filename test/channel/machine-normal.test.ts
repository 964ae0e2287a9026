/**
 * Normal operation (BOLT #2): HTLC state walk, every limit on adding HTLCs (as sender and
 * receiver), removal rules, commitment_signed / revoke_and_ack checks, update_fee rules and
 * dust exposure. A peer that breaks a rule gets `error` and nothing of ours is signed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { msat } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import {
  inLocalCommitment,
  inRemoteCommitment,
  onRecvCommit,
  onRecvRevoke,
  onSendCommit,
  onSendRevoke,
  type HtlcState,
  step,
  type ChannelMessage, type Effect, type StepResult, type UpdateAddHtlc } from '../../src/channel/index.ts';
import { deliver, flush, openPair, Party, preimageFor, stateName } from './machine-harness.ts';

const ONION = new Uint8Array(1366);

function add(p: Party, amount: bigint, n: number, cltv = 800_144): Effect[] {
  return p.step({ kind: 'command', command: { kind: 'add_htlc', amount: msat(amount), paymentHash: sha256(preimageFor(n)), cltvExpiry: cltv, onion: ONION } });
}

function rejection(effects: Effect[]): string | null {
  const r = effects.find((e) => e.kind === 'command_rejected');
  return r && r.kind === 'command_rejected' ? r.reason : null;
}

/** Adds an HTLC from p to q and runs the full commitment dance. */
function addCommitted(p: Party, q: Party, amount: bigint, n: number): bigint {
  assert.equal(rejection(add(p, amount, n)), null);
  p.step({ kind: 'command', command: { kind: 'sign' } });
  flush(p, q);
  return p.c.nextLocalHtlcId - 1n;
}

function assertFailed(r: StepResult | Party, pattern: RegExp): void {
  const state = r instanceof Party ? r.state : r.state;
  const effects = r instanceof Party ? r.effects : r.effects;
  assert.equal(state.name, 'Errored');
  const f = effects.find((e) => e.kind === 'fail_channel');
  assert.ok(f && f.kind === 'fail_channel', 'fail_channel effect');
  assert.match(new TextDecoder().decode(f.error.data), pattern);
  assert.ok(effects.some((e) => e.kind === 'send_message' && e.message.type === 'error'));
  // Our latest commitment (signed by the peer) is broadcast; nothing new is signed for the peer.
  assert.ok(effects.some((e) => e.kind === 'broadcast' && e.label === 'commitment'));
}

function receive(p: Party, m: ChannelMessage): StepResult {
  return step(p.state, { kind: 'message', message: m }, p.env);
}

function noNewSignatures(r: StepResult): void {
  assert.ok(!r.effects.some((e) => e.kind === 'send_message' && (e.message.type === 'commitment_signed' || e.message.type === 'revoke_and_ack')));
}

describe('HTLC states follow the protocol steps', () => {
  test('each step changes only the commitment it signs; revocations change no membership', () => {
    const all: HtlcState[] = [
      'SENT_ADD_HTLC', 'SENT_ADD_COMMIT', 'RCVD_ADD_REVOCATION', 'RCVD_ADD_ACK_COMMIT', 'SENT_ADD_ACK_REVOCATION',
      'RCVD_REMOVE_HTLC', 'RCVD_REMOVE_COMMIT', 'SENT_REMOVE_REVOCATION', 'SENT_REMOVE_ACK_COMMIT', 'RCVD_REMOVE_ACK_REVOCATION',
      'RCVD_ADD_HTLC', 'RCVD_ADD_COMMIT', 'SENT_ADD_REVOCATION', 'SENT_ADD_ACK_COMMIT', 'RCVD_ADD_ACK_REVOCATION',
      'SENT_REMOVE_HTLC', 'SENT_REMOVE_COMMIT', 'RCVD_REMOVE_REVOCATION', 'RCVD_REMOVE_ACK_COMMIT', 'SENT_REMOVE_ACK_REVOCATION',
    ];
    let flips = 0;
    for (const st of all) {
      for (const t of [onSendCommit, onRecvRevoke]) assert.equal(inLocalCommitment(t(st)), inLocalCommitment(st), `${st} local`);
      for (const t of [onRecvCommit, onSendRevoke]) assert.equal(inRemoteCommitment(t(st)), inRemoteCommitment(st), `${st} remote`);
      for (const t of [onRecvRevoke, onSendRevoke]) {
        assert.equal(inLocalCommitment(t(st)), inLocalCommitment(st));
        assert.equal(inRemoteCommitment(t(st)), inRemoteCommitment(st));
      }
      if (onSendCommit(st) !== st) flips++;
      if (onRecvCommit(st) !== st) flips++;
    }
    assert.equal(flips, 8);
  });

  test('offered and received HTLCs walk SENT_ADD_* / RCVD_ADD_* and the REMOVE_ states', () => {
    const { a, b } = openPair({ push: msat(100_000_000n) });
    const stA = () => a.c.htlcs[0]?.state;
    const stB = () => b.c.htlcs[0]?.state;
    add(a, 5_000_000n, 1);
    assert.equal(stA(), 'SENT_ADD_HTLC');
    deliver(a, b);
    assert.equal(stB(), 'RCVD_ADD_HTLC');
    a.step({ kind: 'command', command: { kind: 'sign' } });
    assert.equal(stA(), 'SENT_ADD_COMMIT');
    deliver(a, b); // commitment_signed → B revokes and signs back
    assert.equal(stB(), 'SENT_ADD_ACK_COMMIT');
    assert.deepEqual(b.outbox.map((m) => m.type), ['revoke_and_ack', 'commitment_signed']);
    deliver(b, a, 1);
    assert.equal(stA(), 'RCVD_ADD_REVOCATION');
    deliver(b, a, 1);
    assert.equal(stA(), 'SENT_ADD_ACK_REVOCATION');
    deliver(a, b);
    assert.equal(stB(), 'RCVD_ADD_ACK_REVOCATION');
    const received = b.effects.find((e) => e.kind === 'htlc_received');
    assert.ok(received && received.kind === 'htlc_received' && received.amount === 5_000_000n && !received.mustFail);
    // Removal by B.
    b.step({ kind: 'command', command: { kind: 'fulfill_htlc', id: 0n, preimage: preimageFor(1) } });
    assert.equal(stB(), 'SENT_REMOVE_HTLC');
    deliver(b, a);
    assert.equal(stA(), 'RCVD_REMOVE_HTLC');
    assert.ok(a.effects.some((e) => e.kind === 'htlc_settled'));
    b.step({ kind: 'command', command: { kind: 'sign' } });
    assert.equal(stB(), 'SENT_REMOVE_COMMIT');
    deliver(b, a);
    assert.equal(stA(), 'SENT_REMOVE_ACK_COMMIT');
    deliver(a, b, 1);
    assert.equal(stB(), 'RCVD_REMOVE_REVOCATION');
    deliver(a, b, 1);
    assert.equal(b.c.htlcs.length, 0);
    deliver(b, a);
    assert.equal(a.c.htlcs.length, 0);
    assert.equal(a.c.localCommit.spec.toLocal, 900_000_000n - 5_000_000n);
    assert.equal(b.c.localCommit.spec.toLocal, 105_000_000n);
  });
});

describe('adding HTLCs: our command is refused when a limit would be broken', () => {
  test('amount 0, below htlc_minimum_msat, cltv_expiry >= 500000000', () => {
    const { a } = openPair();
    assert.match(rejection(add(a, 0n, 1))!, /greater than 0/);
    assert.match(rejection(add(a, 999n, 1))!, /htlc_minimum_msat/);
    assert.match(rejection(add(a, 10_000n, 1, 500_000_000))!, /500000000/);
    assert.equal(a.c.htlcs.length, 0);
    assert.equal(a.c.nextLocalHtlcId, 0n);
  });

  test("more than the peer's max_accepted_htlcs", () => {
    const { a } = openPair({ configB: { maxAcceptedHtlcs: 5 } });
    for (let i = 0; i < 5; i++) assert.equal(rejection(add(a, 1_000_000n, i)), null);
    assert.match(rejection(add(a, 1_000_000n, 6))!, /max_accepted_htlcs/);
  });

  test("more than the peer's max_htlc_value_in_flight_msat", () => {
    const { a } = openPair({ configB: { maxHtlcValueInFlight: msat(50_000_000n) } });
    assert.equal(rejection(add(a, 30_000_000n, 1)), null);
    assert.match(rejection(add(a, 30_000_000n, 2))!, /max_htlc_value_in_flight_msat/);
  });

  test('the channel reserve', () => {
    const { b } = openPair({ push: msat(400_000_000n) });
    assert.match(rejection(add(b, 395_000_000n, 1))!, /reserve/);
    assert.equal(rejection(add(b, 389_000_000n, 2)), null);
  });

  test('the funder keeps a fee spike buffer (2x feerate)', () => {
    const { a } = openPair({ funding: 600_000n });
    // Reserve 6000 sat; at 2500 sat/kw the fee with this HTLC is 3900 sat, at 2x with one more
    // HTLC 8000 sat: 588M msat is affordable now but not with the buffer.
    assert.match(rejection(add(a, 588_000_000n, 1))!, /fee spike/);
    assert.equal(rejection(add(a, 585_000_000n, 2)), null);
  });

  test('dust exposure on both commitments', () => {
    // 500 sat is below the 546 sat dust limit: trimmed on both commitments.
    const { a } = openPair({ configA: { maxDustExposure: msat(900_000n) } });
    assert.equal(rejection(add(a, 500_000n, 1)), null);
    assert.match(rejection(add(a, 500_000n, 2))!, /dust exposure/);
    assert.equal(rejection(add(a, 600_000n, 3)), null);
  });

  test('adds while disconnected or before Normal are refused', () => {
    const { a } = openPair();
    a.step({ kind: 'disconnected' });
    assert.match(rejection(add(a, 1_000_000n, 1))!, /not connected/);
  });
});

describe('receiving update_add_htlc: a peer breaking a limit fails the channel', () => {
  function msgFor(a: Party, over: Partial<UpdateAddHtlc>): UpdateAddHtlc {
    return { type: 'update_add_htlc', channel_id: a.c.params.channelId, id: 0n, amount_msat: msat(1_000_000n), payment_hash: sha256(preimageFor(1)), cltv_expiry: 800_144, onion_routing_packet: ONION, tlvs: {}, ...over };
  }
  test('id out of sequence', () => {
    const { a, b } = openPair();
    const r = receive(b, msgFor(a, { id: 5n }));
    assertFailed(r, /out of sequence/);
    noNewSignatures(r);
  });
  test('amount 0 and below htlc_minimum_msat', () => {
    const { a, b } = openPair();
    assertFailed(receive(b, msgFor(a, { amount_msat: msat(0) })), /greater than 0/);
    assertFailed(receive(b, msgFor(a, { amount_msat: msat(999) })), /htlc_minimum_msat/);
  });
  test('cltv_expiry >= 500000000', () => {
    const { a, b } = openPair();
    assertFailed(receive(b, msgFor(a, { cltv_expiry: 500_000_000 })), /500000000/);
  });
  test('more than our max_accepted_htlcs', () => {
    const { a, b } = openPair({ configB: { maxAcceptedHtlcs: 5 } });
    for (let i = 0; i < 5; i++) b.step({ kind: 'message', message: msgFor(a, { id: BigInt(i) }) });
    assert.equal(stateName(b), 'Normal');
    assertFailed(receive(b, msgFor(a, { id: 5n })), /max_accepted_htlcs/);
  });
  test('more than our max_htlc_value_in_flight_msat', () => {
    const { a, b } = openPair({ configB: { maxHtlcValueInFlight: msat(50_000_000n) } });
    b.step({ kind: 'message', message: msgFor(a, { amount_msat: msat(30_000_000n) }) });
    assertFailed(receive(b, msgFor(a, { id: 1n, amount_msat: msat(30_000_000n) })), /max_htlc_value_in_flight_msat/);
  });
  test('an HTLC the sender cannot afford', () => {
    const { a, b } = openPair({ push: msat(400_000_000n) });
    assertFailed(receive(a, { ...msgFor(b, { amount_msat: msat(399_000_000n) }), channel_id: a.c.params.channelId }), /cannot afford/);
  });
  test('dust exposure over our limit: accepted, but flagged to fail once committed', () => {
    const { a, b } = openPair({ configB: { maxDustExposure: msat(400_000n) } });
    addCommitted(a, b, 500_000n, 1);
    const r = b.effects.find((e) => e.kind === 'htlc_received');
    assert.ok(r && r.kind === 'htlc_received' && r.mustFail);
  });
});

describe('removing HTLCs', () => {
  test('the fulfil command checks the preimage and that the HTLC is irrevocably committed', () => {
    const { a, b } = openPair();
    add(a, 2_000_000n, 1);
    deliver(a, b);
    assert.match(rejection(b.step({ kind: 'command', command: { kind: 'fulfill_htlc', id: 0n, preimage: preimageFor(1) } }))!, /not irrevocably committed/);
    a.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    assert.match(rejection(b.step({ kind: 'command', command: { kind: 'fulfill_htlc', id: 0n, preimage: preimageFor(2) } }))!, /preimage/);
    assert.match(rejection(b.step({ kind: 'command', command: { kind: 'fail_malformed_htlc', id: 0n, sha256OfOnion: sha256(ONION), failureCode: 0x4005 } }))!, /BADONION/);
    assert.equal(rejection(b.step({ kind: 'command', command: { kind: 'fulfill_htlc', id: 0n, preimage: preimageFor(1) } })), null);
  });
  test('update_fulfill_htlc with a wrong preimage, or an unknown id, fails the channel', () => {
    const { a, b } = openPair();
    addCommitted(a, b, 2_000_000n, 1);
    const id = a.c.params.channelId;
    assertFailed(receive(a, { type: 'update_fulfill_htlc', channel_id: id, id: 0n, payment_preimage: preimageFor(9), tlvs: {} }), /does not hash/);
    assertFailed(receive(a, { type: 'update_fulfill_htlc', channel_id: id, id: 7n, payment_preimage: preimageFor(1), tlvs: {} }), /no committed offered HTLC/);
    assertFailed(receive(a, { type: 'update_fail_htlc', channel_id: id, id: 7n, reason: new Uint8Array(10), tlvs: {} }), /no committed offered HTLC/);
  });
  test('update_fail_malformed_htlc needs the BADONION bit; a failure is reported once irrevocable', () => {
    const { a, b } = openPair();
    addCommitted(a, b, 2_000_000n, 1);
    const id = a.c.params.channelId;
    assertFailed(receive(a, { type: 'update_fail_malformed_htlc', channel_id: id, id: 0n, sha256_of_onion: sha256(ONION), failure_code: 0x4005 }), /BADONION/);
    b.step({ kind: 'command', command: { kind: 'fail_malformed_htlc', id: 0n, sha256OfOnion: sha256(ONION), failureCode: 0xc005 } });
    b.step({ kind: 'command', command: { kind: 'sign' } });
    assert.ok(!a.effects.some((e) => e.kind === 'htlc_failed'));
    flush(a, b);
    const f = a.effects.find((e) => e.kind === 'htlc_failed');
    assert.ok(f && f.kind === 'htlc_failed' && f.removal.kind === 'fail_malformed' && f.removal.failureCode === 0xc005);
    assert.equal(a.c.localCommit.spec.toLocal, 1_000_000_000n);
  });
});

describe('commitment_signed and revoke_and_ack', () => {
  function pendingCommit(): { a: Party; b: Party } {
    const { a, b } = openPair();
    addCommitted(a, b, 5_000_000n, 1);
    add(a, 6_000_000n, 2);
    add(a, 7_000_000n, 3);
    a.step({ kind: 'command', command: { kind: 'sign' } });
    deliver(a, b, 2); // the two adds
    assert.equal(a.outbox[0]!.type, 'commitment_signed');
    return { a, b };
  }
  test('a bad commitment signature fails the channel; no revoke_and_ack is sent', () => {
    const { a, b } = pendingCommit();
    const cs = a.outbox.shift()!;
    assert.ok(cs.type === 'commitment_signed');
    const r = receive(b, { ...cs, signature: Uint8Array.from(cs.signature).fill(0x11, 10, 12) });
    assertFailed(r, /invalid commitment signature/);
    noNewSignatures(r);
  });
  test('too many or too few HTLC signatures', () => {
    const { a, b } = pendingCommit();
    const cs = a.outbox.shift()!;
    assert.ok(cs.type === 'commitment_signed');
    assert.equal(cs.htlc_signature.length, 3);
    assertFailed(receive(b, { ...cs, htlc_signature: cs.htlc_signature.slice(1) }), /expected 3 HTLC signatures, got 2/);
    assertFailed(receive(b, { ...cs, htlc_signature: [...cs.htlc_signature, cs.htlc_signature[0]!] }), /expected 3 HTLC signatures, got 4/);
  });
  test('a bad HTLC signature (or one in the wrong order)', () => {
    const { a, b } = pendingCommit();
    const cs = a.outbox.shift()!;
    assert.ok(cs.type === 'commitment_signed');
    const swapped = [cs.htlc_signature[1]!, cs.htlc_signature[0]!, cs.htlc_signature[2]!];
    assertFailed(receive(b, { ...cs, htlc_signature: swapped }), /invalid HTLC signature/);
  });
  test('a commitment_signed without updates', () => {
    const { a, b } = openPair();
    const cs = { type: 'commitment_signed' as const, channel_id: a.c.params.channelId, signature: new Uint8Array(64), htlc_signature: [], tlvs: {} };
    assertFailed(receive(b, cs), /without any updates/);
  });
  test('revoke_and_ack with a wrong secret, or unexpected', () => {
    const { a, b } = pendingCommit();
    deliver(a, b);
    const raa = b.outbox.shift()!;
    assert.ok(raa.type === 'revoke_and_ack');
    const r = receive(a, { ...raa, per_commitment_secret: sha256(raa.per_commitment_secret) });
    assertFailed(r, /does not generate the previous per_commitment_point/);
    noNewSignatures(r);
    assertFailed(receive(a, { ...raa, per_commitment_secret: new Uint8Array(32) }), /per_commitment_secret/);
    a.step({ kind: 'message', message: raa });
    assertFailed(receive(a, raa), /unexpected revoke_and_ack/);
  });
});

describe('update_fee', () => {
  test('only the funder sends it; a fundee command is refused and a fundee message fails the channel', () => {
    const { a, b } = openPair({ push: msat(100_000_000n) });
    assert.match(rejection(b.step({ kind: 'command', command: { kind: 'update_fee', feeratePerKw: 3000 } }))!, /only the funder/);
    assertFailed(receive(a, { type: 'update_fee', channel_id: a.c.params.channelId, feerate_per_kw: 3000 }), /not responsible/);
  });
  test('too low or unreasonably large', () => {
    const { a, b } = openPair();
    const id = b.c.params.channelId;
    assertFailed(receive(b, { type: 'update_fee', channel_id: id, feerate_per_kw: 200 }), /too low/);
    assertFailed(receive(b, { type: 'update_fee', channel_id: id, feerate_per_kw: 150_000 }), /unreasonably large/);
    void a;
  });
  test('a feerate the funder cannot afford', () => {
    const { a, b } = openPair({ funding: 100_000n, push: msat(80_000_000n) });
    assert.match(rejection(a.step({ kind: 'command', command: { kind: 'update_fee', feeratePerKw: 90_000 } }))!, /cannot pay fee/);
    assertFailed(receive(b, { type: 'update_fee', channel_id: b.c.params.channelId, feerate_per_kw: 90_000 }), /cannot pay fee/);
  });
  test('an increase that trims HTLCs past our dust exposure limit (no anchors)', () => {
    const { a, b } = openPair({ anchors: false, configB: { maxDustExposure: msat(2_000_000n) } });
    addCommitted(a, b, 3_000_000n, 1);
    assert.equal(stateName(b), 'Normal');
    assertFailed(receive(b, { type: 'update_fee', channel_id: b.c.params.channelId, feerate_per_kw: 5000 }), /dust exposure/);
  });
  test('a fee update is applied to both commitments after the dance', () => {
    const { a, b } = openPair();
    assert.equal(rejection(a.step({ kind: 'command', command: { kind: 'update_fee', feeratePerKw: 4000 } })), null);
    a.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    for (const p of [a, b]) {
      assert.equal(p.c.localCommit.spec.feeratePerKw, 4000);
      assert.equal(p.c.remoteCommit.spec.feeratePerKw, 4000);
      assert.equal(p.c.fees.length, 0);
    }
  });
});

describe('robustness', () => {
  test('random peer messages never throw: the channel stays Normal or fails with error (fast-check)', async () => {
    const fc = (await import('fast-check')).default;
    const { a, b } = openPair({ push: msat(100_000_000n) });
    addCommitted(a, b, 5_000_000n, 1);
    addCommitted(b, a, 3_000_000n, 2);
    const id = b.c.params.channelId;
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    const message = fc.oneof(
      fc.record({ type: fc.constant('update_add_htlc' as const), channel_id: fc.constant(id), id: fc.bigInt({ min: 0n, max: 3n }), amount_msat: u64.map((x) => msat(x)), payment_hash: bytes(32), cltv_expiry: fc.nat(), onion_routing_packet: fc.constant(ONION), tlvs: fc.constant({}) }),
      fc.record({ type: fc.constant('update_fulfill_htlc' as const), channel_id: fc.constant(id), id: fc.bigInt({ min: 0n, max: 3n }), payment_preimage: bytes(32) }),
      fc.record({ type: fc.constant('update_fail_htlc' as const), channel_id: fc.constant(id), id: fc.bigInt({ min: 0n, max: 3n }), reason: fc.uint8Array({ maxLength: 300 }) }),
      fc.record({ type: fc.constant('update_fail_malformed_htlc' as const), channel_id: fc.constant(id), id: fc.bigInt({ min: 0n, max: 3n }), sha256_of_onion: bytes(32), failure_code: fc.integer({ min: 0, max: 0xffff }) }),
      fc.record({ type: fc.constant('update_fee' as const), channel_id: fc.constant(id), feerate_per_kw: fc.integer({ min: 0, max: 0xffffffff }) }),
      fc.record({ type: fc.constant('commitment_signed' as const), channel_id: fc.constant(id), signature: bytes(64), htlc_signature: fc.array(bytes(64), { maxLength: 4 }) }),
      fc.record({ type: fc.constant('revoke_and_ack' as const), channel_id: fc.constant(id), per_commitment_secret: bytes(32), next_per_commitment_point: fc.constant(a.env.signer.perCommitmentPoint(9n)) }),
      fc.record({ type: fc.constant('shutdown' as const), channel_id: fc.constant(id), scriptpubkey: fc.uint8Array({ maxLength: 40 }) }),
      fc.record({ type: fc.constant('channel_reestablish' as const), channel_id: fc.constant(id), next_commitment_number: u64, next_revocation_number: u64, your_last_per_commitment_secret: bytes(32), my_current_per_commitment_point: fc.constant(a.env.signer.perCommitmentPoint(1n)) }),
    );
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), (msgs) => {
        let s = b.state;
        for (const m of msgs) {
          const r = step(s, { kind: 'message', message: m as ChannelMessage }, b.env);
          assert.ok(['Normal', 'ShuttingDown', 'Errored'].includes(r.state.name), r.state.name);
          s = r.state;
        }
      }),
      { numRuns: 150, seed: 7 },
    );
  });
});
