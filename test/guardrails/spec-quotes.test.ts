/**
 * Spec quotes are exact: every `BOLT #n: "..."` in a comment under src/ is found, word for
 * word (markdown and line breaks folded), in ../shared/spec/bolts, and docs/bolt-rules.md,
 * generated from the same scan by scripts/bolt-rules.ts, is up to date.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allQuotes, quoteProblem, quotesIn, renderBoltRules } from '../../scripts/lib/bolt-quotes.ts';
import { ROOT } from '../../scripts/lib/source-scan.ts';

test('the scanner finds quotes and tells a drifted quote from an exact one', () => {
  const src = [
    '/**',
    ' * BOLT #1: "upon receiving a message of _odd_, unknown type: MUST ignore the received',
    ' * message." and "MUST ignore the received message quickly".',
    ' */',
    'const x = 1;',
    '// BOLT #1: "if `num_pong_bytes` is less than 65532: ... MUST respond by sending a `pong`',
    '// message" and not this "MUST close the connection" after a blank line:',
    '//',
    '// "unrelated text in quotes"',
    "const s = 'BOLT #2: \"in a string, not a comment\"';",
  ].join('\n');
  const qs = quotesIn('x.ts', src);
  assert.deepEqual(
    qs.map((q) => [q.bolt, q.line, q.codeLine, q.text]),
    [
      [1, 2, 5, 'upon receiving a message of odd, unknown type: MUST ignore the received message.'],
      [1, 3, 5, 'MUST ignore the received message quickly'],
      [1, 6, 10, 'if num_pong_bytes is less than 65532: ... MUST respond by sending a pong message'],
      [1, 7, 10, 'MUST close the connection'],
    ],
  );
  assert.equal(quoteProblem(qs[0]!), null);
  assert.match(quoteProblem(qs[1]!) ?? '', /not found in BOLT #1/);
  assert.equal(quoteProblem(qs[2]!), null);
  assert.equal(quoteProblem({ ...qs[2]!, text: 'MUST respond by sending a pong message ... if num_pong_bytes is less than 65532' }) === null, false, 'pieces must come in order');
  assert.match(quoteProblem({ ...qs[0]!, bolt: 6 }) ?? '', /no BOLT #6/);
});

test('every BOLT quote in src/ is word for word in ../shared/spec/bolts', () => {
  const quotes = allQuotes();
  assert.ok(quotes.length > 100, `only ${quotes.length} quotes found: is the scanner broken?`);
  const bad = quotes.flatMap((q) => {
    const p = quoteProblem(q);
    return p ? [`${q.file}:${q.line}: ${p}`] : [];
  });
  assert.deepEqual(bad, [], `quotes that are not in the spec (quote it exactly, or drop the quotation marks):\n${bad.join('\n')}`);
});

test('docs/bolt-rules.md is up to date (regenerate: npx tsx scripts/bolt-rules.ts)', () => {
  const page = readFileSync(join(ROOT, 'docs', 'bolt-rules.md'), 'utf8');
  const fresh = renderBoltRules();
  if (page !== fresh) {
    const a = page.split('\n');
    const b = fresh.split('\n');
    const i = a.findIndex((l, k) => l !== b[k]);
    assert.fail(`docs/bolt-rules.md is out of date (first difference at line ${i + 1}: ${JSON.stringify(a[i])} should be ${JSON.stringify(b[i])}); run npx tsx scripts/bolt-rules.ts`);
  }
});
