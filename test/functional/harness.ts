/**
 * What the functional tests share: a cluster of real processes (one kite-chain, `kited`s)
 * stopped and cleaned up after the file's tests, and small views of a node through its RPC.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startChain, startDaemon, waitFor, type ChainProc, type Daemon } from '../../scripts/lib/processes.ts';
import { encodeSegwitAddress } from '../../src/bitcoin/address.ts';

/** A kite-chain and the daemons of one test file. */
export class Cluster {
  chain: ChainProc | null = null;
  readonly daemons: Daemon[] = [];
  /** Extra RPC clients (e.g. one per concurrent pay), closed first. */
  readonly clients: { close(): void }[] = [];

  async startChain(): Promise<ChainProc> {
    this.chain = await startChain();
    return this.chain;
  }

  /** start launches a daemon on this cluster's chain (restarted from `dir` when given). */
  async start(name: string, args: string[], dir?: string): Promise<Daemon> {
    if (!this.chain) throw new Error('start the chain first');
    const d = await startDaemon(name, [...this.chain.kitedArgs, ...args], dir);
    this.daemons.push(d);
    return d;
  }

  /**
   * stop ends every daemon (a SIGKILLed one only has its RPC client closed), keeps their logs
   * in $KITE_TEST_LOGS when set, removes their directories and stops the chain.
   */
  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    for (const d of this.daemons) {
      if (d.proc.signalCode !== null || d.proc.exitCode !== null) d.rpc.close();
      else await d.stop();
      if (process.env.KITE_TEST_LOGS) writeFileSync(join(process.env.KITE_TEST_LOGS, `${d.name}-${d.port}.log`), d.logs.join('\n'));
    }
    for (const dir of new Set(this.daemons.map((x) => x.dir))) rmSync(dir, { recursive: true, force: true });
    await this.chain?.stop();
  }
}

/** useCluster returns a cluster that is stopped after the file's tests. */
export function useCluster(): Cluster {
  const c = new Cluster();
  after(() => c.stop());
  return c;
}

/** An address nobody here owns: blocks mined to it change no wallet of the test. */
export function nobody(tag: number): string {
  return encodeSegwitAddress('bcrt', 0, new Uint8Array(20).fill(tag));
}

/** channelWith returns `d`'s channel with `peer`: the one with `channelId`, else the latest. */
export async function channelWith(d: Daemon, peer: string, channelId?: string): Promise<any> {
  const r = (await d.rpc.call('listpeerchannels', { id: peer })) as { channels: any[] };
  return channelId === undefined ? r.channels[r.channels.length - 1] : r.channels.find((c) => c.channel_id === channelId);
}

/** walletSat sums a node's confirmed wallet outputs, in satoshis. */
export async function walletSat(d: Daemon): Promise<bigint> {
  const f = (await d.rpc.call('listfunds', {})) as { outputs: any[] };
  return f.outputs.filter((o) => o.status === 'confirmed').reduce((s, o) => s + BigInt(o.amount_msat) / 1000n, 0n);
}

/** payInvoice has `payee` issue an invoice and `payer` pay it; the payment must complete. */
export async function payInvoice(payer: Daemon, payee: Daemon, amountMsat: number, label: string): Promise<void> {
  const inv = (await payee.rpc.call('invoice', { amount_msat: amountMsat, label, description: label })) as { bolt11: string };
  const r = (await payer.rpc.call('pay', { bolt11: inv.bolt11 })) as { status: string };
  assert.equal(r.status, 'complete', `${label} completes`);
}

/** liveChannel returns `d`'s channel with `peer` that is not closed. */
export async function liveChannel(d: Daemon, peer: string): Promise<any> {
  const r = (await d.rpc.call('listpeerchannels', { id: peer })) as { channels: any[] };
  return r.channels.find((c) => c.state !== 'CLOSED');
}

/**
 * agreed waits until both sides are normal with no HTLC and their balances sum to the
 * capacity (and, with `connected`, the link is up), and returns the two balances.
 */
export async function agreed(a: Daemon, b: Daemon, timeoutMs = 90_000, connected = false): Promise<{ a: bigint; b: bigint }> {
  return waitFor(
    'both sides agree with no HTLC in flight',
    async () => {
      const ca = await liveChannel(a, b.id);
      const cb = await liveChannel(b, a.id);
      if (!ca || !cb || (connected && !ca.peer_connected) || ca.htlcs.length || cb.htlcs.length || ca.state !== 'CHANNELD_NORMAL' || cb.state !== 'CHANNELD_NORMAL') return null;
      const x = { a: BigInt(ca.to_us_msat), b: BigInt(cb.to_us_msat) };
      return x.a + x.b === BigInt(ca.total_msat) ? x : null;
    },
    timeoutMs,
    200,
  );
}

/** rng is a small deterministic generator, so that a failing run can be replayed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * openFunded: the faucet funds `a` (one block), `a` connects to `b` and opens a channel of
 * `amount` sat (pushing `push_msat`), three blocks confirm it; resolves with the channel id
 * once both sides are normal. Blocks go to `miner` when given.
 */
export async function openFunded(a: Daemon, b: Daemon, o: { amount: number; faucet?: number; push_msat?: number; miner?: string }): Promise<string> {
  const to = o.miner ? { address: o.miner } : {};
  await a.rpc.call('faucet', { satoshi: o.faucet ?? 2_000_000 });
  await a.rpc.call('generate', { blocks: 1, ...to });
  await a.rpc.call('connect', { id: `${b.id}@127.0.0.1:${b.port}` });
  const r = (await a.rpc.call('fundchannel', { id: b.id, amount: o.amount, ...(o.push_msat ? { push_msat: o.push_msat } : {}) })) as { channel_id: string };
  await a.rpc.call('generate', { blocks: 3, ...to });
  await waitFor(
    'channel normal on both sides',
    async () => (await channelWith(a, b.id, r.channel_id))?.state === 'CHANNELD_NORMAL' && (await channelWith(b, a.id, r.channel_id))?.state === 'CHANNELD_NORMAL',
    60_000,
  );
  return r.channel_id;
}
