/**
 * Unilateral close (BOLT #5 "either side may publish its latest commitment"): the force_close
 * command publishes our latest commitment, fully signed and valid against the funding
 * output, connected or not, with HTLCs in flight; the peer is told with `error`; a channel
 * with nothing the peer signed, or already failed, refuses.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { msat } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { STANDARD_FLAGS, txid, verifyInput, type Tx } from '../../src/bitcoin/index.ts';
import { type Effect } from '../../src/channel/index.ts';
import { flush, openPair, preimageFor, stateName, type Party } from './machine-harness.ts';

const ONION = new Uint8Array(1366);

function broadcastOf(effects: Effect[]): Tx | null {
  const e = effects.find((x) => x.kind === 'broadcast' && x.label === 'commitment');
  return e && e.kind === 'broadcast' ? e.tx : null;
}

function forceClose(p: Party): Effect[] {
  return p.step({ kind: 'command', command: { kind: 'force_close' } });
}

describe('force_close', () => {
  for (const anchors of [true, false]) {
    test(`publishes our latest commitment with HTLCs in flight (${anchors ? 'anchors' : 'static_remotekey'})`, () => {
      const { a, b, fundingTx } = openPair({ anchors, push: msat(300_000_000n) });
      for (const [from, n] of [
        [a, 1],
        [b, 2],
      ] as const) {
        from.step({ kind: 'command', command: { kind: 'add_htlc', amount: msat(5_000_000n), paymentHash: sha256(preimageFor(n)), cltvExpiry: 800_200, onion: ONION } });
        from.step({ kind: 'command', command: { kind: 'sign' } });
        flush(a, b);
      }
      assert.equal(a.c.htlcs.length, 2);
      const localTxid = a.c.localCommit.txid;
      const effects = forceClose(a);
      const tx = broadcastOf(effects);
      assert.ok(tx, 'the commitment is broadcast');
      assert.deepEqual(txid(tx), localTxid, 'it is our latest commitment');
      const funding = fundingTx.outputs[1]!;
      assert.deepEqual(tx.inputs[0]!.txid, txid(fundingTx));
      const r = verifyInput(tx, 0, [funding], STANDARD_FLAGS);
      assert.ok(r.ok, `both funding signatures verify: ${JSON.stringify(r)}`);
      // Two HTLC outputs, two balances (and two anchors with anchors).
      assert.equal(tx.outputs.length, anchors ? 6 : 4);
      assert.equal(stateName(a), 'Errored');
      const persist = effects.findIndex((e) => e.kind === 'persist');
      const sent = effects.findIndex((e) => e.kind === 'send_message' && e.message.type === 'error');
      assert.ok(persist >= 0 && sent > persist, 'the failed state is durable before the peer is told');
      assert.match(JSON.stringify(effects.find((e) => e.kind === 'command_rejected') ?? null), /null/);
      // A second force_close is refused: the channel already failed.
      const again = forceClose(a);
      assert.ok(again.some((e) => e.kind === 'command_rejected'));
      assert.equal(broadcastOf(again), null);
    });
  }

  test('works while the peer is disconnected', () => {
    const { a } = openPair();
    a.step({ kind: 'disconnected' });
    const tx = broadcastOf(forceClose(a));
    assert.ok(tx);
    assert.equal(stateName(a), 'Errored');
  });

  test('the peer fails the channel on our error and publishes its own commitment', () => {
    const { a, b } = openPair();
    forceClose(a);
    flush(a, b);
    assert.equal(stateName(b), 'Errored');
    const theirs = broadcastOf(b.effects);
    assert.ok(theirs, 'the peer broadcasts its commitment too; only one can confirm');
  });
});

describe('funding_spent', () => {
  test('a non-mutual spend fails the channel, keeps its commitments, tells the peer and broadcasts nothing', () => {
    const { a } = openPair();
    const before = a.c;
    const effects = a.step({ kind: 'funding_spent', mutual: false });
    assert.equal(stateName(a), 'Errored');
    assert.ok(a.state.name === 'Errored' && a.state.commitments === before, 'the commitments stay for the on-chain monitor');
    assert.equal(broadcastOf(effects), null, 'our commitment could no longer confirm');
    const persist = effects.findIndex((e) => e.kind === 'persist');
    const sent = effects.findIndex((e) => e.kind === 'send_message' && e.message.type === 'error');
    assert.ok(persist >= 0 && sent > persist, 'durable before the peer is told');
    const state = a.state;
    const again = a.step({ kind: 'funding_spent', mutual: false });
    assert.equal(a.state, state, 'a second report changes nothing');
    assert.ok(!again.some((e) => e.kind === 'send_message' || e.kind === 'broadcast' || e.kind === 'persist'));
  });

  test('a mutual close ends the channel', () => {
    const { a } = openPair();
    a.step({ kind: 'funding_spent', mutual: true });
    assert.equal(stateName(a), 'Closed');
  });
});
