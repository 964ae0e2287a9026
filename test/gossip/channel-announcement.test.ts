/**
 * BOLT #7 channel_announcement: every receiving-node requirement and its response, the
 * funding output check (missing, spent, wrong script, unconfirmed, capacity from its value),
 * and the funding script against BOLT #3's own vector.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, sat, shortChannelId, toHex } from '../../src/lib/index.ts';
import { decodeMessage, type MessageByName } from '../../src/wire/index.ts';
import { p2wshScript, p2wpkhScript } from '../../src/bitcoin/index.ts';
import { checkChannelAnnouncement, checkFundingOutput, fundingScriptPubKey, firstUnknownEvenBit, type GossipContext } from '../../src/gossip/index.ts';
import { CHAIN, key, makeChannel } from './fixtures.ts';

const ctx: GossipContext = { chainHashes: [CHAIN] };
const decodeAnn = (raw: Uint8Array) => decodeMessage(raw) as MessageByName<'channel_announcement'>;

describe('channel_announcement signatures and form', () => {
  test('a valid announcement passes with its short_channel_id', () => {
    const c = makeChannel('alice', 'bob');
    const r = checkChannelAnnouncement(c.announcement, decodeAnn(c.announcement), ctx);
    assert.ok(r.ok);
    assert.equal(r.value.scid, c.scid);
    assert.equal(r.value.unknownEvenFeature, null);
  });

  test('an unknown chain_hash is ignored', () => {
    const c = makeChannel('alice', 'bob', undefined, { chain: new Uint8Array(32).fill(7) });
    const r = checkChannelAnnouncement(c.announcement, decodeAnn(c.announcement), ctx);
    assert.deepEqual(r.ok ? null : [r.action, r.code], ['ignore', 'unknown_chain']);
  });

  test('node_id_1 greater than node_id_2 is refused with a warning', () => {
    const c = makeChannel('alice', 'bob', undefined, { swapNodes: true });
    const r = checkChannelAnnouncement(c.announcement, decodeAnn(c.announcement), ctx);
    assert.deepEqual(r.ok ? null : [r.action, r.code], ['warn', 'node_ids_unordered']);
  });

  test('node_id_1 equal to node_id_2 is refused with a warning', () => {
    const c = makeChannel('alice', 'alice');
    const r = checkChannelAnnouncement(c.announcement, decodeAnn(c.announcement), ctx);
    assert.deepEqual(r.ok ? null : [r.action, r.code], ['warn', 'node_ids_unordered']);
  });

  for (const [i, name] of ['node_signature_1', 'node_signature_2', 'bitcoin_signature_1', 'bitcoin_signature_2'].entries()) {
    test(`a bad ${name} gets a warning and the message is ignored`, () => {
      const c = makeChannel('alice', 'bob');
      const raw = c.announcement.slice();
      raw[2 + 64 * i + 10]! ^= 1;
      const r = checkChannelAnnouncement(raw, decodeAnn(raw), ctx);
      assert.ok(!r.ok);
      assert.equal(r.action, 'warn');
      assert.equal(r.code, 'bad_signature');
      assert.match(r.reason, new RegExp(name));
    });
  }

  test('signatures cover every byte after them (a changed bitcoin key breaks them)', () => {
    const c = makeChannel('alice', 'bob');
    const raw = c.announcement.slice();
    const other = key('mallory').pub;
    raw.set(other, raw.length - 33); // bitcoin_key_2
    const r = checkChannelAnnouncement(raw, decodeAnn(raw), ctx);
    assert.deepEqual(r.ok ? null : r.code, 'bad_signature');
  });

  test('signatures from swapped bitcoin keys do not verify', () => {
    const c = makeChannel('alice', 'bob');
    const m = decodeAnn(c.announcement);
    const raw = c.announcement.slice();
    raw.set(m.bitcoin_signature_2, 2 + 128);
    raw.set(m.bitcoin_signature_1, 2 + 192);
    assert.equal(checkChannelAnnouncement(raw, decodeAnn(raw), ctx).ok, false);
  });

  test('an unknown even feature bit is accepted but marks the channel unroutable; odd is fine', () => {
    const even = makeChannel('alice', 'bob', undefined, { features: Uint8Array.of(0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00) });
    const r = checkChannelAnnouncement(even.announcement, decodeAnn(even.announcement), ctx);
    assert.ok(r.ok);
    assert.equal(r.value.unknownEvenFeature, 80);
    assert.equal(firstUnknownEvenBit(Uint8Array.of(0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), null); // bit 81
  });
});

describe('channel_announcement funding output', () => {
  const c = makeChannel('alice', 'bob', shortChannelId(700_000, 5, 1), { capacity: sat(2_500_000) });
  const ann = decodeAnn(c.announcement);

  test('the capacity is the value of the P2WSH 2-of-2 output', () => {
    const r = checkFundingOutput(ann, c.funding);
    assert.ok(r.ok);
    assert.equal(r.value.capacity, 2_500_000n);
  });

  test('a missing output is ignored', () => {
    assert.deepEqual(reason(checkFundingOutput(ann, null)), ['ignore', 'funding_missing']);
  });

  test('a spent output is ignored', () => {
    assert.deepEqual(reason(checkFundingOutput(ann, { ...c.funding, spent: true })), ['ignore', 'funding_spent']);
  });

  test('a P2WSH of other keys, a P2WPKH, or a 2-of-2 of the node keys are ignored', () => {
    const other = fundingScriptPubKey(key('x').pub, key('y').pub);
    assert.deepEqual(reason(checkFundingOutput(ann, { ...c.funding, script: other })), ['ignore', 'funding_wrong_script']);
    assert.deepEqual(reason(checkFundingOutput(ann, { ...c.funding, script: p2wpkhScript(new Uint8Array(20)) })), ['ignore', 'funding_wrong_script']);
    // the node keys instead of the bitcoin keys
    const nodeKeys = fundingScriptPubKey(c.node1.pub, c.node2.pub);
    assert.deepEqual(reason(checkFundingOutput(ann, { ...c.funding, script: nodeKeys })), ['ignore', 'funding_wrong_script']);
  });

  test('fewer than 6 confirmations is ignored; 6 is enough; the threshold is the caller’s', () => {
    assert.deepEqual(reason(checkFundingOutput(ann, { ...c.funding, confirmations: 5 })), ['ignore', 'funding_unconfirmed']);
    assert.ok(checkFundingOutput(ann, { ...c.funding, confirmations: 6 }).ok);
    assert.ok(checkFundingOutput(ann, { ...c.funding, confirmations: 5 }, 5).ok);
  });

  test('an output of zero value gives no channel', () => {
    assert.deepEqual(reason(checkFundingOutput(ann, { ...c.funding, value: sat(0) })), ['ignore', 'funding_wrong_script']);
  });

  test('the funding script is BOLT #3 Appendix B’s, in either key order', () => {
    const text = readFileSync(new URL('../../../shared/spec/bolts/03-transactions.md', import.meta.url), 'utf8');
    const local = /local_funding_pubkey: ([0-9a-f]{66})/.exec(text)![1]!;
    const remote = /remote_funding_pubkey: ([0-9a-f]{66})/.exec(text)![1]!;
    const script = /# funding witness script = ([0-9a-f]+)/.exec(text)![1]!;
    const want = toHex(p2wshScript(fromHex(script)));
    assert.equal(toHex(fundingScriptPubKey(fromHex(local), fromHex(remote))), want);
    assert.equal(toHex(fundingScriptPubKey(fromHex(remote), fromHex(local))), want);
  });
});

function reason(r: { ok: boolean; action?: string; code?: string }): [string, string] | null {
  return r.ok ? null : [r.action!, r.code!];
}
