/**
 * The layer rules of DESIGN.md "Layers" and docs/architecture.md, checked on every import
 * under src/ (type-only imports included: they are dependencies too): a file imports only
 * from its own layer or lower ones; no two files import each other, even through others;
 * protocol layers (0-4) neither import Node's I/O modules nor call timers, `Date.now` or
 * `Math.random` (time and randomness are injected).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cycles, importGraph, LAST_PROTOCOL_LAYER, layerOf, scanFile, sourceFiles } from '../../scripts/lib/source-scan.ts';

/** A violation the test knows about and lets pass, with who removes it and why it exists. */
type Known =
  | { kind: 'upward'; from: string; to: string; why: string }
  | { kind: 'io'; file: string; what: string; uses: number; why: string }
  | { kind: 'cycle'; files: string[]; why: string };

/**
 * KNOWN_VIOLATIONS: violations that exist today and are still to be removed. Each entry is
 * exact (a file pair, a file and a count of uses, or a cycle's full set of files), so it
 * cannot hide a new violation, and the test fails when an entry no longer occurs: remove it
 * then, until this list is empty.
 */
const KNOWN_VIOLATIONS: readonly Known[] = [
  // The wallet keeps its records in a JSON file of its own; the adapter belongs in store/.
  { kind: 'io', file: 'src/wallet/file-store.ts', what: 'node:fs', uses: 1, why: 'wallet file store does file I/O in a protocol layer (belongs in store/)' },
];

function keyOf(k: Known): string {
  switch (k.kind) {
    case 'upward':
      return `upward import ${k.from} -> ${k.to}`;
    case 'io':
      return `I/O in a protocol layer: ${k.file} uses ${k.what} ${k.uses} time(s)`;
    case 'cycle':
      return `import cycle: ${k.files.join(' <-> ')}`;
  }
}

/** Compares what the scan found with the allow-list, in both directions. */
function checkAgainstKnown(kind: Known['kind'], found: string[]): void {
  const allowed = new Set(KNOWN_VIOLATIONS.filter((k) => k.kind === kind).map(keyOf));
  const fresh = found.filter((f) => !allowed.has(f));
  const gone = [...allowed].filter((a) => !found.includes(a));
  assert.deepEqual(fresh, [], `new violations (fix them; do not add them to KNOWN_VIOLATIONS):\n${fresh.join('\n')}`);
  assert.deepEqual(gone, [], `allow-listed violations that no longer occur: remove them from KNOWN_VIOLATIONS:\n${gone.join('\n')}`);
}

const files = sourceFiles();
const edges = importGraph(files);

test('every file under src/ has a layer', () => {
  const unplaced = files.filter((f) => layerOf(f) === undefined);
  assert.deepEqual(unplaced, [], 'add the folder to LAYERS in scripts/lib/source-scan.ts (and to docs/architecture.md)');
  assert.ok(files.length > 100 && edges.length > 300, `scan found only ${files.length} files and ${edges.length} imports`);
  const outside = files.flatMap((f) => scanFile(f).imports.filter((i) => i.target !== undefined && !i.target.startsWith('src/')).map((i) => `${f}:${i.line} imports ${i.spec}`));
  assert.deepEqual(outside, [], 'src/ must not import from test/, scripts/ or bench/');
});

test('the layer table is the one in DESIGN.md', () => {
  const expect: Record<string, number> = {
    'src/lib/bytes.ts': 0,
    'src/crypto/hashes.ts': 1,
    'src/bitcoin/tx.ts': 1,
    'src/wire/bolt1.ts': 2,
    'src/keys/signer.ts': 2,
    'src/invoice/decode.ts': 2,
    'src/transport/handshake.ts': 3,
    'src/onion/sphinx.ts': 3,
    'src/channel/machine.ts': 3,
    'src/chain/interfaces.ts': 3,
    'src/store/interfaces.ts': 3,
    'src/onchain/sweep.ts': 4,
    'src/payments/receive.ts': 4,
    'src/wallet/wallet.ts': 4,
    'src/chain/bitcoind/backend.ts': 5,
    'src/chain/regtest/chain.ts': 5,
    'src/store/sqlite/database.ts': 5,
    'src/store/memory/store.ts': 5,
    'src/node/node.ts': 6,
    'src/rpc/server.ts': 7,
    'src/daemon/main.ts': 7,
    'src/cli/main.ts': 7,
    'src/sim/run.ts': 7,
  };
  for (const [f, l] of Object.entries(expect)) assert.equal(layerOf(f), l, f);
  assert.equal(layerOf('src/chain/new-adapter/x.ts'), undefined, 'a new folder under chain/ must be placed explicitly');
  assert.equal(layerOf('src/newfolder/x.ts'), undefined);
});

test('no import from a lower layer to a higher one', () => {
  const found = new Set<string>();
  for (const e of edges) {
    if (layerOf(e.to)! > layerOf(e.from)!) found.add(`upward import ${e.from} -> ${e.to}`);
  }
  checkAgainstKnown('upward', [...found].sort());
});

test('no import cycles between files', () => {
  checkAgainstKnown(
    'cycle',
    cycles(files, edges).map((c) => `import cycle: ${c.join(' <-> ')}`),
  );
});

test('protocol layers (0-4) do no I/O: no fs/net/child_process/http, timers, Date.now or Math.random', () => {
  const found: string[] = [];
  for (const f of files) {
    if (layerOf(f)! > LAST_PROTOCOL_LAYER) continue;
    const uses = new Map<string, number>();
    for (const u of scanFile(f).io) uses.set(u.what, (uses.get(u.what) ?? 0) + 1);
    for (const [what, n] of uses) found.push(`I/O in a protocol layer: ${f} uses ${what} ${n} time(s)`);
  }
  checkAgainstKnown('io', found.sort());
});

test('the scanner sees imports and I/O the way the rules mean them', async () => {
  const { mkdtempSync, writeFileSync, rmSync, mkdirSync } = await import('node:fs');
  const { join, relative } = await import('node:path');
  const { ROOT } = await import('../../scripts/lib/source-scan.ts');
  const dir = mkdtempSync(join(ROOT, 'test', 'guardrails', 'tmp-'));
  try {
    mkdirSync(join(dir, 'a'));
    const a = join(dir, 'a', 'x.ts');
    writeFileSync(
      a,
      [
        "import type { T } from './y.ts';",
        "export { z } from '../b/z.ts';",
        "import { readFileSync } from 'node:fs';",
        '// setTimeout(() => 0) in a comment, Date.now() too',
        "const s = 'Math.random()';",
        'type Timer = ReturnType<typeof setTimeout>;',
        'const o = { setTimeout: 1 };',
        'setTimeout(() => Date.now(), Math.random());',
        "const m = await import('./y.ts');",
      ].join('\n'),
    );
    const r = scanFile(relative(ROOT, a).split('\\').join('/'));
    assert.deepEqual(
      r.imports.map((i) => [i.spec, i.typeOnly, i.line]),
      [
        ['./y.ts', true, 1],
        ['../b/z.ts', false, 2],
        ['node:fs', false, 3],
        ['./y.ts', false, 9],
      ],
    );
    assert.ok(r.imports[0]!.target!.endsWith('/a/y.ts'));
    assert.ok(r.imports[1]!.target!.endsWith('/b/z.ts'));
    assert.deepEqual(
      r.io.map((u) => [u.what, u.line]),
      [
        ['node:fs', 3],
        ['setTimeout', 8],
        ['Date.now', 8],
        ['Math.random', 8],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ring = cycles(['p', 'q', 'r', 's'], [
    { from: 'p', to: 'q', line: 1 },
    { from: 'q', to: 'r', line: 1 },
    { from: 'r', to: 'p', line: 1 },
    { from: 'r', to: 's', line: 1 },
  ]);
  assert.deepEqual(ring, [['p', 'q', 'r']]);
});
