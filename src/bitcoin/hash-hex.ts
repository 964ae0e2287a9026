/**
 * Txids and block hashes are kept in internal byte order (as serialized) and shown in
 * Bitcoin's display order (reversed hex), the form RPCs, explorers and logs use. This is the
 * one place that converts between the two, and the one map key for an outpoint.
 */
import { DecodeError, fromHex, isHex } from '../lib/index.ts';

const HEX = '0123456789abcdef';

/** hashToHex shows an internal-order txid or block hash in Bitcoin's display order. */
export function hashToHex(hash: Uint8Array): string {
  let s = '';
  for (let i = hash.length - 1; i >= 0; i--) s += HEX[hash[i]! >> 4]! + HEX[hash[i]! & 15]!;
  return s;
}

/** hexToHash parses a display-order txid or block hash (64 hex digits) into internal order. */
export function hexToHash(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length !== 64 || !isHex(hex)) {
    throw new DecodeError(`expected a 64-hex-digit hash, got ${JSON.stringify(hex)}`);
  }
  return fromHex(hex).reverse();
}

/**
 * outpointKey is the map key (and printable name) of an outpoint: `<display txid>:<vout>`,
 * given as a txid and index or as anything with `txid` and `vout`.
 */
export function outpointKey(o: { readonly txid: Uint8Array; readonly vout: number }): string;
export function outpointKey(txid: Uint8Array, vout: number): string;
export function outpointKey(a: Uint8Array | { readonly txid: Uint8Array; readonly vout: number }, vout?: number): string {
  return a instanceof Uint8Array ? `${hashToHex(a)}:${vout}` : `${hashToHex(a.txid)}:${a.vout}`;
}

/** parseOutpointKey inverts outpointKey. */
export function parseOutpointKey(key: string): { txid: Uint8Array; vout: number } {
  const i = key.indexOf(':');
  const index = key.slice(i + 1);
  const vout = Number(index);
  if (i !== 64 || !/^\d{1,10}$/.test(index) || vout > 0xffffffff) throw new DecodeError(`not an outpoint key: ${JSON.stringify(key)}`);
  return { txid: hexToHash(key.slice(0, 64)), vout };
}
