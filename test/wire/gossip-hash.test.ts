/**
 * BOLT #7 gossip signature coverage and the channel_update checksum (CRC32C, RFC 3720).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { concatBytes, msat, shortChannelId, utf8 } from '../../src/lib/index.ts';
import { getPublicKey, sha256d, signEcdsa, verifyEcdsa } from '../../src/crypto/index.ts';
import { channelUpdateChecksum, crc32c, encodeMessage, gossipSigHash, gossipSignedBytes, type MessageByName } from '../../src/wire/index.ts';

const update: MessageByName<'channel_update'> = {
  type: 'channel_update',
  signature: new Uint8Array(64),
  chain_hash: new Uint8Array(32).fill(6),
  short_channel_id: shortChannelId(700_000, 1, 0),
  timestamp: 1_700_000_000,
  message_flags: 1,
  channel_flags: 0,
  cltv_expiry_delta: 40,
  htlc_minimum_msat: msat(1),
  fee_base_msat: msat(1000),
  fee_proportional_millionths: 1,
  htlc_maximum_msat: msat(1_000_000),
};

describe('CRC32C', () => {
  test('the RFC 3720 / iSCSI check value of "123456789" is 0xe3069283', () => {
    assert.equal(crc32c(utf8('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });
  test('a sum can be continued over a split input (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        assert.equal(crc32c(b, crc32c(a)), crc32c(concatBytes(a, b)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('channel_update checksum', () => {
  test('covers everything but the signature and the timestamp', () => {
    const base = channelUpdateChecksum(encodeMessage(update));
    assert.equal(channelUpdateChecksum(encodeMessage({ ...update, signature: new Uint8Array(64).fill(9) })), base);
    assert.equal(channelUpdateChecksum(encodeMessage({ ...update, timestamp: 1 })), base);
    assert.notEqual(channelUpdateChecksum(encodeMessage({ ...update, fee_base_msat: msat(1001) })), base);
    assert.notEqual(channelUpdateChecksum(encodeMessage({ ...update, short_channel_id: shortChannelId(700_000, 1, 1) })), base);
    const b = encodeMessage(update);
    assert.equal(base, crc32c(concatBytes(b.subarray(66, 106), b.subarray(110))));
    assert.throws(() => channelUpdateChecksum(encodeMessage({ type: 'pong', ignored: new Uint8Array(200) })), RangeError);
  });
});

describe('gossip signatures', () => {
  test('channel_update: signed by its node over the bytes after the signature', () => {
    const priv = new Uint8Array(32).fill(5);
    const unsigned = encodeMessage(update);
    const sig = signEcdsa(gossipSigHash(unsigned), priv);
    const signed = encodeMessage({ ...update, signature: sig });
    assert.deepEqual(gossipSigHash(signed), sha256d(signed.subarray(66)));
    assert.ok(verifyEcdsa(sig, gossipSigHash(signed), getPublicKey(priv)));
    assert.ok(!verifyEcdsa(sig, gossipSigHash(encodeMessage({ ...update, signature: sig, cltv_expiry_delta: 41 })), getPublicKey(priv)));
  });

  test('channel_announcement: the hash skips all four signatures', () => {
    const pk = (n: number) => getPublicKey(new Uint8Array(32).fill(n));
    const ann: MessageByName<'channel_announcement'> = {
      type: 'channel_announcement',
      node_signature_1: new Uint8Array(64),
      node_signature_2: new Uint8Array(64),
      bitcoin_signature_1: new Uint8Array(64),
      bitcoin_signature_2: new Uint8Array(64),
      features: new Uint8Array(0),
      chain_hash: new Uint8Array(32),
      short_channel_id: shortChannelId(1, 2, 3),
      node_id_1: pk(1),
      node_id_2: pk(2),
      bitcoin_key_1: pk(3),
      bitcoin_key_2: pk(4),
    };
    const b = encodeMessage(ann);
    assert.equal(gossipSignedBytes(b).length, b.length - 2 - 256);
    assert.deepEqual(gossipSigHash(b), gossipSigHash(encodeMessage({ ...ann, bitcoin_signature_2: new Uint8Array(64).fill(1) })));
    assert.notDeepEqual(gossipSigHash(b), gossipSigHash(encodeMessage({ ...ann, node_id_1: pk(5) })));
    assert.throws(() => gossipSignedBytes(encodeMessage({ type: 'pong', ignored: new Uint8Array(0) })), RangeError);
  });
});
