/**
 * Property tests for BOLT 11: random invoices round-trip through encode/decode byte for byte;
 * corrupted strings (a changed character, truncation) and random field data under a valid
 * checksum are rejected with InvoiceError (a DecodeError) and never anything else.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sha256 } from '../../src/crypto/index.ts';
import { DecodeError, msat, utf8, type NodeId, type ShortChannelId } from '../../src/lib/index.ts';
import { decodeInvoice, encodeInvoice, featuresFromBits, InvoiceError, invoiceToJson, type InvoiceNetwork, type TaggedField } from '../../src/invoice/index.ts';
import { CHARSET, decodeBech32, encodeBech32 } from '../../src/invoice/bech32.ts';

const KEY = sha256(utf8('kite invoice property key'));
const NETWORKS: InvoiceNetwork[] = ['bitcoin', 'testnet', 'signet', 'regtest', 'simnet'];
/** Field types with no meaning in BOLT 11 today. */
const UNKNOWN_TYPES = [0, 2, 4, 7, 8, 10, 11, 12, 14, 15, 17, 18, 20, 21, 22, 25, 26, 28, 29, 30, 31];

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const hop = fc.record({
  pubkey: bytes(33).map((b) => b as NodeId),
  shortChannelId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => v as ShortChannelId),
  feeBaseMsat: fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }).map(msat),
  feeProportionalMillionths: fc.nat({ max: 2 ** 32 - 1 }),
  cltvExpiryDelta: fc.nat({ max: 0xffff }),
}).map((h) => ({ ...h })); // plain objects, as the decoder builds them
const fallback = fc.oneof(
  fc.record({ version: fc.constantFrom(17, 18), program: bytes(20) }),
  fc.record({ version: fc.constant(0), program: fc.oneof(bytes(20), bytes(32)) }),
  fc.record({ version: fc.integer({ min: 1, max: 16 }), program: fc.uint8Array({ minLength: 2, maxLength: 40 }) }),
).map((f) => ({ ...f }));
const optionalField: fc.Arbitrary<TaggedField> = fc.oneof(
  fc.nat({ max: 2 ** 40 }).map((v): TaggedField => ({ tag: 'x', expirySeconds: v })),
  fc.nat({ max: 2 ** 20 }).map((v): TaggedField => ({ tag: 'c', minFinalCltvExpiryDelta: v })),
  fallback.map((fb): TaggedField => ({ tag: 'f', fallback: fb })),
  fc.array(hop, { minLength: 1, maxLength: 3 }).map((route): TaggedField => ({ tag: 'r', route })),
  fc.uint8Array({ maxLength: 100 }).map((m): TaggedField => ({ tag: 'm', metadata: m })),
  fc
    .uniqueArray(fc.oneof(fc.constantFrom(8, 14, 16, 48), fc.nat({ max: 300 }).map((b) => 2 * b + 1)), { maxLength: 6 })
    .map((bits): TaggedField => ({ tag: '9', features: featuresFromBits(bits) })),
  fc
    .record({ type: fc.constantFrom(...UNKNOWN_TYPES), words: fc.uint8Array({ max: 31, maxLength: 60 }) })
    .map(({ type, words }): TaggedField => ({ tag: 'raw', type, words, reason: 'unknown-type' })),
);
const invoiceArb = fc.record({
  network: fc.constantFrom(...NETWORKS),
  amountMsat: fc.option(fc.bigInt({ min: 1n, max: 21_000_000n * 10n ** 11n }).map(msat), { nil: undefined }),
  timestamp: fc.nat({ max: 2 ** 35 - 1 }),
  paymentHash: bytes(32),
  paymentSecret: bytes(32),
  desc: fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }).map((d): TaggedField => ({ tag: 'd', description: d })),
    bytes(32).map((h): TaggedField => ({ tag: 'h', descriptionHash: h })),
  ),
  extra: fc.array(optionalField, { maxLength: 6 }),
  order: fc.nat(),
});

describe('BOLT 11 properties', () => {
  test('random invoices round-trip byte for byte', () => {
    fc.assert(
      fc.property(invoiceArb, (r) => {
        const fields: TaggedField[] = [{ tag: 'p', paymentHash: r.paymentHash }, { tag: 's', paymentSecret: r.paymentSecret }, r.desc, ...r.extra];
        // rotate so required fields are not always first
        const k = r.order % fields.length;
        const ordered = [...fields.slice(k), ...fields.slice(0, k)];
        const s = encodeInvoice({ network: r.network, amountMsat: r.amountMsat, timestamp: r.timestamp, fields: ordered }, KEY);
        const inv = decodeInvoice(s);
        assert.equal(inv.network, r.network);
        assert.equal(inv.amountMsat, r.amountMsat);
        assert.equal(inv.timestamp, r.timestamp);
        assert.deepEqual(inv.fields, ordered);
        assert.deepEqual(inv.paymentHash, r.paymentHash);
        assert.equal(encodeInvoice(inv, KEY), s);
        invoiceToJson(inv);
      }),
      { numRuns: 150 },
    );
  });

  const sample = fc.sample(invoiceArb, { numRuns: 30, seed: 42 }).map((r) =>
    encodeInvoice({ network: r.network, amountMsat: r.amountMsat, timestamp: r.timestamp, fields: [{ tag: 'p', paymentHash: r.paymentHash }, { tag: 's', paymentSecret: r.paymentSecret }, r.desc, ...r.extra.slice(0, 2)] }, KEY),
  );
  const onlyInvoiceErrors = (s: string): boolean => {
    try {
      decodeInvoice(s);
      return false;
    } catch (e) {
      if (!(e instanceof InvoiceError) || !(e instanceof DecodeError)) throw e;
      return true;
    }
  };

  test('changing one character is always rejected', () => {
    fc.assert(
      fc.property(fc.constantFrom(...sample), fc.nat(), fc.nat(), (s, pos, ch) => {
        const i = pos % s.length;
        const alphabet = CHARSET + 'bio1LNBC';
        const c = alphabet[ch % alphabet.length];
        fc.pre(c !== s[i]);
        assert.ok(s.length < 1000);
        assert.ok(onlyInvoiceErrors(s.slice(0, i) + c + s.slice(i + 1)));
      }),
      { numRuns: 200 },
    );
  });

  test('truncation is rejected', () => {
    fc.assert(
      fc.property(fc.constantFrom(...sample), fc.nat(), (s, cut) => {
        assert.ok(onlyInvoiceErrors(s.slice(0, cut % s.length)));
      }),
      { numRuns: 150 },
    );
  });

  test('random data under a valid checksum only ever fails with InvoiceError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('lnbc', 'lntb', 'lnbcrt', 'lnbc10u', 'lnbc11p', 'lnxx', 'lnbc1x', 'ln'),
        fc.array(fc.oneof(fc.constantFrom(1, 16, 13, 27, 19, 23, 6, 24, 9, 3, 5, 0), fc.nat({ max: 31 })), { minLength: 0, maxLength: 400 }),
        (hrp, ws) => {
          const s = encodeBech32(hrp, Uint8Array.from(ws));
          try {
            decodeInvoice(s);
          } catch (e) {
            if (!(e instanceof InvoiceError)) throw e;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('mutated data words under a recomputed checksum: decoded or InvoiceError, never anything else', () => {
    fc.assert(
      fc.property(fc.constantFrom(...sample), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 31 })), { minLength: 1, maxLength: 3 }), (s, edits) => {
        const { hrp, words } = decodeBech32(s);
        const w = Uint8Array.from(words);
        for (const [pos, v] of edits) w[pos % w.length] = v;
        const mutated = encodeBech32(hrp, w);
        try {
          const inv = decodeInvoice(mutated);
          // If it still decodes, the signature was checked over the mutated data.
          assert.equal(encodeInvoice(inv, () => ({ sig: inv.signature, recid: inv.recoveryId })), mutated);
        } catch (e) {
          if (!(e instanceof InvoiceError)) throw e;
        }
      }),
      { numRuns: 200 },
    );
  });

  test('random strings only ever fail with InvoiceError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        assert.ok(onlyInvoiceErrors(s));
      }),
      { numRuns: 200 },
    );
  });
});
