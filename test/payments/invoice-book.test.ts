/**
 * The invoice book: invoices are durable before they are handed out, decode to what was
 * asked, settle once, expire, and wake their waiters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, NODE_MIGRATIONS } from '../../src/store/sqlite/index.ts';
import { InvoiceBook, invoiceJson } from '../../src/payments/index.ts';
import { SqliteInvoiceStore } from '../../src/store/sqlite/invoice-store.ts';
import { decodeInvoice } from '../../src/invoice/index.ts';
import { getPublicKey, randomBytes, sha256 } from '../../src/crypto/index.ts';
import { msat } from '../../src/lib/units.ts';
import { KiteError } from '../../src/lib/errors.ts';
import { toHex } from '../../src/lib/bytes.ts';

const secret = new Uint8Array(32).fill(0x42);

function book(now: { t: number }, path = join(mkdtempSync(join(tmpdir(), 'kite-inv-')), 'kite.sqlite3')) {
  const db = openDatabase(path, NODE_MIGRATIONS);
  return { db, path, book: new InvoiceBook({ store: new SqliteInvoiceStore(db), network: 'regtest', nodeSecret: secret, now: () => now.t, random: randomBytes, schedule: (ms, fn) => { const t = setTimeout(fn, ms); return () => clearTimeout(t); } }) };
}

test('create: the bolt11 decodes to the asked invoice and survives a reopen', () => {
  const now = { t: 1_700_000_000 };
  const { db, path, book: b } = book(now);
  const r = b.create({ amountMsat: msat(12_345), label: 'coffee', description: 'one coffee', expirySeconds: 600 });
  const inv = decodeInvoice(r.bolt11);
  assert.equal(inv.network, 'regtest');
  assert.equal(inv.amountMsat, 12_345n);
  assert.deepEqual(inv.paymentHash, sha256(r.preimage));
  assert.deepEqual(inv.paymentSecret, r.paymentSecret);
  assert.deepEqual(inv.payee, getPublicKey(secret));
  assert.equal(r.expiresAt, now.t + 600);
  db.close();
  const again = book(now, path).book.get('coffee')!;
  assert.deepEqual(again.preimage, r.preimage, 'the preimage is durable');
  assert.equal(invoiceJson(again).status, 'unpaid');
});

test('duplicate labels and preimages are refused; any-amount invoices work', () => {
  const now = { t: 1_700_000_000 };
  const { book: b } = book(now);
  const pre = new Uint8Array(32).fill(9);
  b.create({ amountMsat: null, label: 'a', description: 'anything', preimage: pre });
  assert.throws(() => b.create({ amountMsat: null, label: 'a', description: 'x' }), (e: KiteError) => e.code === 900);
  assert.throws(() => b.create({ amountMsat: null, label: 'b', description: 'x', preimage: pre }), (e: KiteError) => e.code === 901);
  assert.equal(decodeInvoice(b.get('a')!.bolt11).amountMsat, undefined);
});

test('paid once, with a pay index; waiters wake; unpaid invoices expire', async () => {
  const now = { t: 1_700_000_000 };
  const { book: b } = book(now);
  const r = b.create({ amountMsat: msat(1000), label: 'x', description: 'x', expirySeconds: 60 });
  const waiting = b.waitFor('x');
  const paid = b.markPaid(r.paymentHash, msat(1000), ['7:0']);
  assert.equal(paid.status, 'paid');
  assert.ok(b.paidBy(r.paymentHash, '7:0'), 'the paying HTLC is remembered, to be fulfilled again after a crash');
  assert.ok(!b.paidBy(r.paymentHash, '7:1'), 'another HTLC with the same hash did not pay it');
  assert.ok(!b.paidBy(new Uint8Array(32), '7:0'), 'the key is bound to its payment hash');
  assert.equal(paid.payIndex, 1);
  assert.equal((await waiting).status, 'paid');
  assert.equal(b.markPaid(r.paymentHash, msat(5000)).amountReceivedMsat, 1000n, 'settling twice changes nothing');
  assert.equal(invoiceJson(paid).payment_preimage, toHex(r.preimage));
  b.create({ amountMsat: msat(1), label: 'late', description: 'x', expirySeconds: 10 });
  now.t += 11;
  assert.equal(b.get('late')!.status, 'expired');
  await assert.rejects(b.waitFor('late'), (e: KiteError) => e.code === 903);
  await assert.rejects(b.waitFor('nosuch'), (e: KiteError) => e.code === 905);
});
