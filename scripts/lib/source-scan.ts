/**
 * Reads Kite's own sources for the guardrail tests (test/guardrails/) and scripts/bolt-rules.ts:
 * every file under src/, its imports (static, re-exports, dynamic, `import type` included)
 * and its uses of I/O (Node's I/O modules, timers, the wall clock, ambient randomness),
 * parsed with the TypeScript compiler so that comments and strings never count.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** ROOT is the repository root (two levels above this file). */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** SRC is the absolute path of src/. */
export const SRC = join(ROOT, 'src');

/** toPosix turns a path relative to the repo into forward-slash form (`src/wire/bolt1.ts`). */
export function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/** sourceFiles lists every .ts file under src/ as repo-relative posix paths, sorted. */
export function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) out.push(toPosix(relative(ROOT, p)));
    }
  };
  walk(dir);
  return out;
}

/** readSource returns the text of a repo-relative file. */
export function readSource(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

/** One import of a file: what it names and where (1-based line). */
export interface ImportRef {
  /** The specifier as written (`../lib/bytes.ts`, `node:fs`). */
  spec: string;
  /** For a relative specifier, the repo-relative posix path it resolves to. */
  target?: string;
  line: number;
  /** True for `import type` / `export type` (erased at run time, still a dependency). */
  typeOnly: boolean;
}

/** One use of I/O in a file. */
export interface IoUse {
  /** What is used: `node:fs`, `setTimeout`, `Date.now`, `Math.random`. */
  what: string;
  line: number;
}

/** Node modules that do I/O; a protocol layer must not import them. */
export const IO_MODULES: ReadonlySet<string> = new Set(
  ['fs', 'fs/promises', 'net', 'child_process', 'http', 'https', 'http2', 'dgram', 'tls', 'timers', 'timers/promises', 'readline', 'worker_threads', 'cluster'].flatMap(
    (m) => [m, `node:${m}`],
  ),
);

/** Global functions that schedule work on the event loop (timers). */
const TIMER_GLOBALS = new Set(['setTimeout', 'setInterval', 'setImmediate']);

/** `object.member` pairs that read the wall clock or ambient randomness. */
const AMBIENT_MEMBERS = new Set(['Date.now', 'Math.random', 'performance.now']);

/** ScannedFile is what scanFile finds in one source file. */
export interface ScannedFile {
  file: string;
  imports: ImportRef[];
  io: IoUse[];
}

const cache = new Map<string, ScannedFile>();

/** scanFile parses one repo-relative .ts file for its imports and I/O uses. */
export function scanFile(file: string): ScannedFile {
  const hit = cache.get(file);
  if (hit) return hit;
  const text = readSource(file);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports: ImportRef[] = [];
  const io: IoUse[] = [];
  const lineOf = (n: ts.Node): number => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const addImport = (specNode: ts.Expression, typeOnly: boolean, at: ts.Node): void => {
    if (!ts.isStringLiteralLike(specNode)) return;
    const spec = specNode.text;
    const ref: ImportRef = { spec, line: lineOf(at), typeOnly };
    if (spec.startsWith('.')) ref.target = toPosix(relative(ROOT, resolve(dirname(join(ROOT, file)), spec)));
    imports.push(ref);
    if (IO_MODULES.has(spec)) io.push({ what: spec.startsWith('node:') ? spec : `node:${spec}`, line: ref.line });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n)) {
      const clause = n.importClause;
      // `import type {...}` or every named binding marked `type`.
      const allTypes =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      addImport(n.moduleSpecifier, allTypes, n);
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier) {
      const allTypes = n.isTypeOnly || (!!n.exportClause && ts.isNamedExports(n.exportClause) && n.exportClause.elements.length > 0 && n.exportClause.elements.every((e) => e.isTypeOnly));
      addImport(n.moduleSpecifier, allTypes, n);
    } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) {
      addImport(n.moduleReference.expression, n.isTypeOnly, n);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0]) {
      addImport(n.arguments[0], false, n);
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      addImport(n.argument.literal, true, n);
    } else if (ts.isIdentifier(n) && TIMER_GLOBALS.has(n.text) && isValueUse(n)) {
      io.push({ what: n.text, line: lineOf(n) });
    } else if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && ts.isIdentifier(n.name)) {
      const key = `${n.expression.text}.${n.name.text}`;
      if (AMBIENT_MEMBERS.has(key) || (n.expression.text === 'globalThis' && TIMER_GLOBALS.has(n.name.text))) io.push({ what: key, line: lineOf(n) });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  const out = { file, imports, io };
  cache.set(file, out);
  return out;
}

/**
 * isValueUse: an identifier names the global timer function (not a property name, a
 * declaration of our own, or a type position such as `ReturnType<typeof setTimeout>`).
 */
function isValueUse(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isPropertyAssignment(p) && p.name === id) return false;
  if (ts.isPropertySignature(p) || ts.isMethodSignature(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) return p.name !== id;
  if ((ts.isFunctionDeclaration(p) || ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p)) && p.name === id) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) return false;
  if (ts.isTypeQueryNode(p)) return false;
  return true;
}

/**
 * The layer table of DESIGN.md "Layers" and docs/architecture.md, as path prefixes under
 * src/ (longest prefix wins). `chain/*.ts` and `store/*.ts` at the top level are the
 * interfaces (layer 3); their adapter folders are layer 5.
 */
export const LAYERS: ReadonlyArray<readonly [prefix: string, layer: number]> = [
  ['src/lib/', 0],
  ['src/crypto/', 1],
  ['src/bitcoin/', 1],
  ['src/wire/', 2],
  ['src/keys/', 2],
  ['src/invoice/', 2],
  ['src/transport/', 3],
  ['src/onion/', 3],
  ['src/channel/', 3],
  ['src/gossip/', 3],
  ['src/chain/', 3],
  ['src/store/', 3],
  ['src/onchain/', 4],
  ['src/graph/', 4],
  ['src/routing/', 4],
  ['src/payments/', 4],
  ['src/wallet/', 4],
  ['src/chain/bitcoind/', 5],
  ['src/chain/regtest/', 5],
  ['src/store/sqlite/', 5],
  ['src/store/memory/', 5],
  ['src/node/', 6],
  ['src/rpc/', 7],
  ['src/daemon/', 7],
  ['src/cli/', 7],
  ['src/sim/', 7],
];

/** The highest protocol layer: layers 0 to 4 do no I/O. */
export const LAST_PROTOCOL_LAYER = 4;

/**
 * layerOf returns the layer of a repo-relative file, or undefined for a file outside the
 * table. A nested folder of the interface folders (chain/, store/) not in the table is
 * undefined too, so a new adapter folder has to be placed explicitly.
 */
export function layerOf(file: string): number | undefined {
  let best: readonly [string, number] | undefined;
  for (const e of LAYERS) if (file.startsWith(e[0]) && (!best || e[0].length > best[0].length)) best = e;
  if (!best) return undefined;
  const rest = file.slice(best[0].length);
  if ((best[0] === 'src/chain/' || best[0] === 'src/store/') && rest.includes('/')) return undefined;
  return best[1];
}

/** An edge of the import graph between two files under src/. */
export interface Edge {
  from: string;
  to: string;
  line: number;
}

/** importGraph returns every import edge between files under src/. */
export function importGraph(files: readonly string[] = sourceFiles()): Edge[] {
  const known = new Set(files);
  const edges: Edge[] = [];
  for (const f of files) {
    for (const i of scanFile(f).imports) {
      if (i.target && known.has(i.target)) edges.push({ from: f, to: i.target, line: i.line });
    }
  }
  return edges;
}

/**
 * cycles returns the strongly connected components of more than one file (and files that
 * import themselves), each sorted, found with Tarjan's algorithm.
 */
export function cycles(files: readonly string[], edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const f of files) next.set(f, []);
  for (const e of edges) next.get(e.from)?.push(e.to);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (next.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) strong(f);
  return out.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}
