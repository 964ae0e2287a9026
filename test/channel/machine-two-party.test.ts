/**
 * Two machines wired together: open, many random HTLCs both ways (some concurrent), update_fee,
 * disconnect/reestablish mid-dance, and a cooperative close. After every step balances are
 * conserved to the millisatoshi; after every flush each side's view of the other's commitment
 * builds to the txid the other side holds (all signatures made and checked with the real Signer).
 */
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { msat, type Msat } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { txid } from '../../src/bitcoin/index.ts';
import type { Effect } from '../../src/channel/index.ts';
import { checkInvariants, deliver, flush, openPair, Party, preimageFor, Rng, stateName } from './machine-harness.ts';

function rejected(effects: Effect[]): boolean {
  return effects.some((e) => e.kind === 'command_rejected');
}

function reconnect(a: Party, b: Party): void {
  a.outbox = [];
  b.outbox = [];
  a.step({ kind: 'disconnected' });
  b.step({ kind: 'disconnected' });
  a.step({ kind: 'reconnected' });
  b.step({ kind: 'reconnected' });
  // Both channel_reestablish messages cross before anything else.
  const ra = a.outbox.shift()!;
  const rb = b.outbox.shift()!;
  assert.equal(ra.type, 'channel_reestablish');
  assert.equal(rb.type, 'channel_reestablish');
  b.step({ kind: 'message', message: ra });
  a.step({ kind: 'message', message: rb });
  for (const m of [...a.outbox, ...b.outbox]) retransmitted[m.type] = (retransmitted[m.type] ?? 0) + 1;
}

const retransmitted: Record<string, number> = {};

function runDance(seed: number, anchors: boolean, steps: number): void {
  const rng = new Rng(seed);
  const { a, b } = openPair({ push: msat(400_000_000n), anchors, seed });
  checkInvariants(a, b, true);
  const parties = [a, b];
  const other = (p: Party) => (p === a ? b : a);
  const expected = new Map<Party, bigint>([
    [a, a.c.localCommit.spec.toLocal],
    [b, b.c.localCommit.spec.toLocal],
  ]);
  const preimages = new Map<string, Uint8Array>();
  let counter = 0;
  let adds = 0;
  let fulfils = 0;
  let fails = 0;
  let reconnects = 0;
  let feeUpdates = 0;
  const settle = (p: Party, fulfil: boolean): boolean => {
    const ready = p.c.htlcs.filter((h) => h.direction === 'received' && h.state === 'RCVD_ADD_ACK_REVOCATION');
    if (ready.length === 0) return false;
    const h = ready[rng.int(0, ready.length - 1)]!;
    const pre = preimages.get(`${other(p).name}:${h.id}`)!;
    const eff = fulfil ? p.step({ kind: 'command', command: { kind: 'fulfill_htlc', id: h.id, preimage: pre } }) : p.step({ kind: 'command', command: { kind: 'fail_htlc', id: h.id, reason: new Uint8Array(32) } });
    assert.ok(!rejected(eff), 'settling a committed HTLC must be accepted');
    if (fulfil) {
      expected.set(p, expected.get(p)! + h.amount);
      expected.set(other(p), expected.get(other(p))! - h.amount);
      fulfils++;
    } else fails++;
    return true;
  };
  for (let i = 0; i < steps; i++) {
    const p = parties[rng.int(0, 1)]!;
    const r = rng.int(0, 11);
    if (r <= 2) {
      const n = counter++;
      const pre = preimageFor(seed * 100000 + n);
      // Mix dust (trimmed) and non-dust HTLCs.
      const amount = msat(rng.next() < 0.3 ? rng.int(1000, 600_000) : rng.int(1_000_000, 30_000_000));
      const eff = p.step({ kind: 'command', command: { kind: 'add_htlc', amount, paymentHash: sha256(pre), cltvExpiry: 800_100 + rng.int(0, 500), onion: new Uint8Array(1366) } });
      if (!rejected(eff)) {
        const id = p.c.nextLocalHtlcId - 1n;
        preimages.set(`${p.name}:${id}`, pre);
        adds++;
      }
    } else if (r === 3 || r === 4) {
      p.step({ kind: 'command', command: { kind: 'sign' } });
    } else if (r === 5 || r === 6) {
      deliver(p, other(p), rng.int(1, 3));
    } else if (r === 7) {
      settle(p, rng.next() < 0.7);
    } else if (r === 8) {
      if (!rejected(a.step({ kind: 'command', command: { kind: 'update_fee', feeratePerKw: rng.int(1000, 6000) } }))) feeUpdates++;
    } else if (r === 9 && rng.next() < 0.35) {
      reconnect(a, b);
      reconnects++;
    } else if (r === 10) {
      flush(a, b);
      checkInvariants(a, b, true);
    } else if (r === 11) {
      // Both nodes restart from their persisted records (connections survive in this harness).
      a.restart();
      b.restart();
    }
    assert.equal(stateName(a), 'Normal', `A left Normal at step ${i}: ${JSON.stringify(a.effects.filter((e) => e.kind === 'log').slice(-3).map((e) => (e as { message: string }).message))}`);
    assert.equal(stateName(b), 'Normal', `B left Normal at step ${i}`);
    checkInvariants(a, b, false);
  }
  // Settle everything.
  for (let round = 0; round < 200; round++) {
    flush(a, b);
    for (const p of parties) p.step({ kind: 'command', command: { kind: 'sign' } });
    flush(a, b);
    let any = false;
    for (const p of parties) while (settle(p, rng.next() < 0.5)) any = true;
    if (!any && a.c.htlcs.length === 0 && b.c.htlcs.length === 0 && a.c.fees.length === 0 && b.c.fees.length === 0) break;
  }
  flush(a, b);
  checkInvariants(a, b, true);
  assert.equal(a.c.htlcs.length, 0);
  assert.equal(b.c.htlcs.length, 0);
  assert.equal(a.c.localCommit.spec.toLocal, expected.get(a), 'A final balance');
  assert.equal(b.c.localCommit.spec.toLocal, expected.get(b), 'B final balance');
  assert.ok(adds > 10 && fulfils > 3 && fails > 0 && reconnects > 0 && feeUpdates > 0, `dance too small: adds ${adds} fulfils ${fulfils} fails ${fails} reconnects ${reconnects} fees ${feeUpdates}`);
  // The last fee update reached both commitments.
  assert.equal(a.c.localCommit.spec.feeratePerKw, b.c.localCommit.spec.feeratePerKw);
  assert.notEqual(a.c.localCommit.spec.feeratePerKw, 2500);

  // Cooperative close.
  const eff = a.step({ kind: 'command', command: { kind: 'shutdown' } });
  assert.ok(!rejected(eff));
  flush(a, b);
  assert.equal(stateName(a), 'Closing');
  assert.equal(stateName(b), 'Closing');
  const ca = a.effects.filter((e) => e.kind === 'broadcast' && e.label === 'closing');
  const cb = b.effects.filter((e) => e.kind === 'broadcast' && e.label === 'closing');
  assert.equal(ca.length, 1);
  assert.equal(cb.length, 1);
  const ta = (ca[0] as Extract<Effect, { kind: 'broadcast' }>).tx;
  const tb = (cb[0] as Extract<Effect, { kind: 'broadcast' }>).tx;
  assert.deepEqual(txid(ta), txid(tb));
  assert.deepEqual(ta.inputs[0]!.witness, tb.inputs[0]!.witness);
  let out = 0n;
  for (const o of ta.outputs) out += o.value;
  const fee = a.c.params.fundingAmount - out;
  assert.ok(fee > 0n && fee <= 20_000n, `closing fee ${fee}`);
  // The fundee's output is exactly its balance rounded down.
  const bOut = ta.outputs.find((o) => o.script[2] === 8);
  const bBal = (expected.get(b)! as Msat) / 1000n;
  assert.ok(bBal >= 546n, 'the fundee ends with a non-dust balance');
  assert.equal(bOut?.value, bBal);
}

test('two-party dance with anchors: random HTLCs, fees, reconnects, close', () => {
  runDance(1, true, 260);
});

test('two-party dance with static_remotekey', () => {
  runDance(2, false, 200);
});

test('property: random seeds keep every invariant (fast-check)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 1_000_000 }), fc.boolean(), (seed, anchors) => {
      runDance(seed, anchors, 140);
    }),
    { numRuns: 4, seed: 20261125 },
  );
});

test('reconnections retransmitted commitment_signed, revoke_and_ack and updates', () => {
  for (const t of ['commitment_signed', 'revoke_and_ack', 'update_add_htlc']) assert.ok((retransmitted[t] ?? 0) > 0, `nothing retransmitted of ${t}: ${JSON.stringify(retransmitted)}`);
});
