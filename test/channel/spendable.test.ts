/**
 * spendable_msat / receivable_msat are exactly what one HTLC can carry now: for random
 * channel states (both channel types, as funder and as fundee, HTLCs in flight, several
 * feerates), offering exactly the spendable amount is accepted by our checks and by the
 * peer's, and one msat more is refused by our own checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { msat } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { canSend, spendableMsat, receivableMsat, type Effect } from '../../src/channel/index.ts';
import { flush, openPair, Party, preimageFor, Rng, stateName } from './machine-harness.ts';

function rejected(effects: Effect[]): string | null {
  const r = effects.find((e) => e.kind === 'command_rejected');
  return r && r.kind === 'command_rejected' ? r.reason : null;
}

let hashes = 0;
function offer(p: Party, amount: bigint): Effect[] {
  return p.step({ kind: 'command', command: { kind: 'add_htlc', amount: msat(amount), paymentHash: sha256(preimageFor(++hashes)), cltvExpiry: 800_144, onion: new Uint8Array(1366) } });
}

for (const anchors of [true, false]) {
  test(`paying spendable_msat succeeds and one msat more is refused (${anchors ? 'anchors' : 'static_remotekey'})`, () => {
    const rng = new Rng(anchors ? 11 : 12);
    for (let round = 0; round < 12; round++) {
      const funding = BigInt(rng.int(200_000, 3_000_000));
      const push = (funding * 1000n * BigInt(rng.int(0, 90))) / 100n;
      const { a, b } = openPair({ anchors, funding, push: msat(push), seed: 100 + round });
      // Some HTLCs in flight each way, and perhaps a new feerate.
      for (let i = rng.int(0, 3); i > 0; i--) {
        const from = rng.int(0, 1) === 0 ? a : b;
        const amt = BigInt(rng.int(1_000, 40_000_000));
        if (!rejected(offer(from, amt))) from.step({ kind: 'command', command: { kind: 'sign' } });
        flush(a, b);
      }
      if (rng.int(0, 1) === 1) {
        a.step({ kind: 'command', command: { kind: 'update_fee', feeratePerKw: rng.int(253, 10_000) } });
        a.step({ kind: 'command', command: { kind: 'sign' } });
        flush(a, b);
      }
      assert.equal(stateName(a), 'Normal');
      for (const [payer, payee] of [
        [a, b],
        [b, a],
      ] as const) {
        const s = spendableMsat(payer.c, payer.env);
        const r = receivableMsat(payee.c, payee.env);
        if (s === 0n) continue;
        assert.ok(!canSend(payer.c, s + 1n, payer.env), `round ${round}: ${payer.name} could send ${s + 1n} above spendable ${s}`);
        // The peer can take at least what we may send.
        assert.ok(r >= s, `round ${round}: ${payee.name} receivable ${r} below ${payer.name} spendable ${s}`);
        // Offer exactly the spendable amount: our checks and the peer's accept it.
        const e = offer(payer, s);
        assert.equal(rejected(e), null, `round ${round}: ${payer.name} refused its own spendable ${s}`);
        payer.step({ kind: 'command', command: { kind: 'sign' } });
        flush(a, b);
        assert.equal(stateName(a), 'Normal', `round ${round}: ${payer.name} -> ${payee.name} ${s} failed the channel`);
        assert.equal(stateName(b), 'Normal');
        // After it nothing more of that size fits; spendable has dropped.
        assert.ok(spendableMsat(payer.c, payer.env) < s);
        break;
      }
    }
  });
}

test('spendable_msat leaves the funder its reserve, the commitment fee with one more HTLC, the anchors and the fee spike buffer', () => {
  const { a } = openPair({ anchors: true, funding: 500_000n });
  const c = a.c;
  const s = spendableMsat(c, a.env);
  const toUs = c.localCommit.spec.toLocal;
  const reserve = c.params.remote.channelReserve * 1000n;
  // Less than balance minus reserve (what listpeerchannels used to say)...
  assert.ok(s < toUs - reserve, `${s} should be below ${toUs - reserve}`);
  // ...by the anchors (2 x 330 sat) and at least the fee of a commitment with one HTLC at twice the feerate.
  assert.ok(toUs - reserve - s >= 660_000n);
  assert.ok(canSend(c, s, a.env));
});
