/**
 * bench/store: the durable-commit floor. Synchronous SQLite commits per second (WAL,
 * synchronous=FULL) on this machine, the figure payment throughput is compared with.
 */
import { mkdtempSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/store/sqlite/index.ts';
import { report } from './harness.ts';

/**
 * syncCommitRate measures synchronous SQLite commits per second for about `ms` milliseconds:
 * one 300-byte row inserted per transaction in a database opened as the node opens its own
 * (openDatabase: WAL, synchronous=FULL), in a fresh directory under `parent`.
 */
export function syncCommitRate(ms = 1000, parent = tmpdir()): number {
  const dir = mkdtempSync(join(parent, 'kite-bench-commits-'));
  try {
    const db = openDatabase(join(dir, 'bench.sqlite3'), [
      { version: 1, description: 't', up: (d) => d.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)') },
    ]);
    try {
      const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
      const blob = Buffer.alloc(300, 7);
      const tx = db.transaction(() => ins.run(blob));
      let n = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < ms) {
        tx();
        n++;
      }
      return (n * 1000) / (performance.now() - t0);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kite-bench-store-'));
  try {
    // Baseline: a bare write+fsync of a small file, the least any durable commit costs.
    const blob = Buffer.alloc(300, 7);
    const f = join(dir, 'fsync.bin');
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 1000) {
      writeFileSync(f, blob);
      const fd = openSync(f, 'r+');
      fsyncSync(fd);
      closeSync(fd);
      n++;
    }
    const fsyncRate = (n * 1000) / (performance.now() - t0);
    const commitRate = syncCommitRate(1000, dir);
    report({ name: 'store.sqlite_sync_commits', value: commitRate, unit: 'commits/s', baseline: 'write+fsync of a 300-byte file', baseline_value: fsyncRate });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
