/**
 * Final-hop checks (BOLT 4): unknown hash, wrong amount, wrong secret and too-near expiry
 * all answer the same incorrect_or_unknown_payment_details, so probing learns nothing;
 * the penultimate hop's mistakes get their own codes; multi-part sets settle only whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFinalHtlc, expireHeldSets, type FinalHtlc } from '../../src/payments/receive.ts';
import type { InvoiceRecord } from '../../src/payments/invoice-book.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { msat, type Msat } from '../../src/lib/units.ts';

const preimage = new Uint8Array(32).fill(1);
const secret = new Uint8Array(32).fill(2);
const invoice: InvoiceRecord = {
  label: 'l',
  paymentHash: sha256(preimage),
  preimage,
  paymentSecret: secret,
  amountMsat: msat(100_000),
  description: 'd',
  bolt11: '',
  createdAt: 0,
  expiresAt: 10_000,
  minFinalCltvExpiry: 18,
  status: 'unpaid',
  payIndex: null,
  amountReceivedMsat: null,
  paidAt: null,
};
const height = 500;
const htlc = (o: Partial<FinalHtlc> = {}): FinalHtlc => ({
  key: 'k',
  paymentHash: invoice.paymentHash,
  amountMsat: msat(100_000),
  cltvExpiry: height + 40,
  amtToForward: msat(100_000),
  outgoingCltvValue: height + 40,
  paymentSecret: secret,
  arrivedAt: 100,
  ...o,
});

test('a correct payment settles with the preimage', () => {
  const d = checkFinalHtlc(htlc(), invoice, [], height, 100);
  assert.equal(d.action, 'settle');
  assert.deepEqual(d.action === 'settle' && d.preimage, preimage);
});

test('every probe answers the same failure', () => {
  const probes: [string, FinalHtlc, InvoiceRecord | null][] = [
    ['unknown hash', htlc(), null],
    ['wrong secret', htlc({ paymentSecret: new Uint8Array(32).fill(3) }), invoice],
    ['missing secret', htlc({ paymentSecret: undefined }), invoice],
    ['too little', htlc({ amountMsat: msat(99_999), amtToForward: msat(99_999) }), invoice],
    ['more than twice', htlc({ amountMsat: msat(200_001), amtToForward: msat(200_001) }), invoice],
    ['expiry too near', htlc({ cltvExpiry: height + 17, outgoingCltvValue: height + 17 }), invoice],
    ['expired invoice', htlc(), { ...invoice, expiresAt: 50 }],
    ['already paid', htlc(), { ...invoice, status: 'paid' }],
  ];
  for (const [what, h, inv] of probes) {
    const d = checkFinalHtlc(h, inv, [], height, 100);
    assert.equal(d.action, 'fail', what);
    assert.deepEqual(d.action === 'fail' && d.failure, { name: 'incorrect_or_unknown_payment_details', htlcMsat: h.amountMsat, height }, what);
  }
});

test("the penultimate hop's mistakes get their own codes", () => {
  const low = checkFinalHtlc(htlc({ amountMsat: msat(90_000) }), invoice, [], height, 100);
  assert.deepEqual(low.action === 'fail' && low.failure, { name: 'final_incorrect_htlc_amount', incomingHtlcAmt: 90_000n });
  const cltv = checkFinalHtlc(htlc({ cltvExpiry: height + 30 }), invoice, [], height, 100);
  assert.deepEqual(cltv.action === 'fail' && cltv.failure, { name: 'final_incorrect_cltv_expiry', cltvExpiry: height + 30 });
});

test('multi-part: held until the set reaches total_msat, then settled whole; mismatched totals fail', () => {
  const part = (amt: number, key: string): FinalHtlc => htlc({ key, amountMsat: msat(amt), amtToForward: msat(amt), totalMsat: msat(100_000) as Msat });
  const a = part(30_000, 'a');
  assert.equal(checkFinalHtlc(a, invoice, [], height, 100).action, 'hold');
  const b = part(30_000, 'b');
  assert.equal(checkFinalHtlc(b, invoice, [a], height, 100).action, 'hold');
  const c = part(40_000, 'c');
  const d = checkFinalHtlc(c, invoice, [a, b], height, 100);
  assert.equal(d.action, 'settle');
  assert.deepEqual(d.action === 'settle' && d.htlcs.map((h) => h.key), ['a', 'b', 'c']);
  const odd = htlc({ key: 'z', amountMsat: msat(10_000), amtToForward: msat(10_000), totalMsat: msat(150_000) });
  assert.equal(checkFinalHtlc(odd, invoice, [a], height, 100).action, 'fail');
});

test('incomplete sets time out with mpp_timeout after 60 seconds', () => {
  const sets = new Map([['h', [htlc({ totalMsat: msat(200_000), arrivedAt: 100 })]]]);
  assert.equal(expireHeldSets(sets, 159).length, 0);
  const out = expireHeldSets(sets, 160);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0].action === 'fail' && out[0].failure, { name: 'mpp_timeout' });
  assert.equal(sets.size, 0);
});
