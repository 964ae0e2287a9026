/**
 * Parameter checking for the chain's JSON-RPC methods with Bitcoin Core's error codes and
 * messages (rpc/util.cpp): -1 for a wrong number of arguments, -3 for a wrong JSON type,
 * -8 for a bad value, -22 for undecodable data.
 */
import { fromHex, isHex } from '../../lib/index.ts';
import { hexToHash } from '../../bitcoin/index.ts';
import { RPC_CODES, RpcError } from '../rpc-types.ts';
import { COIN } from './params.ts';

function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v === 'number' || typeof v === 'bigint' ? 'number' : 'string';
}

/** typeError is Core's "JSON value of type X is not of expected type Y". */
export function typeError(v: unknown, expected: string): RpcError {
  return new RpcError(RPC_CODES.TYPE_ERROR, `JSON value of type ${jsonType(v)} is not of expected type ${expected}`);
}

/** Positional parameters of one call, with the method's parameter names for messages. */
export class Params {
  constructor(
    readonly method: string,
    readonly names: string[],
    readonly values: unknown[],
    readonly required: number,
  ) {
    if (values.length > names.length || values.length < required) {
      throw new RpcError(RPC_CODES.MISC_ERROR, `${method} ${names.map((n, i) => (i < required ? n : `( ${n} )`)).join(' ')}\n\nWrong number of arguments: expected ${required}..${names.length}, got ${values.length}`);
    }
  }
  /** has: parameter i was given and is not null. */
  has(i: number): boolean {
    return this.values[i] !== undefined && this.values[i] !== null;
  }
  number(i: number, def?: number): number {
    const v = this.values[i];
    if (v === undefined || v === null) {
      if (def === undefined) throw new RpcError(RPC_CODES.MISC_ERROR, `Missing required parameter ${this.names[i]}`);
      return def;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError(v, 'number');
    return v;
  }
  int(i: number, def?: number): number {
    const n = this.number(i, def);
    if (!Number.isInteger(n)) throw typeError(this.values[i], 'number');
    return n;
  }
  string(i: number, def?: string): string {
    const v = this.values[i];
    if (v === undefined || v === null) {
      if (def === undefined) throw new RpcError(RPC_CODES.MISC_ERROR, `Missing required parameter ${this.names[i]}`);
      return def;
    }
    if (typeof v !== 'string') throw typeError(v, 'string');
    return v;
  }
  bool(i: number, def: boolean): boolean {
    const v = this.values[i];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') throw typeError(v, 'bool');
    return v;
  }
  /** verbosity accepts a number or (like Core, for compatibility) a boolean. */
  verbosity(i: number, def: number): number {
    const v = this.values[i];
    if (v === undefined || v === null) return def;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    throw typeError(v, 'number');
  }
  array(i: number): unknown[] {
    const v = this.values[i];
    if (!Array.isArray(v)) throw typeError(v, 'array');
    return v;
  }
  /** hash parses a display-order 32-byte hash (ParseHashV messages). */
  hash(i: number): Uint8Array {
    const name = this.names[i];
    const v = this.string(i);
    if (v.length !== 64) throw new RpcError(RPC_CODES.INVALID_PARAMETER, `${name} must be of length 64 (not ${v.length}, for '${v}')`);
    if (!isHex(v)) throw new RpcError(RPC_CODES.INVALID_PARAMETER, `${name} must be hexadecimal string (not '${v}')`);
    return hexToHash(v);
  }
  /** hex parses a hex string parameter. */
  hex(i: number, what: string): Uint8Array {
    const v = this.string(i);
    if (!isHex(v)) throw new RpcError(RPC_CODES.DESERIALIZATION_ERROR, `${what} decode failed`);
    return fromHex(v);
  }
  /** amount parses a BTC amount into satoshis (AmountFromValue). */
  amount(i: number, def?: bigint): bigint {
    const v = this.values[i];
    if ((v === undefined || v === null) && def !== undefined) return def;
    return amountFromValue(v);
  }
}

/** amountFromValue is Core's AmountFromValue: a number or numeric string of BTC with at most 8 decimals. */
export function amountFromValue(v: unknown): bigint {
  if (typeof v !== 'number' && typeof v !== 'string') throw new RpcError(RPC_CODES.TYPE_ERROR, 'Amount is not a number or string');
  const s = typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(8) : 'x') : v.trim();
  const m = /^(-?)(\d+)(?:\.(\d{0,8}))?$/.exec(s);
  if (!m) throw new RpcError(RPC_CODES.TYPE_ERROR, 'Invalid amount');
  if (typeof v === 'number' && Math.abs(v * 1e8 - Math.round(v * 1e8)) > 1e-3) throw new RpcError(RPC_CODES.TYPE_ERROR, 'Invalid amount');
  const sat = BigInt(m[2]) * COIN + BigInt((m[3] ?? '').padEnd(8, '0'));
  if (m[1] === '-' || sat > 21_000_000n * COIN) throw new RpcError(RPC_CODES.TYPE_ERROR, 'Amount out of range');
  return sat;
}
