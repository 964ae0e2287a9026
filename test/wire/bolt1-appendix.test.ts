/**
 * BOLT #1 Appendices A (BigSize), B (TLV streams, namespaces n1/n2), C (message extension)
 * and D (signed integers), read from 01-messaging.md at test time.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, Reader, Writer, fromHex, toHex, readBigSize, writeBigSize, formatScid, type ShortChannelId } from '../../src/lib/index.ts';
import { decodeMessage, encodeMessage, msg, point, readTlvs, s16, s32, s64, s8, shortChannelId, struct, tlv, tu32, tu64, u16, u64, writeTlvs, type Codec } from '../../src/wire/index.ts';
import { appendixB, appendixC, boltText, jsonBlocks, section } from './spec-text.ts';

const bolt1 = boltText('01-messaging.md');

interface BigSizeCase {
  name: string;
  value: string;
  bytes: string;
  exp_error?: string;
}

describe('BOLT #1 Appendix A: BigSize', () => {
  const [decoding, encoding] = jsonBlocks(section(bolt1, '## Appendix A: BigSize Test Vectors')) as [BigSizeCase[], BigSizeCase[]];

  test('the appendix has both vector lists', () => {
    assert.ok(decoding.length >= 18, `decoding vectors: ${decoding.length}`);
    assert.ok(encoding.length >= 8, `encoding vectors: ${encoding.length}`);
  });

  for (const v of decoding) {
    test(`decode: ${v.name}`, () => {
      const r = new Reader(fromHex(v.bytes));
      if (v.exp_error) {
        assert.throws(() => readBigSize(r), (e: unknown) => {
          assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
          // "not canonical" cases must be rejected as such, not as a short read.
          if (/canonical/.test(v.exp_error!)) assert.match(e.message, /canonical/);
          else assert.match(e.message, /end of data/);
          return true;
        });
      } else {
        assert.equal(readBigSize(r), BigInt(v.value));
        assert.ok(r.done());
      }
    });
  }

  for (const v of encoding) {
    test(`encode: ${v.name}`, () => {
      const w = new Writer();
      writeBigSize(w, BigInt(v.value));
      assert.equal(toHex(w.finish()), v.bytes);
    });
  }
});

/** The n1 and n2 namespaces of Appendix B, declared with Kite's own codecs. */
const n1 = msg('n1', 0, {}, {
  tlv1: tlv(1, tu64),
  tlv2: tlv(2, shortChannelId),
  tlv3: tlv(3, struct({ node_id: point, amount_msat_1: u64, amount_msat_2: u64 })),
  tlv4: tlv(254, u16),
});
const n2 = msg('n2', 0, {}, { tlv1: tlv(0, tu64), tlv2: tlv(11, tu32) });
const NS = { n1, n2 };

function decodeNs(ns: 'n1' | 'n2', hex: string): ReturnType<typeof readTlvs> {
  return readTlvs(new Reader(fromHex(hex)), NS[ns].tlvByType);
}

/** parseValues reads "`tlv3` `node_id`=02.. `amount_msat_1`=1" into { tlv3: { node_id, ... } }. */
function parseValues(note: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let cur = '';
  for (const m of note.matchAll(/`(\w+)`(?:=(\S+))?/g)) {
    if (m[2] === undefined) {
      cur = m[1]!;
      out[cur] = {};
    } else out[cur]![m[1]!] = m[2];
  }
  return out;
}

function show(v: unknown): string {
  if (v instanceof Uint8Array) return toHex(v);
  return String(v);
}

describe('BOLT #1 Appendix B: TLV streams', () => {
  const cases = appendixB();

  test('the appendix parses into valid and invalid streams for both namespaces', () => {
    assert.ok(cases.filter((c) => c.valid).length >= 19);
    assert.ok(cases.filter((c) => !c.valid).length >= 38);
    assert.ok(cases.some((c) => c.namespaces.length === 1 && c.namespaces[0] === 'n2'));
  });

  for (const c of cases) {
    for (const ns of c.namespaces) {
      test(`${ns} ${c.valid ? 'decodes' : 'rejects'} 0x${c.hex.slice(0, 40)}${c.hex.length > 40 ? '…' : ''} (${c.note})`, () => {
        if (!c.valid) {
          assert.throws(() => decodeNs(ns, c.hex), DecodeError);
          return;
        }
        const { tlvs, unknownTlvs } = decodeNs(ns, c.hex);
        const expected = parseValues(c.note);
        if (Object.keys(expected).length === 0) {
          // "should correctly decode, and be ignored": no known record, any odd ones kept.
          assert.deepEqual(tlvs, {});
          assert.ok(unknownTlvs.every((r) => r.type % 2n === 1n));
        } else {
          for (const [rec, fields] of Object.entries(expected)) {
            const got = (tlvs as Record<string, unknown>)[rec];
            assert.ok(got !== undefined, `record ${rec} decoded`);
            for (const [field, want] of Object.entries(fields)) {
              // Single-field records hold the value directly; multi-field ones are structs.
              const v: unknown = typeof got === 'object' && !(got instanceof Uint8Array) ? (got as Record<string, unknown>)[field] : got;
              if (field === 'scid') assert.equal(formatScid(v as ShortChannelId), want);
              else if (v instanceof Uint8Array) assert.equal(toHex(v), want);
              else assert.equal(show(v), BigInt(want).toString(), `${rec}.${field}`);
            }
          }
        }
        // Re-encoding what we decoded gives back the canonical stream.
        const w = new Writer();
        writeTlvs(w, NS[ns].tlvList, tlvs, unknownTlvs);
        assert.equal(toHex(w.finish()), c.hex);
      });
    }
  }

  test('appending an invalid stream to a valid stream fails; appending a higher-numbered valid stream succeeds', () => {
    for (const ns of ['n1', 'n2'] as const) {
      const valid = cases.filter((c) => c.valid && c.namespaces.includes(ns));
      const invalid = cases.filter((c) => !c.valid && c.namespaces.includes(ns));
      for (const v of valid) for (const i of invalid) assert.throws(() => decodeNs(ns, v.hex + i.hex), DecodeError, `${ns}: ${v.hex} + ${i.hex}`);
      const types = (hex: string) => {
        const { tlvs, unknownTlvs } = decodeNs(ns, hex);
        const ts = [...unknownTlvs.map((r) => r.type), ...Object.keys(tlvs).map((k) => NS[ns].tlvs[k as keyof typeof n1.tlvs & keyof typeof n2.tlvs]?.type as bigint)];
        return ts.filter((t) => t !== undefined);
      };
      let pairs = 0;
      for (const a of valid) {
        for (const b of valid) {
          const ta = types(a.hex);
          const tb = types(b.hex);
          if (ta.length === 0 || tb.length === 0) continue;
          const maxA = ta.reduce((x, y) => (x > y ? x : y));
          const minB = tb.reduce((x, y) => (x < y ? x : y));
          if (maxA >= minB) continue;
          decodeNs(ns, a.hex + b.hex);
          pairs++;
        }
      }
      assert.ok(pairs > 10, `${ns}: ${pairs} ordered pairs decoded`);
    }
  });
});


describe('BOLT #1 Appendix C: message extension', () => {
  const cases = appendixC();
  test('the appendix lists valid and invalid init messages', () => {
    assert.ok(cases.filter((c) => c.valid).length >= 2);
    assert.ok(cases.filter((c) => !c.valid).length >= 3);
  });
  for (const c of cases) {
    test(`${c.valid ? 'accepts' : 'rejects'} 0x${c.hex}: ${c.note}`, () => {
      if (c.valid) {
        const m = decodeMessage(fromHex(c.hex));
        assert.equal(m.type, 'init');
        // Unknown odd records are kept and re-encoded verbatim.
        assert.equal(toHex(encodeMessage(m)), c.hex);
      } else {
        assert.throws(() => decodeMessage(fromHex(c.hex)), DecodeError);
      }
    });
  }
});

describe('BOLT #1 Appendix D: signed integers', () => {
  const [vectors] = jsonBlocks(section(bolt1, '## Appendix D: Signed Integers Test Vectors')) as [{ value: string; bytes: string }[]];
  test('the appendix has vectors for every width', () => {
    assert.deepEqual(new Set(vectors.map((v) => v.bytes.length / 2)), new Set([1, 2, 4, 8]));
  });
  const codecFor = (len: number): Codec<number> | Codec<bigint> => (len === 1 ? s8 : len === 2 ? s16 : len === 4 ? s32 : s64);
  for (const v of vectors) {
    test(`${v.value} <-> ${v.bytes}`, () => {
      const len = v.bytes.length / 2;
      const c = codecFor(len);
      const value = len === 8 ? BigInt(v.value) : Number(v.value);
      const got = (c as Codec<number | bigint>).read(new Reader(fromHex(v.bytes)));
      assert.equal(got, value);
      const w = new Writer();
      (c as Codec<number | bigint>).write(w, value);
      assert.equal(toHex(w.finish()), v.bytes);
      // The vectors use the smallest width that fits: the next smaller width cannot hold it.
      if (len > 1) {
        const smaller = codecFor(len / 2) as Codec<number | bigint>;
        assert.throws(() => smaller.write(new Writer(), len / 2 === 8 ? BigInt(v.value) : Number(v.value)), RangeError);
      }
    });
  }
});
