/**
 * Tapscript (BIP342) script-path spends built and signed here: CHECKSIG, CHECKSIGADD
 * multisig, OP_SUCCESS, codeseparator position, annex, and the consensus/policy errors.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { schnorrPublicKey, schnorrSign } from '../../src/crypto/index.ts';
import {
  MANDATORY_FLAGS,
  OP,
  STANDARD_FLAGS,
  SIGHASH_ALL,
  compileScript,
  p2trScript,
  taprootSigHash,
  taprootSpendInfo,
  verifyInput,
  TAPROOT_LEAF_TAPSCRIPT,
  type TapTree,
  type Tx,
  type TxOut,
} from '../../src/bitcoin/index.ts';

const priv = (n: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : n));
const [k1, k2, k3, k4] = [1, 2, 3, 4].map(priv);
const x = (k: Uint8Array): Uint8Array => schnorrPublicKey(k);

const leafSingle = compileScript([x(k1), OP.OP_CHECKSIG]);
const leafMulti = compileScript([x(k2), OP.OP_CHECKSIG, x(k3), OP.OP_CHECKSIGADD, x(k4), OP.OP_CHECKSIGADD, OP.OP_2, OP.OP_NUMEQUAL]);
const leafSuccess = compileScript([OP.OP_RETURN, 0x50]);
const leafCodesep = compileScript([OP.OP_CODESEPARATOR, x(k1), OP.OP_CHECKSIG]);
const L = (script: Uint8Array, leafVersion = TAPROOT_LEAF_TAPSCRIPT): TapTree => ({ script, leafVersion });
const tree: TapTree = [L(leafSingle), [[L(leafMulti), L(leafSuccess)], [L(leafCodesep), L(Uint8Array.of(OP.OP_1), 0xc2)]]];
const internal = x(priv(9));
const info = taprootSpendInfo(internal, tree);
const prevouts: TxOut[] = [{ value: 50_000n, script: p2trScript(info.outputKey) }];

function spendTx(): Tx {
  return {
    version: 2,
    locktime: 0,
    inputs: [{ txid: new Uint8Array(32).fill(7), vout: 1, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] }],
    outputs: [{ value: 49_000n, script: p2trScript(x(k1)) }],
  };
}

function sign(tx: Tx, k: Uint8Array, leafIndex: number, opts: { hashType?: number; codesepPos?: number; annex?: Uint8Array } = {}): Uint8Array {
  const ht = opts.hashType ?? 0;
  const h = taprootSigHash(tx, 0, prevouts, ht, { leafHash: info.leaves[leafIndex].leafHash, codesepPos: opts.codesepPos ?? 0xffffffff, annex: opts.annex })!;
  const sig = schnorrSign(h, k, new Uint8Array(32));
  return ht ? Uint8Array.of(...sig, ht) : sig;
}
const res = (tx: Tx, flags = STANDARD_FLAGS): string => {
  const r = verifyInput(tx, 0, prevouts, flags);
  return r.ok ? 'OK' : r.error;
};

describe('tapscript script-path spends', () => {
  test('single-key leaf: valid, wrong key, empty signature', () => {
    const tx = spendTx();
    const leaf = info.leaves[0];
    tx.inputs[0].witness = [sign(tx, k1, 0), leaf.script, leaf.controlBlock];
    assert.equal(res(tx), 'OK');
    tx.inputs[0].witness = [sign(tx, k2, 0), leaf.script, leaf.controlBlock];
    assert.equal(res(tx), 'SCHNORR_SIG');
    tx.inputs[0].witness = [new Uint8Array(0), leaf.script, leaf.controlBlock];
    assert.equal(res(tx), 'EVAL_FALSE');
    tx.inputs[0].witness = [sign(tx, k1, 0, { hashType: SIGHASH_ALL }), leaf.script, leaf.controlBlock];
    assert.equal(res(tx), 'OK');
  });

  test('CHECKSIGADD 2-of-3', () => {
    const tx = spendTx();
    const leaf = info.leaves[1];
    // Witness items are consumed from the top: the signature for k2 is last.
    tx.inputs[0].witness = [sign(tx, k4, 1), new Uint8Array(0), sign(tx, k2, 1), leaf.script, leaf.controlBlock];
    assert.equal(res(tx), 'OK');
    tx.inputs[0].witness = [new Uint8Array(0), new Uint8Array(0), sign(tx, k2, 1), leaf.script, leaf.controlBlock];
    assert.equal(res(tx), 'EVAL_FALSE');
  });

  test('OP_SUCCESS short-circuits; policy discourages it', () => {
    const tx = spendTx();
    const leaf = info.leaves[2];
    tx.inputs[0].witness = [leaf.script, leaf.controlBlock];
    assert.equal(res(tx, MANDATORY_FLAGS), 'OK');
    assert.equal(res(tx, STANDARD_FLAGS), 'DISCOURAGE_OP_SUCCESS');
  });

  test('codeseparator position is committed', () => {
    const tx = spendTx();
    const leaf = info.leaves[3];
    tx.inputs[0].witness = [sign(tx, k1, 3, { codesepPos: 0 }), leaf.script, leaf.controlBlock];
    assert.equal(res(tx), 'OK');
    tx.inputs[0].witness = [sign(tx, k1, 3), leaf.script, leaf.controlBlock];
    assert.equal(res(tx), 'SCHNORR_SIG');
  });

  test('unknown leaf version, bad control blocks, annex', () => {
    const tx = spendTx();
    const leaf = info.leaves[4];
    tx.inputs[0].witness = [leaf.script, leaf.controlBlock];
    assert.equal(res(tx, MANDATORY_FLAGS), 'OK');
    assert.equal(res(tx, STANDARD_FLAGS), 'DISCOURAGE_UPGRADABLE_TAPROOT_VERSION');
    const l0 = info.leaves[0];
    tx.inputs[0].witness = [sign(tx, k1, 0), l0.script, l0.controlBlock.subarray(0, 40)];
    assert.equal(res(tx), 'TAPROOT_WRONG_CONTROL_SIZE');
    tx.inputs[0].witness = [sign(tx, k1, 0), leafMulti, l0.controlBlock];
    assert.equal(res(tx), 'WITNESS_PROGRAM_MISMATCH');
    const annex = Uint8Array.of(0x50, 1, 2, 3);
    tx.inputs[0].witness = [sign(tx, k1, 0, { annex }), l0.script, l0.controlBlock, annex];
    assert.equal(res(tx), 'OK');
    tx.inputs[0].witness = [sign(tx, k1, 0), l0.script, l0.controlBlock, annex];
    assert.equal(res(tx), 'SCHNORR_SIG');
  });

  test('tapscript rules: MINIMALIF is consensus, CHECKMULTISIG is disabled, empty pubkey fails', () => {
    const leaves: TapTree = [L(compileScript([OP.OP_IF, OP.OP_1, OP.OP_ENDIF])), [L(compileScript([OP.OP_0, OP.OP_0, OP.OP_CHECKMULTISIG])), L(compileScript([OP.OP_0, OP.OP_CHECKSIG]))]];
    const i2 = taprootSpendInfo(internal, leaves);
    const pv: TxOut[] = [{ value: 1n, script: p2trScript(i2.outputKey) }];
    const tx = spendTx();
    const run = (w: Uint8Array[]): string => {
      tx.inputs[0].witness = w;
      const r = verifyInput(tx, 0, pv, MANDATORY_FLAGS);
      return r.ok ? 'OK' : r.error;
    };
    assert.equal(run([Uint8Array.of(2), i2.leaves[0].script, i2.leaves[0].controlBlock]), 'TAPSCRIPT_MINIMALIF');
    assert.equal(run([Uint8Array.of(1), i2.leaves[0].script, i2.leaves[0].controlBlock]), 'OK');
    assert.equal(run([i2.leaves[1].script, i2.leaves[1].controlBlock]), 'TAPSCRIPT_CHECKMULTISIG');
    assert.equal(run([Uint8Array.of(1), i2.leaves[2].script, i2.leaves[2].controlBlock]), 'TAPSCRIPT_EMPTY_PUBKEY');
  });
});
