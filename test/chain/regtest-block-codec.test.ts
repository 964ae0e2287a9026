/**
 * Block codec properties: headers and blocks round-trip, random bytes only ever raise
 * DecodeError, and the merkle root follows Bitcoin's duplicate-last rule with Core's
 * mutation flag.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError, concatBytes, equalBytes } from '../../src/lib/index.ts';
import { sha256d } from '../../src/crypto/index.ts';
import type { Tx } from '../../src/bitcoin/index.ts';
import { merkleRoot, parseBlock, parseHeader, serializeBlock, serializeHeader, txDataFromTx, compactToTarget, targetToCompact } from '../../src/chain/regtest/index.ts';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const header = fc.record({
  version: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  prevHash: bytes(32),
  merkleRoot: bytes(32),
  time: fc.nat({ max: 0xffffffff }),
  bits: fc.nat({ max: 0xffffffff }),
  nonce: fc.nat({ max: 0xffffffff }),
});
const tx: fc.Arbitrary<Tx> = fc.record({
  version: fc.integer({ min: 1, max: 3 }),
  inputs: fc.array(
    fc.record({
      txid: bytes(32),
      vout: fc.nat({ max: 0xffffffff }),
      scriptSig: fc.uint8Array({ maxLength: 40 }),
      sequence: fc.nat({ max: 0xffffffff }),
      witness: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  outputs: fc.array(fc.record({ value: fc.bigInt({ min: 0n, max: 2n ** 50n }), script: fc.uint8Array({ maxLength: 40 }) }), { minLength: 1, maxLength: 3 }),
  locktime: fc.nat({ max: 0xffffffff }),
});

test('headers round-trip', () => {
  fc.assert(
    fc.property(header, (h) => {
      const b = serializeHeader(h);
      assert.equal(b.length, 80);
      assert.deepEqual({ ...parseHeader(b) }, { ...h });
    }),
    { numRuns: 200 },
  );
});

test('blocks round-trip with their transactions and identifiers', () => {
  fc.assert(
    fc.property(header, fc.array(tx, { minLength: 1, maxLength: 4 }), (h, txs) => {
      const block = { header: h, txs: txs.map(txDataFromTx) };
      const raw = serializeBlock(block);
      const again = parseBlock(raw);
      assert.equal(again.txs.length, txs.length);
      again.txs.forEach((t, i) => {
        assert.ok(equalBytes(t.txid, block.txs[i].txid));
        assert.ok(equalBytes(t.wtxid, block.txs[i].wtxid));
        assert.equal(t.weight, block.txs[i].weight);
      });
      assert.ok(equalBytes(serializeBlock(again), raw));
    }),
    { numRuns: 150 },
  );
});

test('parseBlock rejects garbage with DecodeError only', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      try {
        parseBlock(b);
      } catch (e) {
        assert.ok(e instanceof DecodeError, String(e));
      }
    }),
    { numRuns: 200 },
  );
});

test('merkle root: pairwise sha256d with the last hash duplicated, mutation flagged', () => {
  const naive = (hs: Uint8Array[]): Uint8Array => {
    let level = hs;
    while (level.length > 1) {
      if (level.length % 2) level = [...level, level[level.length - 1]];
      const next: Uint8Array[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(sha256d(concatBytes(level[i], level[i + 1])));
      level = next;
    }
    return level[0];
  };
  fc.assert(
    fc.property(fc.array(bytes(32), { minLength: 1, maxLength: 9 }), (hs) => {
      assert.ok(equalBytes(merkleRoot(hs).root, naive(hs)));
    }),
    { numRuns: 100 },
  );
  const [a, b, c] = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(32).fill(3)];
  // [a b c] and [a b c c] share a root: the second is the mutated one.
  assert.ok(equalBytes(merkleRoot([a, b, c]).root, merkleRoot([a, b, c, c]).root));
  assert.equal(merkleRoot([a, b, c]).mutated, false);
  assert.equal(merkleRoot([a, b, c, c]).mutated, true);
});

test('compact targets round-trip', () => {
  assert.equal(targetToCompact(compactToTarget(0x207fffff)!), 0x207fffff);
  assert.equal(targetToCompact(compactToTarget(0x1d00ffff)!), 0x1d00ffff);
  assert.equal(compactToTarget(0x04923456), null, 'negative');
});
