/**
 * File adapters of the wallet (the only wallet code doing I/O): a JSON-file WalletStore and
 * the mnemonic file in the node's data directory. Writes are atomic (temporary file, fsync,
 * rename) and files are created with mode 0600.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from '../crypto/index.ts';
import { KiteError } from '../lib/index.ts';
import { WALLET_ERRORS } from './errors.ts';
import { generateMnemonic, mnemonicToSeed, validateMnemonic } from './seed.ts';
import type { WalletStore } from './store.ts';

/** writeFileAtomic replaces `path` with `data` via a synced temporary file (mode 0600). */
export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** JsonFileWalletStore keeps all keys in one JSON object file, rewritten on each change. */
export class JsonFileWalletStore implements WalletStore {
  private readonly data: Record<string, string>;
  constructor(readonly path: string) {
    this.data = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : {};
  }
  get(key: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.data, key) ? this.data[key] : undefined;
  }
  put(key: string, value: string): void {
    this.data[key] = value;
    writeFileAtomic(this.path, JSON.stringify(this.data));
  }
  delete(key: string): void {
    delete this.data[key];
    writeFileAtomic(this.path, JSON.stringify(this.data));
  }
}

/** The mnemonic's file name inside the network data directory. */
export const MNEMONIC_FILE = 'wallet-mnemonic';

/**
 * loadOrCreateWalletSeed reads `<dir>/wallet-mnemonic`, or creates it with a new 24-word
 * BIP39 mnemonic (mode 0600), and returns the mnemonic and its 64-byte seed.
 */
export function loadOrCreateWalletSeed(
  dir: string,
  opts: { random?: (n: number) => Uint8Array; passphrase?: string } = {},
): { mnemonic: string; seed: Uint8Array; created: boolean } {
  const path = join(dir, MNEMONIC_FILE);
  let mnemonic: string;
  let created = false;
  if (existsSync(path)) {
    mnemonic = readFileSync(path, 'utf8').trim();
    if (!validateMnemonic(mnemonic)) {
      throw new KiteError(WALLET_ERRORS.INVALID_PARAMS, `${path}: not a valid BIP39 mnemonic; refusing to overwrite it`);
    }
  } else {
    mnemonic = generateMnemonic(opts.random ?? randomBytes);
    writeFileAtomic(path, mnemonic + '\n');
    created = true;
  }
  return { mnemonic, seed: mnemonicToSeed(mnemonic, opts.passphrase ?? ''), created };
}
