/**
 * Kite's message tables (bolt1.ts, bolt2.ts, bolt7.ts) against the message and TLV
 * definitions parsed from the BOLT markdown: same names, type numbers, field order and
 * field types, and the same TLV records. A spec change that the tables miss fails here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BOLT1, BOLT2, BOLT7, MESSAGE_TYPES, messageTypeNumber, type AnySchema, type Codec, type TlvSpec } from '../../src/wire/index.ts';
import { boltText, definitions, type SpecField } from './spec-text.ts';

/** The spec type a codec stands for. */
function specType(c: Codec<unknown>): string {
  const s = c.shape;
  switch (s.kind) {
    case 'uint':
      return s.bytes === 1 ? 'byte' : c.name;
    case 'bytes':
      return c.name; // 'u16*byte', 'witness', 'N*byte', '...*byte' or a named fixed type
    case 'framed':
    case 'address_list':
      return 'u16*byte';
    case 'array':
      return s.count === 'u16' ? `u16*${specType(s.of)}` : c.name;
    default:
      return c.name;
  }
}

/**
 * normalise turns the spec's `[u16:len][len*T:x]` pairs into one field `x` of type `u16*T`
 * (how Kite's tables write them) and `u8` into `byte`.
 */
function normalise(fields: SpecField[]): SpecField[] {
  const out: SpecField[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const next = fields[i + 1];
    if (f.type === 'u16' && next && next.type.startsWith(`${f.name}*`)) {
      out.push({ name: next.name, type: `u16*${next.type.slice(f.name.length + 1)}` });
      i++;
      continue;
    }
    out.push({ name: f.name, type: f.type === 'u8' ? 'byte' : f.type });
  }
  return out;
}

/**
 * Records whose Kite value is deliberately shaped differently from the spec's fields (each
 * documented in the table file):
 *  - `remote_addr` (`...*byte`) decodes to one address descriptor, as BOLT #1 requires it be;
 *  - `attribution_data` is kept as its 920 raw bytes for src/onion;
 *  - `[byte:encoding_type][...*byte:encoded_X]` records decode to the item list.
 */
function recordMatches(name: string, fields: SpecField[], spec: TlvSpec<unknown>): string | null {
  const c = spec.codec;
  if (fields.length === 0) return c.shape.kind === 'flag' ? null : `${name}: expected a flag record`;
  if (name === 'remote_addr') return c.shape.kind === 'address' ? null : 'remote_addr: expected an address descriptor';
  if (name === 'attribution_data') return c.shape.kind === 'bytes' && c.shape.len === 920 ? null : 'attribution_data: expected 920 bytes';
  if (fields.length === 2 && fields[0]!.name === 'encoding_type' && fields[1]!.type === '...*byte') {
    return c.shape.kind === 'array' && c.shape.count === 'encoded' ? null : `${name}: expected an encoded array`;
  }
  if (fields.length === 1) {
    const got = specType(c);
    return got === fields[0]!.type ? null : `${name}: spec type ${fields[0]!.type}, Kite ${got}`;
  }
  if (c.shape.kind !== 'struct') return `${name}: expected a struct of ${fields.length} fields`;
  const mine = Object.entries(c.shape.fields).map(([n, fc]) => ({ name: n, type: specType(fc) }));
  const theirs = fields.map((f) => ({ name: f.name, type: f.type === 'u8' ? 'byte' : f.type }));
  return JSON.stringify(mine) === JSON.stringify(theirs) ? null : `${name}: struct ${JSON.stringify(mine)} vs spec ${JSON.stringify(theirs)}`;
}

const TABLES: [string, readonly AnySchema[]][] = [
  ['01-messaging.md', BOLT1 as unknown as AnySchema[]],
  ['02-peer-protocol.md', BOLT2 as unknown as AnySchema[]],
  ['07-routing-gossip.md', BOLT7 as unknown as AnySchema[]],
];

for (const [file, table] of TABLES) {
  describe(`${file} message definitions`, () => {
    const { messages, streams } = definitions(boltText(file));
    const byName = new Map(table.map((s) => [s.name, s]));

    test('every message the spec defines is in the table, and nothing else', () => {
      assert.ok(messages.length > 0);
      assert.deepEqual(new Set(messages.map((m) => m.name)), new Set(table.map((s) => s.name)));
    });

    for (const m of messages) {
      test(`${m.name} (${m.type})`, () => {
        const s = byName.get(m.name);
        assert.ok(s, `no schema for ${m.name}`);
        assert.equal(s.type, m.type);
        assert.equal(MESSAGE_TYPES[m.name as keyof typeof MESSAGE_TYPES], m.type);
        assert.equal(messageTypeNumber(m.name as keyof typeof MESSAGE_TYPES), m.type);
        const mine = s.fieldList.map(([name, c]) => ({ name, type: specType(c) }));
        assert.deepEqual(mine, normalise(m.fields));
        // The stream is named in the last field, or (update_add_htlc, update_fulfill_htlc,
        // update_fail_htlc) follows the message as `<name>_tlvs`.
        const streamName = m.tlvStream ?? `${m.name}_tlvs`;
        const stream = streams.find((x) => x.name === streamName);
        const records = stream?.records ?? [];
        assert.deepEqual(
          s.tlvList.map(([n, t]) => [n, Number(t.type)]),
          records.map((r) => [r.name, r.type]),
          `tlv records of ${m.name}`,
        );
        for (const r of records) {
          const problem = recordMatches(r.name, r.fields, s.tlvs[r.name] as TlvSpec<unknown>);
          assert.equal(problem, null);
        }
      });
    }
  });
}

test('the init message uses the init_tlvs stream of BOLT #1', () => {
  const { streams } = definitions(boltText('01-messaging.md'));
  assert.ok(streams.some((s) => s.name === 'init_tlvs' && s.records.map((r) => r.name).join() === 'networks,remote_addr'));
});
