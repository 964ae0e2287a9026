/**
 * Properties of the message codecs, for every message of BOLT #1, #2 and #7:
 *  - decode(encode(m)) = m and encode(decode(b)) = b for random valid messages;
 *  - random bytes, random payloads under known types, truncations and bit flips either
 *    decode to something that re-encodes to the same bytes or throw a DecodeError — never
 *    any other exception.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError, toHex } from '../../src/lib/index.ts';
import { SCHEMAS, decodeMessage, encodeMessage, UnknownEvenMessageError, type AnySchema, type WireMessage } from '../../src/wire/index.ts';
import { arbitraryMessage } from './arbitrary.ts';

const schemas = SCHEMAS as readonly AnySchema[];

/** decodeSafely: decoding either works or throws DecodeError; anything else fails the test. */
function decodeSafely(b: Uint8Array): WireMessage | DecodeError {
  try {
    return decodeMessage(b);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw new Error(`decoder threw a non-DecodeError for ${toHex(b)}: ${String(e)}`);
  }
}

/** A decoded message must re-encode to exactly the bytes it came from (canonical decoding). */
function assertCanonical(b: Uint8Array): void {
  const r = decodeSafely(b);
  if (r instanceof DecodeError) return;
  assert.equal(toHex(encodeMessage(r)), toHex(b));
}

describe('every message round-trips', () => {
  for (const s of schemas) {
    test(`${s.name} (${s.type})`, () => {
      fc.assert(
        fc.property(arbitraryMessage(s), (m) => {
          const bytes = encodeMessage(m as WireMessage);
          assert.equal((bytes[0]! << 8) | bytes[1]!, s.type);
          const back = decodeMessage(bytes);
          assert.deepStrictEqual(back, m);
          assert.equal(toHex(encodeMessage(back)), toHex(bytes));
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe('garbage is rejected with DecodeError only', () => {
  test('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => assertCanonical(b)),
      { numRuns: 300 },
    );
  });

  test('random payloads under every known type', () => {
    const types = schemas.map((s) => s.type);
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 1600 }), (t, payload) => {
        const b = new Uint8Array(2 + payload.length);
        b[0] = t >> 8;
        b[1] = t & 0xff;
        b.set(payload, 2);
        assertCanonical(b);
      }),
      { numRuns: 400 },
    );
  });

  test('truncations and bit flips of valid messages', () => {
    const arb = fc.constantFrom(...schemas).chain((s) => arbitraryMessage(s));
    fc.assert(
      fc.property(arb, fc.nat(), fc.nat(), (m, cut, flip) => {
        const b = encodeMessage(m as WireMessage);
        assertCanonical(b.subarray(0, cut % (b.length + 1)));
        const f = b.slice();
        const bit = flip % (f.length * 8);
        f[bit >> 3]! ^= 1 << (bit & 7);
        assertCanonical(f);
      }),
      { numRuns: 200 },
    );
  });

  test('random byte insertions, deletions and overwrites of valid messages', () => {
    const arb = fc.constantFrom(...schemas).chain((s) => arbitraryMessage(s));
    const mutation = fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom('flip', 'insert', 'delete', 'set'));
    fc.assert(
      fc.property(arb, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, mutations) => {
        const b = Array.from(encodeMessage(m as WireMessage));
        for (const [pos, val, kind] of mutations) {
          const p = pos % (b.length + 1);
          if (kind === 'insert') b.splice(p, 0, val);
          else if (kind === 'delete') b.splice(p, 1);
          else if (p < b.length) b[p] = kind === 'flip' ? b[p]! ^ (1 << (val & 7)) : val;
        }
        assertCanonical(Uint8Array.from(b));
      }),
      { numRuns: 400 },
    );
  });

  test('cutting a message inside its fixed fields is always a DecodeError', () => {
    for (const s of schemas) {
      const m = fc.sample(arbitraryMessage(s), { numRuns: 1, seed: s.type })[0]!;
      const b = encodeMessage(m as WireMessage);
      // The first field always needs at least one byte; cutting right after the type fails.
      if (s.fieldList.length > 0) assert.throws(() => decodeMessage(b.subarray(0, 2)), DecodeError, s.name);
      assert.throws(() => decodeMessage(b.subarray(0, 1)), DecodeError, s.name);
    }
  });
});

describe('unknown messages (BOLT #1 "it\'s ok to be odd")', () => {
  test('odd unknown types decode as unknown and re-encode verbatim; even ones throw UnknownEvenMessageError', () => {
    const known = new Set(schemas.map((s) => s.type));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }).filter((t) => !known.has(t)),
        fc.uint8Array({ maxLength: 64 }),
        (t, payload) => {
          const b = new Uint8Array([t >> 8, t & 0xff, ...payload]);
          if (t % 2 === 1) {
            const m = decodeMessage(b);
            assert.deepStrictEqual(m, { type: 'unknown', typeNum: t, payload });
            assert.deepStrictEqual(encodeMessage(m), b);
          } else {
            assert.throws(
              () => decodeMessage(b),
              (e: unknown) => e instanceof UnknownEvenMessageError && e instanceof DecodeError && e.typeNum === t,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
