/**
 * RPC method schemas: one registry drives validation, CLI help and docs (docs/rpc.md is
 * generated from it by scripts/gen-rpc-docs.ts). Schemas are data, shared by the daemon and
 * the CLI; handlers are bound by the node.
 */
import { KiteError } from '../lib/errors.ts';
import { RpcErrors } from './errors.ts';

/** The value kinds a parameter may take; each has a checker and a description of its form. */
export type ParamType = 'string' | 'integer' | 'boolean' | 'pubkey' | 'hex' | 'number' | 'amount_or_all' | 'msat_or_any' | 'feerate';

export interface ParamSpec {
  name: string;
  type: ParamType;
  required?: boolean;
  description: string;
}

export interface MethodSpec {
  name: string;
  summary: string;
  params: ParamSpec[];
  /** Other names for the method (e.g. openchannel for fundchannel). */
  aliases?: string[];
  /** Methods that only exist with `--developer`. */
  developer?: boolean;
}

const FORMS: Record<ParamType, string> = {
  string: 'a string',
  integer: 'a non-negative integer',
  number: 'a number',
  boolean: 'true or false',
  pubkey: 'a 33-byte compressed public key as 66 hex characters',
  hex: 'hex characters',
  amount_or_all: 'an amount in satoshis or "all"',
  msat_or_any: 'an amount in millisatoshis or "any"',
  feerate: 'a feerate: N (sat per 1000 weight), Nperkw, Nperkb, urgent, normal or slow',
};

/** describeForm says in words what a parameter of this type looks like. */
export function describeForm(t: ParamType): string {
  return FORMS[t];
}

function bad(p: ParamSpec, got: unknown): KiteError {
  const shown = typeof got === 'string' ? JSON.stringify(got.length > 80 ? got.slice(0, 80) + '...' : got) : String(got);
  return new KiteError(RpcErrors.INVALID_PARAMS, `invalid parameter '${p.name}': expected ${FORMS[p.type]}, got ${shown}`);
}

/** coerce checks one value against its spec and returns it in canonical form. */
export function coerceParam(p: ParamSpec, v: unknown): unknown {
  switch (p.type) {
    case 'string':
      if (typeof v !== 'string') throw bad(p, v);
      return v;
    case 'integer': {
      const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw bad(p, v);
      return n;
    }
    case 'number': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(p, v);
      return n;
    }
    case 'boolean':
      if (v === true || v === 'true') return true;
      if (v === false || v === 'false') return false;
      throw bad(p, v);
    case 'pubkey':
      if (typeof v !== 'string' || !/^0[23][0-9a-fA-F]{64}$/.test(v)) throw bad(p, v);
      return v.toLowerCase();
    case 'hex':
      if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(v)) throw bad(p, v);
      return v.toLowerCase();
    case 'amount_or_all':
      if (v === 'all') return 'all';
      if ((typeof v === 'number' && Number.isSafeInteger(v) && v > 0) || (typeof v === 'string' && /^[1-9]\d*$/.test(v))) return BigInt(v);
      throw bad(p, v);
    case 'feerate':
      if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
      if (typeof v === 'string' && /^(\d+(perkw|perkb)?|urgent|normal|slow)$/.test(v)) return /^\d+$/.test(v) ? Number(v) : v;
      throw bad(p, v);
    case 'msat_or_any':
      if (v === 'any') return 'any';
      if ((typeof v === 'number' && Number.isSafeInteger(v) && v > 0) || (typeof v === 'string' && /^[1-9]\d*$/.test(v))) return BigInt(v);
      throw bad(p, v);
  }
}

/**
 * normalizeParams turns positional or named params into a checked, named record, as Core
 * Lightning's JSON-RPC accepts both. Unknown names and missing required params are errors
 * that name the parameter.
 */
export function normalizeParams(spec: MethodSpec, raw: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (raw === undefined || raw === null) raw = [];
  if (Array.isArray(raw)) {
    if (raw.length > spec.params.length) {
      throw new KiteError(RpcErrors.INVALID_PARAMS, `${spec.name} takes at most ${spec.params.length} parameter(s), got ${raw.length}`);
    }
    raw.forEach((v, i) => {
      if (v !== null && v !== undefined) out[spec.params[i].name] = v;
    });
  } else if (typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (!spec.params.some((p) => p.name === k)) {
        throw new KiteError(RpcErrors.INVALID_PARAMS, `unknown parameter '${k}' for ${spec.name} (known: ${spec.params.map((p) => p.name).join(', ') || 'none'})`);
      }
      if (v !== null && v !== undefined) out[k] = v;
    }
  } else {
    throw new KiteError(RpcErrors.INVALID_PARAMS, 'params must be an array or an object');
  }
  for (const p of spec.params) {
    if (out[p.name] === undefined) {
      if (p.required) throw new KiteError(RpcErrors.INVALID_PARAMS, `missing required parameter '${p.name}': ${p.description}`);
      continue;
    }
    out[p.name] = coerceParam(p, out[p.name]);
  }
  return out;
}

/** usage renders a one-line synopsis: `connect id [host] [port]`. */
export function usage(spec: MethodSpec): string {
  return [spec.name, ...spec.params.map((p) => (p.required ? p.name : `[${p.name}]`))].join(' ');
}
