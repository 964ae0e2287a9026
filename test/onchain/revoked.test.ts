/**
 * BOLT 5 revoked transaction close on the embedded regtest chain, for both channel types:
 * B broadcasts a revoked commitment carrying HTLCs both ways and races two of them through
 * its own HTLC-success and HTLC-timeout transactions; A classifies the commitment as revoked
 * (secret from its shachain), and one justice transaction takes `to_local`, every remaining
 * HTLC output, A's `to_remote`, and the outputs of both second-stage transactions with the
 * revocation key. The penalty takes all: its output is everything it spends minus the fee.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { equalBytes, msat } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { txid as txidOf, txWeight } from '../../src/bitcoin/index.ts';
import { signedLocalCommitment, type Commitments } from '../../src/channel/index.ts';
import { commitmentIndex, ShachainStore } from '../../src/keys/index.ts';
import {
  buildSweep,
  buildSweeps,
  htlcResolutions,
  planRevokedHtlcTx,
  resolveFundingSpend,
  signSweep,
  snapshotFromCommitments,
  sweepClaims,
  unspentClaims,
  type HtlcStub,
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
} from './harness.ts';

const FEERATE = 3000;

for (const type of ['static_remotekey', 'anchors'] as const) {
  const anchors = type === 'anchors';
  describe(`revoked commitment on chain, ${type}`, () => {
    test('justice takes to_local, every HTLC output and the second-stage outputs', () => {
      const p = openOnChain({ anchors, seed: anchors ? 21 : 22 });
      const { chain, a, b } = p;
      const h0 = chain.height;
      const pre = [1, 2, 3, 4, 5].map((i) => preimageFor(2000 * (anchors ? 2 : 1) + i));
      const r1 = addHtlc(a, msat(40_000_000n), h0 + 60, pre[0]!); // A→B, fulfilled later off-chain
      addHtlc(b, msat(45_000_000n), h0 + 70, pre[1]!); // B→A
      addHtlc(a, msat(20_000_000n), h0 + 80, pre[2]!); // A→B: B races it with HTLC-success
      addHtlc(b, msat(22_000_000n), h0 + 3, pre[3]!); // B→A: B races it with HTLC-timeout
      commitAll(a, b);
      const old: Commitments = structuredClone(b.c);
      const oldTx = signedLocalCommitment(b.c, b.env);

      // The channel moves on: B fulfils r1, A adds r5. B's old commitment is revoked.
      b.step({ kind: 'command', command: { kind: 'fulfill_htlc', id: r1, preimage: pre[0]! } });
      commitAll(a, b);
      addHtlc(a, msat(10_000_000n), h0 + 90, pre[4]!);
      commitAll(a, b);
      assert.ok(a.c.remoteCommit.number > old.localCommit.number);
      assert.ok(ShachainStore.deserialize(a.c.remoteSecrets).derive(commitmentIndex(old.localCommit.number)));
      assert.ok(!a.c.htlcs.some((h) => equalBytes(h.paymentHash, sha256(pre[0]!))), 'r1 has left the channel');

      // B cheats: the revoked commitment, then its HTLC-success (r3) and HTLC-timeout (r4).
      mineTo(chain, h0 + 3);
      assert.equal(submit(chain, oldTx), 'accepted');
      mine(chain, oldTx);
      const conf = chain.height;
      const cheat = resolveFundingSpend(oldTx, snapshotFromCommitments(old, b.env.signer), { preimages: [pre[2]!] })!;
      assert.equal(cheat.spend.kind, 'local');
      const races = htlcResolutions(cheat.plan!).filter((r) => r.kind === 'success' || r.locktime === h0 + 3);
      assert.equal(races.length, 2);
      const raceTxs = races.map((r) => finishHolderHtlcTx(p, r, b.env.signer, walletB.script, FEERATE));
      for (const t of raceTxs) assert.equal(submit(chain, t), 'accepted');
      mine(chain, ...raceTxs);

      // A: without the history of r1 its output cannot be recognised...
      const blind = resolveFundingSpend(oldTx, snapshotFromCommitments(a.c, a.env.signer))!;
      assert.equal(blind.spend.kind, 'remote_revoked');
      assert.equal(blind.plan!.outputs.filter((o) => o.kind === 'unknown').length, 1);
      // ...with it, every output is.
      const history: HtlcStub[] = [{ direction: 'offered', paymentHash: sha256(pre[0]!), cltvExpiry: h0 + 60, id: r1 }];
      const snapA = snapshotFromCommitments(a.c, a.env.signer, history);
      const r = resolveFundingSpend(oldTx, snapA)!;
      assert.equal(r.spend.kind, 'remote_revoked');
      assert.ok(r.spend.kind === 'remote_revoked' && r.spend.number === old.localCommit.number);
      const plan = r.plan!;
      assert.equal(plan.outputs.filter((o) => o.kind === 'unknown').length, 0);
      assert.equal(plan.outputs.filter((o) => o.kind === 'htlc').length, 4);
      assert.deepEqual(plan.htlcsWithoutOutput.map((h) => h.paymentHash), [sha256(pre[4]!)], 'r5 is not on the old commitment');
      const direct = sweepClaims(plan);
      assert.deepEqual(direct.map((c) => c.kind).sort(), ['htlc_revoked', 'htlc_revoked', 'htlc_revoked', 'htlc_revoked', 'to_local_revoked', 'to_remote']);
      const toLocal = direct.find((c) => c.kind === 'to_local_revoked')!;
      assert.deepEqual(toLocal.deadline, { blocksAfterConfirmation: TO_SELF_DELAY });

      // The second-stage outputs, with the revocation key; the HTLC outputs they spent are dropped.
      const secret = r.spend.kind === 'remote_revoked' ? r.spend.perCommitmentSecret : new Uint8Array(32);
      const second = raceTxs.flatMap((t) => sweepClaims(planRevokedHtlcTx(t, { params: snapA.params, commitmentTxid: txidOf(oldTx), perCommitmentSecret: secret })!));
      assert.equal(second.length, 2);
      assert.ok(second.every((c) => c.kind === 'to_local_revoked'));
      assert.equal(planRevokedHtlcTx(oldTx, { params: snapA.params, commitmentTxid: txidOf(raceTxs[0]!), perCommitmentSecret: secret }), null);
      const remaining = unspentClaims(direct, raceTxs);
      assert.equal(remaining.length, direct.length - 2);
      const claims = [...remaining, ...second];

      // Split into small transactions (each valid), or one: the chain takes the single one.
      const split = buildSweeps(claims, { destination: walletA.script, feeratePerKw: FEERATE, maxWeight: 1400 });
      assert.ok(split.sweeps.length > 1);
      let splitOut = 0n;
      let splitFees = 0n;
      for (const s of split.sweeps) {
        const t = signSweep(s, a.env.signer);
        verifyClaims(t, s.claims);
        assert.ok(txWeight(t) <= 1400);
        splitOut += t.outputs[0]!.value;
        splitFees += s.fee;
      }
      const total = claims.reduce((s, c) => s + c.value, 0n);
      assert.equal(splitOut + splitFees, total);

      const { sweep } = buildSweep(claims, { destination: walletA.script, feeratePerKw: FEERATE });
      const justice = signSweep(sweep!, a.env.signer);
      verifyClaims(justice, claims);
      assert.ok(txWeight(justice) <= sweep!.expectedWeight);
      assert.equal(justice.outputs.length, 1);
      assert.equal(justice.outputs[0]!.value, total - sweep!.fee, 'penalty output = everything spent minus the fee');
      assert.equal(submit(chain, justice), 'accepted');
      mine(chain, justice);
      assert.ok(chain.height < conf + TO_SELF_DELAY, 'before the cheater could sweep anything');

      // Every non-anchor output of the revoked commitment ended in the justice transaction,
      // directly or through a second-stage transaction.
      const oldId = txidOf(oldTx);
      const justiceSpends = (txid: Uint8Array, vout: number) => justice.inputs.some((i) => i.vout === vout && equalBytes(i.txid, txid));
      oldTx.outputs.forEach((o, vout) => {
        const kind = plan.outputs[vout]!.kind;
        if (kind === 'local_anchor' || kind === 'remote_anchor') return;
        const race = raceTxs.find((t) => t.inputs.some((i) => i.vout === vout && equalBytes(i.txid, oldId)));
        assert.ok(race ? justiceSpends(txidOf(race), 0) : justiceSpends(oldId, vout), `output ${vout} (${kind})`);
      });
    });
  });
}
