/**
 * SQLite through better-sqlite3, set up for funds: WAL journal with fully synchronous
 * commits (a commit that returned is on disk), foreign keys on, and versioned migrations
 * applied in one transaction each.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
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
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Owner-only, like the node's secrets: create the file 0600 before SQLite opens it (its
    // -wal and -shm files take the database file's mode), and tighten an older one.
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: in WAL mode, every commit is fsynced before it returns. Persist before you speak.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  countCommits(db);
  migrate(db, migrations);
  return db;
}

interface CommitCounter {
  commits: number;
  /** The open transaction has run a write. */
  wrote: boolean;
}

const counters = new WeakMap<Db, CommitCounter>();

/**
 * commitCount is the number of synchronous (fsynced) commits made through `db` since it was
 * opened: each outermost `db.transaction` that ran a write and returned (a rolled-back one
 * does not count; nested ones are savepoints of the outer), each write statement run outside
 * a transaction, and each `exec` outside a transaction. Read-only statements never count, nor
 * does a DML `run` that changed no row (SQLite writes no page then), nor a pragma.
 */
export function commitCount(db: Db): number {
  return counters.get(db)?.commits ?? 0;
}

type AnyFn = (...args: unknown[]) => unknown;

/** countCommits wraps the connection's prepare, exec and transaction to count commits. */
function countCommits(db: Db): void {
  const c: CommitCounter = { commits: 0, wrote: false };
  counters.set(db, c);
  const proto = Object.getPrototypeOf(db) as Db;
  const wrote = (): void => {
    if (db.inTransaction) c.wrote = true;
    else c.commits++;
  };
  db.prepare = function prepare(this: Db, ...args: Parameters<Db['prepare']>) {
    const stmt = proto.prepare.apply(db, args);
    if (stmt.readonly) return stmt;
    const dml = /^\s*(insert|update|delete|replace)\b/i.test(stmt.source);
    const run = stmt.run;
    stmt.run = function (this: typeof stmt, ...a: unknown[]) {
      const r = (run as AnyFn).apply(this, a) as Database.RunResult;
      if (!dml || r.changes > 0) wrote();
      return r;
    } as typeof stmt.run;
    for (const m of ['get', 'all', 'iterate'] as const) {
      const f = stmt[m] as AnyFn;
      (stmt as unknown as Record<string, AnyFn>)[m] = function (this: unknown, ...a: unknown[]) {
        const r = f.apply(this, a);
        wrote();
        return r;
      };
    }
    return stmt;
  } as Db['prepare'];
  db.exec = function exec(this: Db, source: string) {
    proto.exec.call(db, source);
    wrote();
    return db;
  };
  db.transaction = function transaction(this: Db, fn: AnyFn) {
    const t = proto.transaction.call(db, fn) as unknown as Record<'default' | 'deferred' | 'immediate' | 'exclusive', AnyFn>;
    const counted = (f: AnyFn): AnyFn =>
      function (this: unknown, ...a: unknown[]) {
        if (db.inTransaction) return f.apply(this, a); // a savepoint: the outer transaction commits
        c.wrote = false;
        const r = f.apply(this, a);
        if (c.wrote) c.commits++;
        c.wrote = false;
        return r;
      };
    const v = { default: counted(t.default), deferred: counted(t.deferred), immediate: counted(t.immediate), exclusive: counted(t.exclusive) };
    const props: PropertyDescriptorMap = {
      default: { value: v.default },
      deferred: { value: v.deferred },
      immediate: { value: v.immediate },
      exclusive: { value: v.exclusive },
      database: { value: db, enumerable: true },
    };
    for (const f of Object.values(v)) Object.defineProperties(f, props);
    return v.default;
  } as Db['transaction'];
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
