/**
 * Display-order hex for hashes at the RPC edge: Bitcoin shows txids and block hashes
 * byte-reversed.
 */
import { DecodeError, fromHex, reverseBytes, toHex } from '../../lib/index.ts';

/** hashToHexString renders an internal-order hash in display order. */
export function hashToHexString(h: Uint8Array): string {
  return toHex(reverseBytes(h));
}

/** hexToHashBytes parses a display-order 64-hex-digit hash into internal order. */
export function hexToHashBytes(s: string): Uint8Array {
  if (typeof s !== 'string' || !/^[0-9a-fA-F]{64}$/.test(s)) throw new DecodeError('expected a 64-hex-digit hash');
  return reverseBytes(fromHex(s));
}
