/**
 * Functional (BOLT #5, anchors): our commitment pays too little for the chain's current fees,
 * so when it is published the node spends its anchor with wallet coins in a child that makes
 * the package pay the estimate (CPFP), and both confirm together in the next block.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitFor } from '../../scripts/lib/processes.ts';
import { channelWith, nobody, useCluster, openFunded } from './harness.ts';
import { createHttpRpc } from '../../src/chain/bitcoind/http-rpc.ts';

const MINER = nobody(0x45);

const cluster = useCluster();

test('a commitment below the needed feerate is confirmed through its anchor (CPFP)', { timeout: 180_000 }, async () => {
  const chain = await cluster.startChain();
  const rpc = createHttpRpc({ port: chain.port, cookieFile: chain.cookie });
  after(() => rpc.close());
  const args = [...chain.kitedArgs, '--log-level=debug'];
  const alice = await startDaemon('alice', [...args, '--developer']);
  cluster.daemons.push(alice);
  const bob = await startDaemon('bob', args);
  cluster.daemons.push(bob);
  await openFunded(alice, bob, { amount: 500_000, faucet: 3_000_000, miner: MINER });

  // Fees on chain rise to 20,000 sat/kw (a block of expensive transactions)...
  const addr = ((await alice.rpc.call('newaddr', {})) as { bech32: string }).bech32;
  await alice.rpc.call('withdraw', { destination: addr, satoshi: 100_000, feerate: '20000perkw' });
  await alice.rpc.call('generate', { blocks: 1, address: MINER });
  await waitFor('the funder follows with update_fee', async () => (await channelWith(alice, bob.id)).feerate.perkw >= 15_000 && (await channelWith(bob, alice.id)).feerate.perkw >= 15_000, 30_000);
  // ...but the commitment is forced back to the floor, then published.
  await alice.rpc.call('dev-feerate', { id: bob.id, feerate: 253 });
  await waitFor('the floor feerate is committed', async () => (await channelWith(alice, bob.id)).feerate.perkw === 253 && (await channelWith(bob, alice.id)).feerate.perkw === 253);
  // Alice publishes while Bob is away (otherwise Bob, told by her error, may publish his own first).
  await alice.rpc.call('disconnect', { id: bob.id, force: true });
  await waitFor('bob is away', async () => !(await channelWith(alice, bob.id)).peer_connected);
  const closed = (await alice.rpc.call('close', { id: bob.id, force: true })) as { txid: string };
  await waitFor('alice bumps it through her anchor', () => alice.logs.some((l) => /bumped through our anchor/.test(l)), 30_000);
  const line = alice.logs.find((l) => /bumped through our anchor/.test(l))!;
  const child = /child=([0-9a-f]{64})/.exec(line)![1]!;
  const entry = (await rpc('getmempoolentry', [child])) as { vsize: number; fees: { base: number; descendant: number; ancestor: number }; ancestorsize: number };
  // The package (commitment + child) pays at least the estimate: 20,000 sat/kw = 80 sat/vB.
  const packageRate = (entry.fees.ancestor * 1e8) / entry.ancestorsize;
  assert.ok(packageRate >= 70, `package pays ${packageRate.toFixed(1)} sat/vB`);
  const [block] = (await rpc('generatetoaddress', [1, MINER])) as string[];
  const mined = (await rpc('getblock', [block, 1])) as { tx: string[] };
  assert.ok(mined.tx.includes(closed.txid) && mined.tx.includes(child), 'commitment and child confirm together');
  await waitFor('both see it on chain', async () => {
    const [a, b] = [await channelWith(alice, bob.id), await channelWith(bob, alice.id)];
    // Bob had nothing in the channel: nothing to sweep, resolved at once.
    return a.state === 'ONCHAIN' && ['ONCHAIN', 'CLOSED'].includes(b.state);
  }, 30_000);
  assert.equal((await channelWith(bob, alice.id)).close.kind, 'remote_current');
});
