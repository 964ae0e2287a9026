import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { feeForWeight, selectCoins, type Candidate, type SelectionParams } from '../../src/wallet/coin-selection.ts';

const IN_W = 272; // P2WPKH input
const base = (target: bigint, feerate = 1000): SelectionParams => ({
  target,
  feerate,
  longTermFeerate: 2500,
  baseWeight: 42 + 124, // header+marker, one P2WPKH recipient
  changeWeight: 124,
  changeSpendWeight: IN_W,
  minChange: 294n,
});
const coin = (id: string, value: bigint): Candidate => ({ id, value, weight: IN_W });

describe('selectCoins', () => {
  test('fee is ceil(weight * feerate / 1000)', () => {
    assert.equal(feeForWeight(1000, 253), 253n);
    assert.equal(feeForWeight(1001, 253), 254n);
    assert.equal(feeForWeight(0, 253), 0n);
  });

  test('branch-and-bound finds an exact changeless match', () => {
    const p = base(100_000n);
    // A coin whose effective value pays exactly target + fee of a one-input tx.
    const exact = 100_000n + feeForWeight(p.baseWeight + IN_W, p.feerate);
    const pool = [coin('a', 50_000n), coin('b', exact), coin('c', 400_000n), coin('d', 70_000n)];
    const s = selectCoins(pool, p)!;
    assert.equal(s.algorithm, 'bnb');
    assert.deepEqual(s.selected.map((c) => c.id), ['b']);
    assert.equal(s.change, 0n);
    assert.equal(s.fee, feeForWeight(s.weight, p.feerate));
  });

  test('branch-and-bound combines several coins when that avoids change', () => {
    const p = base(100_000n, 253);
    const fee2 = feeForWeight(p.baseWeight + 2 * IN_W, p.feerate);
    const pool = [coin('x', 60_000n), coin('y', 40_000n + fee2), coin('z', 1_000_000n)];
    const s = selectCoins(pool, p)!;
    assert.equal(s.algorithm, 'bnb');
    assert.deepEqual(new Set(s.selected.map((c) => c.id)), new Set(['x', 'y']));
    assert.equal(s.change, 0n);
  });

  test('falls back to a selection with change and reports its waste honestly', () => {
    // Fees above the long-term feerate: every extra input is waste, so one coin wins.
    const p = base(100_000n, 5000);
    const pool = [coin('big', 1_000_000n), coin('small', 10_000n)];
    const s = selectCoins(pool, p)!;
    assert.deepEqual(s.selected.map((c) => c.id), ['big']);
    const expectChange = 1_000_000n - 100_000n - feeForWeight(p.baseWeight + IN_W + p.changeWeight, p.feerate);
    assert.equal(s.change, expectChange);
    assert.notEqual(s.algorithm, 'bnb');
    const inputWaste = feeForWeight(IN_W, 5000) - feeForWeight(IN_W, 2500);
    const costOfChange = feeForWeight(124, 5000) + feeForWeight(IN_W, 2500);
    assert.equal(s.waste, inputWaste + costOfChange);
  });

  test('returns null when funds are insufficient', () => {
    assert.equal(selectCoins([coin('a', 1000n), coin('b', 2000n)], base(10_000n)), null);
    assert.equal(selectCoins([], base(1n)), null);
  });

  test('uneconomic coins (negative effective value) are never chosen', () => {
    const p = base(50_000n, 5000);
    const tiny = coin('dust', 300n); // costs 1360 sat to spend at 5000 sat/kw
    const s = selectCoins([tiny, coin('ok', 200_000n)], p)!;
    assert.ok(!s.selected.some((c) => c.id === 'dust'));
  });

  test('at low feerates consolidation has negative input waste and is preferred', () => {
    const p = base(100_000n, 253);
    const s = selectCoins([coin('big', 1_000_000n), coin('small', 10_000n)], p)!;
    assert.equal(s.selected.length, 2);
    assert.ok(s.waste < 0n || s.waste < feeForWeight(124, 253) + feeForWeight(IN_W, 2500));
  });

  test('required coins are always included', () => {
    const p = { ...base(10_000n), required: [coin('req', 5_000n)] };
    const s = selectCoins([coin('a', 100_000n), coin('req', 5_000n)], p)!;
    assert.ok(s.selected.some((c) => c.id === 'req'));
    assert.equal(s.selected.filter((c) => c.id === 'req').length, 1);
  });

  test('property: a selection always pays target + fee, never below feerate, change is not dust', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 5_000_000n }), { minLength: 0, maxLength: 12 }),
        fc.bigInt({ min: 1000n, max: 10_000_000n }),
        fc.integer({ min: 253, max: 50_000 }),
        (values, target, feerate) => {
          const pool = values.map((v, i) => coin(`c${i}`, v));
          const p = base(target, feerate);
          const s = selectCoins(pool, p);
          if (!s) {
            // Then even all positive-effective coins together cannot pay (with no change).
            const all = pool.filter((c) => c.value > feeForWeight(IN_W, feerate));
            const fee = feeForWeight(p.baseWeight + IN_W * all.length, feerate);
            assert.ok(all.reduce((a, c) => a + c.value, 0n) < target + fee);
            return;
          }
          const total = s.selected.reduce((a, c) => a + c.value, 0n);
          assert.equal(total, target + s.fee + s.change);
          assert.ok(s.fee >= feeForWeight(s.weight, feerate));
          assert.ok(s.change === 0n || s.change >= p.minChange);
          assert.equal(new Set(s.selected.map((c) => c.id)).size, s.selected.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
