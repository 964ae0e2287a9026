/**
 * bench/onion: BOLT #4 Sphinx costs against their secp256k1 floor, measured in the same run
 * with libsecp256k1 native (the `secp256k1` package):
 *  - peeling one layer needs one ECDH and one public-key tweak-multiplication (the next
 *    ephemeral key); the floor runs exactly those two native calls.
 *  - building a 20-hop onion needs 20 ECDH, 20 base-point multiplications (each hop's
 *    ephemeral public key) and 19 scalar tweak-multiplications (the blinded private keys);
 *    the floor runs those 59 native calls.
 * ratio = floor_time / our_time (1.0 would mean hashing, streaming and copying were free).
 * The machine is shared, so floor and Kite are measured in alternating short rounds, by
 * process CPU time rather than wall time (time spent descheduled by other processes does
 * not count), and the median round is reported.
 */
import { nativeSecp, report } from './harness.ts';
import { getPublicKey } from '../src/crypto/index.ts';
import { createOnion, peelOnion } from '../src/onion/index.ts';

const ROUNDS = 7;
const MS = 250;

type Native = ReturnType<typeof nativeSecp> & { privateKeyTweakMul(k: Uint8Array, t: Uint8Array): Uint8Array };

/** cpuOpsPerSec runs fn for about `ms` ms of CPU time and returns calls per CPU second. */
function cpuOpsPerSec(fn: () => unknown, ms: number, batch: number): number {
  for (let i = 0; i < batch * 4; i++) fn(); // warm-up
  const start = process.cpuUsage();
  let n = 0;
  let used = 0;
  while (used < ms * 1000) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    const d = process.cpuUsage(start);
    used = d.user + d.system;
  }
  return (n * 1e6) / used;
}

/** Alternates floor and candidate measurements; returns the median-ratio round. */
function paired(floor: () => unknown, ours: () => unknown, batch: number): { value: number; baseline: number; ratio: number } {
  const rounds: { value: number; baseline: number; ratio: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const baseline = cpuOpsPerSec(floor, MS, batch);
    const value = cpuOpsPerSec(ours, MS, batch);
    rounds.push({ value, baseline, ratio: value / baseline });
  }
  rounds.sort((a, b) => a.ratio - b.ratio);
  return rounds[ROUNDS >> 1];
}

export async function run(): Promise<void> {
  const n = nativeSecp() as Native;
  const keys = Array.from({ length: 20 }, (_, i) => new Uint8Array(32).fill(i + 1));
  const pubs = keys.map((key) => getPublicKey(key));
  const hops = pubs.map((pubkey) => ({ pubkey, payload: new Uint8Array(30).fill(7) }));
  const ad = new Uint8Array(32).fill(0x42);
  const sessionKey = new Uint8Array(32).fill(0x41);
  const { packet } = createOnion({ sessionKey, hops, associatedData: ad });
  const tweak = new Uint8Array(32).fill(0x03);

  // Peel one layer: hop 0 of the 20-hop onion (a forwarding hop, so the next key is computed).
  const peel = paired(
    () => {
      n.ecdh(pubs[1], keys[0]);
      n.publicKeyTweakMul(pubs[1], tweak, true);
    },
    () => peelOnion(packet, keys[0], ad),
    4,
  );
  report({ name: 'onion.peel', value: peel.value, unit: 'ops/cpu-s', baseline: 'libsecp256k1 native: 1 ecdh + 1 pubkey tweak-mul', baseline_value: peel.baseline, ratio: peel.ratio });

  const build = paired(
    () => {
      let k: Uint8Array = sessionKey;
      for (let i = 0; i < 20; i++) {
        n.publicKeyCreate(k, true);
        n.ecdh(pubs[i], k);
        if (i < 19) k = n.privateKeyTweakMul(Uint8Array.from(k), tweak);
      }
    },
    () => createOnion({ sessionKey, hops, associatedData: ad }),
    1,
  );
  report({ name: 'onion.build20', value: build.value, unit: 'ops/cpu-s', baseline: 'libsecp256k1 native: 20 ecdh + 20 pubkey-create + 19 privkey tweak-mul', baseline_value: build.baseline, ratio: build.ratio });
}
