/**
 * BOLT #9 feature bits: the known-feature table against 09-features.md (read at test time),
 * the bit-vector encoding, validation (unknown even bits, dependencies, contexts) and Kite's
 * own feature sets.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError, fromHex, toHex } from '../../src/lib/index.ts';
import {
  checkRemoteInitFeatures,
  combineInitFeatures,
  decodeFeatures,
  Features,
  featureInfo,
  KNOWN_FEATURES,
  kiteInitFeatures,
  kiteInvoiceFeatures,
  kiteNodeFeatures,
  missingDependency,
  negotiated,
  validateFeatures,
} from '../../src/wire/index.ts';
import { boltText } from './spec-text.ts';

/** Rows of the BOLT #9 table: bits, name, description, context, dependencies. */
function specTable(): { even: number; name: string; assumed: boolean; contexts: string[]; deps: string[] }[] {
  const rows: { even: number; name: string; assumed: boolean; contexts: string[]; deps: string[] }[] = [];
  for (const line of boltText('09-features.md').split('\n')) {
    const m = /^\|\s*(\d+)\/(\d+)\s*\|\s*`(\w+)`\s*\|([^|]*)\|([^|]*)\|([^|]*)\|/.exec(line);
    if (!m) continue;
    rows.push({
      even: Number(m[1]),
      name: m[3]!,
      assumed: m[4]!.trim() === 'ASSUMED',
      contexts: m[5]!.trim().match(/C[-+]|[INC9BT]/g) ?? [],
      deps: [...m[6]!.matchAll(/`(\w+)`/g)].map((x) => x[1]!),
    });
    assert.equal(Number(m[2]), Number(m[1]) + 1, `pair ${m[1]}/${m[2]}`);
  }
  return rows;
}

describe('BOLT #9 table', () => {
  test('KNOWN_FEATURES matches 09-features.md: names, bits, contexts, dependencies, ASSUMED', () => {
    const rows = specTable();
    assert.ok(rows.length >= 20);
    assert.deepEqual(
      KNOWN_FEATURES.map((f) => ({ even: f.bit, name: f.name, assumed: f.assumed, contexts: [...f.contexts], deps: [...f.dependencies] })),
      rows,
    );
  });

  test('featureInfo finds features by name and by either bit', () => {
    assert.equal(featureInfo('option_anchors')?.bit, 22);
    assert.equal(featureInfo(23)?.name, 'option_anchors');
    assert.equal(featureInfo(22)?.name, 'option_anchors');
    assert.equal(featureInfo(200), undefined);
  });
});

describe('Features bit vector', () => {
  test('bit 0 is the least-significant bit of the last byte', () => {
    assert.equal(Features.fromBits([0]).toHex(), '01');
    assert.equal(Features.fromBits([9]).toHex(), '0200');
    assert.deepEqual(Features.fromBytes(fromHex('0200')).bitList(), [9]);
    assert.deepEqual(Features.fromBytes(fromHex('8000000001')).bitList(), [0, 39]);
  });

  test('toBytes is minimal; leading zero bytes decode to the same set', () => {
    assert.equal(new Features().toHex(), '');
    assert.equal(Features.fromBytes(fromHex('0000000a')).toHex(), '0a');
  });

  test('fromBytes/toBytes round-trip any minimal vector (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        const start = b.findIndex((x) => x !== 0);
        const minimal = start < 0 ? new Uint8Array(0) : b.subarray(start);
        assert.equal(toHex(Features.fromBytes(b).toBytes()), toHex(minimal));
      }),
      { numRuns: 200 },
    );
  });

  test('set by name picks the optional bit unless required; has/isRequired/isOptional', () => {
    const f = new Features().set('basic_mpp').set('payment_secret', 'required');
    assert.deepEqual(f.bitList(), [14, 17]);
    assert.ok(f.has('basic_mpp') && f.isOptional('basic_mpp') && !f.isRequired('basic_mpp'));
    assert.ok(f.isRequired('payment_secret') && !f.isOptional('payment_secret'));
    assert.ok(f.has(14) && !f.has(15));
    // By bit number: either bit of the pair names the pair.
    assert.ok(f.isRequired(14) && f.isRequired(15) && !f.isOptional(15));
    assert.ok(f.isOptional(16) && f.isOptional(17) && !f.isRequired(17));
    assert.ok(!f.isRequired(200) && !f.isOptional(201));
    // Upgrading to required clears the optional bit ("MUST NOT set both").
    f.set('basic_mpp', 'required');
    assert.deepEqual(f.bitList(), [14, 16]);
    f.unset('basic_mpp');
    assert.deepEqual(f.bitList(), [14]);
    assert.throws(() => f.set('no_such_feature'), RangeError);
  });

  test('both bits set counts as required (BOLT #9 receiving rule)', () => {
    const f = Features.fromBits([22, 23]);
    assert.ok(f.isRequired('option_anchors'));
    assert.ok(!f.isOptional('option_anchors'));
  });

  test('union combines globalfeatures and features', () => {
    const a = Features.fromBytes(fromHex('0a'));
    const b = Features.fromBytes(fromHex('2000'));
    assert.deepEqual(a.union(b).bitList(), [1, 3, 13]);
    assert.ok(a.union(b).equals(Features.fromBits([13, 3, 1])));
    assert.deepEqual(combineInitFeatures(fromHex('0a'), fromHex('2000')).bitList(), [1, 3, 13]);
    assert.equal(combineInitFeatures(fromHex('2000'), new Uint8Array(0)).toHex(), '2000');
  });
});

describe('validation', () => {
  test('unknown even bit → refused, naming the bit; unknown odd bit → ignored', () => {
    const even = validateFeatures(Features.fromBits([200]), 'I');
    assert.equal(even.ok, false);
    assert.match((even as { reason: string }).reason, /200/);
    assert.deepEqual(validateFeatures(Features.fromBits([201]), 'I'), { ok: true });
    assert.throws(() => decodeFeatures(Features.fromBits([100]).toBytes(), 'N'), DecodeError);
  });

  test('a missing dependency is refused (BOLT #1 "MUST close the connection")', () => {
    const noSecret = new Features().set('basic_mpp');
    assert.match(missingDependency(noSecret)!, /payment_secret/);
    assert.equal(validateFeatures(noSecret, 'I').ok, false);
    assert.equal(validateFeatures(new Features().set('basic_mpp').set('payment_secret'), 'I').ok, true);
    assert.equal(validateFeatures(new Features().set('option_zeroconf'), 'I').ok, false);
    assert.equal(validateFeatures(new Features().set('option_simple_close'), 'I').ok, false);
    assert.equal(validateFeatures(new Features().set('option_simple_close').set('option_shutdown_anysegwit'), 'I').ok, true);
  });

  test('features outside their context are refused', () => {
    // option_payment_metadata is context 9 only.
    assert.equal(validateFeatures(new Features().set('option_payment_metadata'), 'I').ok, false);
    assert.equal(validateFeatures(new Features().set('option_payment_metadata'), '9').ok, true);
    // option_anchors is INT: fine in a channel_type, not in an invoice.
    assert.equal(validateFeatures(new Features().set('option_anchors', 'required'), 'T').ok, true);
    assert.equal(validateFeatures(new Features().set('option_anchors'), '9').ok, false);
  });
});

describe('Kite feature sets', () => {
  test('init: the required set is even, the optional set odd, and it validates', () => {
    const f = kiteInitFeatures();
    for (const n of ['option_data_loss_protect', 'var_onion_optin', 'option_static_remotekey', 'payment_secret', 'option_channel_type']) assert.ok(f.isRequired(n), n);
    for (const n of ['option_anchors', 'option_support_large_channel', 'option_shutdown_anysegwit', 'option_upfront_shutdown_script', 'gossip_queries', 'basic_mpp']) assert.ok(f.isOptional(n), n);
    assert.ok(!f.has('option_zeroconf'));
    assert.deepEqual(validateFeatures(f, 'I'), { ok: true });
    assert.deepEqual(validateFeatures(kiteNodeFeatures(), 'N'), { ok: true });
    assert.deepEqual(validateFeatures(kiteInvoiceFeatures(), '9'), { ok: true });
    assert.deepEqual(kiteInvoiceFeatures().bitList(), [8, 14, 17]);
  });

  test('Kite accepts itself', () => {
    assert.deepEqual(checkRemoteInitFeatures(kiteInitFeatures()), { ok: true });
  });

  test('a peer requiring an unknown even bit or a known feature Kite lacks is refused', () => {
    const r1 = checkRemoteInitFeatures(kiteInitFeatures().set(200));
    assert.equal(r1.ok, false);
    assert.match((r1 as { reason: string }).reason, /200/);
    const r2 = checkRemoteInitFeatures(kiteInitFeatures().set('option_dual_fund', 'required'));
    assert.equal(r2.ok, false);
    assert.match((r2 as { reason: string }).reason, /option_dual_fund/);
    // Optional features Kite lacks are fine.
    assert.deepEqual(checkRemoteInitFeatures(kiteInitFeatures().set('option_dual_fund')), { ok: true });
  });

  test('a peer that does not offer a feature Kite requires is refused', () => {
    const r = checkRemoteInitFeatures(kiteInitFeatures().unset('option_static_remotekey'));
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /option_static_remotekey/);
    // Offering it as optional is enough.
    assert.deepEqual(checkRemoteInitFeatures(kiteInitFeatures().set('option_static_remotekey', 'optional')), { ok: true });
  });

  test('the local vector can be passed in', () => {
    const local = kiteInitFeatures().set(200);
    const r = checkRemoteInitFeatures(kiteInitFeatures(), local);
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /200/);
  });

  test('negotiated: both offered, or the local node offered it as even', () => {
    const local = kiteInitFeatures();
    const remote = new Features().set('option_anchors');
    assert.ok(negotiated(local, remote, 'option_anchors'));
    assert.ok(!negotiated(local, new Features(), 'option_anchors'));
    assert.ok(negotiated(local, new Features(), 'payment_secret'));
  });
});
