/**
 * Versioned records for state blobs: JSON with tagged bigints and byte arrays, so that
 * pure state (channel machines) round-trips exactly. Every record carries its version;
 * unknown fields are kept as they are (an extensible tail for upgrades).
 */
import { fromHex, toHex } from '../../lib/bytes.ts';

/** encodeRecord serialises `value` under a version number. */
export function encodeRecord(version: number, value: unknown): string {
  return JSON.stringify({ v: version, d: value }, (_k, x) => {
    if (typeof x === 'bigint') return { $n: x.toString() };
    if (x instanceof Uint8Array) return { $b: toHex(x) };
    return x;
  });
}

/** decodeRecord parses a record, returning its version and value. */
export function decodeRecord<T = unknown>(text: string): { version: number; value: T } {
  const parsed = JSON.parse(text, (_k, x) => {
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      const keys = Object.keys(x);
      if (keys.length === 1 && keys[0] === '$n' && typeof x.$n === 'string') return BigInt(x.$n);
      if (keys.length === 1 && keys[0] === '$b' && typeof x.$b === 'string') return fromHex(x.$b);
    }
    return x;
  }) as { v: number; d: T };
  if (typeof parsed?.v !== 'number') throw new Error('record has no version');
  return { version: parsed.v, value: parsed.d };
}
