/**
 * Persistence of the embedded chain. Blocks are immutable, so they go to an append-only
 * file (`blocks.dat`: 4-byte little-endian length + raw block, in arrival order) and the
 * chain state — block index, UTXO set, tx index — is rebuilt in memory by replaying them on
 * start. A torn last record (crash mid-write) is dropped. Small mutable state (blocks the
 * user invalidated, blocks that failed validation) lives in `chainstate.json`, and the
 * mempool is saved to `mempool.dat` on clean shutdown, as bitcoind does.
 *
 * Why not SQLite: nothing here is queried by key on disk — every index is in memory — so a
 * log plus replay is simpler, has no schema to migrate, and is trivially crash-safe.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readU32le, writeU32le } from './encoding.ts';

/** Small mutable chain metadata. */
export interface ChainMeta {
  /** Display-order hashes the user invalidated with invalidateblock. */
  invalidated: string[];
  /** Display-order hashes of blocks that failed validation. */
  failed: string[];
}

/** Where the chain keeps its blocks, metadata and saved mempool. */
export interface BlockStore {
  /** All raw blocks ever appended, in order. */
  loadBlocks(): Uint8Array[];
  appendBlock(raw: Uint8Array): void;
  loadMeta(): ChainMeta;
  saveMeta(meta: ChainMeta): void;
  loadMempool(): Uint8Array[];
  saveMempool(txs: Uint8Array[]): void;
  close(): void;
}

/** MemoryBlockStore keeps everything in memory (tests, in-process use without a datadir). */
export class MemoryBlockStore implements BlockStore {
  blocks: Uint8Array[] = [];
  meta: ChainMeta = { invalidated: [], failed: [] };
  mempool: Uint8Array[] = [];
  loadBlocks(): Uint8Array[] {
    return [...this.blocks];
  }
  appendBlock(raw: Uint8Array): void {
    this.blocks.push(raw);
  }
  loadMeta(): ChainMeta {
    return { invalidated: [...this.meta.invalidated], failed: [...this.meta.failed] };
  }
  saveMeta(meta: ChainMeta): void {
    this.meta = { invalidated: [...meta.invalidated], failed: [...meta.failed] };
  }
  loadMempool(): Uint8Array[] {
    return [...this.mempool];
  }
  saveMempool(txs: Uint8Array[]): void {
    this.mempool = [...txs];
  }
  close(): void {}
}

function readRecords(path: string): { records: Uint8Array[]; validLength: number; fileLength: number } {
  if (!existsSync(path)) return { records: [], validLength: 0, fileLength: 0 };
  const buf = new Uint8Array(readFileSync(path));
  const records: Uint8Array[] = [];
  let p = 0;
  while (p + 4 <= buf.length) {
    const len = readU32le(buf, p);
    if (p + 4 + len > buf.length) break;
    records.push(buf.slice(p + 4, p + 4 + len));
    p += 4 + len;
  }
  return { records, validLength: p, fileLength: buf.length };
}

function record(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + raw.length);
  writeU32le(out, 0, raw.length);
  out.set(raw, 4);
  return out;
}

/** FileBlockStore keeps the chain in a data directory. */
export class FileBlockStore implements BlockStore {
  private fd: number | null = null;
  private readonly blocksPath: string;
  private readonly metaPath: string;
  private readonly mempoolPath: string;

  constructor(readonly dir: string) {
    // Owner-only, like everything else the node writes.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    this.blocksPath = join(dir, 'blocks.dat');
    this.metaPath = join(dir, 'chainstate.json');
    this.mempoolPath = join(dir, 'mempool.dat');
  }

  loadBlocks(): Uint8Array[] {
    const { records, validLength, fileLength } = readRecords(this.blocksPath);
    if (validLength !== fileLength) truncateSync(this.blocksPath, validLength);
    return records;
  }
  appendBlock(raw: Uint8Array): void {
    if (this.fd === null) this.fd = openSync(this.blocksPath, 'a', 0o600);
    writeSync(this.fd, record(raw));
    fsyncSync(this.fd);
  }
  loadMeta(): ChainMeta {
    if (!existsSync(this.metaPath)) return { invalidated: [], failed: [] };
    try {
      const j = JSON.parse(readFileSync(this.metaPath, 'utf8')) as Partial<ChainMeta>;
      return { invalidated: Array.isArray(j.invalidated) ? j.invalidated : [], failed: Array.isArray(j.failed) ? j.failed : [] };
    } catch {
      return { invalidated: [], failed: [] };
    }
  }
  saveMeta(meta: ChainMeta): void {
    const tmp = this.metaPath + '.tmp';
    writeFileSync(tmp, JSON.stringify({ version: 1, ...meta }, null, 1), { mode: 0o600 });
    renameSync(tmp, this.metaPath);
  }
  loadMempool(): Uint8Array[] {
    return readRecords(this.mempoolPath).records;
  }
  saveMempool(txs: Uint8Array[]): void {
    const tmp = this.mempoolPath + '.tmp';
    const fd = openSync(tmp, 'w', 0o600);
    for (const t of txs) writeSync(fd, record(t));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.mempoolPath);
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
