/**
 * The single-buffer transaction digests (serializeTxNoWitness, txidAndSigHashCache,
 * segwitV0SigHash) must be byte-identical to the general serializer (serializeTx, txid) and
 * to BIP143's preimage spelled out field by field below, for any transaction, script code,
 * amount and hash type, with and without a cache.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toHex, Writer } from '../../src/lib/index.ts';
import { sha256d } from '../../src/crypto/index.ts';
import {
  hashSequence,
  precomputeTxData,
  segwitV0SigHash,
  serializeOutputs,
  serializeTx,
  serializeTxNoWitness,
  txid,
  txidAndSigHashCache,
  writeCompactSize,
  type Tx,
  type TxOut,
} from '../../src/bitcoin/index.ts';

/** BIP143's preimage, written the slow obvious way from the BIP's field list. */
function bip143Reference(tx: Tx, n: number, scriptCode: Uint8Array, amount: bigint, hashType: number): string {
  const acp = (hashType & 0x80) !== 0;
  const base = hashType & 0x1f;
  const single = base === 3;
  const none = base === 2;
  const outs = (list: TxOut[]) => {
    const w = new Writer(64);
    for (const o of list) {
      w.u64le(BigInt.asUintN(64, o.value));
      writeCompactSize(w, o.script.length);
      w.bytes(o.script);
    }
    return sha256d(w.finish());
  };
  const zero = new Uint8Array(32);
  const prev = new Writer(64);
  for (const i of tx.inputs) prev.bytes(i.txid).u32le(i.vout);
  const seq = new Writer(16);
  for (const i of tx.inputs) seq.u32le(i.sequence);
  const w = new Writer(256);
  w.u32le(tx.version);
  w.bytes(acp ? zero : sha256d(prev.finish()));
  w.bytes(acp || single || none ? zero : sha256d(seq.finish()));
  w.bytes(tx.inputs[n]!.txid).u32le(tx.inputs[n]!.vout);
  writeCompactSize(w, scriptCode.length);
  w.bytes(scriptCode);
  w.u64le(BigInt.asUintN(64, amount));
  w.u32le(tx.inputs[n]!.sequence);
  w.bytes(!single && !none ? outs(tx.outputs) : single && n < tx.outputs.length ? outs([tx.outputs[n]!]) : zero);
  w.u32le(tx.locktime).u32le(hashType >>> 0);
  return toHex(sha256d(w.finish()));
}

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const value = fc.oneof(
  fc.bigInt({ min: 0n, max: 21_000_000n * 100_000_000n }),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: -(1n << 63n), max: -1n }),
);
const txArb: fc.Arbitrary<Tx> = fc.record({
  version: u32,
  inputs: fc.array(
    fc.record({ txid: bytes(32, 32), vout: u32, scriptSig: bytes(0, 5), sequence: u32, witness: fc.constant([] as Uint8Array[]) }),
    { minLength: 1, maxLength: 3 },
  ),
  // Scripts up to 300 bytes exercise the 3-byte compact size.
  outputs: fc.array(fc.record({ value, script: fc.oneof(bytes(0, 40), bytes(250, 300)) }), { minLength: 0, maxLength: 3 }),
  locktime: u32,
});
const hashTypeArb = fc.oneof(fc.constantFrom(1, 2, 3, 0x81, 0x82, 0x83), fc.integer({ min: 0, max: 0xff }));

describe('BIP143 digests', () => {
  test('serializeTxNoWitness, serializeOutputs and txidAndSigHashCache match the bitcoin layer', () => {
    fc.assert(
      fc.property(txArb, (tx) => {
        const { bytes: b, outputsStart, outputsEnd } = serializeTxNoWitness(tx);
        assert.equal(toHex(b), toHex(serializeTx(tx, { witness: false })));
        assert.equal(toHex(b.subarray(outputsStart, outputsEnd)), toHex(serializeOutputs(tx.outputs)));
        const ref = precomputeTxData(tx);
        const ours = txidAndSigHashCache(tx);
        assert.equal(toHex(ours.txid), toHex(txid(tx)));
        assert.equal(toHex(ours.cache.hashPrevouts!), toHex(ref.hashPrevouts!));
        assert.equal(toHex(ours.cache.hashSequence!), toHex(ref.hashSequence!));
        assert.equal(toHex(ours.cache.hashOutputs!), toHex(ref.hashOutputs!));
        assert.equal(toHex(hashSequence(tx)), toHex(ref.hashSequence!));
      }),
      { numRuns: 150 },
    );
  });

  test('segwitV0SigHash equals the BIP143 preimage with and without a cache', () => {
    fc.assert(
      fc.property(txArb, fc.nat(), fc.oneof(bytes(0, 40), bytes(250, 300)), value, hashTypeArb, (tx, i, scriptCode, amount, hashType) => {
        const inputIndex = i % tx.inputs.length;
        const expected = bip143Reference(tx, inputIndex, scriptCode, amount, hashType);
        assert.equal(toHex(segwitV0SigHash(tx, inputIndex, scriptCode, amount, hashType)), expected);
        assert.equal(toHex(segwitV0SigHash(tx, inputIndex, scriptCode, amount, hashType, precomputeTxData(tx))), expected);
        assert.equal(toHex(segwitV0SigHash(tx, inputIndex, scriptCode, amount, hashType, txidAndSigHashCache(tx).cache)), expected);
      }),
      { numRuns: 200 },
    );
  });

  test('SIGHASH_SINGLE on a one-output transaction may take hashOutputs from the cache', () => {
    const tx: Tx = {
      version: 2,
      inputs: [{ txid: new Uint8Array(32).fill(7), vout: 4, scriptSig: new Uint8Array(0), sequence: 1, witness: [] }],
      outputs: [{ value: 12_345n, script: new Uint8Array(34).fill(9) }],
      locktime: 500_000,
    };
    const cache = txidAndSigHashCache(tx).cache;
    for (const hashType of [0x03, 0x83]) {
      const expected = bip143Reference(tx, 0, Uint8Array.of(0xac), 50_000n, hashType);
      assert.equal(toHex(segwitV0SigHash(tx, 0, Uint8Array.of(0xac), 50_000n, hashType, cache)), expected);
    }
    // A cache from another transaction is not trusted for SINGLE when there are several outputs.
    const two: Tx = { ...tx, outputs: [...tx.outputs, { value: 1n, script: Uint8Array.of(0x51) }] };
    const expected = bip143Reference(two, 0, Uint8Array.of(0xac), 50_000n, 0x83);
    assert.equal(toHex(segwitV0SigHash(two, 0, Uint8Array.of(0xac), 50_000n, 0x83, txidAndSigHashCache(two).cache)), expected);
  });

  test('an input index out of range is refused', () => {
    const tx: Tx = { version: 2, inputs: [], outputs: [], locktime: 0 };
    assert.throws(() => segwitV0SigHash(tx, 0, new Uint8Array(0), 0n, 1), RangeError);
  });
});
