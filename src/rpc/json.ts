/**
 * JSON helpers for the RPC edge: bigint becomes a JSON number (amounts in msat fit in 2^53
 * for any real channel; beyond that a string is emitted), Uint8Array becomes hex.
 */
import { toHex } from '../lib/bytes.ts';

/** toJson serialises RPC results with Kite's edge conventions. */
export function toJson(v: unknown, indent?: number): string {
  return JSON.stringify(
    v,
    (_k, x) => {
      if (typeof x === 'bigint') return x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString();
      if (x instanceof Uint8Array) return toHex(x);
      return x;
    },
    indent,
  );
}

/**
 * splitJsonObjects pulls complete top-level JSON values out of a stream buffer (as Core
 * Lightning's lightning-rpc reads one request object after another without framing).
 */
export function splitJsonObjects(buf: string): { objects: string[]; rest: string } {
  const objects: string[] = [];
  let depth = 0;
  let inStr = false;
  let esc = false;
  let start = -1;
  for (let i = 0; i < buf.length; i++) {
    const ch = buf[i];
    if (inStr) {
      if (esc) esc = false;
      else if (ch === '\\') esc = true;
      else if (ch === '"') inStr = false;
      continue;
    }
    if (ch === '"') {
      inStr = true;
      if (depth === 0) return { objects, rest: buf.slice(i) }; // a bare string at top level is not a request
      continue;
    }
    if (ch === '{' || ch === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0 && start >= 0) {
        objects.push(buf.slice(start, i + 1));
        start = -1;
      } else if (depth < 0) {
        return { objects, rest: buf.slice(i) };
      }
    } else if (depth === 0 && !/\s/.test(ch)) {
      return { objects, rest: buf.slice(i) };
    }
  }
  return { objects, rest: depth > 0 && start >= 0 ? buf.slice(start) : '' };
}
