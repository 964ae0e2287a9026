/**
 * bench/commitment: building and signing the counterparty's commitment transaction with 0,
 * 10 and 483 HTLCs (what `commitment_signed` costs), against the floor of the signatures it
 * must make (one per HTLC plus the commitment) with libsecp256k1 native, measured in
 * alternating slices of process CPU time in the same run, so machine load affects both alike.
 * ratio = floor time / our time, the median over 5 rounds (1.0 = nothing but signing;
 * target >= 0.6).
 */
import { msat, sat } from '../src/lib/index.ts';
import { sha256 } from '../src/crypto/index.ts';
import { deriveCommitmentKeys, InMemorySigner, obscuringFactor } from '../src/keys/index.ts';
import { signCounterpartyCommitment, type CommitmentHtlc, type CommitmentInput, type CommitmentType } from '../src/channel/index.ts';
import { nativeSecp, report } from './harness.ts';

/**
 * cpuOpsPerSec is opsPerSec measured in this process's CPU time (process.cpuUsage) rather
 * than wall time, so that other processes on a loaded shared machine do not count against
 * whichever side happened to be running when they were scheduled.
 */
function cpuOpsPerSec(fn: () => unknown, ms: number): number {
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const warmEnd = cpu() + Math.min(50, ms / 4);
  while (cpu() < warmEnd) fn();
  let n = 0;
  const start = cpu();
  let now = start;
  while (now - start < ms) {
    fn();
    n++;
    now = cpu();
  }
  return (n * 1000) / (now - start);
}

function inputFor(n: number, type: CommitmentType, us: InMemorySigner, them: InMemorySigner): CommitmentInput {
  const htlcs: CommitmentHtlc[] = Array.from({ length: n }, (_, i) => ({
    direction: i % 2 === 0 ? 'offered' : 'received',
    amount: msat(1_000_000n + BigInt(i) * 1000n),
    paymentHash: sha256(Uint8Array.of(i & 0xff, i >> 8)),
    cltvExpiry: 800_000 + i,
  }));
  const htlcTotal = htlcs.reduce((a, h) => a + h.amount, 0n);
  // Their commitment: its "local" is them.
  const point = them.perCommitmentPoint(42n);
  return {
    type,
    funding: { txid: new Uint8Array(32).fill(1), vout: 0 },
    fundingAmount: sat(10_000_000n),
    localFundingPubkey: them.pubkeys.fundingPubkey,
    remoteFundingPubkey: us.pubkeys.fundingPubkey,
    keys: deriveCommitmentKeys(them.pubkeys, us.pubkeys, point),
    toLocal: msat(6_000_000_000n - htlcTotal),
    toRemote: msat(4_000_000_000n),
    localIsFunder: false,
    feeratePerKw: 253,
    toSelfDelay: 144,
    dustLimit: sat(546n),
    htlcs,
    commitmentNumber: 42n,
    obscuringFactor: obscuringFactor(us.pubkeys.paymentBasepoint, them.pubkeys.paymentBasepoint),
  };
}

export async function run(): Promise<void> {
  const native = nativeSecp();
  const us = InMemorySigner.fromNodeSecret(sha256(Uint8Array.of(1)), 0n);
  const them = InMemorySigner.fromNodeSecret(sha256(Uint8Array.of(2)), 0n);
  const priv = sha256(Uint8Array.of(3));
  const msgs = Array.from({ length: 484 }, (_, i) => sha256(Uint8Array.of(i & 0xff, i >> 8, 7)));
  const types = ['anchors', 'static_remotekey'] as const;
  const sizes = [0, 10, 483];
  const floorFor = (n: number) => (): void => {
    for (let i = 0; i <= n; i++) native.ecdsaSign(msgs[i]!, priv);
  };
  // Warm the JIT on every shape (ours and the floor's) first, so the first figure is not penalised.
  for (let pass = 0; pass < 2; pass++) {
    for (const type of types) {
      for (const n of sizes) {
        const input = inputFor(n, type, us, them);
        cpuOpsPerSec(() => signCounterpartyCommitment(us, input), 40);
        cpuOpsPerSec(floorFor(n), 40);
      }
    }
  }
  for (const type of types) {
    for (const n of sizes) {
      const input = inputFor(n, type, us, them);
      const check = signCounterpartyCommitment(us, input);
      if (check.htlcSignatures.length !== n) throw new Error('unexpected trimming in benchmark setup');
      const floorFn = floorFor(n);
      const oursFn = (): void => void signCounterpartyCommitment(us, input);
      // Alternate short slices of floor and ours; the median of the per-round ratios is
      // robust to load on a shared machine drifting between measurements.
      const slice = n === 483 ? 150 : 60;
      const ratios: number[] = [];
      let floorRate = 0;
      let ourRate = 0;
      for (let round = 0; round < 5; round++) {
        const f = cpuOpsPerSec(floorFn, slice);
        const o = cpuOpsPerSec(oursFn, slice);
        floorRate += f / 5;
        ourRate += o / 5;
        ratios.push(o / f);
      }
      ratios.sort((a, b) => a - b);
      report({
        name: `commitment.build_and_sign.${type}.${n}_htlcs`,
        value: ourRate,
        unit: 'commitments/s',
        baseline: `libsecp256k1 native ecdsaSign x ${n + 1}`,
        baseline_value: floorRate,
        ratio: ratios[2]!,
      });
    }
  }
}
