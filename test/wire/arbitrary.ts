/**
 * fast-check arbitraries derived from the message schemas: every codec's Shape says what its
 * values look like, so every message of every table gets a generator for free.
 */
import fc from 'fast-check';
import { getPublicKey } from '../../src/crypto/index.ts';
import type { AddressDescriptor, AnySchema, Codec, TlvRecord } from '../../src/wire/index.ts';

/** A few valid compressed points (decoding checks points, so random bytes will not do). */
const POINTS = [1, 2, 3, 5, 8, 13, 21, 34].map((k) => {
  const priv = new Uint8Array(32);
  priv[31] = k;
  priv[0] = k;
  return getPublicKey(priv);
});

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

/** fc.record may build null-prototype objects; decoded values are plain objects. */
const plain = <T extends object>(a: fc.Arbitrary<T>): fc.Arbitrary<T> => a.map((o) => ({ ...o }));

const knownAddress: fc.Arbitrary<AddressDescriptor> = fc.oneof(
  plain(fc.record({ type: fc.constant('ipv4' as const), addr: bytes(4, 4), port: fc.integer({ min: 0, max: 0xffff }) })),
  plain(fc.record({ type: fc.constant('ipv6' as const), addr: bytes(16, 16), port: fc.integer({ min: 0, max: 0xffff }) })),
  plain(fc.record({ type: fc.constant('torv2' as const), addr: bytes(10, 10), port: fc.integer({ min: 0, max: 0xffff }) })),
  plain(fc.record({ type: fc.constant('torv3' as const), addr: bytes(35, 35), port: fc.integer({ min: 0, max: 0xffff }) })),
  plain(fc.record({ type: fc.constant('dns' as const), hostname: fc.string({ unit: 'binary-ascii', maxLength: 40 }), port: fc.integer({ min: 0, max: 0xffff }) })),
);
const unknownAddress: fc.Arbitrary<AddressDescriptor> = plain(
  fc.record({
    type: fc.constant('unknown' as const),
    typeNum: fc.integer({ min: 0, max: 255 }).filter((t) => t < 1 || t > 5),
    data: bytes(0, 20),
  }),
);

/** arbitraryFor(c) generates valid values of codec c. */
export function arbitraryFor(c: Codec<any>): fc.Arbitrary<unknown> {
  const s = c.shape;
  switch (s.kind) {
    case 'uint': {
      const max = (1n << BigInt(s.bytes * 8)) - 1n;
      return s.big ? fc.oneof(fc.bigInt({ min: 0n, max }), fc.constantFrom(0n, max)) : fc.integer({ min: 0, max: Number(max) });
    }
    case 'sint': {
      const half = 1n << BigInt(s.bytes * 8 - 1);
      return s.bytes === 8 ? fc.bigInt({ min: -half, max: half - 1n }) : fc.integer({ min: -Number(half), max: Number(half) - 1 });
    }
    case 'tu':
      return fc.bigInt({ min: 0n, max: (1n << BigInt(s.bytes * 8)) - 1n });
    case 'bigsize':
      return fc.oneof(fc.bigInt({ min: 0n, max: 0x1_0000n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
    case 'bytes':
      return typeof s.len === 'number' ? bytes(s.len, s.len) : bytes(0, 80);
    case 'point':
      return fc.constantFrom(...POINTS);
    case 'array':
      return fc.array(arbitraryFor(s.of), { maxLength: 6 });
    case 'framed':
      return arbitraryFor(s.of);
    case 'struct':
      return plain(fc.record(Object.fromEntries(Object.entries(s.fields).map(([k, fcodec]) => [k, arbitraryFor(fcodec)]))));
    case 'flag':
      return fc.constant(true);
    case 'address':
      return fc.oneof(knownAddress, unknownAddress);
    case 'address_list':
      // An unknown descriptor swallows the rest, so it can only come last.
      return fc.tuple(fc.array(knownAddress, { maxLength: 4 }), fc.option(unknownAddress, { nil: undefined })).map(([k, u]) => (u ? [...k, u] : k));
  }
}

/** Unknown odd TLV records that do not collide with the schema's known types, in stream order. */
function unknownTlvs(s: AnySchema): fc.Arbitrary<TlvRecord[]> {
  return fc
    .uniqueArray(
      fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })).map((t) => t | 1n),
      { maxLength: 3, selector: (t) => t.toString() },
    )
    .filter((ts) => ts.every((t) => !s.tlvByType.has(t)))
    .chain((ts) => fc.tuple(...ts.sort((a, b) => (a < b ? -1 : 1)).map((type) => bytes(0, 20).map((value) => ({ type, value })))));
}

/** arbitraryMessage(s) generates messages of schema s in the shape decodeMessage returns. */
export function arbitraryMessage(s: AnySchema): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(s.fieldList.map(([k, c]) => [k, arbitraryFor(c)]));
  const tlvs = plain(fc.record(Object.fromEntries(s.tlvList.map(([k, t]) => [k, arbitraryFor(t.codec)])), { requiredKeys: [] }));
  return fc.tuple(fc.record(fields), tlvs, fc.oneof(fc.constant([] as TlvRecord[]), unknownTlvs(s))).map(([f, t, u]) => {
    const m: Record<string, unknown> = { type: s.name, ...f };
    if (s.tlvList.length > 0) m.tlvs = t;
    if (u.length > 0) m.unknownTlvs = u;
    return m;
  });
}
