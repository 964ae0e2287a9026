/**
 * Finds the spec quotes in Kite's comments (`BOLT #n: "..."`, Core Lightning's convention)
 * and checks them against the BOLT markdown in ../shared/spec/bolts. Used by
 * test/guardrails/spec-quotes.test.ts and scripts/bolt-rules.ts (docs/bolt-rules.md).
 *
 * A quote is every `"..."` that follows a `BOLT #n:` marker in the same comment paragraph
 * (up to a blank comment line, the next marker or the end of the comment). `...` inside a
 * quote stands for omitted words: the pieces must appear in that order, close together.
 * Before comparing, both sides are folded: markdown emphasis, backticks, links and list
 * bullets removed, whitespace and line breaks collapsed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { readSource, ROOT, sourceFiles } from './source-scan.ts';

/** SPEC_DIR is the BOLT checkout the tests read (../shared relative to the repo root). */
export const SPEC_DIR = join(ROOT, '..', 'shared', 'spec', 'bolts');

/** One quote of the spec found in a comment. */
export interface BoltQuote {
  bolt: number;
  file: string;
  /** 1-based line of the opening `"`. */
  line: number;
  /** 1-based line of the code the comment is about: the comment's own line for a trailing comment, else the next line of code after it. */
  codeLine: number;
  /** The quote as written (comment decoration removed, whitespace folded). */
  text: string;
}

/** A comment line with its source line number, decoration removed. */
interface CommentLine {
  line: number;
  text: string;
}

/** commentBlocks returns the comments of a source text, adjacent `//` lines merged into one block. */
function commentBlocks(file: string, source: string): CommentLine[][] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const ranges = new Map<number, ts.CommentRange>();
  const collect = (list: ts.CommentRange[] | undefined): void => {
    for (const r of list ?? []) ranges.set(r.pos, r);
  };
  const visit = (n: ts.Node): void => {
    collect(ts.getLeadingCommentRanges(source, n.getFullStart()));
    collect(ts.getTrailingCommentRanges(source, n.getEnd()));
    for (const c of n.getChildren(sf)) visit(c);
  };
  visit(sf);
  const blocks: CommentLine[][] = [];
  let lastSingle = -10;
  for (const r of [...ranges.values()].sort((a, b) => a.pos - b.pos)) {
    const first = sf.getLineAndCharacterOfPosition(r.pos).line + 1;
    const raw = source.slice(r.pos, r.end);
    if (r.kind === ts.SyntaxKind.SingleLineCommentTrivia) {
      const text = raw.replace(/^\/\/+\s?/, '');
      // Merge with the previous `//` line only if nothing but whitespace lies between them.
      const prev = blocks[blocks.length - 1];
      if (first === lastSingle + 1 && prev) prev.push({ line: first, text });
      else blocks.push([{ line: first, text }]);
      lastSingle = first;
    } else {
      const body = raw.replace(/^\/\*+/, '').replace(/\*+\/$/, '');
      blocks.push(body.split('\n').map((l, i) => ({ line: first + i, text: l.replace(/^\s*\*(?!\*)\s?/, '') })));
      lastSingle = -10;
    }
  }
  return blocks;
}

const MARKER = /BOLT #(\d+):/g;

/** quotesIn finds every BOLT quote of one source text. */
export function quotesIn(file: string, source: string): BoltQuote[] {
  const out: BoltQuote[] = [];
  const srcLines = source.split('\n');
  for (const block of commentBlocks(file, source)) {
    const firstLine = srcLines[block[0]!.line - 1] ?? '';
    let codeLine = block[0]!.line;
    if (/^\s*(\/\/|\/\*)/.test(firstLine)) {
      codeLine = block[block.length - 1]!.line + 1;
      while (codeLine <= srcLines.length && /^\s*($|\/\/|\/\*|\*)/.test(srcLines[codeLine - 1]!)) codeLine++;
      if (codeLine > srcLines.length) codeLine = block[0]!.line;
    }
    // Join the block into one string, remembering where each line starts.
    let text = '';
    const starts: number[] = [];
    for (const l of block) {
      starts.push(text.length);
      text += (l.text.trim() === '' ? '\u0000' : l.text) + '\n';
    }
    const lineOf = (pos: number): number => {
      let i = 0;
      while (i + 1 < starts.length && starts[i + 1]! <= pos) i++;
      return block[i]!.line;
    };
    const markers = [...text.matchAll(MARKER)];
    markers.forEach((m, k) => {
      const from = m.index! + m[0].length;
      let to = k + 1 < markers.length ? markers[k + 1]!.index! : text.length;
      const para = text.indexOf('\u0000', from);
      if (para >= 0 && para < to) to = para;
      const span = text.slice(from, to);
      for (const q of span.matchAll(/"([^"]+)"/g)) {
        out.push({ bolt: Number(m[1]), file, line: lineOf(from + q.index!), codeLine, text: fold(q[1]!) });
      }
    });
  }
  return out;
}

/** allQuotes scans every file under src/. */
export function allQuotes(): BoltQuote[] {
  return sourceFiles().flatMap((f) => quotesIn(f, readSource(f)));
}

/**
 * fold normalises text for display and comparison: HTML footnotes dropped, markdown links
 * and bracketed references to their text, inline math (`$...$`) and escapes made plain,
 * emphasis markers (`*`, `_` at word edges) and backticks removed, typographic quotes and
 * ellipses made plain, whitespace collapsed.
 */
export function fold(s: string): string {
  return s
    .replace(/<sup>[\s\S]*?<\/sup>/g, '')
    .replace(/\[\.\.\.\]|\u2026/g, '...')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\$`([^`]*)`\$/g, '$1')
    .replace(/\\([_*|])/g, '$1')
    .replace(/^\s*(?:[-*+]|\d{1,2}\.)\s+/gm, ' ')
    .replace(/[`*]/g, '')
    .replace(/(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])/g, '')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * comparable goes one step further than fold, for matching only: list bullets written
 * inline (` - `, ` 2. `) and square brackets are dropped on both sides, since a quote
 * joins list items on one line and writes a link as `[text]`.
 */
function comparable(s: string): string {
  return s
    .replace(/[[\]]/g, '')
    .replace(/(^|\s)(?:-|\d{1,2}\.)(?=\s)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

const specCache = new Map<number, { folded: string; comparable: string }>();

/** specText returns BOLT n's markdown, folded (both forms), or undefined if there is no such BOLT. */
function specText(bolt: number): { folded: string; comparable: string } | undefined {
  const hit = specCache.get(bolt);
  if (hit) return hit;
  const prefix = String(bolt).padStart(2, '0') + '-';
  const name = existsSync(SPEC_DIR) ? readdirSync(SPEC_DIR).find((f) => f.startsWith(prefix) && f.endsWith('.md')) : undefined;
  if (!name) return undefined;
  const folded = fold(readFileSync(join(SPEC_DIR, name), 'utf8'));
  const out = { folded, comparable: comparable(folded + ' ') };
  specCache.set(bolt, out);
  return out;
}

/** The most characters `...` may stand for between two pieces of one quote. */
const MAX_GAP = 600;

/** pieces splits a quote at its ellipses and trims each piece's edge punctuation. */
function piecesOf(text: string, form: (s: string) => string): string[] {
  return text
    .split(/\s*\.\.\.\s*/)
    .map((p) => form(p + ' ').replace(/^[\s,;:]+|[\s,;:.]+$/g, ''))
    .filter((p) => p.length > 0);
}

/** findsIn reports whether the pieces occur in order in `spec`, each within MAX_GAP of the last. */
function findsIn(spec: string, pieces: string[]): boolean {
  const first = pieces[0]!;
  const variants = new Set([first, first[0]!.toLowerCase() + first.slice(1), first[0]!.toUpperCase() + first.slice(1)]);
  for (const v of variants) {
    for (let at = spec.indexOf(v); at >= 0; at = spec.indexOf(v, at + 1)) {
      if (restFollows(spec, at + v.length, pieces.slice(1))) return true;
    }
  }
  return false;
}

/**
 * quoteProblem returns why a quote is not in its BOLT, or null when it is. Words, case and
 * inner punctuation are compared as written, except that the quote's first letter may
 * differ in case (a quote often starts a sentence of our own) and its trailing punctuation
 * is ignored.
 */
export function quoteProblem(q: BoltQuote): string | null {
  const spec = specText(q.bolt);
  if (spec === undefined) return `there is no BOLT #${q.bolt} in ${SPEC_DIR}`;
  const plain = piecesOf(q.text, (s) => s.trim());
  if (plain.length === 0) return 'empty quote';
  if (findsIn(spec.folded, plain)) return null;
  const loose = piecesOf(q.text, comparable);
  if (loose.length > 0 && findsIn(spec.comparable, loose)) return null;
  const missing = plain.find((p) => !spec.folded.includes(p.slice(1))) ?? q.text;
  return `not found in BOLT #${q.bolt}: "${missing}"`;
}

function restFollows(spec: string, from: number, rest: string[]): boolean {
  if (rest.length === 0) return true;
  const [p, ...more] = rest;
  let at = spec.indexOf(p!, from);
  while (at >= 0 && at - from <= MAX_GAP) {
    if (restFollows(spec, at + p!.length, more)) return true;
    at = spec.indexOf(p!, at + 1);
  }
  return false;
}

/** boltTitle is the first heading of BOLT n (`BOLT #2: Peer Protocol for Channel Management`). */
function boltTitle(bolt: number): string {
  const prefix = String(bolt).padStart(2, '0') + '-';
  const name = existsSync(SPEC_DIR) ? readdirSync(SPEC_DIR).find((f) => f.startsWith(prefix) && f.endsWith('.md')) : undefined;
  const first = name ? (readFileSync(join(SPEC_DIR, name), 'utf8').split('\n')[0] ?? '') : '';
  return first.replace(/^#+\s*/, '').trim() || `BOLT #${bolt}`;
}

/**
 * renderBoltRules is the text of docs/bolt-rules.md: every quoted requirement, grouped by
 * BOLT, with the file and line whose code enforces it.
 */
export function renderBoltRules(quotes: readonly BoltQuote[] = allQuotes()): string {
  const byBolt = new Map<number, BoltQuote[]>();
  for (const q of quotes) {
    const list = byBolt.get(q.bolt) ?? [];
    list.push(q);
    byBolt.set(q.bolt, list);
  }
  const lines = [
    '# BOLT rules enforced in Kite',
    '',
    '<!-- Generated by `npx tsx scripts/bolt-rules.ts`; do not edit by hand. -->',
    '',
    'Every `BOLT #n: "..."` quote in a comment under `src/` marks code that enforces that',
    'requirement of the spec. This page lists them, grouped by BOLT, each with the file and',
    'line of that code (the line the comment sits on, or the first line of code after it).',
    '',
    'The page is generated from the sources. To regenerate it after adding, moving or changing',
    'a quote (or code above one), run `npx tsx scripts/bolt-rules.ts`.',
    '`test/guardrails/spec-quotes.test.ts` checks that every quote is word for word in',
    '`../shared/spec/bolts/` and that this page is up to date.',
    '',
    `${quotes.length} quotes in ${new Set(quotes.map((q) => q.file)).size} files.`,
  ];
  for (const bolt of [...byBolt.keys()].sort((a, b) => a - b)) {
    const list = byBolt.get(bolt)!.slice().sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
    lines.push('', `## ${boltTitle(bolt)}`, '');
    for (const q of list) lines.push(`- "${q.text}" — [${q.file}:${q.codeLine}](../${q.file}#L${q.codeLine})`);
  }
  return lines.join('\n') + '\n';
}
