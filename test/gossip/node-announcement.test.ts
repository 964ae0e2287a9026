/**
 * BOLT #7 node_announcement: signature, address rules (unknown types skipped, Tor v2 and
 * port 0 ignored, a second hostname dropped and the announcement not forwarded, a too-short
 * `addrlen` a decode error), unknown even features, alias as raw bytes, timestamps.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../../src/lib/index.ts';
import { decodeMessage, encodeMessage, type AddressDescriptor, type MessageByName } from '../../src/wire/index.ts';
import { aliasText, checkNodeAnnouncement, checkNodeAnnouncementTimestamp, cleanAddresses, type GossipContext } from '../../src/gossip/index.ts';
import { CHAIN, key, makeNodeAnnouncement } from './fixtures.ts';

const ctx: GossipContext = { chainHashes: [CHAIN] };
const k = key('node:erin');
type NA = MessageByName<'node_announcement'>;
const check = (raw: Uint8Array) => checkNodeAnnouncement(raw, decodeMessage(raw) as NA, ctx);

const ipv4 = (port = 9735): AddressDescriptor => ({ type: 'ipv4', addr: Uint8Array.of(198, 51, 100, 1), port });
const dns = (hostname: string, port = 9735): AddressDescriptor => ({ type: 'dns', hostname, port });

describe('node_announcement', () => {
  test('a valid announcement passes; its alias stays 32 raw bytes', () => {
    const alias = new Uint8Array(32).fill(0xff); // not UTF-8: kept as bytes, shown with replacement characters
    const r = check(makeNodeAnnouncement(k, 100, { alias }));
    assert.ok(r.ok);
    assert.deepEqual(r.value.msg.alias, alias);
    assert.equal(r.value.relay, true);
    assert.equal(aliasText(alias).length, 32);
    const named = new Uint8Array(32);
    named.set(new TextEncoder().encode('ünïcode'));
    assert.equal(aliasText(named), 'ünïcode');
  });

  test('a bad signature gets a warning', () => {
    const r = check(makeNodeAnnouncement(k, 100, {}, key('mallory')));
    assert.deepEqual(r.ok ? null : [r.action, r.code], ['warn', 'bad_signature']);
    const raw = makeNodeAnnouncement(k, 100);
    raw[raw.length - 1]! ^= 1; // the port of the last address
    assert.equal(check(raw).ok, false);
  });

  test('unknown address types are skipped; the known ones before them kept', () => {
    const r = check(makeNodeAnnouncement(k, 100, { addresses: [ipv4(), { type: 'unknown', typeNum: 42, data: Uint8Array.of(1, 2, 3) }] }));
    assert.ok(r.ok);
    assert.deepEqual(r.value.addresses, [ipv4()]);
    assert.equal(r.value.relay, true);
  });

  test('more than one DNS hostname: the extra one is dropped and the announcement is not forwarded', () => {
    const r = check(makeNodeAnnouncement(k, 100, { addresses: [dns('a.example.com'), dns('b.example.com')] }));
    assert.ok(r.ok);
    assert.deepEqual(r.value.addresses, [dns('a.example.com')]);
    assert.equal(r.value.relay, false);
  });

  test('port 0 on ipv4 / ipv6 / dns is ignored; Tor v2 is ignored', () => {
    const ipv6: AddressDescriptor = { type: 'ipv6', addr: new Uint8Array(16).fill(1), port: 0 };
    const torv2: AddressDescriptor = { type: 'torv2', addr: new Uint8Array(10), port: 9735 };
    const out = cleanAddresses([ipv4(0), ipv6, dns('x.example', 0), torv2, ipv4()]);
    assert.deepEqual(out.addresses, [ipv4()]);
    assert.equal(out.dropped.length, 4);
  });

  test('an addrlen too short for its descriptors does not decode (a warning upstream)', () => {
    const raw = makeNodeAnnouncement(k, 100, { addresses: [ipv4()] });
    // addrlen is the u16 before the 7 address bytes: claim 5 and cut the message there.
    const cut = raw.slice(0, raw.length - 2);
    cut[cut.length - 7] = 0;
    cut[cut.length - 6] = 5;
    assert.throws(() => decodeMessage(cut), DecodeError);
  });

  test('a DNS hostname with non-ASCII bytes does not decode', () => {
    const m = decodeMessage(makeNodeAnnouncement(k, 100, { addresses: [dns('abc')] })) as NA;
    const raw = encodeMessage(m);
    raw[raw.length - 4] = 0xe9; // inside the hostname
    assert.throws(() => decodeMessage(raw), DecodeError);
  });

  test('an unknown even feature bit marks the node unroutable', () => {
    const r = check(makeNodeAnnouncement(k, 100, { features: Uint8Array.of(0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) }));
    assert.ok(r.ok);
    assert.equal(r.value.unknownEvenFeature, 88);
  });

  test('timestamp must be strictly greater than the last one', () => {
    assert.ok(checkNodeAnnouncementTimestamp(0, null).ok);
    assert.ok(checkNodeAnnouncementTimestamp(101, 100).ok);
    const same = checkNodeAnnouncementTimestamp(100, 100);
    assert.deepEqual(same.ok ? null : [same.action, same.code], ['ignore', 'stale']);
    assert.equal(checkNodeAnnouncementTimestamp(99, 100).ok, false);
  });
});
