/**
 * `npm run demo`: Kite's main job, shown step by step for a person watching. A `kite-chain`
 * (the embedded, fully validating regtest chain behind Bitcoin Core's RPC) starts, and two
 * real `kited` processes share it, as two nodes share one bitcoind. They find each other
 * over TCP, authenticate with the Noise protocol (BOLT 8), exchange init (BOLT 1), ping,
 * move on-chain funds, open a payment channel (BOLT 2/3), pay BOLT 11 invoices both ways
 * through it, and close it cooperatively on chain. Then alice cheats with an old channel
 * state and bob's node, watching the chain, takes the whole channel with a penalty (BOLT 5).
 */
import { startChain, startDaemon, cleanup, waitFor, type ChainProc, type Daemon } from './lib/processes.ts';
import { encodeSegwitAddress } from '../src/bitcoin/address.ts';

const step = (n: number, text: string): void => console.log(`\n[${n}] ${text}`);
const show = (label: string, v: unknown): void => console.log(`    ${label}: ${JSON.stringify(v)}`);
interface Output {
  txid: string;
  amount_msat: number;
  status: string;
}

/** Blocks of the cheating scene are mined to nobody's address, so wallets only change by the channel. */
const NOBODY = encodeSegwitAddress('bcrt', 0, new Uint8Array(20).fill(0x99));

async function main(): Promise<void> {
  const started: Daemon[] = [];
  let chain: ChainProc | null = null;
  try {
    step(1, 'Starting kite-chain: a validating regtest chain with a bitcoind-compatible JSON-RPC');
    chain = await startChain();
    show('kite-chain', { rpcport: chain.port, cookie: chain.cookie });

    step(2, 'Starting two Kite nodes, alice and bob, both pointed at that chain');
    // Developer mode lets alice cheat on purpose in step 11.
    const alice = await startDaemon('alice', [...chain.kitedArgs, '--developer']);
    started.push(alice);
    const bob = await startDaemon('bob', [...chain.kitedArgs, '--developer']);
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

    step(7, 'alice opens a 400,000 sat channel to bob; three blocks confirm the funding transaction');
    const open = alice.cli('fundchannel', bob.id, '400000');
    if (open.status !== 0) throw new Error(`fundchannel failed: ${open.stderr}`);
    show('channel', { channel_id: open.json.channel_id, funding_txid: open.json.txid });
    alice.cli('generate', '3');
    const normal = (d: Daemon): boolean => d.cli('listpeerchannels').json.channels.some((c: { state: string }) => c.state === 'CHANNELD_NORMAL');
    await waitFor('the channel is ready on both sides', () => normal(alice) && normal(bob), 30_000);
    const balances = (): void => {
      const a = alice.cli('listpeerchannels').json.channels[0];
      const b = bob.cli('listpeerchannels').json.channels[0];
      show('balances', { short_channel_id: a.short_channel_id, alice_msat: a.to_us_msat, bob_msat: b.to_us_msat, capacity_sat: a.capacity_sat });
    };
    balances();

    step(8, 'bob issues an invoice for 25,000 sat; alice pays it through the channel');
    const inv1 = bob.cli('invoice', '25000000', 'coffee', 'two coffees');
    show('invoice', inv1.json.bolt11.slice(0, 60) + '...');
    const pay1 = alice.cli('pay', inv1.json.bolt11);
    if (pay1.status !== 0 || pay1.json.status !== 'complete') throw new Error(`pay failed: ${pay1.stderr}`);
    show('paid', { status: pay1.json.status, payment_preimage: pay1.json.payment_preimage });
    balances();

    step(9, 'alice issues an invoice for 7,000 sat; bob pays back');
    const inv2 = alice.cli('invoice', '7000000', 'change', 'some change back');
    const pay2 = bob.cli('pay', inv2.json.bolt11);
    if (pay2.status !== 0 || pay2.json.status !== 'complete') throw new Error(`pay failed: ${pay2.stderr}`);
    show('paid', { status: pay2.json.status });
    balances();

    step(10, 'alice closes the channel cooperatively; a block confirms the closing transaction');
    const close = alice.cli('close', bob.id);
    if (close.status !== 0) throw new Error(`close failed: ${close.stderr}`);
    show('closing tx', close.json.txid);
    alice.cli('generate', '1');
    const closed = await waitFor('bob sees his channel funds on chain', () =>
      bob.cli('listfunds').json.outputs.find((o: Output) => o.txid === close.json.txid && o.status === 'confirmed'),
    30_000);
    show('bob received on chain', { txid: closed.txid, amount_sat: closed.amount_msat / 1000 });
    const mine = alice.cli('listfunds').json.outputs.find((o: Output) => o.txid === close.json.txid);
    if (mine) show('alice received on chain', { txid: mine.txid, amount_sat: mine.amount_msat / 1000 });

    step(11, 'A cheat: alice opens a second channel, pays bob 150,000 sat, then publishes an old state where she had it all');
    const open2 = alice.cli('fundchannel', bob.id, '300000');
    if (open2.status !== 0) throw new Error(`fundchannel failed: ${open2.stderr}`);
    alice.cli('generate', '3', NOBODY);
    const chan2 = open2.json.channel_id as string;
    const live = (d: Daemon): boolean => d.cli('listpeerchannels').json.channels.some((c: { channel_id: string; state: string }) => c.channel_id === chan2 && c.state === 'CHANNELD_NORMAL');
    await waitFor('the second channel is normal', () => live(alice) && live(bob), 60_000);
    const inv3 = bob.cli('invoice', '150000000', 'big', 'a big purchase');
    if (alice.cli('pay', inv3.json.bolt11).json?.status !== 'complete') throw new Error('payment 3 failed');
    const chanOf = (d: Daemon) => d.cli('listpeerchannels').json.channels.find((c: { channel_id: string }) => c.channel_id === chan2);
    await waitFor('both sides agree', () => chanOf(alice).htlcs.length === 0 && chanOf(bob).htlcs.length === 0 && chanOf(bob).to_us_msat === 150_000_000);
    await new Promise((r) => setTimeout(r, 300));
    const walletOf = (d: Daemon): number =>
      d.cli('listfunds').json.outputs.filter((o: Output) => o.status === 'confirmed').reduce((a: number, o: Output) => a + o.amount_msat / 1000, 0);
    const before = { alice: walletOf(alice), bob: walletOf(bob) };
    show('channel balances now (sat)', { alice: chanOf(alice).to_us_msat / 1000, bob: chanOf(bob).to_us_msat / 1000 });
    show('wallets before (sat)', before);
    const cheat = alice.cli('dev-publish-revoked', chan2);
    if (cheat.status !== 0) throw new Error(`dev-publish-revoked failed: ${cheat.stderr}`);
    show('alice broadcasts revoked commitment', { number: cheat.json.number, txid: cheat.json.txid, alice_had_sat: Number(cheat.json.to_us_msat) / 1000 });
    alice.cli('generate', '1', NOBODY);
    await waitFor('bob broadcasts the penalty', () => bob.cli('listclosedchannels').json.closedchannels.some((c: { channel_id: string }) => c.channel_id === chan2) || bob.logs.some((l) => /label=penalty/.test(l)), 30_000);
    const resolvedBob = await waitFor(
      'bob takes everything',
      () => {
        const c = bob.cli('listclosedchannels').json.closedchannels.find((x: { channel_id: string }) => x.channel_id === chan2);
        if (c) return c;
        alice.cli('generate', '1', NOBODY);
        return null;
      },
      60_000,
      500,
    );
    const afterW = { alice: walletOf(alice), bob: walletOf(bob) };
    show('bob detected the breach', resolvedBob.close);
    show('wallets after (sat)', afterW);
    show('what each got from the channel (sat)', { alice: afterW.alice - before.alice, bob: afterW.bob - before.bob });

    step(12, 'alice disconnects; bob notices');
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
