/**
 * Field codecs for the BOLT #1 "Fundamental Types" and the few composite shapes the message
 * tables need (length-prefixed arrays, "rest of the value" arrays, structs). A Codec knows
 * how to append one value to a Writer and read one value from a Reader; message schemas
 * (bolt1.ts, bolt2.ts, bolt7.ts) are ordered lists of these.
 *
 * Decoders throw only DecodeError (via Reader or directly). Encoders throw RangeError or
 * TypeError for values that cannot be represented: that is a bug in the caller, not bad
 * peer input.
 */
import { DecodeError } from '../lib/errors.ts';
import { Reader, Writer } from '../lib/reader.ts';
import { readBigSize, writeBigSize } from '../lib/bigsize.ts';
import type { Msat, Sat, ShortChannelId } from '../lib/units.ts';
import { isPublicKey } from '../crypto/index.ts';
import { decodeTu64, encodeTu64 } from './tlv.ts';

/**
 * Shape describes a codec's value space as data, so that tests can generate random valid
 * values and docs can print a message table from the schema alone.
 */
export type Shape =
  | { kind: 'uint'; bytes: 1 | 2 | 4 | 8; big: boolean }
  | { kind: 'sint'; bytes: 1 | 2 | 4 | 8 }
  | { kind: 'tu'; bytes: 2 | 4 | 8 }
  | { kind: 'bigsize' }
  | { kind: 'bytes'; len: number | 'u16' | 'rest' }
  | { kind: 'point' }
  | { kind: 'array'; count: 'u16' | 'rest' | 'encoded'; of: Codec<any> }
  | { kind: 'framed'; of: Codec<any> }
  | { kind: 'struct'; fields: Record<string, Codec<any>> }
  | { kind: 'flag' }
  | { kind: 'address' }
  | { kind: 'address_list' };

/** Codec<T> reads and writes one value of type T. */
export interface Codec<T> {
  /** The spec's name for the type, for error messages and docs. */
  readonly name: string;
  /** What values look like (see Shape). */
  readonly shape: Shape;
  write(w: Writer, v: T): void;
  read(r: Reader): T;
}

/** CodecValue<C> is the TypeScript type a codec produces. */
export type CodecValue<C> = C extends Codec<infer V> ? V : never;

const U64_MAX = 0xffffffffffffffffn;

function checkInt(v: number, max: number, name: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${name} out of range: ${v}`);
}
function checkBig(v: bigint, name: string): void {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) throw new RangeError(`${name} out of range: ${String(v)}`);
}

/** `byte` / `u8`: an 8-bit unsigned integer. */
export const u8: Codec<number> = {
  name: 'u8',
  shape: { kind: 'uint', bytes: 1, big: false },
  write: (w, v) => (checkInt(v, 0xff, 'u8'), w.u8(v)),
  read: (r) => r.u8(),
};
/** `u16`: a 2 byte unsigned integer. */
export const u16: Codec<number> = {
  name: 'u16',
  shape: { kind: 'uint', bytes: 2, big: false },
  write: (w, v) => (checkInt(v, 0xffff, 'u16'), w.u16(v)),
  read: (r) => r.u16(),
};
/** `u32`: a 4 byte unsigned integer. */
export const u32: Codec<number> = {
  name: 'u32',
  shape: { kind: 'uint', bytes: 4, big: false },
  write: (w, v) => (checkInt(v, 0xffffffff, 'u32'), w.u32(v)),
  read: (r) => r.u32(),
};
/** `u64`: an 8 byte unsigned integer (as bigint). */
export const u64: Codec<bigint> = {
  name: 'u64',
  shape: { kind: 'uint', bytes: 8, big: true },
  write: (w, v) => (checkBig(v, 'u64'), w.u64(v)),
  read: (r) => r.u64(),
};
/** A `u64` holding millisatoshis (field names ending in `_msat`). */
export const u64Msat = u64 as Codec<Msat>;
/** A `u64` holding satoshis (field names ending in `_satoshis`). */
export const u64Sat = u64 as Codec<Sat>;

/**
 * Signed integers (BOLT #1: "Signed integers use standard big-endian two's complement
 * representation"). s8/s16/s32 are numbers, s64 is a bigint.
 */
function signedNumber(bytes: 1 | 2 | 4): Codec<number> {
  const bits = bytes * 8;
  const min = -(2 ** (bits - 1));
  const max = 2 ** (bits - 1) - 1;
  const name = `s${bits}`;
  return {
    name,
    shape: { kind: 'sint', bytes },
    write(w, v) {
      if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} out of range: ${v}`);
      const u = v < 0 ? v + 2 ** bits : v;
      if (bytes === 1) w.u8(u);
      else if (bytes === 2) w.u16(u);
      else w.u32(u);
    },
    read(r) {
      const u = bytes === 1 ? r.u8() : bytes === 2 ? r.u16() : r.u32();
      return u > max ? u - 2 ** bits : u;
    },
  };
}
/** `s8`: an 8-bit signed integer. */
export const s8 = signedNumber(1);
/** `s16`: a 2 byte signed integer. */
export const s16 = signedNumber(2);
/** `s32`: a 4 byte signed integer. */
export const s32 = signedNumber(4);
/** `s64`: an 8 byte signed integer (as bigint). */
export const s64: Codec<bigint> = {
  name: 's64',
  shape: { kind: 'sint', bytes: 8 },
  write(w, v) {
    if (typeof v !== 'bigint' || v < -(1n << 63n) || v >= 1n << 63n) throw new RangeError(`s64 out of range: ${String(v)}`);
    w.u64(BigInt.asUintN(64, v));
  },
  read: (r) => BigInt.asIntN(64, r.u64()),
};

/**
 * Truncated unsigned integers (BOLT #1: "Leading zeros in truncated integers MUST be
 * omitted"). They only appear as the final value of a TLV record, so they take the rest of
 * the record's bytes.
 */
function truncated(maxBytes: 2 | 4 | 8): Codec<bigint> {
  const name = `tu${maxBytes * 8}`;
  const max = (1n << BigInt(maxBytes * 8)) - 1n;
  return {
    name,
    shape: { kind: 'tu', bytes: maxBytes },
    write(w, v) {
      if (typeof v !== 'bigint' || v < 0n || v > max) throw new RangeError(`${name} out of range: ${String(v)}`);
      w.bytes(encodeTu64(v));
    },
    read: (r) => decodeTu64(r.rest(), maxBytes),
  };
}
/** `tu16`: a 0 to 2 byte truncated unsigned integer. */
export const tu16 = truncated(2);
/** `tu32`: a 0 to 4 byte truncated unsigned integer. */
export const tu32 = truncated(4);
/** `tu64`: a 0 to 8 byte truncated unsigned integer. */
export const tu64 = truncated(8);
/** A `tu64` holding millisatoshis. */
export const tu64Msat = tu64 as Codec<Msat>;

/** `bigsize`: the minimally-encoded variable-length integer (BOLT #1 Appendix A). */
export const bigsize: Codec<bigint> = {
  name: 'bigsize',
  shape: { kind: 'bigsize' },
  write: (w, v) => writeBigSize(w, v),
  read: (r) => readBigSize(r),
};

/** fixedBytes(n): an `n*byte` field. */
export function fixedBytes(n: number, name = `${n}*byte`): Codec<Uint8Array> {
  return {
    name,
    shape: { kind: 'bytes', len: n },
    write(w, v) {
      if (!(v instanceof Uint8Array) || v.length !== n) throw new RangeError(`${name} must be ${n} bytes, got ${v instanceof Uint8Array ? v.length : typeof v}`);
      w.bytes(v);
    },
    read: (r) => r.bytes(n).slice(),
  };
}

/** `chain_hash`: a 32-byte chain identifier. */
export const chainHash = fixedBytes(32, 'chain_hash');
/** `channel_id`: a 32-byte channel id. */
export const channelId = fixedBytes(32, 'channel_id');
/** `sha256`: a 32-byte SHA2-256 hash. */
export const sha256Hash = fixedBytes(32, 'sha256');
/** `signature`: a 64-byte compact ECDSA signature. */
export const signature = fixedBytes(64, 'signature');
/** `bip340sig`: a 64-byte Schnorr signature. */
export const bip340sig = fixedBytes(64, 'bip340sig');

/**
 * `point`: a 33-byte compressed secp256k1 point. Decoding checks that it is a valid point
 * (BOLT #1 Appendix B rejects a `node_id` that "is not a valid point").
 */
export const point: Codec<Uint8Array> = {
  name: 'point',
  shape: { kind: 'point' },
  write(w, v) {
    if (!(v instanceof Uint8Array) || v.length !== 33) throw new RangeError('point must be 33 bytes');
    w.bytes(v);
  },
  read(r) {
    const b = r.bytes(33);
    if ((b[0] !== 2 && b[0] !== 3) || !isPublicKey(b)) throw new DecodeError('point is not a valid compressed secp256k1 point');
    return b.slice();
  },
};

/** `short_channel_id`: 8 bytes, block height (3), tx index (3), output index (2). */
export const shortChannelId: Codec<ShortChannelId> = {
  name: 'short_channel_id',
  shape: { kind: 'uint', bytes: 8, big: true },
  write: (w, v) => (checkBig(v, 'short_channel_id'), w.u64(v)),
  read: (r) => r.u64() as ShortChannelId,
};

/** `...*byte` at the end of a TLV value or message: all remaining bytes. */
export const restBytes: Codec<Uint8Array> = {
  name: '...*byte',
  shape: { kind: 'bytes', len: 'rest' },
  write: (w, v) => {
    if (!(v instanceof Uint8Array)) throw new TypeError('expected Uint8Array');
    w.bytes(v);
  },
  read: (r) => r.rest().slice(),
};

/** restOf(c): `...*c`, elements of c until the value ends. */
export function restOf<T>(c: Codec<T>): Codec<T[]> {
  return {
    name: `...*${c.name}`,
    shape: { kind: 'array', count: 'rest', of: c },
    write(w, vs) {
      if (!Array.isArray(vs)) throw new TypeError(`expected an array of ${c.name}`);
      for (const v of vs) c.write(w, v);
    },
    read(r) {
      const out: T[] = [];
      while (!r.done()) out.push(c.read(r));
      return out;
    },
  };
}

/**
 * u16Bytes: `[u16:len][len*byte:data]`, one field in our tables (the length is implied by
 * the array).
 */
export const u16Bytes: Codec<Uint8Array> = {
  name: 'u16*byte',
  shape: { kind: 'bytes', len: 'u16' },
  write(w, v) {
    if (!(v instanceof Uint8Array)) throw new TypeError('expected Uint8Array');
    if (v.length > 0xffff) throw new RangeError(`byte array of ${v.length} bytes does not fit a u16 length`);
    w.u16(v.length).bytes(v);
  },
  read: (r) => r.bytes(r.u16()).slice(),
};

/** u16Counted(c): `[u16:num][num*c:items]`. */
export function u16Counted<T>(c: Codec<T>): Codec<T[]> {
  return {
    name: `u16*${c.name}`,
    shape: { kind: 'array', count: 'u16', of: c },
    write(w, vs) {
      if (!Array.isArray(vs)) throw new TypeError(`expected an array of ${c.name}`);
      if (vs.length > 0xffff) throw new RangeError('too many items for a u16 count');
      w.u16(vs.length);
      for (const v of vs) c.write(w, v);
    },
    read(r) {
      const n = r.u16();
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(c.read(r));
      return out;
    },
  };
}

/** u16Framed(c): `[u16:len][len*byte]` whose bytes are exactly one value of c. */
export function u16Framed<T>(c: Codec<T>): Codec<T> {
  return {
    name: `u16[${c.name}]`,
    shape: { kind: 'framed', of: c },
    write(w, v) {
      const inner = new Writer();
      c.write(inner, v);
      const b = inner.finish();
      if (b.length > 0xffff) throw new RangeError(`${c.name} of ${b.length} bytes does not fit a u16 length`);
      w.u16(b.length).bytes(b);
    },
    read(r) {
      const inner = new Reader(r.bytes(r.u16()));
      const v = c.read(inner);
      if (!inner.done()) throw new DecodeError(`${inner.remaining} trailing bytes after ${c.name}`);
      return v;
    },
  };
}

type StructValue<F> = { -readonly [K in keyof F]: CodecValue<F[K]> };

/** struct(fields): consecutive fields, read into an object (field order = key order). */
export function struct<F extends Record<string, Codec<any>>>(fields: F, name = 'struct'): Codec<StructValue<F>> {
  const entries = Object.entries(fields);
  return {
    name,
    shape: { kind: 'struct', fields },
    write(w, v) {
      if (typeof v !== 'object' || v === null) throw new TypeError(`${name} must be an object`);
      for (const [k, c] of entries) c.write(w, (v as Record<string, unknown>)[k]);
    },
    read(r) {
      const out: Record<string, unknown> = {};
      for (const [k, c] of entries) out[k] = c.read(r);
      return out as StructValue<F>;
    },
  };
}

/** flag: a TLV record with no data (presence is the value), e.g. `require_confirmed_inputs`. */
export const empty: Codec<true> = {
  name: 'empty',
  shape: { kind: 'flag' },
  write: (_w, v) => {
    if (v !== true) throw new TypeError('a flag record is written as true');
  },
  read: () => true,
};
