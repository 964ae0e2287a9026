/**
 * Loads Bitcoin Core's consensus test data from the shared spec folder at test time
 * (/work/shared/spec/bitcoin-core relative to the repository: ../shared/spec/bitcoin-core).
 */
import { readFileSync } from 'node:fs';

/** specPath resolves a file of the Bitcoin Core test data set. */
export function specPath(name: string): URL {
  return new URL(`../../../shared/spec/bitcoin-core/${name}`, import.meta.url);
}

/** loadJson reads and parses one of the data files. */
export function loadJson<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(specPath(name), 'utf8')) as T;
}

/** isComment reports whether a row is a comment (only strings, as the README says). */
export function isComment(row: unknown): boolean {
  return Array.isArray(row) && row.every((x) => typeof x === 'string') && row.length <= 1;
}
