/**
 * Every BOLT 3 spend, executed by the consensus script interpreter with standard flags:
 * the witness builders and the Signer together must produce spends Bitcoin accepts, and
 * the same spends must fail with an unmet timelock, a wrong key or a wrong preimage.
 * Witness sizes are checked against the weights.ts estimates too.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { msat, sat } from '../../src/lib/index.ts';
import { sha256, signEcdsa } from '../../src/crypto/index.ts';
import {
  p2wpkhScript,
  p2wshScript,
  segwitV0SigHash,
  STANDARD_FLAGS,
  SIGHASH_ALL,
  txid as txidOf,
  verifyInput,
  type Tx,
  type TxOut,
} from '../../src/bitcoin/index.ts';
import { deriveCommitmentKeys, InMemorySigner, obscuringFactor, type TxSignature } from '../../src/keys/index.ts';
import {
  anchorAnyoneWitness,
  anchorOwnerWitness,
  buildClosingTx,
  buildCommitment,
  buildHtlcTxs,
  fundingOutput,
  fundingSpendWitness,
  htlcCounterpartySighashType,
  htlcRevokedWitness,
  htlcSuccessTxWitness,
  htlcTimeoutTxWitness,
  offeredHtlcPreimageWitness,
  receivedHtlcTimeoutWitness,
  toLocalDelayedWitness,
  toLocalRevokedWitness,
  toRemoteAnchorsWitness,
  toRemoteP2wpkhWitness,
  witnessWeight,
  SpendWitnessWeight,
  type CommitmentType,
} from '../../src/channel/index.ts';

const alice = InMemorySigner.fromNodeSecret(sha256(Uint8Array.of(0xa1)), 0n); // owns the commitment ("local")
const bob = InMemorySigner.fromNodeSecret(sha256(Uint8Array.of(0xb0)), 0n); // the counterparty ("remote")
const N = 5n; // commitment number
const point = alice.perCommitmentPoint(N);
const keys = deriveCommitmentKeys(alice.pubkeys, bob.pubkeys, point);
const TO_SELF_DELAY = 144;
const preimageOffered = sha256(Uint8Array.of(1));
const preimageReceived = sha256(Uint8Array.of(2));
const CLTV = 800_123;

function setup(type: CommitmentType) {
  const funding = fundingOutput(alice.pubkeys.fundingPubkey, bob.pubkeys.fundingPubkey, sat(1_000_000n));
  const input = {
    type,
    funding: { txid: sha256(Uint8Array.of(9)), vout: 1 },
    fundingAmount: funding.value,
    localFundingPubkey: alice.pubkeys.fundingPubkey,
    remoteFundingPubkey: bob.pubkeys.fundingPubkey,
    keys,
    toLocal: msat(600_000_000n - 150_000_000n),
    toRemote: msat(400_000_000n),
    localIsFunder: true,
    feeratePerKw: 1000,
    toSelfDelay: TO_SELF_DELAY,
    dustLimit: sat(546n),
    htlcs: [
      { direction: 'offered' as const, amount: msat(100_000_000n), paymentHash: sha256(preimageOffered), cltvExpiry: CLTV },
      { direction: 'received' as const, amount: msat(50_000_000n), paymentHash: sha256(preimageReceived), cltvExpiry: CLTV + 10 },
    ],
    commitmentNumber: N,
    obscuringFactor: obscuringFactor(alice.pubkeys.paymentBasepoint, bob.pubkeys.paymentBasepoint),
  };
  const c = buildCommitment(input);
  const outIndex = (kind: string, htlcIndex?: number) => c.outputs.findIndex((o) => o.kind === kind && (htlcIndex === undefined || o.htlcIndex === htlcIndex));
  return { funding, input, c, outIndex };
}

/** A one-input, one-output transaction spending `prev` (outpoint of `prevTx`). */
function spendTx(prevTx: Tx, vout: number, opts: { sequence?: number; locktime?: number } = {}): Tx {
  return {
    version: 2,
    inputs: [{ txid: txidOf(prevTx), vout, scriptSig: new Uint8Array(0), sequence: opts.sequence ?? 0xffffffff, witness: [] }],
    outputs: [{ value: 1000n, script: p2wpkhScript(new Uint8Array(20).fill(7)) }],
    locktime: opts.locktime ?? 0,
  };
}

function check(tx: Tx, prevout: TxOut, witness: Uint8Array[]): string {
  const t: Tx = { ...tx, inputs: [{ ...tx.inputs[0]!, witness }] };
  const r = verifyInput(t, 0, [prevout], STANDARD_FLAGS);
  return r.ok ? 'OK' : r.error;
}

/** A signature by a key that has nothing to do with the output. */
function strangerSig(tx: Tx, script: Uint8Array, amount: bigint): TxSignature {
  return { sig: signEcdsa(segwitV0SigHash(tx, 0, script, amount, SIGHASH_ALL), sha256(Uint8Array.of(0xee))), sighashType: SIGHASH_ALL };
}

/** Actual witness size is at most the estimate and at most 2 bytes per signature below it. */
function assertWeight(witness: Uint8Array[], estimate: number, sigs: number): void {
  const actual = witnessWeight(witness.map((w) => w.length));
  assert.ok(actual <= estimate && actual >= estimate - 2 * sigs, `witness ${actual} vs estimate ${estimate}`);
}

for (const type of ['static_remotekey', 'anchors'] as const) {
  const anchors = type === 'anchors';
  describe(`BOLT 3 spends, ${type}`, () => {
    const { funding, input, c, outIndex } = setup(type);
    const fundingPrev: TxOut = { value: funding.value, script: funding.script };
    const prevOf = (i: number): TxOut => c.tx.outputs[i]!;
    const ref = (tx: Tx, script: Uint8Array, i: number) => ({ tx, inputIndex: 0, witnessScript: script, amount: prevOf(i).value });

    test('commitment spends the funding output with both signatures in key order', () => {
      const spend = { tx: c.tx, inputIndex: 0, witnessScript: c.fundingWitnessScript, amount: funding.value };
      const a = alice.signCommitment(spend);
      const b = bob.signCommitment(spend);
      const w = fundingSpendWitness(alice.pubkeys.fundingPubkey, a, bob.pubkeys.fundingPubkey, b, c.fundingWitnessScript);
      assert.equal(check(c.tx, fundingPrev, w), 'OK');
      assertWeight(w, SpendWitnessWeight.funding(), 2);
      const swapped = fundingSpendWitness(alice.pubkeys.fundingPubkey, b, bob.pubkeys.fundingPubkey, a, c.fundingWitnessScript);
      assert.notEqual(check(c.tx, fundingPrev, swapped), 'OK');
    });

    test('cooperative close spends the funding output', () => {
      const close = buildClosingTx(input.funding, { scriptPubkey: p2wpkhScript(new Uint8Array(20).fill(1)), balance: msat(600_000_000n) }, { scriptPubkey: p2wpkhScript(new Uint8Array(20).fill(2)), balance: msat(400_000_000n) }, sat(500n), 0);
      const spend = { tx: close, inputIndex: 0, witnessScript: funding.witnessScript, amount: funding.value };
      const w = fundingSpendWitness(bob.pubkeys.fundingPubkey, bob.signClosing(spend), alice.pubkeys.fundingPubkey, alice.signClosing(spend), funding.witnessScript);
      assert.equal(check(close, fundingPrev, w), 'OK');
      const oneSig = fundingSpendWitness(bob.pubkeys.fundingPubkey, bob.signClosing(spend), alice.pubkeys.fundingPubkey, strangerSig(close, funding.witnessScript, funding.value), funding.witnessScript);
      assert.notEqual(check(close, fundingPrev, oneSig), 'OK');
    });

    test('to_local: owner after to_self_delay, not before, not with another key', () => {
      const i = outIndex('to_local');
      const ws = c.outputs[i]!.witnessScript!;
      const tx = spendTx(c.tx, i, { sequence: TO_SELF_DELAY });
      const w = toLocalDelayedWitness(alice.signDelayed(ref(tx, ws, i), point), ws);
      assert.equal(check(tx, prevOf(i), w), 'OK');
      assertWeight(w, SpendWitnessWeight.toLocalDelayed(ws.length), 1);
      const early = spendTx(c.tx, i, { sequence: TO_SELF_DELAY - 1 });
      assert.equal(check(early, prevOf(i), toLocalDelayedWitness(alice.signDelayed(ref(early, ws, i), point), ws)), 'UNSATISFIED_LOCKTIME');
      assert.notEqual(check(tx, prevOf(i), toLocalDelayedWitness(strangerSig(tx, ws, prevOf(i).value), ws)), 'OK');
      assert.throws(() => alice.signDelayed(ref(tx, ws, i), alice.perCommitmentPoint(N + 1n)));
    });

    test('to_local: penalty with the revocation key once the secret is revealed', () => {
      const i = outIndex('to_local');
      const ws = c.outputs[i]!.witnessScript!;
      const tx = spendTx(c.tx, i, { sequence: 0 });
      const w = toLocalRevokedWitness(bob.signRevoked(ref(tx, ws, i), alice.releasePerCommitmentSecret(N)), ws);
      assert.equal(check(tx, prevOf(i), w), 'OK');
      assertWeight(w, SpendWitnessWeight.toLocalRevoked(ws.length), 1);
      assert.notEqual(check(tx, prevOf(i), toLocalRevokedWitness(strangerSig(tx, ws, prevOf(i).value), ws)), 'OK');
      assert.throws(() => bob.signRevoked(ref(tx, ws, i), alice.releasePerCommitmentSecret(N + 1n)));
    });

    test('to_remote: the counterparty, with its payment basepoint', () => {
      const i = outIndex('to_remote');
      const ws = c.outputs[i]!.witnessScript;
      if (!anchors) {
        assert.equal(ws, null);
        const tx = spendTx(c.tx, i, { sequence: 0 });
        const w = toRemoteP2wpkhWitness(bob.signToRemote({ tx, inputIndex: 0, witnessScript: null, amount: prevOf(i).value }), bob.pubkeys.paymentBasepoint);
        assert.equal(check(tx, prevOf(i), w), 'OK');
        assertWeight(w, SpendWitnessWeight.toRemoteP2wpkh(), 1);
        const bad = toRemoteP2wpkhWitness(bob.signToRemote({ tx, inputIndex: 0, witnessScript: null, amount: prevOf(i).value }), alice.pubkeys.paymentBasepoint);
        assert.notEqual(check(tx, prevOf(i), bad), 'OK');
      } else {
        const tx = spendTx(c.tx, i, { sequence: 1 });
        const w = toRemoteAnchorsWitness(bob.signToRemote(ref(tx, ws!, i)), ws!);
        assert.equal(check(tx, prevOf(i), w), 'OK');
        assertWeight(w, SpendWitnessWeight.toRemoteAnchors(), 1);
        const early = spendTx(c.tx, i, { sequence: 0 });
        assert.equal(check(early, prevOf(i), toRemoteAnchorsWitness(bob.signToRemote(ref(early, ws!, i)), ws!)), 'UNSATISFIED_LOCKTIME');
      }
    });

    if (anchors) {
      test('anchors: by their owner at once, by anyone after 16 blocks', () => {
        for (const [kind, owner] of [['local_anchor', alice], ['remote_anchor', bob]] as const) {
          const i = outIndex(kind);
          const ws = c.outputs[i]!.witnessScript!;
          const tx = spendTx(c.tx, i, { sequence: 0 });
          const w = anchorOwnerWitness(owner.signAnchor(ref(tx, ws, i)), ws);
          assert.equal(check(tx, prevOf(i), w), 'OK');
          assertWeight(w, SpendWitnessWeight.anchorOwner(), 1);
          assert.notEqual(check(tx, prevOf(i), anchorOwnerWitness(strangerSig(tx, ws, prevOf(i).value), ws)), 'OK');
          const late = spendTx(c.tx, i, { sequence: 16 });
          assert.equal(check(late, prevOf(i), anchorAnyoneWitness(ws)), 'OK');
          assert.equal(witnessWeight(anchorAnyoneWitness(ws).map((x) => x.length)), SpendWitnessWeight.anchorAnyone());
          const early = spendTx(c.tx, i, { sequence: 15 });
          assert.equal(check(early, prevOf(i), anchorAnyoneWitness(ws)), 'UNSATISFIED_LOCKTIME');
        }
      });
    }

    const htlcTxs = buildHtlcTxs(c, keys, TO_SELF_DELAY, input.feeratePerKw, type);
    const timeoutTx = htlcTxs.find((h) => h.kind === 'timeout')!;
    const successTx = htlcTxs.find((h) => h.kind === 'success')!;
    const theirSighash = htlcCounterpartySighashType(type);

    test('HTLC-timeout transaction (offered HTLC) with both HTLC signatures', () => {
      const i = timeoutTx.htlcOutput.outputIndex;
      assert.equal(timeoutTx.tx.locktime, CLTV);
      assert.equal(timeoutTx.tx.inputs[0]!.sequence, anchors ? 1 : 0);
      const spend = { tx: timeoutTx.tx, inputIndex: 0, witnessScript: timeoutTx.inputWitnessScript, amount: timeoutTx.inputValue };
      const theirs = bob.signHtlc(spend, point, theirSighash);
      const ours = alice.signHtlc(spend, point, SIGHASH_ALL);
      const w = htlcTimeoutTxWitness(theirs, ours, timeoutTx.inputWitnessScript);
      assert.equal(check(timeoutTx.tx, prevOf(i), w), 'OK');
      assertWeight(w, SpendWitnessWeight.htlcTimeoutTx(timeoutTx.inputWitnessScript.length), 2);
      assert.notEqual(check(timeoutTx.tx, prevOf(i), htlcTimeoutTxWitness(ours, theirs, timeoutTx.inputWitnessScript)), 'OK');
      if (anchors) {
        // SIGHASH_SINGLE|ANYONECANPAY: the counterparty's signature survives adding a fee input and change output.
        const bumped: Tx = {
          ...timeoutTx.tx,
          inputs: [...timeoutTx.tx.inputs, { txid: sha256(Uint8Array.of(5)), vout: 0, scriptSig: new Uint8Array(0), sequence: 0, witness: [] }],
          outputs: [...timeoutTx.tx.outputs, { value: 5000n, script: p2wpkhScript(new Uint8Array(20)) }],
        };
        const ours2 = alice.signHtlc({ ...spend, tx: bumped }, point, SIGHASH_ALL);
        const t: Tx = { ...bumped, inputs: [{ ...bumped.inputs[0]!, witness: htlcTimeoutTxWitness(theirs, ours2, timeoutTx.inputWitnessScript) }, bumped.inputs[1]!] };
        assert.deepEqual(verifyInput(t, 0, [prevOf(i), { value: 10_000n, script: p2wpkhScript(new Uint8Array(20)) }], STANDARD_FLAGS), { ok: true });
      }
    });

    test('HTLC-success transaction (received HTLC) with the preimage, not with a wrong one', () => {
      const i = successTx.htlcOutput.outputIndex;
      assert.equal(successTx.tx.locktime, 0);
      const spend = { tx: successTx.tx, inputIndex: 0, witnessScript: successTx.inputWitnessScript, amount: successTx.inputValue };
      const theirs = bob.signHtlc(spend, point, theirSighash);
      const ours = alice.signHtlc(spend, point, SIGHASH_ALL);
      const w = htlcSuccessTxWitness(theirs, ours, preimageReceived, successTx.inputWitnessScript);
      assert.equal(check(successTx.tx, prevOf(i), w), 'OK');
      assertWeight(w, SpendWitnessWeight.htlcSuccessTx(successTx.inputWitnessScript.length), 2);
      assert.notEqual(check(successTx.tx, prevOf(i), htlcSuccessTxWitness(theirs, ours, preimageOffered, successTx.inputWitnessScript)), 'OK');
    });

    test('offered HTLC claimed by the counterparty with the preimage', () => {
      const i = timeoutTx.htlcOutput.outputIndex;
      const ws = timeoutTx.inputWitnessScript;
      const tx = spendTx(c.tx, i, { sequence: anchors ? 1 : 0 });
      const w = offeredHtlcPreimageWitness(bob.signHtlc(ref(tx, ws, i), point, SIGHASH_ALL), preimageOffered, ws);
      assert.equal(check(tx, prevOf(i), w), 'OK');
      assertWeight(w, SpendWitnessWeight.offeredHtlcPreimage(ws.length), 1);
      assert.notEqual(check(tx, prevOf(i), offeredHtlcPreimageWitness(bob.signHtlc(ref(tx, ws, i), point, SIGHASH_ALL), preimageReceived, ws)), 'OK');
      if (anchors) {
        const early = spendTx(c.tx, i, { sequence: 0 });
        assert.equal(check(early, prevOf(i), offeredHtlcPreimageWitness(bob.signHtlc(ref(early, ws, i), point, SIGHASH_ALL), preimageOffered, ws)), 'UNSATISFIED_LOCKTIME');
      }
    });

    test('received HTLC timed out by the counterparty at cltv_expiry, not before', () => {
      const i = successTx.htlcOutput.outputIndex;
      const ws = successTx.inputWitnessScript;
      const seq = anchors ? 1 : 0xfffffffe;
      const tx = spendTx(c.tx, i, { sequence: seq, locktime: CLTV + 10 });
      const w = receivedHtlcTimeoutWitness(bob.signHtlc(ref(tx, ws, i), point, SIGHASH_ALL), ws);
      assert.equal(check(tx, prevOf(i), w), 'OK');
      assertWeight(w, SpendWitnessWeight.receivedHtlcTimeout(ws.length), 1);
      const early = spendTx(c.tx, i, { sequence: seq, locktime: CLTV + 9 });
      assert.equal(check(early, prevOf(i), receivedHtlcTimeoutWitness(bob.signHtlc(ref(early, ws, i), point, SIGHASH_ALL), ws)), 'UNSATISFIED_LOCKTIME');
    });

    test('both HTLC outputs by revocation', () => {
      for (const h of [timeoutTx, successTx]) {
        const i = h.htlcOutput.outputIndex;
        const ws = h.inputWitnessScript;
        const tx = spendTx(c.tx, i, { sequence: 0 });
        const w = htlcRevokedWitness(bob.signRevoked(ref(tx, ws, i), alice.releasePerCommitmentSecret(N)), keys.revocationPubkey, ws);
        assert.equal(check(tx, prevOf(i), w), 'OK');
        assertWeight(w, SpendWitnessWeight.htlcRevoked(ws.length), 1);
        assert.notEqual(check(tx, prevOf(i), htlcRevokedWitness(strangerSig(tx, ws, prevOf(i).value), keys.revocationPubkey, ws)), 'OK');
      }
    });

    test('second-stage HTLC outputs: delayed for the owner, revocable for the counterparty', () => {
      for (const h of [timeoutTx, successTx]) {
        const ws = h.outputWitnessScript;
        const prev = h.tx.outputs[0]!;
        assert.deepEqual(prev.script, p2wshScript(ws));
        const r = (tx: Tx) => ({ tx, inputIndex: 0, witnessScript: ws, amount: prev.value });
        const tx = spendTx(h.tx, 0, { sequence: TO_SELF_DELAY });
        assert.equal(check(tx, prev, toLocalDelayedWitness(alice.signDelayed(r(tx), point), ws)), 'OK');
        const early = spendTx(h.tx, 0, { sequence: 10 });
        assert.equal(check(early, prev, toLocalDelayedWitness(alice.signDelayed(r(early), point), ws)), 'UNSATISFIED_LOCKTIME');
        const penalty = spendTx(h.tx, 0, { sequence: 0 });
        assert.equal(check(penalty, prev, toLocalRevokedWitness(bob.signRevoked(r(penalty), alice.releasePerCommitmentSecret(N)), ws)), 'OK');
      }
    });
  });
}
