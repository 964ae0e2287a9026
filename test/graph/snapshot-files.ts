/**
 * Reads the mainnet snapshots of ../shared/data/ln-graph (gzip graph, xz node map) for tests
 * and benchmarks. The xz map is decompressed by the system `xz` (Node has no xz decoder).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type SnapshotName = '2024-09-22' | '2026-02-03';

/** snapshotPath is the path of a file in the shared graph data folder. */
export function snapshotPath(file: string): string {
  return fileURLToPath(new URL(`../../../shared/data/ln-graph/${file}`, import.meta.url));
}

/** readSnapshotGzip returns the compressed graph file's bytes. */
export function readSnapshotGzip(name: SnapshotName): Uint8Array {
  return readFileSync(snapshotPath(`gossip-store-${name}.compressed`));
}

/** gunzip decompresses a gzip stream. */
export function gunzip(b: Uint8Array): Uint8Array {
  return new Uint8Array(gunzipSync(b));
}

/** readNodeMapText returns the node map, decompressed. */
export function readNodeMapText(name: SnapshotName): string {
  return execFileSync('xz', ['-dc', snapshotPath(`gossip-store-${name}-node-map.xz`)], { maxBuffer: 64 << 20 }).toString('utf8');
}
