/**
 * Regenerates docs/bolt-rules.md from the `BOLT #n: "..."` quotes in src/ (see
 * scripts/lib/bolt-quotes.ts). Run: `npx tsx scripts/bolt-rules.ts`. With `--check` it only
 * reports whether the committed page is up to date (exit code 1 if not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allQuotes, quoteProblem, renderBoltRules } from './lib/bolt-quotes.ts';
import { ROOT } from './lib/source-scan.ts';

const PAGE = join(ROOT, 'docs', 'bolt-rules.md');
const quotes = allQuotes();
for (const q of quotes) {
  const problem = quoteProblem(q);
  if (problem) console.error(`warning: ${q.file}:${q.line}: ${problem}`);
}
const text = renderBoltRules(quotes);
if (process.argv.includes('--check')) {
  let old = '';
  try {
    old = readFileSync(PAGE, 'utf8');
  } catch {
    /* missing counts as out of date */
  }
  if (old !== text) {
    console.error('docs/bolt-rules.md is out of date: run `npx tsx scripts/bolt-rules.ts`');
    process.exit(1);
  }
  console.log('docs/bolt-rules.md is up to date');
} else {
  writeFileSync(PAGE, text);
  console.log(`wrote docs/bolt-rules.md (${quotes.length} quotes)`);
}
