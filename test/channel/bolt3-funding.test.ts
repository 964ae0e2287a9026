/**
 * BOLT #3 Appendix B (funding transaction) and the funding output script, read from the
 * spec file; plus closing transaction construction.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, msat, reverseBytes, sat, toHex, concatBytes } from '../../src/lib/index.ts';
import { getPublicKey, hash160, signEcdsa, signatureToDer } from '../../src/crypto/index.ts';
import { legacySigHash, p2pkhScript, p2wpkhScript, serializeTx, txidHex, txWeight, SIGHASH_ALL } from '../../src/bitcoin/index.ts';
import { buildClosingTx, buildFundingTx, buildLegacyClosingTx, fundingOutput, fundingScript, sortedFundingPubkeys } from '../../src/channel/index.ts';
import { bolt3Text, section } from '../keys/spec-text.ts';

const block = section(bolt3Text(), '# Appendix B: Funding Transaction Test Vectors');
const values = new Map<string, string>();
for (const raw of block.split('\n')) {
  const m = raw.trim().match(/^(#?\s*[\w ]+?)\s*[:=]\s*([0-9a-f]+)$/);
  if (m) values.set(m[1]!.replace(/^#\s*/, ''), m[2]!);
}
const v = (k: string): string => {
  const x = values.get(k);
  if (x === undefined) throw new Error(`missing ${k}`);
  return x;
};

describe('BOLT 3 Appendix B: funding transaction', () => {
  const local = fromHex(v('local_funding_pubkey'));
  const remote = fromHex(v('remote_funding_pubkey'));

  test('funding witness script orders the keys', () => {
    assert.equal(toHex(fundingScript(local, remote)), v('funding witness script'));
    assert.equal(toHex(fundingScript(remote, local)), v('funding witness script'));
    assert.deepEqual(sortedFundingPubkeys(remote, local), [local, remote]);
  });

  test('funding tx is rebuilt and signed byte for byte, with the stated fee and txid', () => {
    const priv = fromHex(v('Block 1 coinbase privkey').slice(0, 64));
    const pub = getPublicKey(priv);
    const funding = fundingOutput(local, remote, sat(BigInt(v('funding satoshis'))));
    const change = { value: BigInt(v('change satoshis')), script: p2wpkhScript(hash160(pub)) };
    const { tx, fundingOutputIndex } = buildFundingTx(
      [{ txid: reverseBytes(fromHex(v('input txid'))), vout: Number(v('input index')) }],
      funding,
      change,
    );
    assert.equal(fundingOutputIndex, Number(v('funding output')));
    // The input is the block 1 coinbase's P2PKH output.
    const scriptCode = p2pkhScript(hash160(pub));
    const sig = signEcdsa(legacySigHash(tx, 0, scriptCode, SIGHASH_ALL), priv);
    const derSig = concatBytes(signatureToDer(sig), Uint8Array.of(SIGHASH_ALL));
    tx.inputs[0]!.scriptSig = concatBytes(Uint8Array.of(derSig.length), derSig, Uint8Array.of(pub.length), pub);
    assert.equal(toHex(serializeTx(tx)), v('funding tx'));
    assert.equal(txidHex(tx), v('txid'));
    // feerate_per_kw * weight / 1000 is the fee paid.
    const fee = BigInt(v('input satoshis')) - BigInt(v('funding satoshis')) - BigInt(v('change satoshis'));
    assert.equal(fee, (BigInt(v('feerate_per_kw')) * BigInt(txWeight(tx))) / 1000n);
  });
});

describe('closing transactions', () => {
  const funding = { txid: new Uint8Array(32).fill(7), vout: 1 };
  const a = p2wpkhScript(new Uint8Array(20).fill(1));
  const b = p2wpkhScript(new Uint8Array(20).fill(2));
  test('legacy closing: funder pays the fee, outputs rounded down, dust removed', () => {
    const tx = buildLegacyClosingTx(funding, { scriptPubkey: b, balance: msat(5_000_999n) }, { scriptPubkey: a, balance: msat(400_000n) }, true, sat(1000n), sat(546n));
    assert.equal(tx.outputs.length, 1);
    assert.equal(tx.outputs[0]!.value, 4000n);
    assert.equal(tx.inputs[0]!.sequence, 0xffffffff);
    const tx2 = buildLegacyClosingTx(funding, { scriptPubkey: b, balance: msat(5_000_999n) }, { scriptPubkey: a, balance: msat(4_000_000n) }, false, sat(1000n), sat(546n));
    assert.deepEqual(tx2.outputs.map((o) => o.value), [3000n, 5000n]);
  });
  test('simple close: closer pays, OP_RETURN gets 0, BIP69 order, sequence 0xFFFFFFFD', () => {
    const opReturn = Uint8Array.of(0x6a, 1, 0);
    const tx = buildClosingTx(funding, { scriptPubkey: a, balance: msat(9_000_000n) }, { scriptPubkey: opReturn, balance: msat(1_000_000n) }, sat(500n), 800000);
    assert.deepEqual(tx.outputs.map((o) => o.value), [0n, 8500n]);
    assert.equal(tx.inputs[0]!.sequence, 0xfffffffd);
    assert.equal(tx.locktime, 800000);
  });
});
