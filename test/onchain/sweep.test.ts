/**
 * The sweep builder on its own: BOLT 5 Appendix A penalty witness weights, fees from the
 * expected weight, dust handling (claims not worth their input, outputs below the dust
 * threshold), splitting over the standard weight, timing helpers, and fee inputs for zero-fee
 * anchors HTLC transactions.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { msat, sat } from '../../src/lib/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { compileScript, p2pkhScript, p2trScript, p2wpkhScript, p2wshScript, STANDARD_FLAGS, txWeight, verifyInput } from '../../src/bitcoin/index.ts';
import { anchorScript, offeredHtlcScript, receivedHtlcScript, signedLocalCommitment, toLocalScript } from '../../src/channel/index.ts';
import {
  addHtlcTxFeeInputs,
  buildSweeps,
  claimInputWeight,
  claimsReadyAt,
  claimWitnessWeight,
  deadlineHeight,
  dustThreshold,
  feeForWeight,
  htlcResolutions,
  makeClaim,
  MAX_STANDARD_TX_WEIGHT,
  readyHeight,
  resolveFundingSpend,
  signHolderHtlcTx,
  snapshotFromCommitments,
  type Claim,
} from '../../src/onchain/index.ts';
import { preimageFor } from '../channel/machine-harness.ts';
import { addHtlc, commitAll, openOnChain, walletA } from './harness.ts';

const PK = (n: number) => Uint8Array.of(0x02, ...new Uint8Array(32).fill(n));
const keys = { revocationPubkey: PK(1), localHtlcPubkey: PK(2), remoteHtlcPubkey: PK(3) };
const SECRET = sha256(Uint8Array.of(7));

function claimFor(ws: Uint8Array, value: bigint, kind: 'htlc_revoked' | 'to_local_revoked' | 'anchor', i = 0): Claim {
  const spend =
    kind === 'htlc_revoked'
      ? { kind, perCommitmentSecret: SECRET, revocationPubkey: PK(1) }
      : kind === 'to_local_revoked'
        ? { kind, perCommitmentSecret: SECRET }
        : { kind };
  return makeClaim(spend, { outpoint: { txid: sha256(Uint8Array.of(i & 0xff, i >> 8)), vout: i }, value: sat(value), scriptPubkey: p2wshScript(ws), witnessScript: ws, csv: 0, locktime: 0, deadline: null });
}

describe('weights', () => {
  test('BOLT 5 Appendix A penalty witnesses', () => {
    // "offered_htlc_penalty_witness: 243 bytes" (133-byte script), "accepted_htlc_penalty_witness: 249 bytes" (139-byte script).
    assert.equal(claimWitnessWeight('htlc_revoked', new Uint8Array(133)), 243);
    assert.equal(claimWitnessWeight('htlc_revoked', new Uint8Array(139)), 249);
    // "to_local_penalty_witness: 160 bytes" counts the `1` item's length but not its byte: we count both (161).
    assert.equal(claimWitnessWeight('to_local_revoked', new Uint8Array(83)), 161);
    // Real scripts: offered 133, received 139 with a 3-byte cltv_expiry; 3 more with anchors.
    const ph = sha256(Uint8Array.of(1));
    assert.equal(offeredHtlcScript(keys, ph, false).length, 133);
    assert.equal(offeredHtlcScript(keys, ph, true).length, 136);
    assert.equal(receivedHtlcScript(keys, ph, 800_000, false).length, 139);
    assert.equal(receivedHtlcScript(keys, ph, 800_000, true).length, 142);
    // "The penalty *txinput* itself takes up 41 bytes and has a weight of 164 bytes"
    assert.equal(claimInputWeight(claimFor(offeredHtlcScript(keys, ph, false), 10_000n, 'htlc_revoked')), 164 + 243);
  });

  test('BOLT 5: "483 bidirectional HTLCs (containing both to_local and to_remote outputs) can be resolved in a single penalty transaction"', () => {
    for (const anchors of [false, true]) {
      const toRemote = makeClaim({ kind: 'to_remote' }, { outpoint: { txid: sha256(Uint8Array.of(0xff)), vout: 0 }, value: sat(1_000_000), scriptPubkey: p2wpkhScript(new Uint8Array(20)), witnessScript: null, csv: 0, locktime: 0, deadline: null });
      const claims: Claim[] = [claimFor(toLocalScript(PK(1), 2016, PK(4)), 1_000_000n, 'to_local_revoked', 0), toRemote];
      for (let i = 0; i < 483; i++) {
        const ph = sha256(Uint8Array.of(i & 0xff, i >> 8));
        claims.push(claimFor(offeredHtlcScript(keys, ph, anchors), 100_000n, 'htlc_revoked', 1 + 2 * i));
        claims.push(claimFor(receivedHtlcScript(keys, ph, 800_000 + i, anchors), 100_000n, 'htlc_revoked', 2 + 2 * i));
      }
      const b = buildSweeps(claims, { destination: p2wshScript(new Uint8Array(1)), feeratePerKw: 253 });
      assert.equal(b.uneconomic.length, 0);
      assert.equal(b.sweeps.length, 1);
      assert.ok(b.sweeps[0]!.expectedWeight <= MAX_STANDARD_TX_WEIGHT);
      assert.equal(b.sweeps[0]!.claims.length, claims.length);
      // One more HTLC input of each kind no longer fits: split in two.
      const more = [...claims, ...claims.slice(2, 4).map((c, i) => ({ ...c, outpoint: { ...c.outpoint, vout: 5000 + i } }))];
      const split = buildSweeps(more, { destination: p2wshScript(new Uint8Array(1)), feeratePerKw: 253 });
      if (anchors) assert.equal(split.sweeps.length, 2);
      for (const s of split.sweeps) assert.ok(s.expectedWeight <= MAX_STANDARD_TX_WEIGHT);
      assert.equal(split.sweeps.reduce((n, s) => n + s.claims.length, 0), more.length);
    }
  });

  test('fees round up; dust thresholds are Core\'s', () => {
    assert.equal(feeForWeight(253, 1000), 253n);
    assert.equal(feeForWeight(253, 1001), 254n);
    assert.equal(dustThreshold(p2wpkhScript(new Uint8Array(20))), 294n);
    assert.equal(dustThreshold(p2wshScript(new Uint8Array(1))), 330n);
    assert.equal(dustThreshold(p2trScript(new Uint8Array(32))), 330n);
    assert.equal(dustThreshold(p2pkhScript(new Uint8Array(20))), 546n);
    assert.equal(dustThreshold(compileScript([0x6a])), 0n);
  });
});

describe('dust', () => {
  const anchor = claimFor(anchorScript(PK(5)), 330n, 'anchor', 1);
  const big = claimFor(toLocalScript(PK(1), 144, PK(4)), 50_000n, 'to_local_revoked', 2);
  const dest = p2wpkhScript(new Uint8Array(20).fill(1));

  test('a claim worth less than its own input is skipped and reported', () => {
    const b = buildSweeps([anchor, big], { destination: dest, feeratePerKw: 5000 });
    assert.deepEqual(b.uneconomic, [anchor]);
    assert.equal(b.sweeps.length, 1);
    assert.deepEqual(b.sweeps[0]!.claims, [big]);
  });

  test('a sweep whose output would be dust is not built', () => {
    const b = buildSweeps([anchor], { destination: dest, feeratePerKw: 253 });
    assert.equal(b.sweeps.length, 0);
    assert.deepEqual(b.uneconomic, [anchor]);
    // Together with a larger claim the anchor is worth taking.
    const both = buildSweeps([anchor, big], { destination: dest, feeratePerKw: 253 });
    assert.equal(both.sweeps[0]!.claims.length, 2);
  });

  test('nLockTime is the highest any claim needs; nSequence is each claim\'s', () => {
    const cltv = { ...big, locktime: 900, outpoint: { ...big.outpoint, vout: 9 } };
    const csv = makeClaim({ kind: 'to_local_delayed', perCommitmentPoint: PK(6) }, { outpoint: { txid: sha256(Uint8Array.of(9)), vout: 0 }, value: sat(20_000), scriptPubkey: big.scriptPubkey, witnessScript: big.witnessScript, csv: 144, locktime: 0, deadline: null });
    const b = buildSweeps([big, cltv, csv], { destination: dest, feeratePerKw: 1000, locktime: 850 });
    const tx = b.sweeps[0]!.tx;
    assert.equal(tx.locktime, 900);
    assert.deepEqual(tx.inputs.map((i) => i.sequence), [0xfffffffd, 0xfffffffd, 144]);
    assert.equal(buildSweeps([big], { destination: dest, feeratePerKw: 1000, locktime: 850 }).sweeps[0]!.tx.locktime, 850);
  });
});

describe('timing', () => {
  test('readyHeight and deadlineHeight', () => {
    assert.equal(readyHeight({ csv: 144, locktime: 0 }, 1000), 1143);
    assert.equal(readyHeight({ csv: 1, locktime: 0 }, 1000), 1000);
    assert.equal(readyHeight({ csv: 1, locktime: 1200 }, 1000), 1200);
    assert.equal(readyHeight({ csv: 0, locktime: 0 }, 1000), 0);
    assert.equal(deadlineHeight({ height: 1500 }, 1000), 1500);
    assert.equal(deadlineHeight({ blocksAfterConfirmation: 144 }, 1000), 1144);
    assert.equal(deadlineHeight(null, 1000), null);
  });

  test('claimsReadyAt', () => {
    const base = claimFor(anchorScript(PK(5)), 10_000n, 'anchor', 1);
    const a = { ...base, csv: 10, sequence: 10 };
    const b = { ...base, locktime: 1005, outpoint: { ...base.outpoint, vout: 2 } };
    const c = { ...base, outpoint: { ...base.outpoint, vout: 3 } };
    const conf = (h: number | null) => () => h;
    assert.deepEqual(claimsReadyAt([a, b, c], 1008, conf(1000)), [b, c]);
    assert.deepEqual(claimsReadyAt([a, b, c], 1009, conf(1000)), [a, b, c]);
    assert.deepEqual(claimsReadyAt([a, b, c], 1004, conf(null)), [c]);
  });
});

describe('fee inputs of anchors HTLC transactions', () => {
  test('change is dropped below dust; too little throws; the result is valid', () => {
    const p = openOnChain({ anchors: true, seed: 41 });
    const pre = preimageFor(4141);
    addHtlc(p.b, msat(30_000_000n), p.chain.height + 50, pre);
    commitAll(p.a, p.b);
    const commitment = signedLocalCommitment(p.a.c, p.a.env);
    const plan = resolveFundingSpend(commitment, snapshotFromCommitments(p.a.c, p.a.env.signer), { preimages: [pre] })!.plan!;
    const [res] = htlcResolutions(plan);
    assert.ok(res && res.kind === 'success' && res.anchors);
    assert.equal(res.htlcTx.tx.outputs[0]!.value, res.htlcTx.inputValue, 'zero-fee');
    const coin = { outpoint: { txid: sha256(Uint8Array.of(1)), vout: 0 }, value: sat(2100), witnessWeight: 109 };
    assert.throws(() => addHtlcTxFeeInputs(res, [{ ...coin, value: sat(100) }], walletA.script, 2000));
    const small = addHtlcTxFeeInputs(res, [coin], walletA.script, 2000);
    assert.equal(small.tx.outputs.length, 1, 'change below dust dropped');
    assert.equal(small.fee, 2100n, "the whole input goes to the fee");
    const big = addHtlcTxFeeInputs(res, [{ ...coin, value: sat(100_000) }], walletA.script, 2000);
    assert.equal(big.tx.outputs.length, 2);
    assert.equal(big.tx.outputs[1]!.value, 100_000n - big.fee);
    assert.equal(big.fee, feeForWeight(2000, big.expectedWeight));
    // Input 0 and output 0 are untouched, so the counterparty's SINGLE|ANYONECANPAY signature holds.
    const signed = signHolderHtlcTx(res, p.a.env.signer, big.tx);
    const prev = commitment.outputs[res.htlcTx.tx.inputs[0]!.vout]!;
    const r = verifyInput(signed, 0, [prev], STANDARD_FLAGS);
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.ok(txWeight(signed) + 108 <= big.expectedWeight, 'the wallet witness (at most 109) still fits the estimate');
  });
});
