/**
 * BOLT 5 unilateral closes on the embedded regtest chain, for both channel types: A's
 * commitment with HTLCs both ways is confirmed; A resolves it as its own commitment
 * (to_local after to_self_delay, HTLC-success with the preimage, HTLC-timeout after
 * cltv_expiry, the second-stage outputs after to_self_delay), and B resolves the same
 * transaction as the counterparty's current commitment (to_remote, an offered HTLC with
 * the preimage, received HTLCs after their timeout). Every transaction is run through the
 * interpreter and the chain's mempool policy; each is refused one block before its lock.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { msat, equalBytes } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { txid as txidOf, txWeight, type Tx } from '../../src/bitcoin/index.ts';
import { signedLocalCommitment } from '../../src/channel/index.ts';
import {
  anchorClaim,
  buildSweep,
  extractPreimages,
  holderHtlcOutputClaim,
  htlcResolutions,
  outputsSpentBy,
  readyHeight,
  resolveFundingSpend,
  signSweep,
  snapshotFromCommitments,
  sweepClaims,
  type Claim,
} from '../../src/onchain/index.ts';
import { preimageFor } from '../channel/machine-harness.ts';
import {
  addHtlc,
  commitAll,
  finishHolderHtlcTx,
  mine,
  mineTo,
  openOnChain,
  submit,
  TO_SELF_DELAY,
  verifyClaims,
  walletA,
  walletB,
  type OnChainPair,
} from './harness.ts';

const FEERATE = 2000;

/** Submits `tx` one block before `ready` (refused with `early`) and at `ready` (accepted). */
function submitAtLock(p: OnChainPair, tx: Tx, ready: number, early: string): void {
  mineTo(p.chain, ready - 1);
  assert.equal(submit(p.chain, tx), early, 'refused one block before its lock');
  mineTo(p.chain, ready);
  assert.equal(submit(p.chain, tx), 'accepted');
}

function sweepOf(claims: Claim[], destination: Uint8Array, signer: Parameters<typeof signSweep>[1]): Tx {
  const { sweep, uneconomic } = buildSweep(claims, { destination, feeratePerKw: FEERATE });
  assert.equal(uneconomic.length, 0);
  assert.ok(sweep);
  const tx = signSweep(sweep, signer);
  verifyClaims(tx, claims);
  assert.ok(txWeight(tx) <= sweep.expectedWeight, 'signed sweep weighs at most its estimate');
  const total = claims.reduce((s, c) => s + c.value, 0n);
  assert.equal(tx.outputs[0]!.value, total - sweep.fee);
  assert.ok(sweep.fee * 1000n >= BigInt(FEERATE) * BigInt(txWeight(tx)), 'pays at least the feerate');
  return tx;
}

for (const type of ['static_remotekey', 'anchors'] as const) {
  const anchors = type === 'anchors';
  describe(`unilateral close on chain, ${type}`, () => {
    test("A's commitment: A resolves it as its own, B as the counterparty's", () => {
      const p = openOnChain({ anchors, seed: anchors ? 11 : 12 });
      const { chain, a, b } = p;
      const h0 = chain.height;
      const pre = [1, 2, 3, 4, 5].map((i) => preimageFor(1000 * (anchors ? 2 : 1) + i));
      // h1: A→B, nobody reveals the preimage: A times it out with its HTLC-timeout transaction.
      addHtlc(a, msat(20_000_000n), h0 + 30, pre[0]!);
      // h2: A→B, B claims it from A's commitment with the preimage.
      addHtlc(a, msat(25_000_000n), h0 + 40, pre[1]!);
      // h3: B→A, A has the preimage: HTLC-success.
      addHtlc(b, msat(30_000_000n), h0 + 35, pre[2]!);
      // h4: B→A, A has no preimage: B times it out directly.
      addHtlc(b, msat(35_000_000n), h0 + 45, pre[3]!);
      // A dust HTLC: trimmed, no output.
      addHtlc(a, msat(500_000n), h0 + 50, pre[4]!);
      commitAll(a, b);

      const commitment = signedLocalCommitment(a.c, a.env);
      const snapA = snapshotFromCommitments(a.c, a.env.signer);
      const snapB = snapshotFromCommitments(b.c, b.env.signer);
      assert.equal(submit(chain, commitment), 'accepted');
      mine(chain, commitment);
      const conf = chain.height;

      // ---- A: its own commitment.
      const ra = resolveFundingSpend(commitment, snapA, { preimages: [pre[2]!], signer: a.env.signer })!;
      assert.equal(ra.spend.kind, 'local');
      const planA = ra.plan!;
      const byHash = (plan: typeof planA, i: number) => plan.outputs.find((o) => o.htlc && equalBytes(o.htlc.paymentHash, sha256(pre[i]!)))!;
      assert.equal(byHash(planA, 0).action.kind, 'htlc_tx');
      assert.equal(byHash(planA, 1).action.kind, 'htlc_tx');
      assert.equal(byHash(planA, 2).action.kind, 'htlc_tx');
      assert.equal(byHash(planA, 3).action.kind, 'wait');
      assert.deepEqual(planA.htlcsWithoutOutput.map((h) => h.paymentHash), [sha256(pre[4]!)]);
      assert.equal(planA.htlcsWithoutOutput[0]!.id, 2n);
      assert.equal(planA.outputs.find((o) => o.kind === 'to_remote')!.action.kind, 'none');
      assert.equal(anchorClaim(planA) !== null, anchors);
      const [toLocal] = sweepClaims(planA);
      assert.equal(toLocal!.kind, 'to_local_delayed');
      assert.equal(toLocal!.sequence, TO_SELF_DELAY);
      const resA = htlcResolutions(planA);
      const success = resA.find((r) => r.kind === 'success')!;
      const timeout = resA.find((r) => r.kind === 'timeout' && r.htlcTx.htlcOutput.htlc.cltvExpiry === h0 + 30)!;
      assert.equal(success.preimage && equalBytes(success.preimage, pre[2]!), true);
      assert.equal(timeout.locktime, h0 + 30);

      // ---- B: the same transaction is A's (the counterparty's) current commitment.
      const rb = resolveFundingSpend(commitment, snapB, { preimages: [pre[1]!] })!;
      assert.equal(rb.spend.kind, 'remote_current');
      const planB = rb.plan!;
      assert.equal(byHash(planB, 0).action.kind, 'wait');
      const claimH2 = byHash(planB, 1).action;
      const claimH3 = byHash(planB, 2).action;
      const claimH4 = byHash(planB, 3).action;
      assert.ok(claimH2.kind === 'sweep' && claimH2.claim.kind === 'offered_htlc_preimage');
      assert.ok(claimH3.kind === 'sweep' && claimH3.claim.kind === 'received_htlc_timeout');
      assert.ok(claimH4.kind === 'sweep' && claimH4.claim.kind === 'received_htlc_timeout');
      assert.equal(planB.outputs.find((o) => o.kind === 'to_local')!.action.kind, 'none');
      const toRemote = planB.outputs.find((o) => o.kind === 'to_remote')!.action;
      assert.ok(toRemote.kind === 'sweep' && toRemote.claim.kind === 'to_remote');
      assert.equal(toRemote.claim.csv, anchors ? 1 : 0);

      // A's HTLC-success at once (1 block CSV with anchors: the commitment is confirmed).
      const successTx = finishHolderHtlcTx(p, success, a.env.signer, walletA.script, FEERATE);
      assert.equal(readyHeight(success, conf), anchors ? conf : 0);
      assert.equal(submit(chain, successTx), 'accepted');
      // B sweeps to_remote and h2 (with its preimage) in one transaction.
      const bSweep = sweepOf([toRemote.claim, claimH2.claim], walletB.script, b.env.signer);
      assert.equal(submit(chain, bSweep), 'accepted');
      // Too early: A's to_local (CSV) and HTLC-timeout (locktime).
      const toLocalTx = sweepOf([toLocal!], walletA.script, a.env.signer);
      assert.equal(submit(chain, toLocalTx), 'non-BIP68-final');
      const timeoutTx = finishHolderHtlcTx(p, timeout, a.env.signer, walletA.script, FEERATE);
      assert.equal(submit(chain, timeoutTx), 'non-final');
      mine(chain, successTx, bSweep);
      const successConf = chain.height;
      // A sees which of its commitment's outputs B's transaction resolved (h2, and B's own to_remote).
      assert.deepEqual(outputsSpentBy(planA, bSweep).map((o) => o.kind).sort(), ['htlc', 'to_remote']);

      // B learns h3's preimage from A's HTLC-success witness; its own claim of h3 is now a double spend.
      const revealed = extractPreimages(successTx, snapB.htlcs.map((h) => h.paymentHash));
      assert.equal(revealed.length, 1);
      assert.deepEqual(revealed[0]!.preimage, pre[2]!);

      // A's to_local: refused one block before to_self_delay, accepted at it.
      submitAtLock(p, toLocalTx, readyHeight(toLocal!, conf), 'non-BIP68-final');
      mine(chain, toLocalTx);
      // A's HTLC-timeout: refused before cltv_expiry, accepted at it.
      assert.equal(readyHeight(timeout, conf), h0 + 30);
      submitAtLock(p, timeoutTx, h0 + 30, 'non-final');
      mine(chain, timeoutTx);
      const timeoutConf = chain.height;

      // B times out h4 directly from A's commitment after its cltv_expiry.
      assert.ok(claimH4.kind === 'sweep');
      const h4Tx = sweepOf([claimH4.claim], walletB.script, b.env.signer);
      assert.equal(h4Tx.locktime, h0 + 45);
      submitAtLock(p, h4Tx, readyHeight(claimH4.claim, conf), 'non-final');
      mine(chain, h4Tx);
      // B's own claim of h3 (after its timeout) is a double spend of A's HTLC-success.
      assert.ok(claimH3.kind === 'sweep');
      assert.ok(chain.height >= h0 + 35);
      assert.equal(submit(chain, sweepOf([claimH3.claim], walletB.script, b.env.signer)), 'bad-txns-inputs-missingorspent');

      // A sweeps both second-stage outputs after to_self_delay, in one transaction.
      const out1 = holderHtlcOutputClaim(success, successTx);
      const out2 = holderHtlcOutputClaim(timeout, timeoutTx);
      const second = sweepOf([out1, out2], walletA.script, a.env.signer);
      assert.equal(readyHeight(out1, successConf), successConf + TO_SELF_DELAY - 1);
      mineTo(chain, successConf + TO_SELF_DELAY - 1);
      assert.equal(submit(chain, second), 'non-BIP68-final', 'the later HTLC tx output is not yet spendable');
      submitAtLock(p, second, readyHeight(out2, timeoutConf), 'non-BIP68-final');
      mine(chain, second);

      // Every output of the commitment is spent (h2 by B), except the anchors.
      const commitmentTxid = txidOf(commitment);
      planA.outputs.forEach((o) => {
        const unspent = chain.coin(commitmentTxid, o.vout) !== undefined;
        assert.equal(unspent, o.kind === 'local_anchor' || o.kind === 'remote_anchor', `output ${o.vout} (${o.kind})`);
      });
    });
  });
}
