/**
 * BOLT 11 pieces beyond the spec's examples: the human-readable part for every network and
 * multiplier, bech32 against @scure/base, createInvoice options, the `n` field path, reader
 * rules (non-minimal fields, padding, unknown even features), JSON output and expiry.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bech32 as scureBech32, bech32m as scureBech32m } from '@scure/base';
import { getPublicKey, sha256, signRecoverable } from '../../src/crypto/index.ts';
import { DecodeError, fromHex, msat, shortChannelId, toHex, utf8, type NodeId } from '../../src/lib/index.ts';
import {
  addressToFallback,
  createInvoice,
  decodeInvoice,
  encodeAmount,
  encodeInvoice,
  fallbackScriptPubKey,
  featureBits,
  featuresFromBits,
  InvoiceError,
  invoiceToJson,
  isExpired,
  parseHrp,
  type CreateInvoiceOptions,
  type TaggedField,
  type UnsignedInvoice,
} from '../../src/invoice/index.ts';
import { decodeBech32, encodeBech32, bytesToWords, wordsToBytesExact } from '../../src/invoice/bech32.ts';

const KEY = sha256(utf8('kite invoice test key'));
const OTHER = sha256(utf8('another key'));
const base: CreateInvoiceOptions = {
  network: 'regtest',
  amountMsat: msat(123_456n),
  preimage: new Uint8Array(32).fill(5),
  paymentSecret: new Uint8Array(32).fill(0x22),
  description: 'kite test',
  timestamp: 1_700_000_000,
  nodeSecret: KEY,
};
const rejects = (s: string, re: RegExp): void =>
  assert.throws(
    () => decodeInvoice(s),
    (e: unknown) => e instanceof InvoiceError && re.test((e as Error).message),
  );
const minimalFields = (): TaggedField[] => [
  { tag: 'p', paymentHash: new Uint8Array(32).fill(1) },
  { tag: 's', paymentSecret: new Uint8Array(32).fill(2) },
  { tag: 'd', description: 'x' },
];

describe('human-readable part', () => {
  test('every network prefix', () => {
    const cases: [string, string][] = [
      ['lnbc', 'bitcoin'],
      ['lntb', 'testnet'],
      ['lntbs', 'signet'],
      ['lnbcrt', 'regtest'],
      ['lnsb', 'simnet'],
    ];
    for (const [p, net] of cases) {
      assert.equal(parseHrp(p).network, net);
      assert.equal(parseHrp(p + '10u').network, net);
      assert.equal(parseHrp(p + '10u').amountMsat, 1_000_000n);
      const { invoice, bolt11 } = createInvoice({ ...base, network: net as CreateInvoiceOptions['network'] });
      assert.ok(bolt11.startsWith(p + '1234560p1'), bolt11);
      assert.equal(invoice.network, net);
    }
    assert.throws(() => parseHrp('lnxy10u'), /unknown currency prefix/);
    assert.throws(() => parseHrp('bc10u'), /does not start with "ln"/);
  });

  test('multipliers, shortest encoding and the sub-millisatoshi rule', () => {
    assert.equal(parseHrp('lnbc1').amountMsat, 100_000_000_000n);
    assert.equal(parseHrp('lnbc1m').amountMsat, 100_000_000n);
    assert.equal(parseHrp('lnbc1u').amountMsat, 100_000n);
    assert.equal(parseHrp('lnbc1n').amountMsat, 100n);
    assert.equal(parseHrp('lnbc10p').amountMsat, 1n);
    assert.equal(parseHrp('lnbc2500000u').amountMsat, 250_000_000_000n); // non-largest multipliers are accepted
    assert.throws(() => parseHrp('lnbc11p'), /sub-millisatoshi/);
    assert.throws(() => parseHrp('lnbc10x'), /invalid amount multiplier/);
    assert.throws(() => parseHrp('lnbc1a0u'), /not a decimal number/);
    assert.throws(() => parseHrp('lnbc010u'), /leading zero/);
    assert.throws(() => parseHrp('lnbc0'), /leading zero or is zero/);
    assert.throws(() => parseHrp('lnbc30000000'), /more than 21 million/);
    assert.equal(encodeAmount(msat(100_000_000_000n)), '1');
    assert.equal(encodeAmount(msat(250_000_000n)), '2500u');
    assert.equal(encodeAmount(msat(967_878_534n)), '9678785340p');
    assert.equal(encodeAmount(msat(1n)), '10p');
    assert.equal(encodeAmount(msat(100n)), '1n');
    for (const a of [1n, 7n, 100n, 123_456_789n, 10n ** 11n, 21_000_000n * 10n ** 11n]) {
      assert.equal(parseHrp('lnbc' + encodeAmount(msat(a))).amountMsat, a);
    }
  });
});

describe('bech32', () => {
  test('agrees with @scure/base on encoding', () => {
    const words = Uint8Array.from({ length: 80 }, (_, i) => (i * 7) % 32);
    assert.equal(encodeBech32('lnbc', words), scureBech32.encode('lnbc', Array.from(words), false));
    const d = decodeBech32(scureBech32.encode('lntb', Array.from(words), false).toUpperCase());
    assert.equal(d.hrp, 'lntb');
    assert.deepEqual(d.words, words);
  });
  test('rejects bech32m, bad characters and short strings', () => {
    const words = Array.from({ length: 20 }, (_, i) => i);
    rejects(scureBech32m.encode('lnbc', words, false), /checksum is bech32m, but BOLT 11 invoices use bech32/);
    rejects('lnbc1' + 'b' + 'qqqqqqqqqq', /outside the bech32 alphabet/);
    rejects('lnbc1q', /too short/);
    rejects('1qqqqqqqqqq', /human-readable part is empty/);
    rejects('lnbc1qqqq', /shorter than the 6-character checksum/);
    rejects('ln\u00e9c1qqqqqqqqqqqqq', /outside printable ASCII/);
    assert.throws(() => decodeBech32(scureBech32.encode('lnbc', words).replace(/.$/, (c) => (c === 'q' ? 'p' : 'q'))), /checksum is invalid/);
  });
  test('5-bit conversions', () => {
    const b = Uint8Array.from({ length: 33 }, (_, i) => i * 7);
    assert.deepEqual(wordsToBytesExact(bytesToWords(b), 0, bytesToWords(b).length), b);
    // non-zero padding and whole-word padding are not canonical
    assert.equal(wordsToBytesExact(Uint8Array.of(0, 1), 0, 2), null);
    assert.equal(wordsToBytesExact(Uint8Array.of(0, 0, 0), 0, 3), null);
  });
});

describe('createInvoice and decodeInvoice', () => {
  test('fields round-trip', () => {
    const hop = {
      pubkey: getPublicKey(OTHER) as NodeId,
      shortChannelId: shortChannelId(700_000, 12, 1),
      feeBaseMsat: msat(1000),
      feeProportionalMillionths: 100,
      cltvExpiryDelta: 144,
    };
    const { bolt11, invoice } = createInvoice({
      ...base,
      network: 'bitcoin',
      expirySeconds: 86_400,
      minFinalCltvExpiryDelta: 40,
      routeHints: [[hop], [hop, { ...hop, cltvExpiryDelta: 6 }]],
      fallbacks: ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', '1RustyRX2oai4EYYDpQGWvEL62BBGqN9T'],
      metadata: Uint8Array.of(1, 0xfa, 0xfa, 0xf0),
    });
    const inv = decodeInvoice(bolt11.toUpperCase(), { network: 'bitcoin' });
    assert.deepEqual(inv.paymentHash, sha256(new Uint8Array(32).fill(5)));
    assert.deepEqual(inv.payee, getPublicKey(KEY));
    assert.equal(inv.payeeFromField, false);
    assert.equal(inv.expirySeconds, 86_400);
    assert.equal(inv.minFinalCltvExpiryDelta, 40);
    assert.equal(inv.routeHints.length, 2);
    assert.deepEqual(inv.routeHints[1][1], { ...hop, cltvExpiryDelta: 6 });
    assert.equal(toHex(inv.metadata!), '01fafaf0');
    assert.deepEqual(featureBits(inv.features), [8, 14, 17, 49]);
    assert.deepEqual(invoice, decodeInvoice(bolt11));
    const json = invoiceToJson(inv);
    assert.deepEqual(
      json.fallbacks?.map((f) => [f.type, f.addr]),
      [
        ['P2WPKH', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'],
        ['P2PKH', '1RustyRX2oai4EYYDpQGWvEL62BBGqN9T'],
      ],
    );
    assert.equal(json.fallbacks?.[0].hex, '0014751e76e8199196d454941c45d1b3a323f1433bd6');
    assert.equal(json.routes?.[0][0].short_channel_id, '700000x12x1');
    assert.equal(json.amount_msat, 123_456);
    assert.equal(json.min_final_cltv_expiry, 40);
    assert.equal(json.payment_metadata, '01fafaf0');
    assert.equal(json.currency, 'bc');
    assert.ok(json.signature.startsWith('30'));
    assert.equal(Object.keys(json).at(-1), 'valid');
  });

  test('description hash, no amount, defaults', () => {
    const text = 'a long description';
    const { invoice } = createInvoice({ ...base, amountMsat: undefined, description: undefined, descriptionHash: sha256(utf8(text)) });
    assert.equal(invoice.amountMsat, undefined);
    assert.equal(invoice.description, undefined);
    assert.equal(invoiceToJson(invoice).description_hash, toHex(sha256(utf8(text))));
    assert.equal(invoice.expirySeconds, 3600);
    assert.equal(invoice.minFinalCltvExpiryDelta, 18);
    assert.equal(invoiceToJson(invoice).amount_msat, undefined);
  });

  test('bad options are rejected with InvoiceError', () => {
    assert.throws(() => createInvoice({ ...base, descriptionHash: new Uint8Array(32) }), /exactly one of description and descriptionHash/);
    assert.throws(() => createInvoice({ ...base, preimage: undefined }), /paymentHash or preimage/);
    assert.throws(() => createInvoice({ ...base, paymentHash: new Uint8Array(32) }), /not the SHA256 of preimage/);
    assert.throws(() => createInvoice({ ...base, paymentSecret: new Uint8Array(31) }), /payment_secret must be 32 bytes/);
    assert.throws(() => createInvoice({ ...base, timestamp: 2 ** 35 }), /timestamp/);
    assert.throws(() => createInvoice({ ...base, description: 'x'.repeat(700) }), /too long/);
    assert.throws(() => createInvoice({ ...base, fallbacks: ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'] }), InvoiceError); // mainnet address on regtest
    assert.throws(() => createInvoice({ ...base, nodeSecret: new Uint8Array(32) }), /not a valid secp256k1 private key/);
  });

  test('the n field: verified instead of recovered', () => {
    const { bolt11, invoice } = createInvoice({ ...base, includePayee: true });
    assert.equal(invoice.payeeFromField, true);
    assert.deepEqual(invoice.payee, getPublicKey(KEY));
    assert.ok(bolt11.length > createInvoice(base).bolt11.length);
    // n names one key, the signature is by another.
    const forged: UnsignedInvoice = { network: 'regtest', timestamp: 1, fields: [...minimalFields(), { tag: 'n', payee: getPublicKey(KEY) as NodeId }] };
    rejects(encodeInvoice(forged, OTHER), /does not verify against the n field/);
    // n is not a curve point.
    const bad = { ...forged, fields: [...minimalFields(), { tag: 'n' as const, payee: new Uint8Array(33) as NodeId }] };
    rejects(encodeInvoice(bad, KEY), /not a valid secp256k1 public key/);
    // A signer function works too.
    const viaSigner = encodeInvoice(forged, (d) => signRecoverable(d, KEY));
    assert.deepEqual(decodeInvoice(viaSigner).payee, getPublicKey(KEY));
  });

  test('network option and lightning: prefix', () => {
    const { bolt11 } = createInvoice(base);
    assert.throws(() => decodeInvoice(bolt11, { network: 'bitcoin' }), /invoice is for regtest, expected bitcoin/);
    assert.equal(decodeInvoice(`  LIGHTNING:${bolt11.toUpperCase()}\n`).timestamp, base.timestamp);
    assert.throws(() => decodeInvoice(42 as unknown as string), InvoiceError);
  });

  test('isExpired uses timestamp + expiry', () => {
    const { invoice } = createInvoice({ ...base, expirySeconds: 60 });
    assert.equal(isExpired(invoice, base.timestamp + 60), false);
    assert.equal(isExpired(invoice, base.timestamp + 61), true);
    assert.equal(isExpired({ timestamp: 100, expirySeconds: 3600 }, 3700), false);
  });
});

describe('reader rules', () => {
  const withFields = (fields: TaggedField[]): string => encodeInvoice({ network: 'bitcoin', timestamp: 1, fields }, KEY);

  test('non-minimal x, c and 9 are invalid', () => {
    rejects(withFields([...minimalFields(), { tag: 'raw', type: 6, words: Uint8Array.of(0, 1), reason: 'unknown-type' }]), /x field has a non-minimal data_length/);
    rejects(withFields([...minimalFields(), { tag: 'raw', type: 24, words: Uint8Array.of(0, 9), reason: 'unknown-type' }]), /c field has a non-minimal data_length/);
    rejects(withFields([...minimalFields(), { tag: 'raw', type: 5, words: Uint8Array.of(0, 1), reason: 'unknown-type' }]), /9 field \(features\) has a non-minimal/);
    assert.equal(decodeInvoice(withFields([...minimalFields(), { tag: 'raw', type: 6, words: Uint8Array.of(1, 0), reason: 'unknown-type' }])).expirySeconds, 32);
  });

  test('missing p, missing d/h, both d and h', () => {
    rejects(withFields(minimalFields().filter((f) => f.tag !== 'p')), /missing required p field/);
    rejects(withFields(minimalFields().filter((f) => f.tag !== 'd')), /neither a d field/);
    rejects(withFields([...minimalFields(), { tag: 'h', descriptionHash: new Uint8Array(32) }]), /both a d field/);
  });

  test('unknown even features fail, unknown odd are ignored, known set is configurable', () => {
    const even = withFields([...minimalFields(), { tag: '9', features: featuresFromBits([8, 14, 100]) }]);
    rejects(even, /unknown required \(even\) feature bit 100/);
    assert.deepEqual(featureBits(decodeInvoice(even, { knownFeatureBits: [8, 14, 100] }).features), [8, 14, 100]);
    const odd = withFields([...minimalFields(), { tag: '9', features: featuresFromBits([9, 15, 101, 255]) }]);
    assert.deepEqual(featureBits(decodeInvoice(odd).features), [9, 15, 101, 255]);
  });

  test('field padding, lengths and fallbacks', () => {
    // d with non-zero padding bits
    rejects(withFields([...minimalFields(), { tag: 'raw', type: 13, words: Uint8Array.of(3, 1), reason: 'unknown-type' }]), /not zero-padded/);
    // invalid UTF-8 description
    rejects(withFields([minimalFields()[0], minimalFields()[1], { tag: 'raw', type: 13, words: bytesToWords(Uint8Array.of(0xff, 0xfe)), reason: 'unknown-type' }]), /not valid UTF-8/);
    // r that is not a whole number of hops
    rejects(withFields([...minimalFields(), { tag: 'raw', type: 3, words: bytesToWords(new Uint8Array(50)), reason: 'unknown-type' }]), /r field must hold one or more 51-byte hops/);
    // p of the wrong length is skipped (and kept), so the payment hash is then missing
    const short = withFields([{ tag: 'raw', type: 1, words: new Uint8Array(51), reason: 'wrong-length' }, ...minimalFields().slice(1)]);
    rejects(short, /missing required p field/);
    // f: unknown version skipped, known version with a bad program rejected
    const skipped = decodeInvoice(withFields([...minimalFields(), { tag: 'raw', type: 9, words: Uint8Array.of(19, 1, 2, 3), reason: 'unknown-type' }]));
    assert.equal(skipped.fallbacks.length, 0);
    assert.deepEqual(invoiceToJson(skipped).extra, [{ tag: 'f', data: 'n' + 'pzr', reason: 'unknown-version' }]);
    rejects(withFields([...minimalFields(), { tag: 'raw', type: 9, words: Uint8Array.of(17, ...bytesToWords(new Uint8Array(19))), reason: 'unknown-type' }]), /needs a 20-byte hash/);
    // signature recovery id out of range
    const good = withFields(minimalFields());
    const { words } = decodeBech32(good);
    const w = Uint8Array.from(words);
    // The recovery byte is the low 3 bits of the second-last word and the last word.
    w[w.length - 1] = 4;
    w[w.length - 2] &= 0b11000;
    rejects(encodeBech32('lnbc', w), /recovery id 4 is not in/);
  });

  test('fallback addresses for each network and type', () => {
    const addrs: [string, 'bitcoin' | 'testnet' | 'regtest', string][] = [
      ['3EktnHQD7RiAE6uzMj2ZifT9YgRrkSgzQX', 'bitcoin', 'a9148f55563b9a19f321c211e9b9f38cdf686ea0784587'],
      ['bc1pptdvg0d2nj99568qn6ssdy4cygnwuxgw2ukmnwgwz7jpqjz2kszse2s3lm', 'bitcoin', '5120' + toHex(scureBech32m.fromWords(scureBech32m.decode('bc1pptdvg0d2nj99568qn6ssdy4cygnwuxgw2ukmnwgwz7jpqjz2kszse2s3lm').words.slice(1)))],
      ['mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP', 'testnet', '76a9143172b5654f6683c8fb146959d347ce303cae4ca788ac'],
    ];
    for (const [a, net, script] of addrs) {
      const fb = addressToFallback(a, net);
      assert.equal(toHex(fallbackScriptPubKey(fb)), script);
      const { invoice } = createInvoice({ ...base, network: net, fallbacks: [a] });
      assert.equal(invoiceToJson(invoice).fallbacks?.[0].addr, a);
    }
    assert.throws(() => addressToFallback('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'regtest'), InvoiceError);
    assert.throws(() => addressToFallback('not an address', 'bitcoin'), DecodeError);
  });

  test('a description starting with a byte-order mark keeps it', () => {
    const fields: TaggedField[] = [...minimalFields().slice(0, 2), { tag: 'd', description: '\uFEFFcoffee' }];
    const s = withFields(fields);
    assert.equal(decodeInvoice(s).description, '\uFEFFcoffee');
    assert.equal(encodeInvoice(decodeInvoice(s), KEY), s);
  });

  test('unknown fields are kept and re-encoded in order', () => {
    const fields: TaggedField[] = [
      { tag: 'raw', type: 0, words: Uint8Array.of(1, 2, 3), reason: 'unknown-type' },
      ...minimalFields(),
      { tag: 'raw', type: 31, words: new Uint8Array(0), reason: 'unknown-type' },
    ];
    const s = withFields(fields);
    const inv = decodeInvoice(s);
    assert.deepEqual(inv.fields, fields);
    assert.equal(encodeInvoice(inv, KEY), s);
    assert.deepEqual(invoiceToJson(inv).extra?.map((e) => e.tag), ['q', 'l']);
  });

  test('spec example key hex stays stable', () => {
    assert.equal(toHex(getPublicKey(fromHex('e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734'))).length, 66);
  });
});
