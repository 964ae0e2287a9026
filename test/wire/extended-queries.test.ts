/**
 * BOLT #7 gossip query vectors (bolt07/extended-queries.json), read from the file.
 * Uncompressed vectors must decode to the listed values and re-encode byte for byte. Vectors
 * using zlib (encoding type 1) must be rejected: BOLT #7 "`1`: Previously used for zlib
 * compression, this encoding MUST NOT be used."
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, fromHex, parseScid, toHex } from '../../src/lib/index.ts';
import { decodeMessage, encodeMessage, QUERY_OPTION, type MessageByName } from '../../src/wire/index.ts';
import { specFile } from './spec-text.ts';

interface Vector {
  hex: string;
  msg: Record<string, any>;
}

const vectors = JSON.parse(specFile('bolt07/extended-queries.json')) as Vector[];

const usesZlib = (v: Vector): boolean => JSON.stringify(v.msg).includes('COMPRESSED_ZLIB');

const scids = (arr: string[]) => arr.map((s) => parseScid(s));

describe('BOLT #7 extended gossip query vectors', () => {
  test('the file has uncompressed and zlib vectors of the three query messages', () => {
    assert.ok(vectors.length >= 10);
    assert.ok(vectors.some(usesZlib));
    assert.deepEqual(new Set(vectors.map((v) => v.msg.type)), new Set(['QueryChannelRange', 'ReplyChannelRange', 'QueryShortChannelIds']));
  });

  vectors.forEach((v, i) => {
    test(`#${i} ${v.msg.type}${usesZlib(v) ? ' (zlib: rejected)' : ''}`, () => {
      const bytes = fromHex(v.hex);
      if (usesZlib(v)) {
        assert.throws(() => decodeMessage(bytes), (e: unknown) => e instanceof DecodeError && /zlib/.test(e.message));
        return;
      }
      const m = decodeMessage(bytes);
      assert.equal(toHex(encodeMessage(m)), v.hex);
      switch (v.msg.type) {
        case 'QueryChannelRange': {
          assert.equal(m.type, 'query_channel_range');
          const q = m as MessageByName<'query_channel_range'>;
          assert.equal(toHex(q.chain_hash), v.msg.chainHash);
          assert.equal(q.first_blocknum, v.msg.firstBlockNum);
          assert.equal(q.number_of_blocks, v.msg.numberOfBlocks);
          const want = (v.msg.tlvStream.records as string[]).flatMap((r) => r.split('|').map((x) => QUERY_OPTION[x.trim() as keyof typeof QUERY_OPTION]));
          if (want.length === 0) assert.equal(q.tlvs.query_option, undefined);
          else assert.equal(q.tlvs.query_option, want.reduce((a, b) => a | b, 0n));
          break;
        }
        case 'ReplyChannelRange': {
          assert.equal(m.type, 'reply_channel_range');
          const r = m as MessageByName<'reply_channel_range'>;
          assert.equal(toHex(r.chain_hash), v.msg.chainHash);
          assert.equal(r.first_blocknum, v.msg.firstBlockNum);
          assert.equal(r.number_of_blocks, v.msg.numberOfBlocks);
          assert.equal(r.sync_complete, v.msg.complete);
          assert.deepEqual(r.encoded_short_ids, scids(v.msg.shortChannelIds.array));
          if (v.msg.timestamps) {
            assert.deepEqual(
              r.tlvs.timestamps_tlv,
              v.msg.timestamps.timestamps.map((t: { timestamp1: string; timestamp2: string }) => ({ timestamp_node_id_1: Number(t.timestamp1), timestamp_node_id_2: Number(t.timestamp2) })),
            );
          } else assert.equal(r.tlvs.timestamps_tlv, undefined);
          if (v.msg.checksums) {
            assert.deepEqual(
              r.tlvs.checksums_tlv,
              v.msg.checksums.checksums.map((c: { checksum1: string; checksum2: string }) => ({ checksum_node_id_1: Number(c.checksum1), checksum_node_id_2: Number(c.checksum2) })),
            );
          } else assert.equal(r.tlvs.checksums_tlv, undefined);
          break;
        }
        case 'QueryShortChannelIds': {
          assert.equal(m.type, 'query_short_channel_ids');
          const q = m as MessageByName<'query_short_channel_ids'>;
          assert.equal(toHex(q.chain_hash), v.msg.chainHash);
          assert.deepEqual(q.encoded_short_ids, scids(v.msg.shortChannelIds.array));
          const recs = v.msg.tlvStream.records as { array: number[] }[];
          if (recs.length === 0) assert.equal(q.tlvs.query_flags, undefined);
          else assert.deepEqual(q.tlvs.query_flags, recs[0]!.array.map((x) => BigInt(x)));
          break;
        }
        default:
          assert.fail(`unexpected vector type ${v.msg.type}`);
      }
    });
  });
});
