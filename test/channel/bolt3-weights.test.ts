/**
 * BOLT #3 Appendix A expected weights: the constants match the spec text, and transactions
 * actually built here, with maximum-size (73-byte) signatures, weigh exactly that.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { msat, sat } from '../../src/lib/index.ts';
import { getPublicKey, sha256 } from '../../src/crypto/index.ts';
import { p2wpkhScript, txWeight, type Tx } from '../../src/bitcoin/index.ts';
import { deriveCommitmentKeys, type ChannelPublicKeys } from '../../src/keys/index.ts';
import {
  buildCommitment,
  buildHtlcTxs,
  commitmentWeight,
  fundingTransactionWeight,
  htlcSuccessWeight,
  htlcTimeoutWeight,
  offeredHtlcScript,
  receivedHtlcScript,
  fundingScript,
  anchorScript,
  toRemoteAnchorsScript,
  SpendWitnessWeight,
  witnessWeight,
  OFFERED_HTLC_SCRIPT_SIZE,
  ACCEPTED_HTLC_SCRIPT_SIZE,
  ANCHORS_HTLC_SCRIPT_EXTRA,
  FUNDING_SCRIPT_SIZE,
  ANCHOR_SCRIPT_SIZE,
  TO_REMOTE_ANCHORS_SCRIPT_SIZE,
  type CommitmentHtlc,
  type CommitmentType,
} from '../../src/channel/index.ts';
import { bolt3Text, section } from '../keys/spec-text.ts';

const text = bolt3Text();
const fees = section(text, '### Fee Calculation');
const appA = section(text, '# Appendix A: Expected Weights');
const num = (re: RegExp, src: string): number[] => {
  const m = src.match(re);
  if (!m) throw new Error(`not in spec: ${re}`);
  return m.slice(1).map(Number);
};

const key = (i: number): Uint8Array => getPublicKey(sha256(Uint8Array.of(i)));
const pubs = (o: number): ChannelPublicKeys => ({
  fundingPubkey: key(o + 1),
  revocationBasepoint: key(o + 2),
  paymentBasepoint: key(o + 3),
  delayedPaymentBasepoint: key(o + 4),
  htlcBasepoint: key(o + 5),
});
const local = pubs(0);
const remote = pubs(10);
const keys = deriveCommitmentKeys(local, remote, key(99));
const SIG73 = new Uint8Array(73).fill(0x30);

function commitmentWith(n: number, type: CommitmentType, cltv = 0x01000000) {
  const htlcs: CommitmentHtlc[] = Array.from({ length: n }, (_, i) => ({
    direction: i % 2 === 0 ? 'offered' : 'received',
    amount: msat(1_000_000n + BigInt(i) * 1000n),
    paymentHash: sha256(Uint8Array.of(i, 1)),
    cltvExpiry: cltv + i,
  }));
  const htlcTotal = htlcs.reduce((a, h) => a + h.amount, 0n);
  return buildCommitment({
    type,
    funding: { txid: new Uint8Array(32).fill(1), vout: 0 },
    fundingAmount: sat(10_000_000n),
    localFundingPubkey: local.fundingPubkey,
    remoteFundingPubkey: remote.fundingPubkey,
    keys,
    toLocal: msat(6_000_000_000n - htlcTotal),
    toRemote: msat(4_000_000_000n),
    localIsFunder: true,
    feeratePerKw: 253,
    toSelfDelay: 144,
    dustLimit: sat(546n),
    htlcs,
    commitmentNumber: 7n,
    obscuringFactor: 0x123456789abcn,
  });
}

describe('BOLT 3 Appendix A: constants match the spec', () => {
  test('fee calculation weights', () => {
    const [base, per] = num(/Commitment weight \(no option_anchors\):\s+(\d+) \+ (\d+) \*/, fees);
    const [baseA, perA] = num(/Commitment weight \(option_anchors\):\s+(\d+) \+ (\d+) \*/, fees);
    assert.equal(commitmentWeight(0, false), base);
    assert.equal(commitmentWeight(3, false), base! + 3 * per!);
    assert.equal(commitmentWeight(3, true), baseA! + 3 * perA!);
    assert.equal(htlcTimeoutWeight(false), num(/HTLC-timeout weight \(no option_anchors\): (\d+)/, fees)[0]);
    assert.equal(htlcTimeoutWeight(true), num(/HTLC-timeout weight \(option_anchors\): (\d+)/, fees)[0]);
    assert.equal(htlcSuccessWeight(false), num(/HTLC-success weight \(no option_anchors\): (\d+)/, fees)[0]);
    assert.equal(htlcSuccessWeight(true), num(/HTLC-success weight \(option_anchors\): (\d+)/, fees)[0]);
  });
  test('script and witness sizes', () => {
    const [acc, accA] = num(/accepted_htlc_script: (\d+) bytes \((\d+) bytes with option_anchors\)/, appA);
    const [off, offA] = num(/offered_htlc_script: (\d+) bytes \((\d+) bytes with option_anchors\)/, appA);
    const [tw, twA] = num(/timeout_witness: (\d+) bytes \((\d+) bytes with option_anchors\)/, appA);
    const [sw, swA] = num(/success_witness: (\d+) bytes \((\d+) bytes with option_anchors\)/, appA);
    assert.equal(ACCEPTED_HTLC_SCRIPT_SIZE, acc);
    assert.equal(ACCEPTED_HTLC_SCRIPT_SIZE + ANCHORS_HTLC_SCRIPT_EXTRA, accA);
    assert.equal(OFFERED_HTLC_SCRIPT_SIZE, off);
    assert.equal(OFFERED_HTLC_SCRIPT_SIZE + ANCHORS_HTLC_SCRIPT_EXTRA, offA);
    assert.equal(FUNDING_SCRIPT_SIZE, num(/multi_sig: (\d+) bytes/, appA)[0]);
    assert.equal(SpendWitnessWeight.funding(), num(/witness: (\d+) bytes/, appA)[0]);
    assert.equal(SpendWitnessWeight.htlcTimeoutTx(off!), tw);
    assert.equal(SpendWitnessWeight.htlcTimeoutTx(offA!), twA);
    assert.equal(SpendWitnessWeight.htlcSuccessTx(acc!), sw);
    assert.equal(SpendWitnessWeight.htlcSuccessTx(accA!), swA);
  });
  test('built scripts have the Appendix A sizes (4-byte cltv_expiry)', () => {
    for (const anchors of [false, true]) {
      const extra = anchors ? ANCHORS_HTLC_SCRIPT_EXTRA : 0;
      assert.equal(offeredHtlcScript(keys, new Uint8Array(32), anchors).length, OFFERED_HTLC_SCRIPT_SIZE + extra);
      assert.equal(receivedHtlcScript(keys, new Uint8Array(32), 0x01000000, anchors).length, ACCEPTED_HTLC_SCRIPT_SIZE + extra);
    }
    assert.equal(fundingScript(local.fundingPubkey, remote.fundingPubkey).length, FUNDING_SCRIPT_SIZE);
    assert.equal(anchorScript(local.fundingPubkey).length, ANCHOR_SCRIPT_SIZE);
    assert.equal(toRemoteAnchorsScript(keys.remotePaymentPubkey).length, TO_REMOTE_ANCHORS_SCRIPT_SIZE);
  });
});

describe('BOLT 3 Appendix A: built transactions weigh the expected weight', () => {
  for (const type of ['static_remotekey', 'anchors'] as const) {
    for (const n of [0, 1, 5, 20]) {
      test(`${type} commitment with ${n} HTLCs and 73-byte signatures`, () => {
        const c = commitmentWith(n, type);
        assert.equal(c.htlcOutputs.length, n);
        const tx: Tx = { ...c.tx, inputs: [{ ...c.tx.inputs[0]!, witness: [new Uint8Array(0), SIG73, SIG73, c.fundingWitnessScript] }] };
        // Appendix A counts the anchors commitment's output count as 3 bytes ("count_tx_out: 3
        // byte") where a transaction with fewer than 253 outputs uses 1.
        const countBytes = type === 'anchors' ? num(/count_tx_out: (\d+) byte\s+- tx_out: 172/, appA)[0]! : 1;
        assert.equal(txWeight(tx) + 4 * (countBytes - 1), commitmentWeight(n, type === 'anchors'));
      });
    }
    test(`${type} HTLC transactions with 73-byte signatures`, () => {
      const anchors = type === 'anchors';
      const c = commitmentWith(2, type);
      for (const h of buildHtlcTxs(c, keys, 144, 253, type)) {
        const last = h.kind === 'timeout' ? new Uint8Array(0) : new Uint8Array(32);
        const tx: Tx = { ...h.tx, inputs: [{ ...h.tx.inputs[0]!, witness: [new Uint8Array(0), SIG73, SIG73, last, h.inputWitnessScript] }] };
        if (h.kind === 'timeout') assert.equal(txWeight(tx), htlcTimeoutWeight(anchors));
        // BOLT #3: "(really 702 and 705, but we use these numbers for historical reasons)"
        else assert.equal(txWeight(tx) + 1, htlcSuccessWeight(anchors));
      }
    });
  }
  test('funding transaction weight formula matches a built P2WPKH-funded transaction', () => {
    const changeScript = p2wpkhScript(new Uint8Array(20).fill(3));
    const witness = [SIG73, key(1)];
    const tx: Tx = {
      version: 2,
      inputs: [{ txid: new Uint8Array(32), vout: 0, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness }],
      outputs: [
        { value: 1_000_000n, script: new Uint8Array(34).fill(0) },
        { value: 5000n, script: changeScript },
      ],
      locktime: 0,
    };
    assert.equal(txWeight(tx), fundingTransactionWeight(1, [changeScript.length], [witnessWeight([73, 33])]));
  });
});
