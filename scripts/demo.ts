/**
 * `npm run demo`: Kite's main job, shown step by step for a person watching. A `kite-chain`
 * (the embedded, fully validating regtest chain behind Bitcoin Core's RPC) starts, and two
 * real `kited` processes share it, as two nodes share one bitcoind. They find each other
 * over TCP, authenticate with the Noise protocol (BOLT 8), exchange init (BOLT 1), ping,
 * and move on-chain funds between their wallets.
 */
import { startChain, startDaemon, cleanup, waitFor, type ChainProc, type Daemon } from './lib/processes.ts';

const step = (n: number, text: string): void => console.log(`\n[${n}] ${text}`);
const show = (label: string, v: unknown): void => console.log(`    ${label}: ${JSON.stringify(v)}`);
interface Output {
  txid: string;
  amount_msat: number;
  status: string;
}

async function main(): Promise<void> {
  const started: Daemon[] = [];
  let chain: ChainProc | null = null;
  try {
    step(1, 'Starting kite-chain: a validating regtest chain with a bitcoind-compatible JSON-RPC');
    chain = await startChain();
    show('kite-chain', { rpcport: chain.port, cookie: chain.cookie });

    step(2, 'Starting two Kite nodes, alice and bob, both pointed at that chain');
    const alice = await startDaemon('alice', chain.kitedArgs);
    started.push(alice);
    const bob = await startDaemon('bob', chain.kitedArgs);
    started.push(bob);
    show('alice', { id: alice.id, port: alice.port });
    show('bob', { id: bob.id, port: bob.port });

    step(3, `alice connects to bob: kite connect ${bob.id.slice(0, 12)}...@127.0.0.1:${bob.port}`);
    const c = alice.cli('connect', `${bob.id}@127.0.0.1:${bob.port}`);
    if (c.status !== 0) throw new Error(`connect failed: ${c.stderr}`);
    show('connected, peer features', c.json.features);
    const pb = await waitFor('bob sees alice', () => bob.cli('listpeers').json.peers.find((p: { connected: boolean }) => p.connected));
    show('bob sees', { id: pb.id, direction: pb.direction, features: pb.features });

    step(4, 'alice pings bob through the encrypted link');
    show('pong', alice.cli('ping', bob.id, '64').json);

    step(5, "alice's wallet is funded by the chain's faucet; a block confirms it");
    const f = alice.cli('faucet', '1000000');
    if (f.status !== 0) throw new Error(`faucet failed: ${f.stderr}`);
    show('faucet tx', f.json.txid);
    alice.cli('generate', '1');
    const got = await waitFor('alice sees her coins', () => alice.cli('listfunds').json.outputs.find((o: Output) => o.txid === f.json.txid && o.status === 'confirmed'));
    show('alice received', { txid: got.txid, amount_sat: got.amount_msat / 1000, status: got.status });

    step(6, 'alice sends 250,000 sat on chain to a new address of bob');
    const addr = bob.cli('newaddr').json.bech32;
    const w = alice.cli('withdraw', addr, '250000');
    if (w.status !== 0) throw new Error(`withdraw failed: ${w.stderr}`);
    show('withdraw', { txid: w.json.txid, fee_sat: w.json.fee_sat });
    alice.cli('generate', '1');
    const paid = await waitFor('bob sees the payment', () => bob.cli('listfunds').json.outputs.find((o: Output) => o.txid === w.json.txid && o.status === 'confirmed'), 30_000);
    show('bob received', { txid: paid.txid, amount_sat: paid.amount_msat / 1000, status: paid.status });

    step(7, 'alice disconnects; bob notices');
    alice.cli('disconnect', bob.id);
    await waitFor('bob sees alice gone', () => bob.cli('listpeers').json.peers.every((p: { connected: boolean }) => !p.connected));
    show('bob connected peers', 0);
    console.log('\nDemo finished: the nodes and the chain stop now.');
  } finally {
    for (const d of started) {
      await d.stop();
      cleanup(d);
    }
    await chain?.stop();
  }
}

main().catch((e) => {
  console.error(`demo failed: ${(e as Error).message}`);
  process.exit(1);
});
