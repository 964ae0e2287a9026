/**
 * SQLite through better-sqlite3, set up for funds: WAL journal with fully synchronous
 * commits (a commit that returned is on disk), foreign keys on, and versioned migrations
 * applied in one transaction each.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/** A migration moves the schema from version `version - 1` to `version`. */
export interface Migration {
  version: number;
  description: string;
  up: (db: Db) => void;
}

/** openDatabase opens (creating if needed) a database file and applies migrations. */
export function openDatabase(path: string, migrations: Migration[]): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: in WAL mode, every commit is fsynced before it returns. Persist before you speak.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

/** schemaVersion reads the applied schema version (0 for a new database). */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** migrate applies every migration above the current version, in order, atomically each. */
export function migrate(db: Db, migrations: Migration[]): void {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1..n without gaps (found ${m.version} at position ${i + 1})`);
  });
  const current = schemaVersion(db);
  if (current > sorted.length) {
    throw new Error(`database schema version ${current} is newer than this Kite knows (${sorted.length}); refusing to touch it`);
  }
  for (const m of sorted.slice(current)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
