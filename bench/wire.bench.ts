/**
 * bench/wire: message codec rates (messages per second) for `init`, `channel_update` and
 * `update_add_htlc` (with its 1366-byte onion), encode and decode.
 *
 * Baseline, measured in the same run: `Uint8Array.prototype.slice` of the same encoded
 * message — one allocation plus a memcpy of exactly the bytes the codec produces or
 * consumes, the floor any codec that returns fresh bytes pays. ratio = value / baseline
 * (1.0 would be a codec as cheap as copying the message once). Baseline and codec are
 * measured in alternating short rounds and the median round is reported, because the
 * machine is shared.
 */
import { opsPerSec, report } from './harness.ts';
import { msat, shortChannelId } from '../src/lib/index.ts';
import { decodeMessage, encodeMessage, kiteInitFeatures, type WireMessage } from '../src/wire/index.ts';

const ROUNDS = 5;
const MS = 120;

function paired(baseline: () => unknown, ours: () => unknown): { value: number; baseline: number } {
  const rounds: { value: number; baseline: number; ratio: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const b = opsPerSec(baseline, MS, 64);
    const v = opsPerSec(ours, MS, 16);
    rounds.push({ value: v, baseline: b, ratio: v / b });
  }
  rounds.sort((a, b) => a.ratio - b.ratio);
  return rounds[Math.floor(ROUNDS / 2)]!;
}

export async function run(): Promise<void> {
  const chain = new Uint8Array(32).fill(0x06);
  const messages: [string, WireMessage][] = [
    [
      'init',
      {
        type: 'init',
        globalfeatures: new Uint8Array(0),
        features: kiteInitFeatures().toBytes(),
        tlvs: { networks: [chain], remote_addr: { type: 'ipv4', addr: Uint8Array.of(203, 0, 113, 7), port: 9735 } },
      },
    ],
    [
      'channel_update',
      {
        type: 'channel_update',
        signature: new Uint8Array(64).fill(0x30),
        chain_hash: chain,
        short_channel_id: shortChannelId(800_000, 1234, 1),
        timestamp: 1_700_000_000,
        message_flags: 1,
        channel_flags: 1,
        cltv_expiry_delta: 80,
        htlc_minimum_msat: msat(1000),
        fee_base_msat: msat(1000),
        fee_proportional_millionths: 100,
        htlc_maximum_msat: msat(990_000_000),
      },
    ],
    [
      'update_add_htlc',
      {
        type: 'update_add_htlc',
        channel_id: new Uint8Array(32).fill(1),
        id: 42n,
        amount_msat: msat(1_000_000),
        payment_hash: new Uint8Array(32).fill(2),
        cltv_expiry: 800_144,
        onion_routing_packet: new Uint8Array(1366).fill(3),
        tlvs: {},
      },
    ],
  ];
  for (const [name, m] of messages) {
    const bytes = encodeMessage(m);
    const copy = () => bytes.slice();
    const enc = paired(copy, () => encodeMessage(m));
    report({ name: `wire.encode.${name}`, value: enc.value, unit: 'msg/s', baseline: `Uint8Array.slice of the ${bytes.length}-byte message`, baseline_value: enc.baseline, bytes: bytes.length });
    const dec = paired(copy, () => decodeMessage(bytes));
    report({ name: `wire.decode.${name}`, value: dec.value, unit: 'msg/s', baseline: `Uint8Array.slice of the ${bytes.length}-byte message`, baseline_value: dec.baseline, bytes: bytes.length });
  }
}
