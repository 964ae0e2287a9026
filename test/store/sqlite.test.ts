/**
 * The SQLite adapter: WAL and full synchronous commits are on, migrations apply once and in
 * order, and a database from a newer Kite is refused rather than damaged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, schemaVersion, type Migration } from '../../src/store/sqlite/index.ts';

const m1: Migration = { version: 1, description: 'kv', up: (db) => db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB)') };
const m2: Migration = { version: 2, description: 'kv.ts', up: (db) => db.exec('ALTER TABLE kv ADD COLUMN ts INTEGER') };

test('WAL, synchronous FULL, and migrations applied in order once', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kite-db-')), 'kite.sqlite3');
  const db = openDatabase(path, [m1]);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 2);
  db.prepare('INSERT INTO kv (k, v) VALUES (?, ?)').run('a', Buffer.from([1]));
  db.close();
  const db2 = openDatabase(path, [m2, m1]);
  assert.equal(schemaVersion(db2), 2);
  db2.prepare('UPDATE kv SET ts = 5').run();
  assert.deepEqual(db2.prepare('SELECT k, ts FROM kv').all(), [{ k: 'a', ts: 5 }]);
  db2.close();
  assert.throws(() => openDatabase(path, [m1]), /newer than this Kite knows/);
});

test('a failing migration leaves the previous version intact', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kite-db-')), 'kite.sqlite3');
  openDatabase(path, [m1]).close();
  const bad: Migration = { version: 2, description: 'bad', up: (db) => db.exec('ALTER TABLE nosuch ADD COLUMN x') };
  assert.throws(() => openDatabase(path, [m1, bad]));
  const db = openDatabase(path, [m1]);
  assert.equal(schemaVersion(db), 1);
  db.close();
});

test('gapped migration lists are a programming error', () => {
  assert.throws(() => openDatabase(':memory:', [m2]), /without gaps/);
});
