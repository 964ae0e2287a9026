import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError, fromHex, toHex } from '../../src/lib/index.ts';
import { cloneTx, parseTx, serializeTx, txid, txidHex, txVsize, txWeight, wtxid, type Tx } from '../../src/bitcoin/index.ts';
import { sha256d } from '../../src/crypto/index.ts';
import { loadJson } from './spec-data.ts';

/** Every serialized transaction of Core's tx_valid.json. */
function coreTxs(): string[] {
  return loadJson<unknown[][]>('tx_valid.json')
    .filter((r) => r.length === 3 && typeof r[1] === 'string')
    .map((r) => r[1] as string);
}

describe('transaction serialization', () => {
  test("round-trips every transaction of Core's tx_valid.json byte for byte", () => {
    const txs = coreTxs();
    assert.ok(txs.length > 100);
    for (const hex of txs) {
      const tx = parseTx(fromHex(hex));
      assert.equal(toHex(serializeTx(tx)), hex);
    }
  });

  test('txid excludes the witness, wtxid includes it; weight follows BIP141', () => {
    const hex = coreTxs().find((h) => h.slice(8, 12) === '0001')!;
    const tx = parseTx(fromHex(hex));
    const legacy = serializeTx(tx, { witness: false });
    assert.ok(legacy.length < fromHex(hex).length);
    assert.deepEqual(txid(tx), sha256d(legacy));
    assert.deepEqual(wtxid(tx), sha256d(fromHex(hex)));
    assert.equal(txWeight(tx), legacy.length * 3 + fromHex(hex).length);
    assert.equal(txVsize(tx), Math.ceil(txWeight(tx) / 4));
    assert.equal(txidHex(tx), toHex(txid(tx).slice().reverse()));
    const stripped = cloneTx(tx);
    for (const i of stripped.inputs) i.witness = [];
    assert.deepEqual(wtxid(stripped), txid(tx));
    assert.equal(txWeight(stripped), legacy.length * 4);
    // cloneTx is deep.
    assert.ok(tx.inputs.some((i) => i.witness.length > 0));
  });

  test('strict parsing: trailing bytes, superfluous witness, unknown flags, non-canonical sizes', () => {
    const hex = coreTxs().find((h) => h.slice(8, 12) !== '0001')!;
    assert.throws(() => parseTx(fromHex(hex + '00')), DecodeError);
    assert.throws(() => parseTx(fromHex(hex).subarray(0, 20)), DecodeError);
    const tx = parseTx(fromHex(hex));
    // marker+flag with every witness empty
    const body = fromHex(hex);
    const withFlag = (flag: number, wit: string): Uint8Array => {
      const legacy = toHex(body);
      return fromHex(legacy.slice(0, 8) + '00' + flag.toString(16).padStart(2, '0') + legacy.slice(8, -8) + wit + legacy.slice(-8));
    };
    const empties = '00'.repeat(tx.inputs.length);
    assert.throws(() => parseTx(withFlag(1, empties)), /superfluous/);
    assert.throws(() => parseTx(withFlag(2, '')), /unknown/);
    // non-canonical compact size for the input count (0xfd 0x01 0x00)
    const nc = fromHex(toHex(body).slice(0, 8) + 'fd' + tx.inputs.length.toString(16).padStart(2, '0') + '00' + toHex(body).slice(10));
    assert.throws(() => parseTx(nc), /non-canonical/);
  });

  test('version is unsigned 32-bit, values are signed 64-bit, as in Core', () => {
    const tx: Tx = { version: 0xffffffff, locktime: 0xffffffff, inputs: [{ txid: new Uint8Array(32), vout: 0xffffffff, scriptSig: new Uint8Array(0), sequence: 0xfffffffe, witness: [] }], outputs: [{ value: -1n, script: new Uint8Array(0) }] };
    const back = parseTx(serializeTx(tx));
    assert.deepEqual(back, tx);
  });
});

const arbTx = fc.record({
  version: fc.nat({ max: 0xffffffff }),
  locktime: fc.nat({ max: 0xffffffff }),
  inputs: fc.array(
    fc.record({
      txid: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      vout: fc.nat({ max: 0xffffffff }),
      scriptSig: fc.uint8Array({ maxLength: 300 }),
      sequence: fc.nat({ max: 0xffffffff }),
      witness: fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 4 }),
    }, { noNullPrototype: true }),
    { minLength: 1, maxLength: 4 },
  ),
  outputs: fc.array(fc.record({ value: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), script: fc.uint8Array({ maxLength: 300 }) }, { noNullPrototype: true }), { maxLength: 4 }),
}, { noNullPrototype: true });

describe('properties', () => {
  test('serialize/parse round-trips random transactions', () => {
    fc.assert(
      fc.property(arbTx, (tx) => {
        const bytes = serializeTx(tx);
        const back = parseTx(bytes);
        assert.deepEqual(back, tx);
        assert.deepEqual(serializeTx(back), bytes);
        assert.deepEqual(parseTx(serializeTx(tx, { witness: false })).inputs.map((i) => i.witness.length), tx.inputs.map(() => 0));
      }),
      { numRuns: 200 },
    );
  });

  test('parseTx on random or mutated bytes throws only DecodeError', () => {
    const check = (b: Uint8Array): void => {
      try {
        parseTx(b);
      } catch (e) {
        assert.ok(e instanceof DecodeError, String(e));
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => check(b)), { numRuns: 300 });
    fc.assert(
      fc.property(arbTx, fc.nat(), fc.nat({ max: 255 }), (tx, pos, byte) => {
        const b = serializeTx(tx);
        b[pos % b.length] = byte;
        check(b);
        check(b.subarray(0, pos % b.length));
      }),
      { numRuns: 200 },
    );
  });
});
