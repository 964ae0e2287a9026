/**
 * How `kite` turns its command-line words into JSON-RPC params: positional words, `key=value`
 * words with -k, and `--name[=value]` flags after the command.
 */
import { KiteError } from '../lib/errors.ts';
import { RpcErrors } from '../rpc/errors.ts';
import type { MethodSpec } from '../rpc/schema.ts';

/** parseCliParams turns CLI words into JSON-RPC params: positional, or key=value with -k. */
export function parseCliParams(words: string[], keyed: boolean): unknown[] | Record<string, unknown> {
  const val = (s: string): unknown => {
    if (s === 'true' || s === 'false' || s === 'null') return JSON.parse(s);
    if (/^-?\d+$/.test(s) && Number.isSafeInteger(Number(s))) return Number(s);
    if (/^[[{]/.test(s)) {
      try {
        return JSON.parse(s);
      } catch {
        return s;
      }
    }
    return s;
  };
  if (!keyed) return words.map(val);
  const out: Record<string, unknown> = {};
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new KiteError(RpcErrors.INVALID_PARAMS, `with -k every argument is key=value; got '${w}'`);
    out[w.slice(0, eq)] = val(w.slice(eq + 1));
  }
  return out;
}

/**
 * splitCommandFlags takes the `--name` and `--name=value` words that follow the command out
 * of argv, so that `kite close <id> --force` works: they become named params (`-` in a name
 * reads as `_`; a bare flag is true). Options before the command stay kite's own.
 */
export function splitCommandFlags(argv: string[]): { argv: string[]; flags: Record<string, unknown> } {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-')) i += argv[i] === '--kite-dir' || argv[i] === '--network' ? 2 : 1;
  const flags: Record<string, unknown> = {};
  const rest = argv.slice(0, i + 1);
  for (const w of argv.slice(i + 1)) {
    const m = /^--([a-z][a-z0-9_-]*)(?:=(.*))?$/.exec(w);
    if (!m) {
      rest.push(w);
      continue;
    }
    const v = m[2];
    flags[m[1]!.replace(/-/g, '_')] = v === undefined ? true : v === 'true' || v === 'false' ? v === 'true' : /^\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : v;
  }
  return { argv: rest, flags };
}

/** withFlags merges named flags into positional or keyword params, by the method's param order. */
export function withFlags(spec: MethodSpec, params: unknown[] | Record<string, unknown>, flags: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(params)) return { ...params, ...flags };
  if (params.length > spec.params.length) throw new KiteError(RpcErrors.INVALID_PARAMS, `too many arguments: ${spec.name} takes at most ${spec.params.length}`);
  return { ...Object.fromEntries(params.map((v, i) => [spec.params[i]!.name, v])), ...flags };
}
