/**
 * Functional (BOLT #5): a unilateral close with HTLCs in flight in both directions, between
 * two real `kited` processes on kite-chain. One of them (the funder Alice, then in a second
 * test the fundee Bob) publishes its commitment (`close --force`); then both nodes resolve
 * every output by themselves, block after block: the other side claims the HTLC offered to it
 * with its preimage straight from the commitment and sweeps its balance; the closer broadcasts
 * its HTLC-success (anchors: zero-fee plus wallet inputs) and, after to_self_delay, sweeps its
 * balance and the HTLC transaction's output. Both payments complete from what the chain revealed, both wallets
 * end up with their side's outputs less fees, and nothing stays unresolved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitFor, type Daemon } from '../../scripts/lib/processes.ts';
import { channelWith, nobody, useCluster, walletSat } from './harness.ts';
import { fromHex } from '../../src/lib/bytes.ts';
import { parseTx } from '../../src/bitcoin/tx.ts';
import { RpcClient } from '../../src/rpc/client.ts';

/** Blocks are mined to an address of nobody here, so that wallets only change by the channel. */
const MINER = nobody(0x42);

const cluster = useCluster();

/** own opens an RPC connection for one long call: the server answers a connection's requests in order. */
function own(d: Daemon): RpcClient {
  const c = new RpcClient(d.rpc.path);
  cluster.clients.push(c);
  return c;
}

async function mine(d: Daemon, n: number): Promise<void> {
  for (let left = n; left > 0; left -= 10) {
    await d.rpc.call('generate', { blocks: Math.min(10, left), address: MINER });
    // Let both daemons see the blocks and act on them.
    await new Promise((r) => setTimeout(r, 700));
  }
}

let chainStarted: Promise<unknown> | null = null;

for (const closerName of ['alice', 'bob'] as const) {
  test(`force close by ${closerName === 'alice' ? 'the funder' : 'the fundee'} with HTLCs both ways: every output is resolved into the right wallet`, { timeout: 300_000 }, async () => {
    chainStarted ??= cluster.startChain();
    await chainStarted;
    const chain = cluster.chain!;
    const args = [...chain.kitedArgs, '--log-level=debug', '--developer'];
    const alice = await startDaemon('alice', args);
    cluster.daemons.push(alice);
    const bob = await startDaemon('bob', args);
    cluster.daemons.push(bob);
    await alice.rpc.call('faucet', { satoshi: 3_000_000 });
    await alice.rpc.call('generate', { blocks: 1 });
    await alice.rpc.call('connect', { id: `${bob.id}@127.0.0.1:${bob.port}` });
    await alice.rpc.call('fundchannel', { id: bob.id, amount: 1_000_000 });
    await alice.rpc.call('generate', { blocks: 3 });
    await waitFor('channel normal', async () => (await channelWith(alice, bob.id))?.state === 'CHANNELD_NORMAL' && (await channelWith(bob, alice.id))?.state === 'CHANNELD_NORMAL', 60_000);
    const inv0 = (await bob.rpc.call('invoice', { amount_msat: 300_000_000, label: 'start', description: 'start' })) as { bolt11: string };
    assert.equal(((await alice.rpc.call('pay', { bolt11: inv0.bolt11 })) as { status: string }).status, 'complete');
    // Bob needs coins of his own to pay for his HTLC transactions (anchors).
    await bob.rpc.call('faucet', { satoshi: 200_000 });
    await bob.rpc.call('generate', { blocks: 1 });

    // Both hold their fulfills: HTLCs stay on the commitments, paid in each invoice book.
    await alice.rpc.call('dev-hold-htlcs', { hold: true });
    await bob.rpc.call('dev-hold-htlcs', { hold: true });
    const toBob = (await bob.rpc.call('invoice', { amount_msat: 50_000_000, label: 'h1', description: 'h1' })) as { bolt11: string; payment_hash: string };
    const toAlice = (await alice.rpc.call('invoice', { amount_msat: 40_000_000, label: 'h2', description: 'h2' })) as { bolt11: string; payment_hash: string };
    const p1 = own(alice).call('pay', { bolt11: toBob.bolt11 }).catch((e: Error) => ({ status: 'error', error: e.message }));
    await waitFor('bob took h1', () => bob.logs.some((l) => /payment received/.test(l)), 30_000);
    const p2 = own(bob).call('pay', { bolt11: toAlice.bolt11 }).catch((e: Error) => ({ status: 'error', error: e.message }));
    await waitFor('alice took h2', () => alice.logs.some((l) => /payment received/.test(l)), 30_000);
    await waitFor('both HTLCs on both commitments', async () => (await channelWith(alice, bob.id)).htlcs.length === 2 && (await channelWith(bob, alice.id)).htlcs.length === 2);
    const before = { alice: await walletSat(alice), bob: await walletSat(bob) };
    const [closer, other] = closerName === 'alice' ? [alice, bob] : [bob, alice];

    const closed = (await closer.rpc.call('close', { id: other.id, force: true })) as { type: string; txid: string; tx: string };
    assert.equal(closed.type, 'unilateral');
    const commitment = parseTx(fromHex(closed.tx));
    assert.equal(commitment.outputs.length, 6, 'to_local, to_remote, two anchors, two HTLCs');
    await mine(alice, 1);
    await waitFor('both see the close on chain', async () => (await channelWith(alice, bob.id)).state === 'ONCHAIN' && (await channelWith(bob, alice.id)).state === 'ONCHAIN', 30_000);
    assert.equal((await channelWith(closer, other.id)).close.kind, 'local', "the closer's commitment is the one that confirmed");

    // h1's preimage reaches Alice from the chain (Bob's claim on her commitment, or his HTLC-success on his).
    await mine(alice, 2);
    const r1 = (await waitFor('alice learns h1 preimage', async () => {
      const pays = ((await alice.rpc.call('listpays', { bolt11: toBob.bolt11 })) as { pays: any[] }).pays;
      return pays[0]?.status === 'complete' ? pays[0] : null;
    }, 60_000)) as any;
    assert.equal(r1.payment_hash, toBob.payment_hash);
    // Likewise h2's preimage reaches Bob (Alice's HTLC-success on hers, or her claim on his).
    const r2 = (await waitFor('bob learns h2 preimage', async () => {
      const pays = ((await bob.rpc.call('listpays', { bolt11: toAlice.bolt11 })) as { pays: any[] }).pays;
      return pays[0]?.status === 'complete' ? pays[0] : null;
    }, 60_000)) as any;
    assert.equal(r2.payment_hash, toAlice.payment_hash);
    // The pay calls returned when the channel failed, with the outcome still open.
    for (const p of [p1, p2]) assert.match(((await p) as { status: string }).status, /^(pending|complete)$/);

    // The closer's to_local and its HTLC-success output wait for to_self_delay (144): funds maturing.
    const maturing = ((await closer.rpc.call('listfunds', {})) as { resolutions: any[] }).resolutions;
    assert.ok(maturing.length >= 1, 'listfunds shows the resolutions still maturing');
    assert.ok(maturing.every((m) => typeof m.blocks_to_go === 'number' || m.blocks_to_go === null));
    await mine(alice, 145);
    // Keep mining until both have swept everything and seen it confirmed.
    for (const d of [alice, bob]) {
      await waitFor(`${d.name} resolved`, async () => {
        if (((await d.rpc.call('listclosedchannels', {})) as { closedchannels: any[] }).closedchannels.length === 1) return true;
        await alice.rpc.call('generate', { blocks: 1, address: MINER });
        return false;
      }, 90_000, 700);
    }
    assert.deepEqual(((await closer.rpc.call('listfunds', {})) as { resolutions: any[] }).resolutions, []);

    // Each wallet received its side: Alice to_local + h2, Bob to_remote + h1, each less fees.
    const out = (i: number) => commitment.outputs[i]!.value;
    const values = commitment.outputs.map((o) => o.value);
    const h1 = values.find((v) => v === 50_000n)!;
    const h2 = values.find((v) => v === 40_000n)!;
    assert.ok(h1 && h2, 'the HTLC outputs carry the HTLC amounts');
    const toRemote = values.filter((v) => v !== 330n && v !== 50_000n && v !== 40_000n).sort((a, b) => (a < b ? -1 : 1));
    void out;
    const [bobMain, aliceMain] = toRemote; // Bob has 250k, Alice ~700k less the commitment fee
    const gotAlice = (await walletSat(alice)) - before.alice;
    const gotBob = (await walletSat(bob)) - before.bob;
    assert.ok(gotAlice <= aliceMain! + h2 && gotAlice > aliceMain! + h2 - 15_000n, `alice got ${gotAlice} of ${aliceMain! + h2}`);
    assert.ok(gotBob <= bobMain! + h1 && gotBob > bobMain! + h1 - 15_000n, `bob got ${gotBob} of ${bobMain! + h1}`);
  });
}
