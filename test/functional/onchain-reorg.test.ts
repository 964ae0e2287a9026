/**
 * Functional (BOLT #5 "MUST be prepared to resolve outputs multiple times, in case of
 * blockchain reorganizations"): the blocks holding a sweep, then the commitment itself, are
 * reorganised out of kite-chain (invalidateblock). Bob's resolver notices each time (the
 * channel goes back from CLOSED to ONCHAIN, then to FUNDING_SPEND_SEEN), and once the chain
 * moves on, resolves the channel again and his wallet holds his balance.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitFor, type Daemon } from '../../scripts/lib/processes.ts';
import { nobody, useCluster, walletSat, openFunded } from './harness.ts';
import { createHttpRpc } from '../../src/chain/bitcoind/http-rpc.ts';

const MINER = nobody(0x44);

const cluster = useCluster();

async function state(d: Daemon, peer: string): Promise<string | undefined> {
  const r = (await d.rpc.call('listpeerchannels', { id: peer })) as { channels: any[] };
  return r.channels[r.channels.length - 1]?.state;
}

test('reorganisations of the sweep and of the commitment are resolved again', { timeout: 240_000 }, async () => {
  const chain = await cluster.startChain();
  const rpc = createHttpRpc({ port: chain.port, cookieFile: chain.cookie });
  after(() => rpc.close());
  const args = [...chain.kitedArgs, '--log-level=debug'];
  const alice = await startDaemon('alice', args);
  cluster.daemons.push(alice);
  const bob = await startDaemon('bob', args);
  cluster.daemons.push(bob);
  await openFunded(alice, bob, { amount: 500_000, miner: MINER });
  const inv = (await bob.rpc.call('invoice', { amount_msat: 200_000_000, label: 'x', description: 'x' })) as { bolt11: string };
  assert.equal(((await alice.rpc.call('pay', { bolt11: inv.bolt11 })) as { status: string }).status, 'complete');
  const bobBefore = await walletSat(bob);

  await alice.rpc.call('close', { id: bob.id, force: true });
  const [commitmentBlock] = (await rpc('generatetoaddress', [1, MINER])) as string[];
  await waitFor('bob sweeps his balance', () => bob.logs.some((l) => /label=sweep/.test(l)), 30_000);
  const [sweepBlock] = (await rpc('generatetoaddress', [1, MINER])) as string[];
  await waitFor('bob resolved', async () => (await state(bob, alice.id)) === 'CLOSED', 30_000);
  const swept = await waitFor('bob has his balance', async () => ((await walletSat(bob)) - bobBefore > 190_000n ? (await walletSat(bob)) - bobBefore : null), 30_000);

  // The sweep's block is reorganised out: the channel is being resolved again.
  await rpc('invalidateblock', [sweepBlock]);
  await waitFor('bob sees the sweep unconfirmed', async () => (await state(bob, alice.id)) === 'ONCHAIN', 30_000);
  // Then the commitment's block too: the spend is back to the mempool.
  await rpc('invalidateblock', [commitmentBlock]);
  await waitFor('bob sees the commitment unconfirmed', async () => (await state(bob, alice.id)) === 'FUNDING_SPEND_SEEN', 30_000);

  // The chain moves on (a longer branch): everything is resolved again, exactly as before.
  await waitFor('bob resolved again', async () => {
    if ((await state(bob, alice.id)) === 'CLOSED') return true;
    await rpc('generatetoaddress', [1, MINER]);
    return false;
  }, 60_000, 700);
  assert.equal((await walletSat(bob)) - bobBefore, swept, 'the same balance, swept once');
  assert.ok(bob.logs.some((l) => /reorganised out/.test(l)));
});
