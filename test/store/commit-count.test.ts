/**
 * The commit counter of the SQLite adapter: one per fsynced commit. A transaction counts
 * once however many writes it holds, a rolled-back one not at all, nested transactions are
 * part of the outer one, and a write statement outside a transaction counts once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitCount, openDatabase, type Db } from '../../src/store/sqlite/index.ts';

function open(): { db: Db; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kite-commits-'));
  const db = openDatabase(join(dir, 'kite.sqlite3'), [
    { version: 1, description: 'kv', up: (d) => d.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)') },
  ]);
  return {
    db,
    done: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('a transaction counts once, however many writes it holds', () => {
  const { db, done } = open();
  const ins = db.prepare('INSERT INTO kv (k, v) VALUES (?, ?)');
  const before = commitCount(db);
  db.transaction(() => {
    for (let i = 0; i < 5; i++) ins.run(`k${i}`, i);
    // A nested transaction is a savepoint of the outer one, not a commit of its own.
    db.transaction(() => ins.run('nested', 0))();
  })();
  assert.equal(commitCount(db) - before, 1);
  // The variants (immediate, ...) count the same way.
  db.transaction(() => ins.run('imm', 1)).immediate();
  assert.equal(commitCount(db) - before, 2);
  done();
});

test('a rolled-back transaction does not count', () => {
  const { db, done } = open();
  const ins = db.prepare('INSERT INTO kv (k, v) VALUES (?, ?)');
  const before = commitCount(db);
  assert.throws(() =>
    db.transaction(() => {
      ins.run('a', 1);
      throw new Error('abort');
    })(),
  );
  assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM kv').get(), { n: 0 });
  assert.equal(commitCount(db), before);
  // A failing statement outside a transaction commits nothing either.
  ins.run('a', 1);
  assert.throws(() => ins.run('a', 2), /UNIQUE/);
  assert.equal(commitCount(db) - before, 1);
  done();
});

test('a write statement outside a transaction counts once; reads and no-op writes do not', () => {
  const { db, done } = open();
  const before = commitCount(db);
  db.prepare('INSERT INTO kv (k, v) VALUES (?, ?)').run('a', 1);
  assert.equal(commitCount(db) - before, 1);
  db.prepare('SELECT * FROM kv').all();
  db.prepare('SELECT * FROM kv WHERE k = ?').get('a');
  assert.equal(commitCount(db) - before, 1);
  // An UPDATE that matches no row writes no page, so there is nothing to fsync.
  db.prepare('UPDATE kv SET v = 2 WHERE k = ?').run('none');
  assert.equal(commitCount(db) - before, 1);
  db.prepare('UPDATE kv SET v = 2 WHERE k = ?').run('a');
  assert.equal(commitCount(db) - before, 2);
  // A write returning rows (RETURNING) counts too.
  assert.deepEqual(db.prepare('INSERT INTO kv (k, v) VALUES (?, ?) RETURNING v').get('b', 3), { v: 3 });
  assert.equal(commitCount(db) - before, 3);
  // A read-only transaction commits nothing durable.
  db.transaction(() => db.prepare('SELECT * FROM kv').all())();
  assert.equal(commitCount(db) - before, 3);
  db.exec("INSERT INTO kv (k, v) VALUES ('c', 4)");
  assert.equal(commitCount(db) - before, 4);
  done();
});

test('migrations are counted, one commit each', () => {
  const { db, done } = open();
  assert.equal(commitCount(db), 1);
  done();
});
