/**
 * Message schemas: a message is described once, as data (name, type number, ordered fields,
 * TLV records), and one generic encoder/decoder walks that description (DESIGN.md "Wire
 * messages are described once, as a schema table per BOLT"). The TypeScript type of every
 * message is derived from its schema, so the tables are the single source of truth.
 */
import { DecodeError } from '../lib/errors.ts';
import { Reader, Writer } from '../lib/reader.ts';
import type { Codec, CodecValue } from './codec.ts';
import { readTlvStream, writeTlvStream, type TlvRecord } from './tlv.ts';

/** TlvSpec describes one known record of a TLV stream: its type number and value codec. */
export interface TlvSpec<V> {
  readonly type: bigint;
  readonly codec: Codec<V>;
}

/** tlv(type, codec) declares a TLV record. */
export function tlv<V>(type: number | bigint, codec: Codec<V>): TlvSpec<V> {
  return { type: BigInt(type), codec };
}

/** TlvValues maps a record table to the optional decoded values. */
export type TlvValues<T> = { -readonly [K in keyof T]?: T[K] extends TlvSpec<infer V> ? V : never };

/** Simplify flattens an intersection for readable editor hints. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** MessageSchema: one wire message. */
export interface MessageSchema<N extends string, F extends Record<string, Codec<any>>, T extends Record<string, TlvSpec<any>>> {
  readonly name: N;
  readonly type: number;
  readonly fields: F;
  readonly tlvs: T;
  /** Precomputed [name, codec] pairs in wire order. */
  readonly fieldList: ReadonlyArray<readonly [string, Codec<unknown>]>;
  /** Precomputed [name, spec] pairs of the TLV records. */
  readonly tlvList: ReadonlyArray<readonly [string, TlvSpec<unknown>]>;
  /** Known TLV type → [name, spec]. */
  readonly tlvByType: ReadonlyMap<bigint, readonly [string, TlvSpec<unknown>]>;
}

/** AnySchema is any message schema. */
export type AnySchema = MessageSchema<string, Record<string, Codec<any>>, Record<string, TlvSpec<any>>>;

type TlvsPart<T> = keyof T extends never ? { tlvs?: Record<string, never> } : { tlvs: TlvValues<T> };

/**
 * MessageOf<S> is the decoded value of schema S: `{ type: name, ...fields, tlvs, unknownTlvs? }`.
 * `unknownTlvs` holds odd TLV records we do not understand; they are re-encoded verbatim.
 */
export type MessageOf<S> =
  S extends MessageSchema<infer N, infer F, infer T>
    ? Simplify<{ type: N } & { -readonly [K in keyof F]: CodecValue<F[K]> } & TlvsPart<T> & { unknownTlvs?: TlvRecord[] }>
    : never;

/** msg declares a message schema. Field order is the key order of `fields`. */
export function msg<const N extends string, F extends Record<string, Codec<any>>, T extends Record<string, TlvSpec<any>> = {}>(
  name: N,
  type: number,
  fields: F,
  tlvs?: T,
): MessageSchema<N, F, T> {
  const t = (tlvs ?? {}) as T;
  const tlvList = Object.entries(t) as [string, TlvSpec<unknown>][];
  const tlvByType = new Map<bigint, readonly [string, TlvSpec<unknown>]>();
  for (const e of tlvList) {
    if (tlvByType.has(e[1].type)) throw new Error(`schema ${name}: duplicate tlv type ${e[1].type}`);
    tlvByType.set(e[1].type, e);
  }
  const fieldList = Object.entries(fields) as [string, Codec<unknown>][];
  return { name, type, fields, tlvs: t, fieldList, tlvList, tlvByType };
}

/**
 * writeTlvs encodes the known records of `values` (skipping undefined) plus the unknown
 * records, in strictly increasing type order.
 */
export function writeTlvs(w: Writer, list: AnySchema['tlvList'], values: Record<string, unknown> | undefined, unknown: TlvRecord[] | undefined): void {
  if (!values && (!unknown || unknown.length === 0)) return;
  const records: TlvRecord[] = [];
  if (values) {
    for (const [name, spec] of list) {
      const v = values[name];
      if (v === undefined) continue;
      const inner = new Writer(64);
      spec.codec.write(inner, v);
      records.push({ type: spec.type, value: inner.finish() });
    }
  }
  if (unknown) records.push(...unknown);
  if (records.length === 0) return;
  writeTlvStream(w, records);
}

/**
 * readTlvs decodes a TLV stream with the given known records.
 *
 * BOLT #1: "if `length` is not exactly equal to that required for the known encoding for
 * `type`: MUST fail to parse the `tlv_stream`." and "if `type` is even: MUST fail to parse
 * the `tlv_stream`." (for unknown types; checked by readTlvStream).
 */
export function readTlvs(r: Reader, byType: AnySchema['tlvByType']): { tlvs: Record<string, unknown>; unknownTlvs: TlvRecord[] } {
  const tlvs: Record<string, unknown> = {};
  const unknownTlvs: TlvRecord[] = [];
  const records = readTlvStream(r, (t) => byType.has(t));
  for (const rec of records) {
    const known = byType.get(rec.type);
    if (!known) {
      unknownTlvs.push({ type: rec.type, value: rec.value.slice() });
      continue;
    }
    const vr = new Reader(rec.value);
    const v = known[1].codec.read(vr);
    if (!vr.done()) throw new DecodeError(`tlv ${known[0]} (type ${rec.type}): ${vr.remaining} bytes longer than its encoding`);
    tlvs[known[0]] = v;
  }
  return { tlvs, unknownTlvs };
}

/** encodeBody writes a message's fields and TLV extension (without the 2-byte type). */
export function encodeBody(w: Writer, s: AnySchema, m: Record<string, unknown>): void {
  for (const [name, c] of s.fieldList) {
    const v = m[name];
    if (v === undefined) throw new TypeError(`${s.name}: missing field ${name}`);
    c.write(w, v);
  }
  writeTlvs(w, s.tlvList, m.tlvs as Record<string, unknown> | undefined, m.unknownTlvs as TlvRecord[] | undefined);
}

/**
 * decodeBody reads a message's fields and its TLV extension.
 *
 * BOLT #1: "upon receiving a known message with insufficient length for the contents: MUST
 * close the connection." (a DecodeError from the Reader) and "if the `extension` is invalid:
 * MUST close the connection." Whatever follows the known fields is parsed as the TLV
 * `extension`, so trailing garbage is a DecodeError (BOLT #1 Appendix C:
 * "`0x00100000000001`: the extension is present but truncated").
 */
export function decodeBody(r: Reader, s: AnySchema): Record<string, unknown> {
  const out: Record<string, unknown> = { type: s.name };
  for (const [name, c] of s.fieldList) out[name] = c.read(r);
  if (r.done()) {
    if (s.tlvList.length > 0) out.tlvs = {};
    return out;
  }
  const { tlvs, unknownTlvs } = readTlvs(r, s.tlvByType);
  if (s.tlvList.length > 0) out.tlvs = tlvs;
  if (unknownTlvs.length > 0) out.unknownTlvs = unknownTlvs;
  return out;
}
