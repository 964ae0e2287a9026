/**
 * BOLT 5 classification of every kind of funding spend, for both channel types: our latest
 * commitment, an old one of ours, the counterparty's current commitment (with and without
 * its txid), its pending next one, a revoked one, one newer than we know, a mutual close,
 * and transactions we cannot explain. The counterparty's pending commitment is then
 * resolved on chain.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { msat, sat } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { p2wpkhScript, txid as txidOf, type Tx } from '../../src/bitcoin/index.ts';
import {
  buildCommitment,
  buildLegacyClosingTx,
  commitmentInput,
  commitmentLocktimeAndSequence,
  currentView,
  fundingSpendWitness,
  signedLocalCommitment,
} from '../../src/channel/index.ts';
import {
  buildSweep,
  classifyFundingSpend,
  resolveFundingSpend,
  signSweep,
  snapshotFromCommitments,
  sweepClaims,
  type ChannelMonitorSnapshot,
  type FundingSpend,
} from '../../src/onchain/index.ts';
import { deliver, preimageFor } from '../channel/machine-harness.ts';
import { addHtlc, commitAll, mine, mineTo, openOnChain, submit, verifyClaims, walletA } from './harness.ts';

function classify(tx: Tx, snap: ChannelMonitorSnapshot, extra: { closingTxids?: Uint8Array[] } = {}): FundingSpend | null {
  return resolveFundingSpend(tx, snap, extra)?.spend ?? null;
}

for (const type of ['static_remotekey', 'anchors'] as const) {
  const anchors = type === 'anchors';
  describe(`classifying funding spends, ${type}`, () => {
    const p = openOnChain({ anchors, seed: anchors ? 31 : 32 });
    const { chain, a, b } = p;
    const h0 = chain.height;
    const pre = [1, 2, 3].map((i) => preimageFor(3000 * (anchors ? 2 : 1) + i));
    const oldA = signedLocalCommitment(a.c, a.env);
    addHtlc(a, msat(50_000_000n), h0 + 10, pre[0]!);
    addHtlc(b, msat(40_000_000n), h0 + 20, pre[1]!);
    commitAll(a, b);
    const revokedB = signedLocalCommitment(b.c, b.env);
    addHtlc(b, msat(1_000_000n), h0 + 30, pre[2]!);
    commitAll(a, b);
    const prevB = signedLocalCommitment(b.c, b.env);
    // A offers another HTLC and signs; B receives it and revokes, but A has not seen the revocation.
    addHtlc(a, msat(30_000_000n), h0 + 12, preimageFor(3999));
    a.step({ kind: 'command', command: { kind: 'sign' } });
    deliver(a, b);
    assert.equal(a.c.awaitingRevocation, true);
    const nextB = signedLocalCommitment(b.c, b.env);
    const latestA = signedLocalCommitment(a.c, a.env);
    const snapA = snapshotFromCommitments(a.c, a.env.signer);

    test('our latest commitment, and an old one of ours', () => {
      assert.deepEqual(classify(latestA, snapA), { kind: 'local', number: a.c.localCommit.number });
      assert.deepEqual(classify(oldA, snapA), { kind: 'local_revoked', number: 0n });
      const viaPoint = classifyFundingSpend(oldA, {
        params: snapA.params,
        local: snapA.local,
        remoteCurrent: snapA.remoteCurrent,
        remoteNext: snapA.remoteNext,
        remoteSecrets: snapA.remoteSecrets,
        localPerCommitmentPoint: (n) => a.env.signer.perCommitmentPoint(n),
      });
      assert.equal(viaPoint?.kind, 'local_revoked');
    });

    test("the counterparty's current (txid not kept while a revocation is awaited) and pending next commitments", () => {
      assert.equal(snapA.remoteCurrent.txid, null);
      const cur = classify(prevB, snapA);
      assert.equal(cur?.kind, 'remote_current');
      assert.equal(cur?.kind === 'remote_current' && cur.number, snapA.remoteCurrent.number);
      const next = classify(nextB, snapA);
      assert.equal(next?.kind, 'remote_next');
      // Once the revocation arrives, the previous one is revoked.
      const bOut = structuredClone(b.outbox);
      const a2 = structuredClone(a.state);
      deliver(b, a);
      const after = snapshotFromCommitments(a.c, a.env.signer);
      assert.equal(classify(prevB, after)?.kind, 'remote_revoked');
      assert.equal(classify(nextB, after)?.kind, 'remote_current');
      a.state = a2;
      b.outbox = bOut;
    });

    test('a revoked commitment of theirs comes with its secret', () => {
      const r = classify(revokedB, snapA);
      assert.equal(r?.kind, 'remote_revoked');
      assert.ok(r?.kind === 'remote_revoked' && r.perCommitmentSecret.length === 32);
    });

    test('a commitment newer than any we know: only our to_remote is ours', () => {
      const n = b.c.localCommit.number + 5n;
      const built = buildCommitment(commitmentInput(b.c, 'local', currentView(b.c, 'local'), n, b.env.signer.perCommitmentPoint(n)));
      const r = resolveFundingSpend(built.tx, snapA)!;
      assert.deepEqual(r.spend, { kind: 'remote_future', number: n });
      const claims = sweepClaims(r.plan!);
      assert.deepEqual(claims.map((c) => c.kind), ['to_remote']);
      assert.ok(r.plan!.outputs.filter((o) => o.kind === 'unknown').length >= 2, 'HTLCs and to_local are not recognisable without the point');
      const { sweep } = buildSweep(claims, { destination: walletA.script, feeratePerKw: 1000 });
      verifyClaims(signSweep(sweep!, a.env.signer), claims);
    });

    test('a mutual close, known or not', () => {
      const c = a.c.params;
      const close = buildLegacyClosingTx(
        c.funding,
        { scriptPubkey: walletA.script, balance: msat(500_000_000n) },
        { scriptPubkey: p2wpkhScript(new Uint8Array(20).fill(3)), balance: msat(500_000_000n) },
        true,
        sat(1000),
        sat(546),
      );
      assert.deepEqual(classify(close, snapA), { kind: 'mutual_close', known: false });
      assert.deepEqual(classify(close, snapA, { closingTxids: [txidOf(close)] }), { kind: 'mutual_close', known: true });
      // A closing transaction is a valid funding spend (both signatures).
      const spendRef = { tx: close, inputIndex: 0, witnessScript: buildCommitment(snapA.local.commitment).fundingWitnessScript, amount: c.fundingAmount };
      const w = fundingSpendWitness(c.local.pubkeys.fundingPubkey, a.env.signer.signClosing(spendRef), c.remote.pubkeys.fundingPubkey, b.env.signer.signClosing(spendRef), spendRef.witnessScript);
      assert.equal(classify({ ...close, inputs: [{ ...close.inputs[0]!, witness: w }] }, snapA)?.kind, 'mutual_close');
    });

    test('unknown spends are reported, and other transactions ignored', () => {
      const funding = a.c.params.funding;
      const shaped = (number: bigint, script = p2wpkhScript(new Uint8Array(20).fill(9))): Tx => {
        const { locktime, sequence } = commitmentLocktimeAndSequence(number, a.c.params.obscuringFactor);
        return { version: 2, inputs: [{ txid: funding.txid, vout: funding.vout, scriptSig: new Uint8Array(0), sequence, witness: [] }], outputs: [{ value: 900_000n, script }], locktime };
      };
      assert.equal(classify(shaped(999n), snapA)?.kind, 'unknown');
      // A revoked number, but none of its outputs is what that commitment would carry.
      assert.equal(classify(shaped(1n), snapA)?.kind, 'unknown');
      // The current number with another txid.
      assert.equal(classify(shaped(snapA.remoteNext!.number), snapA)?.kind, 'unknown');
      // Two inputs: not a closing transaction we know how to sign.
      const twoIn: Tx = { ...shaped(0n), locktime: 0, inputs: [{ txid: funding.txid, vout: funding.vout, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] }, { txid: sha256(Uint8Array.of(1)), vout: 0, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] }] };
      assert.equal(classify(twoIn, snapA)?.kind, 'unknown');
      // Not a funding spend at all.
      const other: Tx = { ...shaped(0n), inputs: [{ txid: sha256(Uint8Array.of(2)), vout: 0, scriptSig: new Uint8Array(0), sequence: 0, witness: [] }] };
      assert.equal(classify(other, snapA), null);
    });

    test("the pending next commitment resolved on chain: to_remote and our offered HTLCs after timeout", () => {
      assert.equal(submit(chain, nextB), 'accepted');
      mine(chain, nextB);
      const r = resolveFundingSpend(nextB, snapA)!;
      assert.equal(r.spend.kind, 'remote_next');
      const claims = sweepClaims(r.plan!);
      assert.deepEqual(claims.map((c) => c.kind).sort(), ['received_htlc_timeout', 'received_htlc_timeout', 'to_remote']);
      const waiting = r.plan!.outputs.filter((o) => o.action.kind === 'wait');
      // B's HTLCs: A has no preimage. The 1000-sat one is trimmed without anchors (its HTLC-success fee is larger).
      assert.equal(waiting.length, anchors ? 2 : 1);
      assert.equal(r.plan!.htlcsWithoutOutput.length, anchors ? 0 : 1);
      const { sweep } = buildSweep(claims, { destination: walletA.script, feeratePerKw: 1000 });
      const tx = signSweep(sweep!, a.env.signer);
      verifyClaims(tx, claims);
      assert.equal(tx.locktime, h0 + 12);
      mineTo(chain, h0 + 11);
      assert.equal(submit(chain, tx), 'non-final');
      mineTo(chain, h0 + 12);
      assert.equal(submit(chain, tx), 'accepted');
      mine(chain, tx);
    });
  });
}
