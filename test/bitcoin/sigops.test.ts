import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MANDATORY_FLAGS,
  OP,
  compileScript,
  countSigOps,
  countWitnessSigOps,
  legacySigOpCount,
  p2shScript,
  p2wpkhScript,
  p2wshScript,
  pushData,
  txSigOpCost,
  type Tx,
} from '../../src/bitcoin/index.ts';
import { hash160 } from '../../src/crypto/index.ts';

const k = new Uint8Array(33).fill(2);
const multisig = compileScript([OP.OP_2, k, k, k, OP.OP_3, OP.OP_CHECKMULTISIG]);

test('countSigOps: accurate vs legacy multisig counting (Core GetSigOpCount)', () => {
  assert.equal(countSigOps(multisig, true), 3);
  assert.equal(countSigOps(multisig, false), 20);
  assert.equal(countSigOps(compileScript([OP.OP_CHECKSIG, OP.OP_CHECKSIGVERIFY, OP.OP_CHECKMULTISIGVERIFY]), true), 22);
  assert.equal(countSigOps(Uint8Array.of(OP.OP_CHECKSIG, 0x4c), true), 1, 'stops at a truncated push');
});

test('witness and P2SH sigops; transaction cost weighs legacy by 4', () => {
  assert.equal(countWitnessSigOps(new Uint8Array(0), p2wpkhScript(new Uint8Array(20)), [], MANDATORY_FLAGS), 1);
  assert.equal(countWitnessSigOps(new Uint8Array(0), p2wshScript(multisig), [multisig], MANDATORY_FLAGS), 3);
  const wrapped = p2wshScript(multisig);
  assert.equal(countWitnessSigOps(pushData(wrapped), p2shScript(hash160(wrapped)), [multisig], MANDATORY_FLAGS), 3);
  assert.equal(countWitnessSigOps(new Uint8Array(0), p2wpkhScript(new Uint8Array(20)), [], 0), 0);
  const tx: Tx = {
    version: 2,
    locktime: 0,
    inputs: [
      { txid: new Uint8Array(32).fill(1), vout: 0, scriptSig: compileScript([OP.OP_0, multisig]), sequence: 0, witness: [] },
      { txid: new Uint8Array(32).fill(2), vout: 0, scriptSig: new Uint8Array(0), sequence: 0, witness: [new Uint8Array(70), k] },
    ],
    outputs: [{ value: 1n, script: compileScript([k, OP.OP_CHECKSIG]) }],
  };
  assert.equal(legacySigOpCount(tx), 1);
  const prevouts = [
    { value: 1n, script: p2shScript(hash160(multisig)) },
    { value: 1n, script: p2wpkhScript(new Uint8Array(20)) },
  ];
  assert.equal(txSigOpCost(tx, prevouts, MANDATORY_FLAGS), 1 * 4 + 3 * 4 + 1);
});
