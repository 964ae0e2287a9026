/**
 * BOLT #3 Appendix D: per-commitment secret generation and compact storage, every case read
 * from the spec file (including the ones that must be rejected).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/lib/index.ts';
import {
  generateFromSeed,
  perCommitmentSecret,
  ShachainStore,
  whereToPutSecret,
  FIRST_PER_COMMITMENT_INDEX,
} from '../../src/keys/index.ts';
import { bolt3Text, hex, namedCases, section } from './spec-text.ts';

const text = bolt3Text();
const generation = namedCases(section(text, '## Generation Tests'));
const storage = namedCases(section(text, '## Storage Tests'));

const field = (fields: [string, string][], k: string): string => {
  const f = fields.find(([key]) => key === k);
  if (!f) throw new Error(`missing ${k}`);
  return f[1];
};

describe('BOLT 3 Appendix D: generation', () => {
  test('the spec has the five generation vectors', () => assert.equal(generation.length, 5));
  for (const c of generation) {
    test(c.name, () => {
      const seed = fromHex(hex(field(c.fields, 'seed')));
      const index = BigInt(field(c.fields, 'I'));
      assert.equal(toHex(generateFromSeed(seed, index)), hex(field(c.fields, 'output')).toLowerCase());
    });
  }
});

describe('BOLT 3 Appendix D: storage', () => {
  test('the spec has nine storage cases, eight with an ERROR', () => {
    assert.equal(storage.length, 9);
    assert.equal(storage.filter((c) => c.fields.some(([k, v]) => k === 'output' && v === 'ERROR')).length, 8);
  });
  for (const c of storage) {
    test(c.name, () => {
      const store = new ShachainStore();
      let index = 0n;
      let secret: Uint8Array = new Uint8Array();
      let steps = 0;
      for (const [k, v] of c.fields) {
        if (k === 'I') index = BigInt(v);
        else if (k === 'secret') secret = fromHex(hex(v));
        else if (k === 'output') {
          const okInsert = store.insert(index, secret);
          assert.equal(okInsert, v === 'OK', `insert of index ${index} should be ${v}`);
          if (okInsert) {
            // Every secret stored so far is still derivable.
            assert.deepEqual(store.derive(index), secret);
          }
          steps++;
        }
      }
      assert.ok(steps > 1);
    });
  }
});

describe('shachain properties', () => {
  test('stores at most 49 entries and derives every received secret', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 70 }), (seed, n) => {
        const store = new ShachainStore();
        for (let i = 0n; i < BigInt(n); i++) {
          assert.ok(store.insert(FIRST_PER_COMMITMENT_INDEX - i, perCommitmentSecret(seed, i)));
        }
        assert.ok(store.entries().length <= 49);
        for (let i = 0n; i < BigInt(n); i++) assert.deepEqual(store.derive(FIRST_PER_COMMITMENT_INDEX - i), perCommitmentSecret(seed, i));
        // Not yet received.
        assert.equal(store.derive(FIRST_PER_COMMITMENT_INDEX - BigInt(n)), null);
        const copy = ShachainStore.deserialize(store.serialize());
        assert.deepEqual(copy.derive(FIRST_PER_COMMITMENT_INDEX), perCommitmentSecret(seed, 0n));
        assert.equal(copy.nextIndex, store.nextIndex);
      }),
      { numRuns: 40 },
    );
  });
  test('rejects out-of-order and wrong-seed secrets', () => {
    const seed = new Uint8Array(32).fill(1);
    const other = new Uint8Array(32).fill(2);
    const store = new ShachainStore();
    assert.equal(store.insert(FIRST_PER_COMMITMENT_INDEX - 1n, perCommitmentSecret(seed, 1n)), false);
    assert.ok(store.insert(FIRST_PER_COMMITMENT_INDEX, perCommitmentSecret(seed, 0n)));
    assert.equal(store.insert(FIRST_PER_COMMITMENT_INDEX - 1n, perCommitmentSecret(other, 1n)), false);
    assert.equal(store.insert(FIRST_PER_COMMITMENT_INDEX - 1n, perCommitmentSecret(seed, 1n)), true);
  });
  test('where_to_put_secret counts trailing zeros', () => {
    assert.equal(whereToPutSecret(0n), 48);
    assert.equal(whereToPutSecret(1n), 0);
    assert.equal(whereToPutSecret(0xfffffffffff0n), 4);
  });
});
