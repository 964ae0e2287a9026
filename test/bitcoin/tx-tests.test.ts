/**
 * Bitcoin Core's tx_valid.json and tx_invalid.json, every row, run the way Core's
 * transaction_tests.cpp runs them:
 * - tx_valid: the listed flags are EXCLUDED from the full set; every input must verify with
 *   the rest, with any further flag removed, and must fail when any one excluded flag is put
 *   back ("flags are maximal"). CheckTransaction must pass.
 * - tx_invalid: the listed flags are the set to apply ("BADTX" = CheckTransaction must fail);
 *   some input must fail with them, with any flag added, and every input must pass when any
 *   one listed flag is removed ("flags are minimal").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, reverseBytes, toHex } from '../../src/lib/index.ts';
import {
  ALL_FLAGS,
  SCRIPT_VERIFY,
  checkTransaction,
  parseAsm,
  parseScriptFlags,
  parseTx,
  precomputeTxData,
  verifyInput,
  type Tx,
  type TxOut,
} from '../../src/bitcoin/index.ts';
import { loadJson } from './spec-data.ts';

const F = SCRIPT_VERIFY;
const FLAG_BITS = Object.entries(SCRIPT_VERIFY).filter(([, v]) => v !== 0);

function trimFlags(f: number): number {
  if (!(f & F.P2SH)) f &= ~F.WITNESS;
  if (!(f & F.WITNESS)) f &= ~F.CLEANSTACK;
  return f >>> 0;
}
function fillFlags(f: number): number {
  if (f & F.CLEANSTACK) f |= F.WITNESS;
  if (f & F.WITNESS) f |= F.P2SH;
  return f >>> 0;
}
function excludeIndividualFlags(flags: number): Set<number> {
  const out = new Set<number>();
  for (const [, bit] of FLAG_BITS) {
    const x = trimFlags(flags & ~bit);
    if (x !== flags) out.add(x);
  }
  return out;
}

interface TxRow {
  tx: Tx;
  prevouts: TxOut[];
  flags: string;
  label: string;
}

function parseRows(file: string): TxRow[] {
  const rows = loadJson<unknown[][]>(file);
  const out: TxRow[] = [];
  let comment = '';
  for (const r of rows) {
    if (!Array.isArray(r[0])) {
      comment = (r as string[]).join(' ');
      continue;
    }
    const map = new Map<string, TxOut>();
    for (const p of r[0] as [string, number, string, number?][]) {
      const key = `${toHex(reverseBytes(fromHex(p[0])))}:${p[1] >>> 0}`;
      map.set(key, { script: parseAsm(p[2]), value: p.length > 3 ? BigInt(p[3] as number) : 0n });
    }
    const tx = parseTx(fromHex(r[1] as string));
    const prevouts = tx.inputs.map((i) => {
      const p = map.get(`${toHex(i.txid)}:${i.vout}`);
      if (!p) throw new Error(`bad test, missing prevout: ${comment}`);
      return p;
    });
    out.push({ tx, prevouts, flags: r[2] as string, label: `${comment} ${(r[1] as string).slice(0, 40)}` });
  }
  return out;
}

/** Every input verifies under flags (the first failure's error otherwise). */
function allInputsValid(row: TxRow, flags: number): true | string {
  const cache = precomputeTxData(row.tx, row.prevouts);
  for (let i = 0; i < row.tx.inputs.length; i++) {
    const r = verifyInput(row.tx, i, row.prevouts, flags & ALL_FLAGS, cache);
    if (!r.ok) return `input ${i}: ${r.error}`;
  }
  return true;
}

test('tx_valid.json: every transaction is valid with the non-excluded flags, and the flags are maximal', () => {
  const rows = parseRows('tx_valid.json');
  const failures: string[] = [];
  let n = 0;
  let passed = 0;
  for (const row of rows) {
    n++;
    const before = failures.length;
    const excluded = parseScriptFlags(row.flags);
    const enabled = ~excluded & ALL_FLAGS;
    assert.equal(fillFlags(enabled), enabled, `inconsistent flags in test data: ${row.label}`);
    const ct = checkTransaction(row.tx);
    if (!ct.ok) failures.push(`CheckTransaction ${ct.reason}: ${row.label}`);
    const v = allInputsValid(row, enabled);
    if (v !== true) failures.push(`invalid (${v}): ${row.label}`);
    for (const [name, bit] of FLAG_BITS) {
      const fewer = trimFlags(~(excluded | bit) & ALL_FLAGS);
      const r = allInputsValid(row, fewer);
      if (r !== true) failures.push(`invalid with ${name} unset (${r}): ${row.label}`);
    }
    for (const ex of excludeIndividualFlags(excluded)) {
      if (allInputsValid(row, ~ex & ALL_FLAGS) === true) failures.push(`too many flags unset (${row.flags}): ${row.label}`);
    }
    if (failures.length === before) passed++;
  }
  console.log(`tx_valid.json: ran ${n}, passed ${passed}, skipped 0`);
  assert.deepEqual(failures.slice(0, 15), []);
  assert.ok(n >= 100);
});

test('tx_invalid.json: every transaction fails CheckTransaction (BADTX) or a script check, and the flags are minimal', () => {
  const rows = parseRows('tx_invalid.json');
  const failures: string[] = [];
  let n = 0;
  let badtx = 0;
  let passed = 0;
  for (const row of rows) {
    n++;
    const before = failures.length;
    const ct = checkTransaction(row.tx);
    if (row.flags === 'BADTX') {
      badtx++;
      if (ct.ok) failures.push(`CheckTransaction passed a BADTX row: ${row.label}`);
      else passed++;
      continue;
    }
    if (!ct.ok) {
      failures.push(`CheckTransaction failed (${ct.reason}) on a non-BADTX row: ${row.label}`);
      continue;
    }
    const flags = parseScriptFlags(row.flags);
    assert.equal(fillFlags(flags), flags, `inconsistent flags in test data: ${row.label}`);
    if (allInputsValid(row, flags) === true) failures.push(`unexpectedly valid: ${row.label}`);
    for (const [name, bit] of FLAG_BITS) {
      if (allInputsValid(row, fillFlags(flags | bit)) === true) failures.push(`valid after adding ${name}: ${row.label}`);
    }
    for (const ex of excludeIndividualFlags(flags)) {
      const r = allInputsValid(row, ex);
      if (r !== true) failures.push(`too many flags set (${row.flags}; still ${r} with ${ex.toString(16)}): ${row.label}`);
    }
    if (failures.length === before) passed++;
  }
  console.log(`tx_invalid.json: ran ${n} (${badtx} BADTX via checkTransaction), passed ${passed}, skipped 0`);
  assert.deepEqual(failures.slice(0, 15), []);
  assert.ok(n >= 90);
});
