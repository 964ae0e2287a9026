import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { calculateSequenceLocks, checkSequenceLocks, checkTransaction, isFinalTx, MAX_MONEY, type Tx } from '../../src/bitcoin/index.ts';

function tx(over: Partial<Tx> = {}): Tx {
  return {
    version: 2,
    locktime: 0,
    inputs: [{ txid: new Uint8Array(32).fill(1), vout: 0, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: 1000n, script: new Uint8Array(0) }],
    ...over,
  };
}

describe('checkTransaction (Core CheckTransaction)', () => {
  test('reject reasons', () => {
    assert.deepEqual(checkTransaction(tx()), { ok: true });
    assert.deepEqual(checkTransaction(tx({ inputs: [] })), { ok: false, reason: 'bad-txns-vin-empty' });
    assert.deepEqual(checkTransaction(tx({ outputs: [] })), { ok: false, reason: 'bad-txns-vout-empty' });
    assert.deepEqual(checkTransaction(tx({ outputs: [{ value: -1n, script: new Uint8Array(0) }] })), { ok: false, reason: 'bad-txns-vout-negative' });
    assert.deepEqual(checkTransaction(tx({ outputs: [{ value: MAX_MONEY + 1n, script: new Uint8Array(0) }] })), { ok: false, reason: 'bad-txns-vout-toolarge' });
    const half = { value: MAX_MONEY / 2n + 1n, script: new Uint8Array(0) };
    assert.deepEqual(checkTransaction(tx({ outputs: [half, half] })), { ok: false, reason: 'bad-txns-txouttotal-toolarge' });
    const i = tx().inputs[0];
    assert.deepEqual(checkTransaction(tx({ inputs: [i, { ...i }] })), { ok: false, reason: 'bad-txns-inputs-duplicate' });
    const nullIn = { ...i, txid: new Uint8Array(32), vout: 0xffffffff };
    assert.deepEqual(checkTransaction(tx({ inputs: [i, nullIn] })), { ok: false, reason: 'bad-txns-prevout-null' });
    assert.deepEqual(checkTransaction(tx({ inputs: [{ ...nullIn, scriptSig: new Uint8Array(1) }] })), { ok: false, reason: 'bad-cb-length' });
    assert.deepEqual(checkTransaction(tx({ inputs: [{ ...nullIn, scriptSig: new Uint8Array(2) }] })), { ok: true });
    assert.deepEqual(checkTransaction(tx({ outputs: [{ value: 0n, script: new Uint8Array(1_000_001) }] })), { ok: false, reason: 'bad-txns-oversize' });
  });
});

describe('isFinalTx (BIP113)', () => {
  test('height and time locks, final sequences', () => {
    assert.ok(isFinalTx(tx({ locktime: 0 }), 1, 1));
    const nonFinalSeq = tx({ locktime: 100 });
    nonFinalSeq.inputs[0].sequence = 0xfffffffe;
    assert.ok(!isFinalTx(nonFinalSeq, 100, 0));
    assert.ok(isFinalTx(nonFinalSeq, 101, 0));
    assert.ok(isFinalTx(tx({ locktime: 100 }), 100, 0), 'all inputs final');
    const timeLocked = tx({ locktime: 600_000_000 });
    timeLocked.inputs[0].sequence = 0;
    assert.ok(!isFinalTx(timeLocked, 10_000_000, 600_000_000));
    assert.ok(isFinalTx(timeLocked, 0, 600_000_001));
  });
});

describe('BIP68 sequence locks', () => {
  test('height and time based, disable flag, version 1', () => {
    const t = tx();
    t.inputs = [
      { ...t.inputs[0], sequence: 10 },
      { ...t.inputs[0], vout: 1, sequence: (1 << 22) | 3 },
      { ...t.inputs[0], vout: 2, sequence: 0x80000000 | 500 },
    ];
    const coins = [
      { height: 100, mtp: 1_000_000 },
      { height: 90, mtp: 2_000_000 },
      { height: 1, mtp: 0 },
    ];
    const locks = calculateSequenceLocks(t, coins);
    assert.deepEqual(locks, { minHeight: 109, minTime: 2_000_000 + 3 * 512 - 1 });
    assert.ok(!checkSequenceLocks(locks, 109, 3_000_000));
    assert.ok(checkSequenceLocks(locks, 110, 3_000_000));
    assert.ok(!checkSequenceLocks(locks, 110, 2_000_000 + 3 * 512 - 1));
    assert.ok(checkSequenceLocks(locks, 110, 2_000_000 + 3 * 512));
    assert.deepEqual(calculateSequenceLocks({ ...t, version: 1 }, coins), { minHeight: -1, minTime: -1 });
  });
});
