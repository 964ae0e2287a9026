/**
 * The commitment signing fast paths (bench/commitment) must not change a byte: directly laid
 * out scripts equal the compileScript forms, the txid and BIP143 cache built with the
 * commitment equal the bitcoin layer's, channel-constant memos never serve a stale value,
 * and signCounterpartyCommitment's signatures equal the signer's plain (uncached) ones.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { msat, sat, toHex } from '../../src/lib/index.ts';
import { sha256, verifyEcdsa } from '../../src/crypto/index.ts';
import { compileScript, OP, precomputeTxData, scriptNumEncode, segwitV0SigHash, SIGHASH_ALL, txid } from '../../src/bitcoin/index.ts';
import { deriveCommitmentKeys, InMemorySigner, obscuringFactor } from '../../src/keys/index.ts';
import {
  buildCommitment,
  fundingScript,
  htlcCounterpartySighashType,
  htlcScriptBuilder,
  offeredHtlcScript,
  receivedHtlcScript,
  signCounterpartyCommitment,
  toLocalScript,
  type CommitmentHtlc,
  type CommitmentInput,
  type CommitmentType,
} from '../../src/channel/index.ts';

const us = InMemorySigner.fromNodeSecret(sha256(Uint8Array.of(1)), 0n);
const them = InMemorySigner.fromNodeSecret(sha256(Uint8Array.of(2)), 0n);

function theirCommitment(n: number, type: CommitmentType, fundingTxid = new Uint8Array(32).fill(1)): CommitmentInput {
  const htlcs: CommitmentHtlc[] = Array.from({ length: n }, (_, i) => ({
    direction: i % 2 === 0 ? 'offered' : 'received',
    amount: msat(1_000_000n + BigInt(i) * 1000n),
    paymentHash: sha256(Uint8Array.of(i)),
    cltvExpiry: 800_000 + i,
  }));
  const htlcTotal = htlcs.reduce((a, h) => a + h.amount, 0n);
  return {
    type,
    funding: { txid: fundingTxid, vout: 1 },
    fundingAmount: sat(10_000_000n),
    localFundingPubkey: them.pubkeys.fundingPubkey,
    remoteFundingPubkey: us.pubkeys.fundingPubkey,
    keys: deriveCommitmentKeys(them.pubkeys, us.pubkeys, them.perCommitmentPoint(7n)),
    toLocal: msat(6_000_000_000n - htlcTotal),
    toRemote: msat(4_000_000_000n),
    localIsFunder: false,
    feeratePerKw: 253,
    toSelfDelay: 144,
    dustLimit: sat(546n),
    htlcs,
    commitmentNumber: 7n,
    obscuringFactor: obscuringFactor(us.pubkeys.paymentBasepoint, them.pubkeys.paymentBasepoint),
  };
}

const NUMBERS = [0, 1, 16, 17, 127, 128, 255, 256, 0x7fff, 0x8000, 0xffff, 0x7fffff, 0x800000, 0x7fffffff, 0x80000000, 0xffffffff];

describe('commitment fast paths', () => {
  const keys = deriveCommitmentKeys(them.pubkeys, us.pubkeys, them.perCommitmentPoint(3n));

  test('toLocalScript equals its compileScript form for every size of to_self_delay', () => {
    for (const d of NUMBERS.filter((x) => x <= 0xffff)) {
      const ref = compileScript([
        OP.OP_IF, keys.revocationPubkey, OP.OP_ELSE, scriptNumEncode(d), OP.OP_CHECKSEQUENCEVERIFY, OP.OP_DROP,
        keys.localDelayedPubkey, OP.OP_ENDIF, OP.OP_CHECKSIG,
      ]);
      assert.equal(toHex(toLocalScript(keys.revocationPubkey, d, keys.localDelayedPubkey)), toHex(ref), `delay ${d}`);
    }
  });

  test('the HTLC script builder splices every size of cltv_expiry like receivedHtlcScript', () => {
    for (const anchors of [false, true]) {
      const b = htlcScriptBuilder(keys, anchors);
      for (const cltv of NUMBERS) {
        const hash = sha256(Uint8Array.of(cltv & 0xff));
        assert.equal(toHex(b.received(hash, cltv)), toHex(receivedHtlcScript(keys, hash, cltv, anchors)), `cltv ${cltv}`);
      }
    }
  });

  test('a payment hash array rewritten between commitments gets its new hash in the script', () => {
    for (const anchors of [false, true]) {
      const b = htlcScriptBuilder(keys, anchors);
      const hash = sha256(Uint8Array.of(1, 2, 3));
      b.offered(hash);
      b.received(hash, 500);
      hash.set(sha256(Uint8Array.of(4)));
      assert.equal(toHex(b.offered(hash)), toHex(offeredHtlcScript(keys, hash, anchors)));
      assert.equal(toHex(b.received(hash, 500)), toHex(receivedHtlcScript(keys, hash, 500, anchors)));
    }
  });

  test('the txid and BIP143 cache built with the commitment equal the bitcoin layer', () => {
    for (const type of ['static_remotekey', 'anchors'] as const) {
      for (const n of [0, 3]) {
        const input = theirCommitment(n, type);
        const c = buildCommitment(input);
        assert.equal(toHex(c.txid), toHex(txid(c.tx)));
        const ref = precomputeTxData(c.tx);
        assert.equal(toHex(c.sighashCache.hashPrevouts!), toHex(ref.hashPrevouts!));
        assert.equal(toHex(c.sighashCache.hashSequence!), toHex(ref.hashSequence!));
        assert.equal(toHex(c.sighashCache.hashOutputs!), toHex(ref.hashOutputs!));
        assert.equal(toHex(c.fundingWitnessScript), toHex(fundingScript(input.localFundingPubkey, input.remoteFundingPubkey)));
      }
    }
  });

  test('memoised channel constants follow a changed funding outpoint or key pair', () => {
    const fundingTxid = new Uint8Array(32).fill(1);
    const input = theirCommitment(0, 'anchors', fundingTxid);
    buildCommitment(input);
    // The same array rewritten, a different vout, and swapped funding keys.
    fundingTxid.fill(2);
    const variants = [input, { ...input, funding: { txid: fundingTxid, vout: 5 } }, { ...input, remoteFundingPubkey: them.pubkeys.htlcBasepoint }];
    for (const v of variants) {
      const c = buildCommitment(v);
      assert.equal(toHex(c.sighashCache.hashPrevouts!), toHex(precomputeTxData(c.tx).hashPrevouts!));
      assert.equal(toHex(c.fundingWitnessScript), toHex(fundingScript(v.localFundingPubkey, v.remoteFundingPubkey)));
    }
  });

  test('signCounterpartyCommitment signs exactly what the signer signs without caches', () => {
    for (const type of ['static_remotekey', 'anchors'] as const) {
      const input = theirCommitment(5, type);
      const signed = signCounterpartyCommitment(us, input);
      const plain = us.signCommitment({ tx: signed.commitment.tx, inputIndex: 0, witnessScript: signed.commitment.fundingWitnessScript, amount: input.fundingAmount });
      assert.equal(toHex(signed.signature.sig), toHex(plain.sig));
      assert.equal(signed.htlcSignatures.length, 5);
      const sighashType = htlcCounterpartySighashType(type);
      signed.htlcTxs.forEach((h, i) => {
        const ref = us.signHtlc({ tx: h.tx, inputIndex: 0, witnessScript: h.inputWitnessScript, amount: h.inputValue }, input.keys.perCommitmentPoint, sighashType);
        assert.equal(toHex(signed.htlcSignatures[i]!.sig), toHex(ref.sig));
        assert.equal(signed.htlcSignatures[i]!.sighashType, sighashType);
      });
      // And the commitment signature verifies over the bitcoin layer's digest.
      const digest = segwitV0SigHash(signed.commitment.tx, 0, signed.commitment.fundingWitnessScript, input.fundingAmount, SIGHASH_ALL);
      assert.ok(verifyEcdsa(signed.signature.sig, digest, us.pubkeys.fundingPubkey));
    }
  });
});
