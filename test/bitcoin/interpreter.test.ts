/**
 * Interpreter checks on transactions we sign ourselves with the crypto facade: the standard
 * spend types (P2PKH, P2WPKH, P2SH-P2WPKH, P2WSH multisig), timelocks, and property tests
 * that a correct spend always verifies and a changed transaction never does.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { concatBytes } from '../../src/lib/index.ts';
import { getPublicKey, hash160, signEcdsa, signatureToDer } from '../../src/crypto/index.ts';
import {
  OP,
  MANDATORY_FLAGS,
  STANDARD_FLAGS,
  SIGHASH_ALL,
  SIGHASH_ANYONECANPAY,
  SIGHASH_SINGLE,
  compileScript,
  legacySigHash,
  p2pkhScript,
  p2shScript,
  p2wpkhScript,
  p2wshScript,
  pushData,
  scriptNumEncode,
  segwitV0SigHash,
  verifyInput,
  verifyTx,
  type Tx,
  type TxOut,
} from '../../src/bitcoin/index.ts';

const key = (n: number): Uint8Array => {
  const k = new Uint8Array(32);
  k[31] = n;
  k[0] = 1;
  return k;
};
const der = (sig64: Uint8Array, ht: number): Uint8Array => concatBytes(signatureToDer(sig64), Uint8Array.of(ht));

function baseTx(nInputs: number): Tx {
  return {
    version: 2,
    locktime: 0,
    inputs: Array.from({ length: nInputs }, (_, i) => ({ txid: new Uint8Array(32).fill(i + 1), vout: i, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] })),
    outputs: [
      { value: 50_000n, script: p2wpkhScript(new Uint8Array(20).fill(9)) },
      { value: 20_000n, script: p2pkhScript(new Uint8Array(20).fill(8)) },
    ],
  };
}

/** Signs input i of tx for each standard output type. */
function signAll(tx: Tx, prevouts: TxOut[], kinds: string[], ht = SIGHASH_ALL): void {
  kinds.forEach((kind, i) => {
    const priv = key(i + 1);
    const pub = getPublicKey(priv);
    const pkh = hash160(pub);
    const sc = p2pkhScript(pkh);
    if (kind === 'p2pkh') {
      const sig = der(signEcdsa(legacySigHash(tx, i, prevouts[i].script, ht), priv), ht);
      tx.inputs[i].scriptSig = concatBytes(pushData(sig), pushData(pub));
    } else if (kind === 'p2wpkh' || kind === 'p2sh-p2wpkh') {
      const sig = der(signEcdsa(segwitV0SigHash(tx, i, sc, prevouts[i].value, ht), priv), ht);
      tx.inputs[i].witness = [sig, pub];
      if (kind === 'p2sh-p2wpkh') tx.inputs[i].scriptSig = pushData(p2wpkhScript(pkh));
    } else if (kind === 'p2wsh-multisig') {
      const k2 = key(100 + i);
      const ws = compileScript([OP.OP_2, pub, getPublicKey(k2), OP.OP_2, OP.OP_CHECKMULTISIG]);
      const h = segwitV0SigHash(tx, i, ws, prevouts[i].value, ht);
      tx.inputs[i].witness = [new Uint8Array(0), der(signEcdsa(h, priv), ht), der(signEcdsa(h, k2), ht), ws];
    }
  });
}

function prevoutFor(kind: string, i: number, value: bigint): TxOut {
  const pub = getPublicKey(key(i + 1));
  const pkh = hash160(pub);
  if (kind === 'p2pkh') return { value, script: p2pkhScript(pkh) };
  if (kind === 'p2wpkh') return { value, script: p2wpkhScript(pkh) };
  if (kind === 'p2sh-p2wpkh') return { value, script: p2shScript(hash160(p2wpkhScript(pkh))) };
  const ws = compileScript([OP.OP_2, pub, getPublicKey(key(100 + i)), OP.OP_2, OP.OP_CHECKMULTISIG]);
  return { value, script: p2wshScript(ws) };
}

const KINDS = ['p2pkh', 'p2wpkh', 'p2sh-p2wpkh', 'p2wsh-multisig'];

describe('standard spends signed with the facade', () => {
  test('all four types verify under standard flags', () => {
    const tx = baseTx(4);
    const prevouts = KINDS.map((k, i) => prevoutFor(k, i, 100_000n + BigInt(i)));
    signAll(tx, prevouts, KINDS);
    assert.deepEqual(verifyTx(tx, prevouts, STANDARD_FLAGS), { ok: true });
  });

  test('the BIP143 amount is committed: a wrong prevout value fails segwit inputs only', () => {
    const tx = baseTx(4);
    const prevouts = KINDS.map((k, i) => prevoutFor(k, i, 100_000n));
    signAll(tx, prevouts, KINDS);
    const wrong = prevouts.map((p) => ({ ...p, value: p.value + 1n }));
    assert.deepEqual(verifyInput(tx, 0, wrong, STANDARD_FLAGS), { ok: true });
    assert.deepEqual(verifyInput(tx, 1, wrong, MANDATORY_FLAGS), { ok: false, error: 'EVAL_FALSE' });
    assert.deepEqual(verifyInput(tx, 2, wrong, MANDATORY_FLAGS), { ok: false, error: 'EVAL_FALSE' });
    // NULLFAIL turns a failed CHECKSIG with a non-empty signature into NULLFAIL.
    assert.deepEqual(verifyInput(tx, 3, wrong, STANDARD_FLAGS), { ok: false, error: 'NULLFAIL' });
    assert.deepEqual(verifyInput(tx, 3, wrong, MANDATORY_FLAGS), { ok: false, error: 'EVAL_FALSE' });
  });

  test('SIGHASH_SINGLE|ANYONECANPAY lets others add inputs and outputs', () => {
    const tx = baseTx(2);
    const kinds = ['p2wpkh', 'p2pkh'];
    const prevouts = kinds.map((k, i) => prevoutFor(k, i, 70_000n));
    signAll(tx, prevouts, kinds, SIGHASH_SINGLE | SIGHASH_ANYONECANPAY);
    tx.inputs.push({ txid: new Uint8Array(32).fill(0xee), vout: 7, scriptSig: new Uint8Array(0), sequence: 0, witness: [] });
    tx.outputs.push({ value: 1n, script: Uint8Array.of(OP.OP_RETURN) });
    prevouts.push({ value: 5n, script: Uint8Array.of(OP.OP_1) });
    assert.deepEqual(verifyInput(tx, 0, prevouts, STANDARD_FLAGS), { ok: true });
    assert.deepEqual(verifyInput(tx, 1, prevouts, STANDARD_FLAGS), { ok: true });
    tx.outputs[1].value -= 1n; // the output input 1 signed with SINGLE
    assert.notDeepEqual(verifyInput(tx, 1, prevouts, STANDARD_FLAGS), { ok: true });
  });

  test('witness rules: malleated scriptSig, unexpected witness, uncompressed keys', () => {
    const tx = baseTx(1);
    const prevouts = [prevoutFor('p2wpkh', 0, 1000n)];
    signAll(tx, prevouts, ['p2wpkh']);
    tx.inputs[0].scriptSig = Uint8Array.of(OP.OP_0);
    assert.deepEqual(verifyInput(tx, 0, prevouts, STANDARD_FLAGS), { ok: false, error: 'WITNESS_MALLEATED' });
    tx.inputs[0].scriptSig = new Uint8Array(0);
    tx.inputs[0].witness.push(new Uint8Array(1));
    assert.deepEqual(verifyInput(tx, 0, prevouts, STANDARD_FLAGS), { ok: false, error: 'WITNESS_PROGRAM_MISMATCH' });
    const legacy = baseTx(1);
    const lp = [prevoutFor('p2pkh', 0, 1000n)];
    signAll(legacy, lp, ['p2pkh']);
    legacy.inputs[0].witness = [new Uint8Array(1)];
    assert.deepEqual(verifyInput(legacy, 0, lp, STANDARD_FLAGS), { ok: false, error: 'WITNESS_UNEXPECTED' });
    // P2WPKH to an uncompressed key: consensus-valid, non-standard.
    const upriv = key(1);
    const upub = getPublicKey(upriv, false);
    const up = [{ value: 1000n, script: p2wpkhScript(hash160(upub)) }];
    const ut = baseTx(1);
    const h = segwitV0SigHash(ut, 0, p2pkhScript(hash160(upub)), 1000n, SIGHASH_ALL);
    ut.inputs[0].witness = [der(signEcdsa(h, upriv), SIGHASH_ALL), upub];
    assert.deepEqual(verifyInput(ut, 0, up, MANDATORY_FLAGS), { ok: true });
    assert.deepEqual(verifyInput(ut, 0, up, STANDARD_FLAGS), { ok: false, error: 'WITNESS_PUBKEYTYPE' });
  });
});

describe('timelocks (BIP65, BIP112)', () => {
  const cltv = (n: number): Uint8Array => compileScript([scriptNumEncode(n), OP.OP_CHECKLOCKTIMEVERIFY, OP.OP_DROP, OP.OP_1]);
  const csv = (n: number): Uint8Array => compileScript([scriptNumEncode(n), OP.OP_CHECKSEQUENCEVERIFY, OP.OP_DROP, OP.OP_1]);
  const run = (script: Uint8Array, edit: (t: Tx) => void): string => {
    const tx = baseTx(1);
    edit(tx);
    const ws = script;
    tx.inputs[0].witness = [ws];
    const r = verifyInput(tx, 0, [{ value: 1n, script: p2wshScript(ws) }], STANDARD_FLAGS);
    return r.ok ? 'OK' : r.error;
  };
  test('CHECKLOCKTIMEVERIFY', () => {
    assert.equal(run(cltv(100), (t) => (t.locktime = 100)), 'OK');
    assert.equal(run(cltv(101), (t) => (t.locktime = 100)), 'UNSATISFIED_LOCKTIME');
    assert.equal(run(cltv(100), (t) => ((t.locktime = 100), (t.inputs[0].sequence = 0xffffffff))), 'UNSATISFIED_LOCKTIME');
    assert.equal(run(cltv(500_000_001), (t) => (t.locktime = 100)), 'UNSATISFIED_LOCKTIME');
    assert.equal(run(cltv(500_000_001), (t) => (t.locktime = 500_000_001)), 'OK');
    assert.equal(run(cltv(-1), (t) => (t.locktime = 100)), 'NEGATIVE_LOCKTIME');
  });
  test('CHECKSEQUENCEVERIFY', () => {
    assert.equal(run(csv(144), (t) => (t.inputs[0].sequence = 144)), 'OK');
    assert.equal(run(csv(145), (t) => (t.inputs[0].sequence = 144)), 'UNSATISFIED_LOCKTIME');
    assert.equal(run(csv(144), (t) => ((t.inputs[0].sequence = 144), (t.version = 1))), 'UNSATISFIED_LOCKTIME');
    assert.equal(run(csv(144 | (1 << 22)), (t) => (t.inputs[0].sequence = 144)), 'UNSATISFIED_LOCKTIME');
    assert.equal(run(csv(10 | (1 << 22)), (t) => (t.inputs[0].sequence = 10 | (1 << 22))), 'OK');
    assert.equal(run(compileScript([scriptNumEncode(0x80000000), OP.OP_CHECKSEQUENCEVERIFY, OP.OP_DROP, OP.OP_1]), (t) => (t.inputs[0].sequence = 0)), 'OK');
  });
});

describe('properties', () => {
  test('a signed spend verifies; changing any output value breaks every SIGHASH_ALL signature', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.bigInt({ min: 1n, max: 2_100_000_000_000_000n }), fc.nat({ max: 1 }), (kind, value, out) => {
        const tx = baseTx(1);
        const prevouts = [prevoutFor(kind, 0, value)];
        signAll(tx, prevouts, [kind]);
        assert.deepEqual(verifyInput(tx, 0, prevouts, STANDARD_FLAGS), { ok: true });
        tx.outputs[out].value += 1n;
        assert.equal(verifyInput(tx, 0, prevouts, MANDATORY_FLAGS).ok, false);
      }),
      { numRuns: 40 },
    );
  });
});
