/**
 * bench/payments: payments per second over one channel between two real `kited` processes
 * (durable storage, loopback, a shared kite-chain), sequentially and with 50 in flight, and
 * the round-trip latency of one payment (the `pay` RPC from call to answer).
 *
 * The floor is the durable commit: synchronous SQLite commits per second on this machine in
 * the same run (bench/store's method, measured just before and after each timed run, on the
 * same file system as the daemons' databases) divided by the commits one payment needs, read
 * from both daemons' counters (`getinfo.store.commits`) before and after each timed run, once
 * every HTLC has been removed from both commitments and lazy commits have landed. Targets: a
 * ratio of at least 0.5, and at most 4 synchronous commits per payment on each side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcClient } from '../src/rpc/client.ts';
import { startChain, startDaemon, waitFor, type ChainProc, type Daemon } from '../scripts/lib/processes.ts';
import { report } from './harness.ts';
import { syncCommitRate } from './store.bench.ts';

const CHANNEL_SAT = 10_000_000;
const AMOUNT_MSAT = 1_000_000; // 1000 sat: above the dust limit, so every HTLC has an output
const WARMUP = 20;
const SEQUENTIAL = 300;
const CONCURRENT = 500;
const IN_FLIGHT = 50;
const TARGET_COMMITS = 4;
const TARGET_RATIO = 0.5;
const BUDGET_MS = 170_000;
const FLOOR_MS = 1000;

const FLOOR = 'durable-commit floor (commits/s ÷ commits per payment)';

async function commits(d: Daemon): Promise<number> {
  const info = (await d.rpc.call('getinfo')) as { store?: { commits?: number } };
  if (typeof info.store?.commits !== 'number') throw new Error(`${d.name}: getinfo has no store.commits`);
  return info.store.commits;
}

async function channel(d: Daemon, peer: string): Promise<any> {
  const r = (await d.rpc.call('listpeerchannels', { id: peer })) as { channels: any[] };
  return r.channels.find((c) => c.state !== 'CLOSED');
}

/** settled waits until no HTLC is left on either side, then for lazy commits to land. */
async function settled(a: Daemon, b: Daemon): Promise<void> {
  await waitFor(
    'all HTLCs removed',
    async () => (await channel(a, b.id)).htlcs.length === 0 && (await channel(b, a.id)).htlcs.length === 0,
    30_000,
    50,
  );
  // A batch that only absorbed peer messages commits lazily within 200 ms (src/node/channels.ts).
  await new Promise((r) => setTimeout(r, 400));
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

interface Measured {
  perSec: number;
  payer: number;
  payee: number;
  latencies: number[];
}

/** timed pays every invoice with at most `inFlight` pays outstanding and counts commits. */
async function timed(payer: Daemon, payee: Daemon, clients: RpcClient[], bolt11s: string[], inFlight: number): Promise<Measured> {
  const [p0, q0] = [await commits(payer), await commits(payee)];
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    clients.slice(0, inFlight).map(async (c) => {
      while (next < bolt11s.length) {
        const bolt11 = bolt11s[next++];
        const s = performance.now();
        const r = (await c.call('pay', { bolt11 })) as { status: string };
        latencies.push(performance.now() - s);
        if (r.status !== 'complete') throw new Error(`payment ended ${r.status}`);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  await settled(payer, payee);
  const [p1, q1] = [await commits(payer), await commits(payee)];
  const n = bolt11s.length;
  return { perSec: (n * 1000) / elapsed, payer: (p1 - p0) / n, payee: (q1 - q0) / n, latencies };
}

export async function run(): Promise<void> {
  let chain: ChainProc | null = null;
  const daemons: Daemon[] = [];
  // The daemons' kite-dirs are made here so they are removed even if a daemon fails to start.
  const dirs: string[] = [];
  const dir = (name: string): string => {
    const d = mkdtempSync(join(tmpdir(), `kite-${name}-`));
    dirs.push(d);
    return d;
  };
  const clients: RpcClient[] = [];
  let timer: NodeJS.Timeout | undefined;
  const killAll = (): void => {
    for (const d of daemons) if (d.proc.exitCode === null && d.proc.signalCode === null) d.kill();
    if (chain && chain.proc.exitCode === null) chain.proc.kill('SIGKILL');
  };
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      killAll();
      reject(new Error(`payments bench exceeded ${BUDGET_MS / 1000} s`));
    }, BUDGET_MS);
  });
  const body = async (): Promise<void> => {
    chain = await startChain();
    const alice = await startDaemon('bench-payer', chain.kitedArgs, dir('bench-payer'));
    daemons.push(alice);
    const bob = await startDaemon('bench-payee', chain.kitedArgs, dir('bench-payee'));
    daemons.push(bob);
    await alice.rpc.call('faucet', { satoshi: CHANNEL_SAT + 100_000 });
    await alice.rpc.call('generate', { blocks: 1 });
    await alice.rpc.call('connect', { id: `${bob.id}@127.0.0.1:${bob.port}` });
    await alice.rpc.call('fundchannel', { id: bob.id, amount: CHANNEL_SAT });
    await alice.rpc.call('generate', { blocks: 3 });
    await waitFor('channel normal', async () => (await channel(alice, bob.id))?.state === 'CHANNELD_NORMAL' && (await channel(bob, alice.id))?.state === 'CHANNELD_NORMAL', 60_000);

    // Every invoice exists before anything is timed.
    const invoices: string[] = [];
    for (let i = 0; i < WARMUP + SEQUENTIAL + CONCURRENT; i++) {
      const r = (await bob.rpc.call('invoice', { amount_msat: AMOUNT_MSAT, label: `bench-${i}`, description: 'bench' })) as { bolt11: string };
      invoices.push(r.bolt11);
    }
    // The RPC server answers one connection's requests in order: one connection per slot.
    for (let i = 0; i < IN_FLIGHT; i++) clients.push(new RpcClient(alice.rpc.path));

    await timed(alice, bob, clients, invoices.slice(0, WARMUP), 1);
    const floor0 = syncCommitRate(FLOOR_MS);
    const seq = await timed(alice, bob, clients, invoices.slice(WARMUP, WARMUP + SEQUENTIAL), 1);
    const floor1 = syncCommitRate(FLOOR_MS);
    const con = await timed(alice, bob, clients, invoices.slice(WARMUP + SEQUENTIAL), IN_FLIGHT);
    const floor2 = syncCommitRate(FLOOR_MS);

    const figure = (name: string, m: Measured, commitRate: number, payments: number, inFlight: number): void => {
      const perPayment = Math.max(m.payer, m.payee);
      report({
        name,
        value: m.perSec,
        unit: 'payments/s',
        baseline: FLOOR,
        baseline_value: commitRate / perPayment,
        commits_per_s: Math.round(commitRate),
        commits_per_payment: r3(perPayment),
        payer_commits_per_payment: r3(m.payer),
        payee_commits_per_payment: r3(m.payee),
        payments,
        in_flight: inFlight,
        target_ratio: TARGET_RATIO,
      });
    };
    figure('payments.sequential', seq, (floor0 + floor1) / 2, SEQUENTIAL, 1);
    figure('payments.concurrent50', con, (floor1 + floor2) / 2, CONCURRENT, IN_FLIGHT);
    // Latency: one payment on an idle channel; its floor is the commits of both sides in a row.
    const p50 = quantile(seq.latencies, 0.5);
    const floorMs = ((seq.payer + seq.payee) * 1000) / ((floor0 + floor1) / 2);
    report({
      name: 'payments.latency_p50',
      value: p50,
      unit: 'ms',
      baseline: 'commits per payment of both sides at the durable-commit rate (ms); lower is better, ratio = baseline/value',
      baseline_value: floorMs,
      ratio: floorMs / p50,
      p90_ms: Math.round(quantile(seq.latencies, 0.9) * 10) / 10,
      p99_ms: Math.round(quantile(seq.latencies, 0.99) * 10) / 10,
      payments: SEQUENTIAL,
    });
    for (const side of ['payer', 'payee'] as const) {
      report({
        name: `payments.commits_per_payment.${side}`,
        value: seq[side],
        unit: 'commits/payment',
        baseline: 'target: at most 4 synchronous commits per payment; lower is better, ratio = baseline/value',
        baseline_value: TARGET_COMMITS,
        ratio: TARGET_COMMITS / seq[side],
        sequential: r3(seq[side]),
        concurrent50: r3(con[side]),
      });
    }
  };
  try {
    const b = body();
    b.catch(() => {}); // after an overrun the body fails against killed daemons; the overrun is the error
    await Promise.race([b, overrun]);
  } finally {
    clearTimeout(timer);
    for (const c of clients) c.close();
    for (const d of daemons) {
      if (d.proc.exitCode === null && d.proc.signalCode === null) await d.stop();
      else d.rpc.close();
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    const c = chain as ChainProc | null;
    if (c) {
      // stop() waits for an exit that a killed chain has already made.
      if (c.proc.exitCode === null && c.proc.signalCode === null) await c.stop();
      rmSync(c.dir, { recursive: true, force: true });
    }
  }
}
