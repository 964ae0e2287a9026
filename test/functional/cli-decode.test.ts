/**
 * `kite decode` works offline (no daemon) on the spec's examples, read from the BOLT 11
 * file, and refuses a corrupted invoice with a clear error and a non-zero exit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from '../../scripts/lib/processes.ts';

const spec = readFileSync(join(ROOT, '..', 'shared', 'spec', 'bolts', '11-payment-encoding.md'), 'utf8');
const invoices = [...spec.matchAll(/^> (ln(?:bc|tb|bcrt)[0-9a-z]+)$/gm)].map((m) => m[1]);

test('kite decode prints CLN-style JSON without a daemon', () => {
  assert.ok(invoices.length >= 5, 'examples found in the spec');
  const dir = mkdtempSync(join(tmpdir(), 'kite-nodaemon-'));
  const r = runCli(dir, ['decode', invoices[0]]);
  assert.equal(r.status, 0, r.stderr);
  for (const k of ['payee', 'payment_hash', 'payment_secret', 'created_at', 'expiry', 'min_final_cltv_expiry', 'features', 'signature']) {
    assert.ok(k in r.json, `field ${k}`);
  }
  assert.equal(r.json.valid, true);
});

test('kite decode refuses a corrupted invoice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kite-nodaemon-'));
  const bad = invoices[0].slice(0, 40) + (invoices[0][40] === 'q' ? 'p' : 'q') + invoices[0].slice(41);
  const r = runCli(dir, ['decode', bad]);
  assert.notEqual(r.status, 0);
  const err = JSON.parse(r.stderr);
  assert.equal(typeof err.code, 'number');
  assert.match(err.message, /invalid bolt11 invoice/);
});
