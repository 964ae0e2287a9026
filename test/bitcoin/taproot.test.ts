import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/lib/index.ts';
import {
  STANDARD_FLAGS,
  MANDATORY_FLAGS,
  SIGHASH_ALL,
  parseTx,
  serializeTx,
  taprootKeySpendSigHash,
  taprootOutputKey,
  taprootTweakPrivKey,
  tapTreeRoot,
  tapleafHash,
  tapTweakHash,
  verifyInput,
  verifyTaprootCommitment,
  verifyTx,
  taprootSpendInfo,
  p2trScript,
  type TapTree,
  type TxOut,
} from '../../src/bitcoin/index.ts';
import { schnorrPublicKey, schnorrSign } from '../../src/crypto/index.ts';
import { loadJson } from './spec-data.ts';

interface JsonTree {
  script?: string;
  leafVersion?: number;
}
type JTree = JsonTree | JTree[];
interface Vectors {
  scriptPubKey: {
    given: { internalPubkey: string; scriptTree: JTree | null };
    intermediary: { leafHashes?: string[]; merkleRoot: string | null; tweak: string; tweakedPubkey: string };
    expected: { scriptPubKey: string; scriptPathControlBlocks?: string[] };
  }[];
  keyPathSpending: {
    given: { rawUnsignedTx: string; utxosSpent: { scriptPubKey: string; amountSats: number }[] };
    inputSpending: {
      given: { txinIndex: number; internalPrivkey: string; merkleRoot: string | null; hashType: number };
      intermediary: { tweakedPrivkey: string; sigHash: string };
      expected: { witness: string[] };
    }[];
    auxiliary: { fullySignedTx: string };
  }[];
}

function toTree(j: JTree): TapTree {
  if (Array.isArray(j)) return [toTree(j[0]), toTree(j[1])];
  return { script: fromHex(j.script!), leafVersion: j.leafVersion! };
}
function leaves(j: JTree): JsonTree[] {
  return Array.isArray(j) ? j.flatMap(leaves) : [j];
}

const v = loadJson<Vectors>('bip341_wallet_vectors.json');

describe('BIP341 scriptPubKey vectors', () => {
  test('leaf hashes, merkle root, tweak, output key and control blocks', () => {
    for (const row of v.scriptPubKey) {
      const p = fromHex(row.given.internalPubkey);
      const tree = row.given.scriptTree;
      const root = tree ? tapTreeRoot(toTree(tree)) : null;
      assert.equal(root ? toHex(root) : null, row.intermediary.merkleRoot);
      assert.equal(toHex(tapTweakHash(p, root)), row.intermediary.tweak);
      const q = taprootOutputKey(p, root);
      assert.equal(toHex(q.key), row.intermediary.tweakedPubkey);
      assert.equal(toHex(p2trScript(q.key)), row.expected.scriptPubKey);
      if (!tree) continue;
      const ls = leaves(tree);
      ls.forEach((leaf, i) => {
        const lh = tapleafHash(leaf.leafVersion!, fromHex(leaf.script!));
        assert.equal(toHex(lh), row.intermediary.leafHashes![i]);
        const cb = fromHex(row.expected.scriptPathControlBlocks![i]);
        assert.equal(toHex(taprootSpendInfo(p, toTree(tree)).leaves[i].controlBlock), row.expected.scriptPathControlBlocks![i]);
        assert.ok(verifyTaprootCommitment(cb, q.key, lh), 'control block commits');
        const wrong = Uint8Array.from(cb);
        wrong[0] ^= 1; // wrong parity
        assert.ok(!verifyTaprootCommitment(wrong, q.key, lh));
      });
    }
  });
});

describe('BIP341 key-path spending vectors', () => {
  const group = v.keyPathSpending[0];
  const prevouts: TxOut[] = group.given.utxosSpent.map((u) => ({ value: BigInt(u.amountSats), script: fromHex(u.scriptPubKey) }));

  test('tweaked private keys and signatures verify; the fully signed transaction passes the interpreter', () => {
    const tx = parseTx(fromHex(group.given.rawUnsignedTx));
    for (const inp of group.inputSpending) {
      const { txinIndex, internalPrivkey, merkleRoot, hashType } = inp.given;
      const tweaked = taprootTweakPrivKey(fromHex(internalPrivkey), merkleRoot ? fromHex(merkleRoot) : null);
      assert.equal(toHex(tweaked), inp.intermediary.tweakedPrivkey);
      assert.equal(toHex(schnorrPublicKey(tweaked)), toHex(prevouts[txinIndex].script.subarray(2)));
      tx.inputs[txinIndex].witness = inp.expected.witness.map(fromHex);
      const sig = tx.inputs[txinIndex].witness[0];
      assert.equal(sig.length === 65 ? sig[64] : 0, hashType, 'signature carries the vector hash type');
      assert.deepEqual(verifyInput(tx, txinIndex, prevouts, STANDARD_FLAGS), { ok: true });
    }
    const signed = parseTx(fromHex(group.auxiliary.fullySignedTx));
    assert.deepEqual(verifyTx(signed, prevouts, STANDARD_FLAGS), { ok: true });
    assert.equal(toHex(serializeTx(signed)), group.auxiliary.fullySignedTx);
  });

  test('tampering fails with Core error names', () => {
    const signed = parseTx(fromHex(group.auxiliary.fullySignedTx));
    const i = group.inputSpending[0].given.txinIndex;
    const w = signed.inputs[i].witness[0];
    const bad = Uint8Array.from(w);
    bad[10] ^= 1;
    signed.inputs[i].witness = [bad];
    assert.deepEqual(verifyInput(signed, i, prevouts, MANDATORY_FLAGS), { ok: false, error: 'SCHNORR_SIG' });
    signed.inputs[i].witness = [w.subarray(0, 63)];
    assert.deepEqual(verifyInput(signed, i, prevouts, MANDATORY_FLAGS), { ok: false, error: 'SCHNORR_SIG_SIZE' });
    signed.inputs[i].witness = [Uint8Array.of(...w.subarray(0, 64), 0)];
    assert.deepEqual(verifyInput(signed, i, prevouts, MANDATORY_FLAGS), { ok: false, error: 'SCHNORR_SIG_HASHTYPE' });
    signed.inputs[i].witness = [];
    assert.deepEqual(verifyInput(signed, i, prevouts, MANDATORY_FLAGS), { ok: false, error: 'WITNESS_PROGRAM_WITNESS_EMPTY' });
    // Without the TAPROOT flag, v1 programs are anyone-can-spend (pre-activation rules).
    assert.deepEqual(verifyInput(signed, i, prevouts, MANDATORY_FLAGS & ~(1 << 17)), { ok: true });
  });

  test('a key-path spend we sign ourselves verifies', () => {
    const tx = parseTx(fromHex(group.given.rawUnsignedTx));
    const inp = group.inputSpending.find((x) => x.given.merkleRoot === null)!;
    const i = inp.given.txinIndex;
    const key = taprootTweakPrivKey(fromHex(inp.given.internalPrivkey));
    const sig = schnorrSign(taprootKeySpendSigHash(tx, i, prevouts, SIGHASH_ALL), key, new Uint8Array(32));
    tx.inputs[i].witness = [Uint8Array.of(...sig, SIGHASH_ALL)];
    assert.deepEqual(verifyInput(tx, i, prevouts, STANDARD_FLAGS), { ok: true });
    tx.outputs[0].value += 1n;
    assert.deepEqual(verifyInput(tx, i, prevouts, STANDARD_FLAGS), { ok: false, error: 'SCHNORR_SIG' });
  });
});
