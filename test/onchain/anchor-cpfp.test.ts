/**
 * Our anchor bumps our commitment: a commitment below the mempool's minimum feerate is refused
 * alone, and accepted as a package with a child spending our anchor and a wallet input
 * (BOLT 5: "MUST spend any `to_local_anchor` output, providing sufficient fees").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sat } from '../../src/lib/index.ts';
import { txWeight } from '../../src/bitcoin/index.ts';
import { buildCommitment, fundingSpendWitness } from '../../src/channel/index.ts';
import { txDataFromTx } from '../../src/chain/regtest/index.ts';
import { anchorClaim, buildAnchorCpfp, planHolderCommitment, signAnchorCpfp, snapshotFromCommitments } from '../../src/onchain/index.ts';
import { feeCoin, mine, openOnChain, outputsSum, signP2wpkh, submit, verify, walletA, FUNDING_SAT } from './harness.ts';

test('CPFP through our anchor gets a low-fee commitment mined', () => {
  const p = openOnChain({ anchors: true, seed: 51 });
  const { chain, a, b } = p;
  // The machine never goes below 253 sat/kw (still 1 sat/vB): sign a 100 sat/kw commitment by hand.
  const input = { ...snapshotFromCommitments(a.c, a.env.signer).local.commitment, feeratePerKw: 100 };
  const built = buildCommitment(input);
  const ref = { tx: built.tx, inputIndex: 0, witnessScript: built.fundingWitnessScript, amount: input.fundingAmount };
  const witness = fundingSpendWitness(input.localFundingPubkey, a.env.signer.signCommitment(ref), input.remoteFundingPubkey, b.env.signer.signCommitment(ref), built.fundingWitnessScript);
  const commitment = { ...built.tx, inputs: [{ ...built.tx.inputs[0]!, witness }] };
  // Core 30 relays 0.1 sat/vB; a congested mempool raises its own minimum to 1 sat/vB.
  chain.setMempoolMinFee(1000n);
  assert.match(submit(chain, commitment), /^mempool min fee not met/);

  const plan = planHolderCommitment(commitment, { commitment: input, remoteHtlcSigs: [] });
  const anchor = anchorClaim(plan)!;
  assert.equal(anchor.kind, 'anchor');
  assert.equal(anchor.deadline, null, 'no HTLC at stake');

  const coin = feeCoin(p);
  const parent = { weight: txWeight(commitment), fee: sat(FUNDING_SAT - outputsSum(commitment)) };
  const cpfp = buildAnchorCpfp(anchor, parent, [coin], walletA.script, 2500);
  const child = signP2wpkh(signAnchorCpfp(cpfp, anchor, a.env.signer), 1, coin.key, coin.value);
  verify(child, [{ value: anchor.value, script: anchor.scriptPubkey }, coin.out]);
  assert.ok(txWeight(child) <= cpfp.expectedWeight);
  const packageFee = parent.fee + cpfp.fee;
  assert.ok(packageFee * 1000n >= 2500n * BigInt(parent.weight + txWeight(child)), 'the package pays the target feerate');

  const r = chain.submitPackage([txDataFromTx(commitment), txDataFromTx(child)]);
  assert.equal(r.packageError, undefined, JSON.stringify(r.results.map((x) => x.error)));
  assert.ok(r.results.every((x) => x.ok));
  mine(chain, commitment, child);
});
