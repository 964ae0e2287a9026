/**
 * Rate limiting per channel direction (token buckets over injected time) and the bounded
 * holding caches: a flood never grows memory past the configured bounds.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedCache, PendingNodeAnnouncements, PendingUpdates, UpdateRateLimiter } from '../../src/gossip/index.ts';

describe('UpdateRateLimiter', () => {
  test('a burst passes, the rest is dropped, and tokens come back with time (4 a day)', () => {
    const l = new UpdateRateLimiter({ policy: { burst: 3, perDay: 4 } });
    const t = 1_000_000;
    assert.deepEqual([1, 2, 3, 4, 5].map(() => l.tryCharge(7n, 0, 'policy', t)), [true, true, true, false, false]);
    assert.equal(l.tryCharge(7n, 0, 'policy', t + 6 * 3600 - 1), false);
    assert.equal(l.tryCharge(7n, 0, 'policy', t + 6 * 3600 + 1), true);
    assert.equal(l.tryCharge(7n, 0, 'policy', t + 6 * 3600 + 2), false);
  });

  test('directions and channels have their own buckets', () => {
    const l = new UpdateRateLimiter({ policy: { burst: 1, perDay: 1 } });
    assert.equal(l.tryCharge(1n, 0, 'policy', 0), true);
    assert.equal(l.tryCharge(1n, 0, 'policy', 0), false);
    assert.equal(l.tryCharge(1n, 1, 'policy', 0), true);
    assert.equal(l.tryCharge(2n, 0, 'first', 0), true);
  });

  test('disable/enable flips and keep-alives are not starved by a spent policy budget', () => {
    const l = new UpdateRateLimiter({ policy: { burst: 2, perDay: 4 }, status: { burst: 2, perDay: 24 } });
    while (l.tryCharge(9n, 1, 'policy', 50)) {
      /* drain */
    }
    assert.equal(l.tryCharge(9n, 1, 'status', 50), true);
    assert.equal(l.tryCharge(9n, 1, 'keepalive', 51), true);
    assert.equal(l.tryCharge(9n, 1, 'status', 52), false);
    assert.equal(l.tryCharge(9n, 1, 'status', 52 + 3600), true);
  });

  test('memory is bounded: the least recently used direction is forgotten', () => {
    const l = new UpdateRateLimiter({ maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) l.tryCharge(BigInt(i), 0, 'policy', 0);
    assert.equal(l.size, 100);
    l.forget(9_999n);
    assert.equal(l.size, 99);
  });

  test('a clock going backwards does not mint tokens', () => {
    const l = new UpdateRateLimiter({ policy: { burst: 1, perDay: 4 } });
    assert.equal(l.tryCharge(3n, 0, 'policy', 10_000), true);
    assert.equal(l.tryCharge(3n, 0, 'policy', 0), false);
  });
});

describe('holding caches', () => {
  test('BoundedCache evicts the oldest entry', () => {
    const c = new BoundedCache<number, string>(2);
    c.set(1, 'a');
    c.set(2, 'b');
    c.set(1, 'a2'); // refreshes 1
    c.set(3, 'c');
    assert.equal(c.get(2), undefined);
    assert.equal(c.get(1), 'a2');
    assert.equal(c.size, 2);
    assert.throws(() => new BoundedCache(0), RangeError);
  });

  test('PendingUpdates keeps the newest update per direction, and at most N channels', () => {
    const p = new PendingUpdates(50);
    const raw = (n: number) => Uint8Array.of(n);
    p.add(1n, 0, { raw: raw(1), timestamp: 10 });
    p.add(1n, 0, { raw: raw(2), timestamp: 5 }); // older: dropped
    p.add(1n, 1, { raw: raw(3), timestamp: 7 });
    p.add(1n, 0, { raw: raw(4), timestamp: 11 });
    assert.deepEqual(p.take(1n).map((u) => u.raw[0]), [4, 3]);
    assert.deepEqual(p.take(1n), []);
    for (let i = 0; i < 100_000; i++) p.add(BigInt(i), (i & 1) as 0 | 1, { raw: raw(i & 255), timestamp: i });
    assert.equal(p.size, 50);
  });

  test('PendingNodeAnnouncements keeps the newest per node, and at most N nodes', () => {
    const p = new PendingNodeAnnouncements(10);
    p.add('n', { raw: Uint8Array.of(1), timestamp: 5 });
    p.add('n', { raw: Uint8Array.of(2), timestamp: 4 });
    assert.equal(p.take('n')?.raw[0], 1);
    for (let i = 0; i < 5_000; i++) p.add(`k${i}`, { raw: Uint8Array.of(0), timestamp: 1 });
    assert.equal(p.size, 10);
  });
});
