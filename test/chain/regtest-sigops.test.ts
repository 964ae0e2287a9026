/**
 * Sigop cost on the embedded chain is the bitcoin layer's (Core's GetTransactionSigOpCost):
 * a P2SH spend whose scriptSig is not push-only contributes no redeemScript sigops, as
 * Core's GetSigOpCount(scriptSig) gives up on any opcode above OP_16.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCRIPT_VERIFY, compileScript, OP, p2shScript, p2wshScript, txSigOpCost as bitcoinTxSigOpCost, type Tx } from '../../src/bitcoin/index.ts';
import { hash160 } from '../../src/crypto/index.ts';
import { txSigOpCost } from '../../src/chain/regtest/consensus.ts';

const redeem = compileScript([OP.OP_CHECKSIG]);
const p2sh = p2shScript(hash160(redeem));

function spend(scriptSig: Uint8Array, witness: Uint8Array[] = []): Tx {
  return {
    version: 2,
    locktime: 0,
    inputs: [{ txid: new Uint8Array(32).fill(1), vout: 0, scriptSig, sequence: 0, witness }],
    outputs: [{ value: 1n, script: new Uint8Array(0) }],
  };
}

const coin = (script: Uint8Array) => [{ value: 1n, script, height: 1, coinbase: false }];
const flags = SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS;

test('push-only P2SH scriptSig counts the redeemScript sigops (x4)', () => {
  const tx = spend(compileScript([redeem]));
  assert.equal(txSigOpCost(tx, coin(p2sh)), 4);
  assert.equal(txSigOpCost(tx, coin(p2sh)), bitcoinTxSigOpCost(tx, coin(p2sh), flags));
});

test('non-push-only P2SH scriptSig counts no redeemScript sigops', () => {
  const tx = spend(compileScript([OP.OP_NOP, redeem]));
  assert.equal(txSigOpCost(tx, coin(p2sh)), 0);
});

test('P2WSH witness script sigops count once (accurate multisig count)', () => {
  const ws = compileScript([OP.OP_2, new Uint8Array(33).fill(2), new Uint8Array(33).fill(3), OP.OP_2, OP.OP_CHECKMULTISIG]);
  const tx = spend(new Uint8Array(0), [new Uint8Array(0), ws]);
  assert.equal(txSigOpCost(tx, coin(p2wshScript(ws))), 2);
});

test('without coins only legacy sigops count', () => {
  const tx = spend(compileScript([OP.OP_CHECKSIG, OP.OP_CHECKMULTISIG]));
  assert.equal(txSigOpCost(tx, null), (1 + 20) * 4);
});
