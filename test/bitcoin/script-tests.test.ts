/**
 * Bitcoin Core's script_tests.json, every row, through verifyScript: the result must be the
 * expected ScriptError name exactly. Like Core's DoTest, each row is also re-run with flags
 * removed (for passing rows) or added (for failing rows), which must not change the outcome.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCRIPT_VERIFY, verifyScript } from '../../src/bitcoin/index.ts';
import { creditingTx, parseScriptTestRow, spendingTx } from './core-fixtures.ts';
import { isComment, loadJson } from './spec-data.ts';

const F = SCRIPT_VERIFY;

/** A deterministic generator for the flag-variation runs (tests must not use Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

test("script_tests.json: every row gives Core's expected result", () => {
  const rows = loadJson<unknown[][]>('script_tests.json');
  let ran = 0;
  let passed = 0;
  let variations = 0;
  const failures: string[] = [];
  const rnd = lcg(12345);
  for (const raw of rows) {
    if (isComment(raw)) continue;
    const row = parseScriptTestRow(raw);
    let flags = row.flags;
    // Core's DoTest: CLEANSTACK implies P2SH and WITNESS.
    if (flags & F.CLEANSTACK) flags |= F.P2SH | F.WITNESS;
    const credit = creditingTx(row.scriptPubKey, row.amount);
    const tx = spendingTx(credit, row.scriptSig, row.witness);
    const ctx = { tx, inputIndex: 0, amount: row.amount, prevouts: credit.outputs };
    const r = verifyScript(row.scriptSig, row.scriptPubKey, row.witness, flags, ctx);
    const got = r.ok ? 'OK' : r.error;
    ran++;
    if (got === row.expected) passed++;
    else failures.push(`${JSON.stringify(raw)} => ${got}`);
    const expectOk = row.expected === 'OK';
    for (let i = 0; i < 4; i++) {
      const extra = rnd() & 0xffff;
      const combined = expectOk ? flags & ~extra : flags | extra;
      if (combined & F.CLEANSTACK && (~combined & (F.P2SH | F.WITNESS)) !== 0) continue;
      if (combined & F.WITNESS && !(combined & F.P2SH)) continue;
      const r2 = verifyScript(row.scriptSig, row.scriptPubKey, row.witness, combined, ctx);
      variations++;
      if (r2.ok !== expectOk) failures.push(`${JSON.stringify(raw)} with flags ${combined.toString(16)} => ${r2.ok ? 'OK' : r2.error}`);
    }
  }
  console.log(`script_tests.json: ran ${ran}, passed ${passed}, skipped 0 (plus ${variations} flag-variation runs)`);
  assert.deepEqual(failures.slice(0, 20), []);
  assert.equal(passed, ran);
  assert.ok(ran > 1000);
});
