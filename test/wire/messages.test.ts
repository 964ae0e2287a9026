/**
 * Message codecs, case by case: the byte layouts BOLT #1/#2/#7 give, TLV extensions, address
 * descriptors, and the errors for malformed input and unencodable values.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, fromHex, msat, Reader, sat, shortChannelId, toHex, Writer } from '../../src/lib/index.ts';
import { getPublicKey } from '../../src/crypto/index.ts';
import { base32nopad } from '@scure/base';
import { addressList, decodeMessage, encodeMessage, formatAddress, MESSAGE_TYPES, messageTypeNumber, type MessageByName, type WireMessage } from '../../src/wire/index.ts';

const P = getPublicKey(new Uint8Array(32).fill(3));
const Q = getPublicKey(new Uint8Array(32).fill(4));
const Z32 = new Uint8Array(32);
const SIG = new Uint8Array(64).fill(0x11);

const roundTrip = <M extends WireMessage>(m: M): M => {
  const back = decodeMessage(encodeMessage(m)) as M;
  assert.deepStrictEqual(back, m);
  return back;
};

describe('BOLT #1 messages', () => {
  test('init: [u16:gflen][gflen*byte][u16:flen][flen*byte] then networks (1) and remote_addr (3)', () => {
    const chain = new Uint8Array(32).fill(0xab);
    const m: MessageByName<'init'> = {
      type: 'init',
      globalfeatures: new Uint8Array(0),
      features: fromHex('0a'),
      tlvs: { networks: [chain], remote_addr: { type: 'ipv4', addr: Uint8Array.of(10, 0, 0, 1), port: 9735 } },
    };
    const hex = toHex(encodeMessage(m));
    assert.equal(hex, '0010' + '0000' + '0001' + '0a' + '0120' + 'ab'.repeat(32) + '0307' + '01' + '0a000001' + '2607');
    roundTrip(m);
  });

  test('init with several networks and an IPv6 remote_addr', () => {
    roundTrip({
      type: 'init',
      globalfeatures: fromHex('02'),
      features: fromHex('088a52a1'),
      tlvs: { networks: [Z32, new Uint8Array(32).fill(1)], remote_addr: { type: 'ipv6', addr: new Uint8Array(16).fill(0xfe), port: 1 } },
    });
  });

  test('init networks must be whole chain hashes', () => {
    assert.throws(() => decodeMessage(fromHex('001000000000' + '0105' + '0102030405')), DecodeError);
  });

  test('ping / pong layouts', () => {
    assert.equal(toHex(encodeMessage({ type: 'ping', num_pong_bytes: 3, ignored: new Uint8Array(2) })), '0012' + '0003' + '0002' + '0000');
    assert.equal(toHex(encodeMessage({ type: 'pong', ignored: new Uint8Array(3) })), '0013' + '0003' + '000000');
    assert.deepStrictEqual(decodeMessage(fromHex('00130000')), { type: 'pong', ignored: new Uint8Array(0) });
  });

  test('error and warning: channel_id, [u16:len][len*byte:data]', () => {
    const data = new TextEncoder().encode('bad thing');
    assert.equal(toHex(encodeMessage({ type: 'error', channel_id: Z32, data })), '0011' + '00'.repeat(32) + '0009' + toHex(data));
    assert.equal(toHex(encodeMessage({ type: 'warning', channel_id: Z32, data })).slice(0, 4), '0001');
    roundTrip({ type: 'warning', channel_id: new Uint8Array(32).fill(7), data });
  });

  test('a message with insufficient length for its contents is a DecodeError', () => {
    // BOLT #1: "upon receiving a known message with insufficient length for the contents: MUST close the connection."
    assert.throws(() => decodeMessage(fromHex('0011' + '00'.repeat(32) + '0009' + '00')), DecodeError);
    assert.throws(() => decodeMessage(fromHex('0012' + '0003')), DecodeError);
  });

  test('trailing bytes after the fields are parsed as the TLV extension', () => {
    // An odd unknown record is kept and re-encoded...
    const m = decodeMessage(fromHex('00130000' + '0501aa'));
    assert.deepStrictEqual(m, { type: 'pong', ignored: new Uint8Array(0), unknownTlvs: [{ type: 5n, value: Uint8Array.of(0xaa) }] });
    assert.equal(toHex(encodeMessage(m)), '00130000' + '0501aa');
    // ... an even one, or a malformed stream, is a DecodeError.
    assert.throws(() => decodeMessage(fromHex('00130000' + '0401aa')), DecodeError);
    assert.throws(() => decodeMessage(fromHex('00130000' + '05')), DecodeError);
  });

  test('MESSAGE_TYPES and messageTypeNumber', () => {
    assert.equal(MESSAGE_TYPES.init, 16);
    assert.equal(MESSAGE_TYPES.update_add_htlc, 128);
    assert.equal(MESSAGE_TYPES.gossip_timestamp_filter, 265);
    assert.equal(messageTypeNumber('channel_update'), 258);
    assert.throws(() => messageTypeNumber('nope' as never), RangeError);
  });
});

describe('BOLT #2 messages', () => {
  const openChannel: MessageByName<'open_channel'> = {
    type: 'open_channel',
    chain_hash: Z32,
    temporary_channel_id: new Uint8Array(32).fill(9),
    funding_satoshis: sat(1_000_000),
    push_msat: msat(0),
    dust_limit_satoshis: sat(546),
    max_htlc_value_in_flight_msat: msat(1n << 40n),
    channel_reserve_satoshis: sat(10_000),
    htlc_minimum_msat: msat(1),
    feerate_per_kw: 253,
    to_self_delay: 144,
    max_accepted_htlcs: 483,
    funding_pubkey: P,
    revocation_basepoint: Q,
    payment_basepoint: P,
    delayed_payment_basepoint: Q,
    htlc_basepoint: P,
    first_per_commitment_point: Q,
    channel_flags: 1,
    tlvs: { upfront_shutdown_script: new Uint8Array(0), channel_type: fromHex('401000') },
  };

  test('open_channel: fixed part is 2 + 319 bytes, then the TLVs', () => {
    const b = encodeMessage(openChannel);
    assert.equal(b.length, 2 + 32 + 32 + 8 * 6 + 4 + 2 + 2 + 33 * 6 + 1 + 2 + 2 + 3);
    roundTrip(openChannel);
  });

  test('an invalid point is a DecodeError', () => {
    const b = encodeMessage(openChannel);
    const off = 2 + 32 + 32 + 48 + 8;
    const bad = b.slice();
    bad[off] = 0x04; // not a compressed point prefix
    assert.throws(() => decodeMessage(bad), DecodeError);
    const notOnCurve = b.slice();
    notOnCurve.set(fromHex('02' + 'ff'.repeat(32)), off); // x beyond the field size
    assert.throws(() => decodeMessage(notOnCurve), DecodeError);
  });

  test('update_add_htlc with a 1366-byte onion and the blinded_path TLV', () => {
    const m: MessageByName<'update_add_htlc'> = {
      type: 'update_add_htlc',
      channel_id: Z32,
      id: 7n,
      amount_msat: msat(123_456),
      payment_hash: new Uint8Array(32).fill(2),
      cltv_expiry: 800_000,
      onion_routing_packet: new Uint8Array(1366).fill(5),
      tlvs: {},
    };
    assert.equal(encodeMessage(m).length, 2 + 32 + 8 + 8 + 32 + 4 + 1366);
    roundTrip(m);
    const blinded = { ...m, tlvs: { blinded_path: P } };
    assert.equal(toHex(encodeMessage(blinded)).slice(-(2 + 2 + 66)), '0021' + toHex(P));
    roundTrip(blinded);
    assert.throws(() => encodeMessage({ ...m, onion_routing_packet: new Uint8Array(1365) }), RangeError);
  });

  test('channel_ready short_channel_id alias TLV, with a wrong length rejected', () => {
    const m: MessageByName<'channel_ready'> = { type: 'channel_ready', channel_id: Z32, second_per_commitment_point: P, tlvs: { short_channel_id: shortChannelId(700_000, 12, 1) } };
    const hex = toHex(encodeMessage(m));
    assert.ok(hex.endsWith('0108' + toHex(new Uint8Array([0x0a, 0xae, 0x60, 0x00, 0x00, 0x0c, 0x00, 0x01]))));
    roundTrip(m);
    // BOLT #1: "if `length` is not exactly equal to that required for the known encoding for `type`: MUST fail to parse"
    assert.throws(() => decodeMessage(fromHex(hex.slice(0, -20) + '0107' + '0aae6000000c00')), DecodeError);
  });

  test('closing_signed fee_range; closing_complete signatures', () => {
    roundTrip({ type: 'closing_signed', channel_id: Z32, fee_satoshis: sat(300), signature: SIG, tlvs: { fee_range: { min_fee_satoshis: sat(200), max_fee_satoshis: sat(400) } } });
    roundTrip({
      type: 'closing_complete',
      channel_id: Z32,
      closer_scriptpubkey: fromHex('0014' + '11'.repeat(20)),
      closee_scriptpubkey: fromHex('0014' + '22'.repeat(20)),
      fee_satoshis: sat(500),
      locktime: 800_000,
      tlvs: { closer_and_closee_outputs: SIG },
    });
  });

  test('commitment_signed: [u16:num_htlcs][num_htlcs*signature]', () => {
    const m: MessageByName<'commitment_signed'> = { type: 'commitment_signed', channel_id: Z32, signature: SIG, htlc_signature: [SIG, SIG, SIG], tlvs: {} };
    assert.equal(encodeMessage(m).length, 2 + 32 + 64 + 2 + 3 * 64);
    roundTrip(m);
  });

  test('channel_reestablish with next_funding and my_current_funding_locked', () => {
    roundTrip({
      type: 'channel_reestablish',
      channel_id: Z32,
      next_commitment_number: 5n,
      next_revocation_number: 4n,
      your_last_per_commitment_secret: new Uint8Array(32).fill(8),
      my_current_per_commitment_point: P,
      tlvs: { next_funding: { next_funding_txid: new Uint8Array(32).fill(1), retransmit_flags: 1 }, my_current_funding_locked: { my_current_funding_locked_txid: new Uint8Array(32).fill(2), retransmit_flags: 0 } },
    });
  });

  test('tx_signatures witnesses and tx_init_rbf signed contribution', () => {
    roundTrip({ type: 'tx_signatures', channel_id: Z32, txid: Z32, witnesses: [fromHex('0201aa'), new Uint8Array(0)], tlvs: { shared_input_signature: SIG } });
    roundTrip({ type: 'tx_init_rbf', channel_id: Z32, locktime: 1, feerate: 2, tlvs: { funding_output_contribution: -5000n, require_confirmed_inputs: true } });
  });

  test('messages larger than 65535 bytes cannot be encoded', () => {
    assert.throws(() => encodeMessage({ type: 'pong', ignored: new Uint8Array(65534) }), RangeError);
    assert.equal(encodeMessage({ type: 'pong', ignored: new Uint8Array(65531) }).length, 65535);
  });
});

describe('BOLT #7 messages', () => {
  test('channel_update is 2 + 136 bytes', () => {
    const m: MessageByName<'channel_update'> = {
      type: 'channel_update',
      signature: SIG,
      chain_hash: Z32,
      short_channel_id: shortChannelId(1, 2, 3),
      timestamp: 1_700_000_000,
      message_flags: 1,
      channel_flags: 0,
      cltv_expiry_delta: 144,
      htlc_minimum_msat: msat(1000),
      fee_base_msat: msat(1000),
      fee_proportional_millionths: 100,
      htlc_maximum_msat: msat(990_000_000),
    };
    assert.equal(encodeMessage(m).length, 2 + 136);
    roundTrip(m);
    assert.throws(() => encodeMessage({ ...m, fee_base_msat: msat(1n << 32n) }), RangeError);
  });

  test('node_announcement with every address descriptor type', () => {
    const m: MessageByName<'node_announcement'> = {
      type: 'node_announcement',
      signature: SIG,
      features: fromHex('0800'),
      timestamp: 1,
      node_id: P,
      rgb_color: fromHex('ff8800'),
      alias: new Uint8Array(32),
      addresses: [
        { type: 'ipv4', addr: Uint8Array.of(1, 2, 3, 4), port: 9735 },
        { type: 'ipv6', addr: new Uint8Array(16).fill(0x20), port: 9735 },
        { type: 'torv3', addr: new Uint8Array(35).fill(1), port: 9735 },
        { type: 'dns', hostname: 'node.example.com', port: 9735 },
      ],
    };
    roundTrip(m);
    assert.deepEqual(m.addresses.map(formatAddress), ['1.2.3.4:9735', '[2020:2020:2020:2020:2020:2020:2020:2020]:9735', `${base32nopad.encode(new Uint8Array(35).fill(1)).toLowerCase()}.onion:9735`, 'node.example.com:9735']);
  });

  test('addresses: an unknown descriptor type keeps the rest verbatim; a short list is a DecodeError', () => {
    const w = new Writer();
    addressList.write(w, [{ type: 'ipv4', addr: Uint8Array.of(1, 2, 3, 4), port: 1 }]);
    const ok = w.finish();
    const withUnknown = fromHex(toHex(ok).replace(/^0007/, '000b') + '09aabbcc');
    const r = addressList.read(new Reader(withUnknown));
    assert.deepStrictEqual(r[1], { type: 'unknown', typeNum: 9, data: fromHex('aabbcc') });
    assert.throws(() => addressList.read(new Reader(fromHex('0005' + '0101020304'))), DecodeError);
    // BOLT #7: "`hostname` bytes MUST be ASCII characters."
    assert.throws(() => addressList.read(new Reader(fromHex('0006' + '0501ff' + '2607'))), DecodeError);
    assert.throws(() => encodeMessage({ type: 'init', globalfeatures: new Uint8Array(0), features: new Uint8Array(0), tlvs: { remote_addr: { type: 'dns', hostname: 'ünï', port: 1 } } }), RangeError);
  });

  test('encoded_short_ids: the encoding byte is required, even for no ids; zlib is refused', () => {
    const m = decodeMessage(fromHex('0105' + '00'.repeat(32) + '0001' + '00')) as MessageByName<'query_short_channel_ids'>;
    assert.deepEqual(m.encoded_short_ids, []);
    assert.throws(() => decodeMessage(fromHex('0105' + '00'.repeat(32) + '0000')), DecodeError);
    assert.throws(() => decodeMessage(fromHex('0105' + '00'.repeat(32) + '0001' + '01')), DecodeError);
    // A partial short_channel_id is a DecodeError.
    assert.throws(() => decodeMessage(fromHex('0105' + '00'.repeat(32) + '0004' + '00010203')), DecodeError);
  });
});
