/**
 * Functional (BOLT #5, replacement cycling): a preimage the peer reveals only in the mempool
 * is enough. Alice pays Bob, who accepts but holds the fulfill; Alice force-closes; Bob claims
 * the HTLC from her commitment with the preimage. Alice's node reads the preimage from Bob's
 * claim while it is still unconfirmed — a claim that could be replaced before it is mined —
 * and her payment completes without a further block.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../scripts/lib/processes.ts';
import { createHttpRpc } from '../../src/chain/bitcoind/http-rpc.ts';
import { RpcClient } from '../../src/rpc/client.ts';
import { channelWith, nobody, openFunded, useCluster } from './harness.ts';

const MINER = nobody(0x46);
const cluster = useCluster();

test('a preimage seen only in the mempool settles our payment', { timeout: 180_000 }, async () => {
  const chain = await cluster.startChain();
  const rpc = createHttpRpc({ port: chain.port, cookieFile: chain.cookie });
  after(() => rpc.close());
  const alice = await cluster.start('alice', ['--log-level=debug']);
  const bob = await cluster.start('bob', ['--log-level=debug', '--developer']);
  await openFunded(alice, bob, { amount: 500_000, miner: MINER });

  await bob.rpc.call('dev-hold-htlcs', { hold: true });
  const inv = (await bob.rpc.call('invoice', { amount_msat: 60_000_000, label: 'held', description: 'held' })) as { bolt11: string; payment_hash: string };
  // A connection of its own: the RPC server answers one connection's requests in order.
  const payer = new RpcClient(alice.rpc.path);
  cluster.clients.push(payer);
  const pending = payer.call('pay', { bolt11: inv.bolt11 }).catch(() => null);
  await waitFor('the HTLC is on both commitments', async () => (await channelWith(alice, bob.id)).htlcs.length === 1 && (await channelWith(bob, alice.id)).htlcs.length === 1);
  assert.equal(((await alice.rpc.call('listpays', { bolt11: inv.bolt11 })) as { pays: any[] }).pays[0].status, 'pending');

  await alice.rpc.call('close', { id: bob.id, force: true });
  const [block] = (await rpc('generatetoaddress', [1, MINER])) as string[];
  const height = ((await rpc('getblock', [block, 1])) as { height: number }).height;
  // Bob claims with the preimage at once (no timelock on his side of Alice's commitment).
  await waitFor('bob broadcasts his preimage claim', () => bob.logs.some((l) => /label=sweep/.test(l)), 30_000);
  const claimed = await waitFor('alice completes from the mempool', async () => {
    const p = ((await alice.rpc.call('listpays', { bolt11: inv.bolt11 })) as { pays: any[] }).pays[0];
    return p.status === 'complete' ? p : null;
  }, 30_000, 200);
  assert.equal((await rpc('getblockcount', [])) as number, height, 'no block was mined since the commitment');
  const mempool = (await rpc('getrawmempool', [])) as string[];
  assert.ok(mempool.length >= 1, "bob's claim is still unconfirmed");
  assert.ok(alice.logs.some((l) => /htlc resolved on chain.*outcome=fulfilled/.test(l)));
  assert.match(claimed.payment_preimage, /^[0-9a-f]{64}$/);
  await pending;
});
