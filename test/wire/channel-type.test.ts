/**
 * BOLT #2 "Defined Channel Types": the two basic types and their scid_alias / zeroconf
 * variations, and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Features, encodeChannelType, parseChannelType, type ChannelType } from '../../src/wire/index.ts';

test('every defined type round-trips with the smallest bitmap', () => {
  for (const base of ['static_remotekey', 'anchors'] as const) {
    for (const scidAlias of [false, true]) {
      for (const zeroconf of [false, true]) {
        const t: ChannelType = { base, scidAlias, zeroconf };
        const b = encodeChannelType(t);
        assert.deepEqual(parseChannelType(b), t);
        assert.notEqual(b[0], 0, 'no leading zero byte');
        const f = Features.fromBytes(b);
        assert.ok(f.isRequired('option_static_remotekey'));
        assert.equal(f.isRequired('option_anchors'), base === 'anchors');
        assert.equal(f.isRequired('option_scid_alias'), scidAlias);
        assert.equal(f.isRequired('option_zeroconf'), zeroconf);
      }
    }
  }
  assert.equal(Features.fromBytes(encodeChannelType({ base: 'anchors', scidAlias: false, zeroconf: false })).toHex(), '401000');
});

test('bits that do not form a defined type are refused', () => {
  const bad = [[], [22], [13], [12, 23], [12, 13], [12, 200], [12, 22, 44], [46, 50]];
  for (const bits of bad) assert.equal(parseChannelType(Features.fromBits(bits).toBytes()), null, `bits ${bits.join(',')}`);
});
