/**
 * Every `BOLT #n: "..."` quote in gossip/, graph/ and the graph store is word for word in
 * the spec files of ../shared/spec/bolts (whitespace aside), so a quote cannot drift.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const specDir = new URL('../shared/spec/bolts/', root);
const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
const spec = norm(
  readdirSync(specDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => readFileSync(new URL(f, specDir), 'utf8'))
    .join('\n'),
);

/** comments returns each comment block of a source file as one line of text. */
function comments(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/\/\*\*?([\s\S]*?)\*\//g)) out.push(norm(m[1]!.replace(/^\s*\*/gm, ' ')));
  let run: string[] = [];
  for (const line of src.split('\n')) {
    const m = /^\s*\/\/(.*)$/.exec(line);
    if (m) run.push(m[1]!);
    else if (run.length) {
      out.push(norm(run.join(' ')));
      run = [];
    }
  }
  return out;
}

const files = [
  ...readdirSync(new URL('src/gossip/', root)).map((f) => `src/gossip/${f}`),
  ...readdirSync(new URL('src/graph/', root)).map((f) => `src/graph/${f}`),
  'src/store/sqlite/graph-store.ts',
].filter((f) => f.endsWith('.ts'));

test('BOLT quotes in gossip/ and graph/ are exact', () => {
  let checked = 0;
  const wrong: string[] = [];
  for (const f of files) {
    for (const c of comments(readFileSync(new URL(f, root), 'utf8'))) {
      const at = c.search(/BOLT #\d+/);
      if (at < 0) continue;
      for (const q of c.slice(at).matchAll(/"([^"]{12,})"/g)) {
        checked++;
        if (!spec.includes(norm(q[1]!))) wrong.push(`${f}: "${q[1]}"`);
      }
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 40, `only ${checked} quotes found`);
});
