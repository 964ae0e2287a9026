/**
 * Bit-field constants against the tables in the BOLT text (07 channel_update flags, 02
 * channel_flags and retransmit_flags).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNEL_UPDATE_CHANNEL_FLAGS, CHANNEL_UPDATE_MESSAGE_FLAGS, OPEN_CHANNEL_FLAGS, RETRANSMIT_FLAGS } from '../../src/wire/index.ts';
import { boltText } from './spec-text.ts';

/** bitTable reads the `| Bit Position | Name |` table that follows a line containing `after`. */
function bitTable(text: string, after: string): Record<string, number> {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.includes(after));
  assert.ok(start >= 0, `no line containing ${after}`);
  const out: Record<string, number> = {};
  for (let i = start + 1; i < lines.length; i++) {
    const m = /^\|\s*(\d+)\s*\|\s*`(\w+)`\s*\|/.exec(lines[i]!);
    if (m) out[m[2]!] = 1 << Number(m[1]);
    else if (Object.keys(out).length > 0 && !lines[i]!.startsWith('|')) break;
  }
  return out;
}

test('channel_update channel_flags and message_flags', () => {
  const t7 = boltText('07-routing-gossip.md');
  assert.deepEqual({ ...CHANNEL_UPDATE_CHANNEL_FLAGS }, bitTable(t7, 'The `channel_flags` bitfield'));
  assert.deepEqual({ ...CHANNEL_UPDATE_MESSAGE_FLAGS }, bitTable(t7, 'The `message_flags` bitfield'));
});

test('channel_reestablish retransmit_flags and open_channel channel_flags', () => {
  const t2 = boltText('02-peer-protocol.md');
  assert.deepEqual({ commitment_signed: RETRANSMIT_FLAGS.commitment_signed }, bitTable(t2, 'The `next_funding.retransmit_flags` bitfield'));
  assert.deepEqual({ announcement_signatures: RETRANSMIT_FLAGS.announcement_signatures }, bitTable(t2, 'The `my_current_funding_locked.retransmit_flags` bitfield'));
  assert.match(t2, /Only the least-significant bit of `channel_flags` is currently\s+defined: `announce_channel`/);
  assert.equal(OPEN_CHANNEL_FLAGS.announce_channel, 1);
});
