/**
 * What the functional tests share: a cluster of real processes (one kite-chain, `kited`s)
 * stopped and cleaned up after the file's tests, and small views of a node through its RPC.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startChain, startDaemon, type ChainProc, type Daemon } from '../../scripts/lib/processes.ts';
import { encodeSegwitAddress } from '../../src/bitcoin/address.ts';

/** A kite-chain and the daemons of one test file. */
export class Cluster {
  chain: ChainProc | null = null;
  readonly daemons: Daemon[] = [];

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
