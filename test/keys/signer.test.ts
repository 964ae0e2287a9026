/**
 * The channel Signer: deterministic per-channel secrets, signatures that verify under the
 * BOLT 3 derived keys, and refusal to sign for scripts that do not use its keys.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { equalBytes } from '../../src/lib/index.ts';
import { getPublicKey, hash160, sha256, verifyEcdsa } from '../../src/crypto/index.ts';
import { p2pkhScript, segwitV0SigHash, SIGHASH_ALL, SIGHASH_ANYONECANPAY, SIGHASH_SINGLE, type Tx } from '../../src/bitcoin/index.ts';
import {
  deriveChannelSecrets,
  derivePubkey,
  deriveRevocationPubkey,
  InMemorySigner,
  perCommitmentPoint,
  perCommitmentSecret,
  type SpendRef,
} from '../../src/keys/index.ts';

const nodeSecret = sha256(Uint8Array.of(42));
const tx: Tx = {
  version: 2,
  inputs: [{ txid: new Uint8Array(32).fill(5), vout: 1, scriptSig: new Uint8Array(0), sequence: 0, witness: [] }],
  outputs: [{ value: 1000n, script: new Uint8Array(22) }],
  locktime: 0,
};
const scriptWith = (...keys: Uint8Array[]): Uint8Array => Uint8Array.from([0x63, ...keys.flatMap((k) => [k.length, ...k]), 0xac]);
const spend = (witnessScript: Uint8Array): SpendRef => ({ tx, inputIndex: 0, witnessScript, amount: 5000n });
const verifies = (s: { sig: Uint8Array; sighashType: number }, script: Uint8Array, pub: Uint8Array): boolean =>
  verifyEcdsa(s.sig, segwitV0SigHash(tx, 0, script, 5000n, s.sighashType), pub);

describe('InMemorySigner', () => {
  const signer = InMemorySigner.fromNodeSecret(nodeSecret, 3n);

  test('secrets are deterministic per (node secret, channel index) and distinct', () => {
    const again = InMemorySigner.fromNodeSecret(nodeSecret, 3n);
    assert.deepEqual(again.pubkeys, signer.pubkeys);
    const other = InMemorySigner.fromNodeSecret(nodeSecret, 4n);
    assert.ok(!equalBytes(other.pubkeys.fundingPubkey, signer.pubkeys.fundingPubkey));
    const s = deriveChannelSecrets(nodeSecret, 3n);
    const all = [s.fundingKey, s.revocationBaseSecret, s.paymentBaseSecret, s.delayedPaymentBaseSecret, s.htlcBaseSecret, s.shachainSeed];
    assert.equal(new Set(all.map((k) => Buffer.from(k).toString('hex'))).size, 6);
  });

  test('per-commitment points and secrets come from the shachain seed', () => {
    const seed = deriveChannelSecrets(nodeSecret, 3n).shachainSeed;
    for (const n of [0n, 1n, 1000n]) {
      assert.deepEqual(signer.releasePerCommitmentSecret(n), perCommitmentSecret(seed, n));
      assert.deepEqual(signer.perCommitmentPoint(n), perCommitmentPoint(perCommitmentSecret(seed, n)));
    }
  });

  test('funding, anchor and closing signatures verify under the funding key', () => {
    const script = scriptWith(signer.pubkeys.fundingPubkey, getPublicKey(sha256(Uint8Array.of(1))));
    for (const s of [signer.signCommitment(spend(script)), signer.signClosing(spend(script)), signer.signAnchor(spend(script))]) {
      assert.equal(s.sighashType, SIGHASH_ALL);
      assert.ok(verifies(s, script, signer.pubkeys.fundingPubkey));
    }
  });

  test('HTLC signatures use the derived HTLC key and the requested sighash type', () => {
    const point = getPublicKey(sha256(Uint8Array.of(9)));
    const htlcPub = derivePubkey(signer.pubkeys.htlcBasepoint, point);
    const script = scriptWith(htlcPub);
    const s = signer.signHtlc(spend(script), point, SIGHASH_SINGLE | SIGHASH_ANYONECANPAY);
    assert.equal(s.sighashType, 0x83);
    assert.ok(verifies(s, script, htlcPub));
    assert.ok(!verifies({ ...s, sighashType: SIGHASH_ALL }, script, htlcPub));
  });

  test('delayed, to_remote and revocation signatures use their keys', () => {
    const point = signer.perCommitmentPoint(5n);
    const delayed = derivePubkey(signer.pubkeys.delayedPaymentBasepoint, point);
    assert.ok(verifies(signer.signDelayed(spend(scriptWith(delayed)), point), scriptWith(delayed), delayed));

    const p2wpkh = signer.signToRemote({ tx, inputIndex: 0, amount: 5000n, witnessScript: null });
    assert.ok(verifies(p2wpkh, p2pkhScript(hash160(signer.pubkeys.paymentBasepoint)), signer.pubkeys.paymentBasepoint));

    const theirSecret = sha256(Uint8Array.of(77));
    const revPub = deriveRevocationPubkey(signer.pubkeys.revocationBasepoint, perCommitmentPoint(theirSecret));
    assert.ok(verifies(signer.signRevoked(spend(scriptWith(revPub)), theirSecret), scriptWith(revPub), revPub));
    // HTLC outputs carry HASH160(revocationpubkey) rather than the key.
    const htlcLike = Uint8Array.from([0x76, 0xa9, 20, ...hash160(revPub), 0x87]);
    assert.ok(verifies(signer.signRevoked(spend(htlcLike), theirSecret), htlcLike, revPub));
  });

  test('refuses scripts that do not use its key', () => {
    const stranger = scriptWith(getPublicKey(sha256(Uint8Array.of(123))));
    const point = signer.perCommitmentPoint(0n);
    assert.throws(() => signer.signCommitment(spend(stranger)));
    assert.throws(() => signer.signAnchor(spend(stranger)));
    assert.throws(() => signer.signHtlc(spend(stranger), point, SIGHASH_ALL));
    assert.throws(() => signer.signDelayed(spend(stranger), point));
    assert.throws(() => signer.signToRemote({ ...spend(stranger) }));
    assert.throws(() => signer.signRevoked(spend(stranger), sha256(Uint8Array.of(1))));
    assert.throws(() => signer.signCommitment({ ...spend(scriptWith(signer.pubkeys.fundingPubkey)), inputIndex: 1 }));
  });
});
