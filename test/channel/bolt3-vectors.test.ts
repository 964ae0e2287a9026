/**
 * BOLT #3 Appendices C and F: every commitment and HTLC transaction vector, rebuilt and
 * signed (both sides' signatures, deterministic RFC 6979) and compared byte for byte.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, msat, sat, toHex, reverseBytes } from '../../src/lib/index.ts';
import { getPublicKey, sha256, signatureToDer } from '../../src/crypto/index.ts';
import { serializeTx, SIGHASH_ALL, type Tx } from '../../src/bitcoin/index.ts';
import {
  derivePrivkey,
  derivePubkey,
  deriveRevocationPubkey,
  InMemorySigner,
  obscuringFactor,
  type CommitmentKeys,
  type TxSignature,
} from '../../src/keys/index.ts';
import {
  buildCommitment,
  buildHtlcTxs,
  fundingSpendWitness,
  htlcCounterpartySighashType,
  htlcSuccessTxWitness,
  htlcTimeoutTxWitness,
  type CommitmentHtlc,
  type CommitmentInput,
  type CommitmentType,
} from '../../src/channel/index.ts';
import { appendixC, appendixCParams, appendixF, testHtlcIndices, type CommitVector } from './bolt3-vectors.ts';

const P = appendixCParams();
const val = (k: string): string => {
  const v = P.values.get(k);
  if (v === undefined) throw new Error(`missing ${k}`);
  return v;
};
const internal = (k: string): string => {
  const v = P.internal.get(k);
  if (v === undefined) throw new Error(`missing INTERNAL ${k}`);
  return v;
};
/** "Private keys are displayed as 32 bytes plus a trailing 1". */
const privkey = (hex: string): Uint8Array => fromHex(hex.length === 66 && hex.endsWith('01') ? hex.slice(0, 64) : hex);

const perCommitmentPoint = fromHex(internal('local_per_commitment_point'));
const keys: CommitmentKeys = {
  perCommitmentPoint,
  revocationPubkey: fromHex(val('local_revocation_pubkey')),
  localDelayedPubkey: fromHex(val('local_delayedpubkey')),
  localHtlcPubkey: fromHex(val('local_htlcpubkey')),
  remoteHtlcPubkey: fromHex(val('remote_htlcpubkey')),
  remotePaymentPubkey: fromHex(val('remote_payment_basepoint')),
};
const localFundingPubkey = fromHex(val('local_funding_pubkey'));
const remoteFundingPubkey = fromHex(val('remote_funding_pubkey'));
const unused = new Uint8Array(32).fill(0x99);

// Signers holding exactly the secrets the appendix gives.
const localSigner = new InMemorySigner({
  fundingKey: privkey(val('local_funding_privkey')),
  revocationBaseSecret: unused,
  paymentBaseSecret: privkey(internal('local_payment_basepoint_secret')),
  delayedPaymentBaseSecret: privkey(internal('local_delayed_payment_basepoint_secret')),
  // BOLT #3: "We use the same values for the HTLC basepoints"
  htlcBaseSecret: privkey(internal('local_payment_basepoint_secret')),
  shachainSeed: unused,
});
const remoteSigner = new InMemorySigner({
  fundingKey: privkey(internal('remote_funding_privkey')),
  revocationBaseSecret: privkey(internal('remote_revocation_basepoint_secret')),
  paymentBaseSecret: privkey(internal('remote_payment_basepoint_secret')),
  delayedPaymentBaseSecret: unused,
  htlcBaseSecret: privkey(internal('remote_payment_basepoint_secret')),
  shachainSeed: unused,
});

function htlcsFor(v: CommitVector): CommitmentHtlc[] {
  return testHtlcIndices(v).map((i) => {
    const h = P.htlcs[i]!;
    return {
      direction: h.direction === 'local->remote' ? 'offered' : 'received',
      amount: msat(h.amountMsat),
      paymentHash: sha256(fromHex(h.preimage)),
      cltvExpiry: h.expiry,
    };
  });
}

function preimageFor(v: CommitVector, htlcIndex: number): Uint8Array {
  return fromHex(P.htlcs[testHtlcIndices(v)[htlcIndex]!]!.preimage);
}

const der = (s: TxSignature): string => toHex(signatureToDer(s.sig));

function inputFor(v: CommitVector, type: CommitmentType): CommitmentInput {
  return {
    type,
    funding: { txid: reverseBytes(fromHex(val('funding_tx_id'))), vout: Number(val('funding_output_index')) },
    fundingAmount: sat(BigInt(val('funding_amount_satoshi'))),
    localFundingPubkey,
    remoteFundingPubkey,
    keys,
    toLocal: msat(v.toLocalMsat),
    toRemote: msat(v.toRemoteMsat),
    localIsFunder: true,
    feeratePerKw: v.feeratePerKw,
    toSelfDelay: Number(val('local_delay')),
    dustLimit: sat(v.dustLimit ?? BigInt(val('local_dust_limit_satoshi'))),
    htlcs: htlcsFor(v),
    commitmentNumber: BigInt(val('commitment_number')),
    obscuringFactor: obscuringFactor(fromHex(val('local_payment_basepoint')), fromHex(val('remote_payment_basepoint'))),
  };
}

function checkVector(v: CommitVector, type: CommitmentType): void {
  const input = inputFor(v, type);
  const c = buildCommitment(input);
  const fundingAmount = input.fundingAmount;
  const spend = { tx: c.tx, inputIndex: 0, witnessScript: c.fundingWitnessScript, amount: fundingAmount };
  const localSig = localSigner.signCommitment(spend);
  const remoteSig = remoteSigner.signCommitment(spend);
  assert.equal(der(remoteSig), v.remoteSig, 'remote commitment signature');
  if (v.localSig) assert.equal(der(localSig), v.localSig, 'local commitment signature');
  if (v.baseFee !== undefined) assert.equal(c.baseFee, v.baseFee, 'base fee');
  if (v.actualFee !== undefined) assert.equal(c.actualFee, v.actualFee, 'actual fee');
  const signed: Tx = { ...c.tx, inputs: [{ ...c.tx.inputs[0]!, witness: fundingSpendWitness(localFundingPubkey, localSig, remoteFundingPubkey, remoteSig, c.fundingWitnessScript) }] };
  assert.equal(toHex(serializeTx(signed)), v.commitTxHex, 'commitment transaction');

  const htlcTxs = buildHtlcTxs(c, keys, input.toSelfDelay, input.feeratePerKw, type);
  assert.equal(htlcTxs.length, v.numHtlcs, 'number of untrimmed HTLCs');
  assert.equal(htlcTxs.length, v.htlcTxs.length);
  htlcTxs.forEach((h, i) => {
    const exp = v.htlcTxs[i]!;
    const hSpend = { tx: h.tx, inputIndex: 0, witnessScript: h.inputWitnessScript, amount: h.inputValue };
    const theirs = remoteSigner.signHtlc(hSpend, perCommitmentPoint, htlcCounterpartySighashType(type));
    const ours = localSigner.signHtlc(hSpend, perCommitmentPoint, SIGHASH_ALL);
    assert.equal(der(theirs), exp.remoteSig, `remote HTLC signature #${i}`);
    if (exp.localSig) assert.equal(der(ours), exp.localSig, `local HTLC signature #${i}`);
    if (exp.kind) assert.equal(h.kind, exp.kind);
    const witness =
      h.kind === 'timeout'
        ? htlcTimeoutTxWitness(theirs, ours, h.inputWitnessScript)
        : htlcSuccessTxWitness(theirs, ours, preimageFor(v, h.htlcOutput.htlcIndex), h.inputWitnessScript);
    const signedHtlc: Tx = { ...h.tx, inputs: [{ ...h.tx.inputs[0]!, witness }] };
    assert.equal(toHex(serializeTx(signedHtlc)), exp.txHex, `HTLC transaction #${i}`);
  });
}

describe('BOLT 3 Appendix C: parameters', () => {
  test('obscuring factor matches the appendix', () => {
    const f = obscuringFactor(fromHex(val('local_payment_basepoint')), fromHex(val('remote_payment_basepoint')));
    assert.equal(f.toString(16), P.obscuringFactorHex);
  });
  test('appendix keys follow from the INTERNAL secrets (key derivation)', () => {
    const point = perCommitmentPoint;
    assert.equal(toHex(getPublicKey(privkey(internal('remote_revocation_basepoint_secret')))), internal('remote_revocation_basepoint'));
    assert.equal(toHex(deriveRevocationPubkey(fromHex(internal('remote_revocation_basepoint')), point)), val('local_revocation_pubkey'));
    assert.equal(toHex(derivePubkey(fromHex(internal('local_delayed_payment_basepoint')), point)), val('local_delayedpubkey'));
    assert.equal(toHex(derivePubkey(fromHex(val('local_htlc_basepoint')), point)), val('local_htlcpubkey'));
    assert.equal(toHex(derivePubkey(fromHex(val('remote_htlc_basepoint')), point)), val('remote_htlcpubkey'));
    assert.equal(toHex(derivePrivkey(privkey(internal('local_payment_basepoint_secret')), point)), val('local_privkey').slice(0, 64));
    assert.equal(toHex(derivePrivkey(privkey(internal('local_delayed_payment_basepoint_secret')), point)), internal('local_delayed_privkey').slice(0, 64));
    assert.equal(toHex(derivePrivkey(privkey(internal('remote_payment_basepoint_secret')), point)), internal('remote_privkey').slice(0, 64));
    assert.deepEqual(localSigner.pubkeys.fundingPubkey, localFundingPubkey);
    assert.deepEqual(remoteSigner.pubkeys.fundingPubkey, remoteFundingPubkey);
  });
});

const vectorsC = appendixC();
describe('BOLT 3 Appendix C: static_remotekey commitment and HTLC transactions', () => {
  test('the appendix has 16 vectors', () => assert.equal(vectorsC.length, 16));
  for (const v of vectorsC) test(v.name, () => checkVector(v, 'static_remotekey'));
});

const vectorsF = appendixF();
describe('BOLT 3 Appendix F: anchors commitment and HTLC transactions', () => {
  test('the appendix has 9 vectors', () => assert.equal(vectorsF.length, 9));
  for (const v of vectorsF) test(v.name, () => checkVector(v, 'anchors'));
});
