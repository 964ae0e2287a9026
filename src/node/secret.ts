/**
 * The node secret: 32 random bytes created on first start in `<data-dir>/node-secret`
 * (mode 0600), from which the node id and every channel key derive.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { isPrivateKey, randomBytes } from '../crypto/index.ts';

/** loadOrCreateNodeSecret returns the data directory's node secret, creating it once. */
export function loadOrCreateNodeSecret(dataDir: string): Uint8Array {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'node-secret');
  if (existsSync(path)) {
    const b = new Uint8Array(readFileSync(path));
    if (b.length !== 32 || !isPrivateKey(b)) throw new Error(`${path} is not a valid 32-byte secret; refusing to start`);
    return b;
  }
  let secret: Uint8Array;
  do secret = randomBytes(32);
  while (!isPrivateKey(secret));
  // Write, fsync, then rename: a crash never leaves a half-written secret behind.
  const tmp = path + '.tmp';
  writeFileSync(tmp, secret, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
  chmodSync(path, 0o600);
  return secret;
}

/** loadOrCreateToken returns the HTTP RPC bearer token (`<data-dir>/rpc-token`, 0600). */
export function loadOrCreateToken(dataDir: string): string {
  const path = join(dataDir, 'rpc-token');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = Buffer.from(randomBytes(32)).toString('hex');
  writeFileSync(path, token + '\n', { mode: 0o600 });
  return token;
}
