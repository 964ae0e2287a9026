/**
 * The one implementation of each small Bitcoin helper: CompactSize (canonical, Core's
 * MAX_SIZE), the block header codec and hash, display-order hash hex and the outpoint key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { DecodeError, Reader, Writer, fromHex, toHex } from '../../src/lib/index.ts';
import {
  blockHeaderHash,
  compactSizeLength,
  encodeCompactSize,
  hashToHex,
  hexToHash,
  MAX_COMPACT_SIZE,
  outpointKey,
  parseBlockHeader,
  parseOutpointKey,
  putCompactSize,
  readCompactSize,
  readCompactSizeAt,
  serializeBlockHeader,
  writeCompactSize,
} from '../../src/bitcoin/index.ts';

test('CompactSize: the three encoders agree, and decoding inverts them', () => {
  fc.assert(
    fc.property(fc.oneof(fc.nat({ max: 0x1_0000 }), fc.nat({ max: MAX_COMPACT_SIZE })), (n) => {
      const a = encodeCompactSize(n);
      const w = new Writer(4);
      writeCompactSize(w, n);
      const buf = new Uint8Array(12);
      const end = putCompactSize(buf, 3, n);
      assert.equal(a.length, compactSizeLength(n));
      assert.deepEqual(w.finish(), a);
      assert.deepEqual(buf.subarray(3, end), a);
      assert.deepEqual(readCompactSizeAt(buf, 3), [n, end]);
      const r = new Reader(a);
      assert.equal(readCompactSize(r), n);
      assert.ok(r.done());
    }),
  );
  // The boundaries of each form.
  assert.equal(toHex(encodeCompactSize(0xfc)), 'fc');
  assert.equal(toHex(encodeCompactSize(0xfd)), 'fdfd00');
  assert.equal(toHex(encodeCompactSize(0xffff)), 'fdffff');
  assert.equal(toHex(encodeCompactSize(0x10000)), 'fe00000100');
  assert.equal(toHex(encodeCompactSize(2 ** 32)), 'ff0000000001000000');
});

test('CompactSize decoding is strict: non-canonical forms, sizes over MAX_SIZE and truncation are DecodeErrors', () => {
  for (const [hex, why] of [
    ['fdfc00', /non-canonical/],
    ['feffff0000', /non-canonical/],
    ['ff00000000ffffffff', /compact size too large/],
    ['ffffffffff00000000', /non-canonical/],
    ['fe01000002', /compact size too large/],
    ['fd01', /unexpected end/],
    ['', /unexpected end/],
  ] as const) {
    assert.throws(() => readCompactSizeAt(fromHex(hex), 0), (e: unknown) => e instanceof DecodeError && why.test(e.message), hex);
  }
  assert.deepEqual(readCompactSizeAt(fromHex('fe00000002'), 0), [MAX_COMPACT_SIZE, 5]);
  assert.throws(() => readCompactSize(new Reader(fromHex('fd0001')), 0xff), /too large/);
});

test('block header: the mainnet genesis header hashes to the chain_hash BOLT #0 gives', () => {
  const intro = readFileSync(new URL('../../../shared/spec/bolts/00-introduction.md', import.meta.url), 'utf8');
  const chainHash = /`([0-9a-f]{64})`/.exec(intro.slice(intro.indexOf('chain_hash')))![1]!;
  const genesis = {
    version: 1,
    prevHash: new Uint8Array(32),
    merkleRoot: hexToHash('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'),
    time: 1231006505,
    bits: 0x1d00ffff,
    nonce: 2083236893,
  };
  assert.equal(toHex(blockHeaderHash(genesis)), chainHash);
  const bytes = serializeBlockHeader(genesis);
  assert.equal(bytes.length, 80);
  assert.deepEqual(parseBlockHeader(bytes), genesis);
  const inBlock = new Uint8Array(90);
  inBlock.set(bytes, 5);
  assert.deepEqual(parseBlockHeader(inBlock, 5), genesis);
  assert.equal(parseBlockHeader(serializeBlockHeader({ ...genesis, version: -2 })).version, -2, 'version is a signed int32');
  assert.throws(() => parseBlockHeader(bytes.subarray(0, 79)), DecodeError);
});

test('display-order hashes and outpoint keys round-trip', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat({ max: 0xffffffff }), (h, vout) => {
      const hex = hashToHex(h);
      assert.equal(hex, toHex(h.slice().reverse()));
      assert.deepEqual(hexToHash(hex), h);
      assert.deepEqual(hexToHash(hex.toUpperCase()), h);
      const key = outpointKey(h, vout);
      assert.equal(key, `${hex}:${vout}`);
      assert.equal(outpointKey({ txid: h, vout }), key);
      assert.deepEqual(parseOutpointKey(key), { txid: h, vout });
    }),
  );
  for (const bad of ['', 'ab', 'g'.repeat(64), '0'.repeat(66)]) assert.throws(() => hexToHash(bad), DecodeError);
  for (const bad of ['x:1', `${'0'.repeat(64)}:`, `${'0'.repeat(64)}:-1`, `${'0'.repeat(64)}1`]) assert.throws(() => parseOutpointKey(bad), DecodeError, bad);
});
