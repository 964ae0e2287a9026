/**
 * Everything the node writes is owner-only, as its secrets are: the SQLite database (and its
 * WAL and shared-memory files, which take the database's mode) and the embedded chain's
 * folder and files (issue: kite.sqlite3 was created 0644 and chain/ 0755).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, NODE_MIGRATIONS } from '../../src/store/sqlite/index.ts';
import { FileBlockStore } from '../../src/chain/regtest/store.ts';

const mode = (p: string): number => statSync(p).mode & 0o777;

test('the node database and its WAL files are created 0600, and an older 0644 one is tightened', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kite-modes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'kite.sqlite3');
  const db = openDatabase(path, NODE_MIGRATIONS);
  db.prepare('CREATE TABLE IF NOT EXISTS probe (x INTEGER)').run();
  db.prepare('INSERT INTO probe VALUES (1)').run();
  assert.equal(mode(path), 0o600);
  for (const side of ['-wal', '-shm']) if (existsSync(path + side)) assert.equal(mode(path + side), 0o600, side);
  db.close();
  const old = join(dir, 'old.sqlite3');
  writeFileSync(old, '');
  chmodSync(old, 0o644);
  openDatabase(old, NODE_MIGRATIONS).close();
  assert.equal(mode(old), 0o600);
});

test('the embedded chain keeps its folder 0700', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kite-modes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const chainDir = join(dir, 'chain');
  new FileBlockStore(chainDir);
  assert.equal(mode(chainDir), 0o700);
});
