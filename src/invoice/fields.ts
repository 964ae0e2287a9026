/**
 * Tagged fields (BOLT #11 "Tagged Fields"): each is `type` (5 bits), `data_length` (10 bits)
 * and `data_length` 5-bit words. This file reads one field's data into a TaggedField and
 * writes one back, applying the reader and writer rules of each type.
 */
import { msat, type NodeId, type ShortChannelId } from '../lib/index.ts';
import { bytesToWords, CHARSET, wordsToBytesExact } from './bech32.ts';
import { InvoiceError, type InvoiceErrorField } from './errors.ts';
import { featureBytesToWords, featureWordsToBytes } from './features.ts';
import { fallbackProblem } from './fallback-address.ts';
import type { RouteHintHop, TaggedField } from './types.ts';

/** Field type numbers (the 5-bit value of the tag letter). */
export const FIELD_TYPE = {
  p: 1,
  r: 3,
  '9': 5,
  x: 6,
  f: 9,
  d: 13,
  s: 16,
  n: 19,
  h: 23,
  c: 24,
  m: 27,
} as const;

/** The largest `data_length` a tagged field can carry (10 bits). */
export const MAX_FIELD_WORDS = 1023;

/** The size of one route hint hop in bytes: pubkey 33, scid 8, fee base 4, fee rate 4, cltv delta 2. */
const HOP_BYTES = 51;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** tagLetter renders a field type as its bech32 letter (`p`, `s`, `9`, ...). */
export function tagLetter(type: number): string {
  return CHARSET[type];
}

function bytesOf(field: InvoiceErrorField, words: Uint8Array, start: number, len: number): Uint8Array {
  const b = wordsToBytesExact(words, start, start + len);
  if (b === null) throw new InvoiceError(field, `${field} field data is not zero-padded to a byte boundary`);
  return b;
}

/**
 * readUint reads a `x` or `c` value. BOLT #11: "if a `c`, `x`, or `9` field is provided
 * which has a non-minimal `data_length` (i.e. begins with 0 field elements): SHOULD treat the
 * invoice as invalid."
 */
function readUint(field: 'x' | 'c', words: Uint8Array, start: number, len: number): number {
  if (len > 0 && words[start] === 0) throw new InvoiceError(field, `${field} field has a non-minimal data_length (leading zero field elements)`);
  if (len > 10) throw new InvoiceError(field, `${field} field value is too large (${len} field elements)`);
  let v = 0;
  for (let i = start; i < start + len; i++) v = v * 32 + words[i];
  return v;
}

function readRoute(words: Uint8Array, start: number, len: number): RouteHintHop[] {
  const b = bytesOf('r', words, start, len);
  if (b.length === 0 || b.length % HOP_BYTES !== 0) {
    throw new InvoiceError('r', `r field must hold one or more ${HOP_BYTES}-byte hops, got ${b.length} bytes`);
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const hops: RouteHintHop[] = [];
  for (let o = 0; o < b.length; o += HOP_BYTES) {
    hops.push({
      pubkey: b.slice(o, o + 33) as NodeId,
      shortChannelId: dv.getBigUint64(o + 33) as ShortChannelId,
      feeBaseMsat: msat(dv.getUint32(o + 41)),
      feeProportionalMillionths: dv.getUint32(o + 45),
      cltvExpiryDelta: dv.getUint16(o + 49),
    });
  }
  return hops;
}

/**
 * readField interprets the data of one tagged field. Fields that the reader must skip come
 * back as `raw` with the reason, so that they are kept and re-encoded in place.
 */
export function readField(type: number, words: Uint8Array, start: number, len: number): TaggedField {
  switch (type) {
    case FIELD_TYPE.p:
    case FIELD_TYPE.s:
    case FIELD_TYPE.h: {
      // A `p`, `h` or `s` whose data_length is not 52 is skipped (kept as `raw`). The current
      // reader text says "MUST fail the payment if any field with fixed `data_length` (`p`,
      // `h`, `s`, `n`) does not have the correct length (52, 52, 52, 53).", but the spec's own
      // valid example "Same, but including fields which must be ignored." carries such fields
      // and must decode; skipping satisfies both where a correct field is also present, and a
      // missing `p`/`s` still fails below (decodeInvoice).
      if (len !== 52) return { tag: 'raw', type, words: words.slice(start, start + len), reason: 'wrong-length' };
      const letter = tagLetter(type) as 'p' | 's' | 'h';
      const v = bytesOf(letter, words, start, len);
      if (letter === 'p') return { tag: 'p', paymentHash: v };
      if (letter === 's') return { tag: 's', paymentSecret: v };
      return { tag: 'h', descriptionHash: v };
    }
    case FIELD_TYPE.n: {
      if (len !== 53) return { tag: 'raw', type, words: words.slice(start, start + len), reason: 'wrong-length' };
      return { tag: 'n', payee: bytesOf('n', words, start, len) as NodeId };
    }
    case FIELD_TYPE.d: {
      const b = bytesOf('d', words, start, len);
      let description: string;
      try {
        description = utf8Decoder.decode(b);
      } catch {
        throw new InvoiceError('d', 'd field (description) is not valid UTF-8');
      }
      return { tag: 'd', description };
    }
    case FIELD_TYPE.m:
      return { tag: 'm', metadata: bytesOf('m', words, start, len) };
    case FIELD_TYPE.x:
      return { tag: 'x', expirySeconds: readUint('x', words, start, len) };
    case FIELD_TYPE.c:
      return { tag: 'c', minFinalCltvExpiryDelta: readUint('c', words, start, len) };
    case FIELD_TYPE['9']: {
      if (len > 0 && words[start] === 0) throw new InvoiceError('9', '9 field (features) has a non-minimal data_length (leading zero field elements)');
      return { tag: '9', features: featureWordsToBytes(words, start, start + len) };
    }
    case FIELD_TYPE.f: {
      if (len === 0) throw new InvoiceError('f', 'f field (fallback address) is empty');
      const version = words[start];
      // BOLT #11: "MUST skip over `f` fields that use an unknown `version`."
      if (version > 18) return { tag: 'raw', type, words: words.slice(start, start + len), reason: 'unknown-version' };
      const program = bytesOf('f', words, start + 1, len - 1);
      const fallback = { version, program };
      const problem = fallbackProblem(fallback);
      if (problem !== null) throw new InvoiceError('f', `f field: ${problem}`);
      return { tag: 'f', fallback };
    }
    case FIELD_TYPE.r:
      return { tag: 'r', route: readRoute(words, start, len) };
    default:
      return { tag: 'raw', type, words: words.slice(start, start + len), reason: 'unknown-type' };
  }
}

function uintWords(field: 'x' | 'c', v: number): Uint8Array {
  if (!Number.isSafeInteger(v) || v < 0) throw new InvoiceError(field, `${field} must be a non-negative integer, got ${v}`);
  const out: number[] = [];
  while (v > 0) {
    out.unshift(v % 32);
    v = Math.floor(v / 32);
  }
  return Uint8Array.from(out);
}

function need(field: 'p' | 's' | 'h' | 'n', b: Uint8Array, n: number, what: string): Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== n) throw new InvoiceError(field, `${what} must be ${n} bytes`);
  return bytesToWords(b);
}

/** fieldWords encodes a tagged field's type and data words (without the header). */
export function fieldWords(f: TaggedField): { type: number; data: Uint8Array } {
  switch (f.tag) {
    case 'p':
      return { type: FIELD_TYPE.p, data: need('p', f.paymentHash, 32, 'payment_hash') };
    case 's':
      return { type: FIELD_TYPE.s, data: need('s', f.paymentSecret, 32, 'payment_secret') };
    case 'h':
      return { type: FIELD_TYPE.h, data: need('h', f.descriptionHash, 32, 'description_hash') };
    case 'n':
      return { type: FIELD_TYPE.n, data: need('n', f.payee, 33, 'payee public key') };
    case 'd':
      return { type: FIELD_TYPE.d, data: bytesToWords(utf8Encoder.encode(f.description)) };
    case 'm':
      return { type: FIELD_TYPE.m, data: bytesToWords(f.metadata) };
    case 'x':
      return { type: FIELD_TYPE.x, data: uintWords('x', f.expirySeconds) };
    case 'c':
      return { type: FIELD_TYPE.c, data: uintWords('c', f.minFinalCltvExpiryDelta) };
    case '9':
      return { type: FIELD_TYPE['9'], data: featureBytesToWords(f.features) };
    case 'f': {
      const problem = fallbackProblem(f.fallback);
      if (problem !== null) throw new InvoiceError('f', problem);
      const prog = bytesToWords(f.fallback.program);
      const data = new Uint8Array(prog.length + 1);
      data[0] = f.fallback.version;
      data.set(prog, 1);
      return { type: FIELD_TYPE.f, data };
    }
    case 'r': {
      if (f.route.length === 0) throw new InvoiceError('r', 'a route hint needs at least one hop');
      const b = new Uint8Array(f.route.length * HOP_BYTES);
      const dv = new DataView(b.buffer);
      f.route.forEach((h, i) => {
        const o = i * HOP_BYTES;
        if (h.pubkey.length !== 33) throw new InvoiceError('r', 'route hint pubkey must be 33 bytes');
        if (h.feeBaseMsat < 0n || h.feeBaseMsat > 0xffffffffn) throw new InvoiceError('r', 'route hint fee_base_msat must fit 32 bits');
        if (!Number.isInteger(h.feeProportionalMillionths) || h.feeProportionalMillionths < 0 || h.feeProportionalMillionths > 0xffffffff) {
          throw new InvoiceError('r', 'route hint fee_proportional_millionths must fit 32 bits');
        }
        if (!Number.isInteger(h.cltvExpiryDelta) || h.cltvExpiryDelta < 0 || h.cltvExpiryDelta > 0xffff) throw new InvoiceError('r', 'route hint cltv_expiry_delta must fit 16 bits');
        if (h.shortChannelId < 0n || h.shortChannelId > 0xffffffffffffffffn) throw new InvoiceError('r', 'route hint short_channel_id must fit 64 bits');
        b.set(h.pubkey, o);
        dv.setBigUint64(o + 33, h.shortChannelId);
        dv.setUint32(o + 41, Number(h.feeBaseMsat));
        dv.setUint32(o + 45, h.feeProportionalMillionths);
        dv.setUint16(o + 49, h.cltvExpiryDelta);
      });
      return { type: FIELD_TYPE.r, data: bytesToWords(b) };
    }
    case 'raw':
      if (!Number.isInteger(f.type) || f.type < 0 || f.type > 31) throw new InvoiceError('tagged-field', `field type ${f.type} out of range`);
      for (const w of f.words) if (w > 31) throw new InvoiceError('tagged-field', 'raw field word out of range');
      return { type: f.type, data: f.words };
  }
}
