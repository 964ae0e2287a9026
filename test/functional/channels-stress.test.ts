/**
 * Functional stress: 1,000 payments of random amounts both ways over one live channel between
 * two real `kited` processes, sequential and in concurrent batches (both directions at once),
 * then balances are conserved to the msat and every payment is complete on the payer's side
 * and paid on the payee's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcClient } from '../../src/rpc/client.ts';
import { startDaemon, waitFor, type Daemon } from '../../scripts/lib/processes.ts';
import { liveChannel, rng, useCluster, openFunded } from './harness.ts';

const cluster = useCluster();

test('channel stress: 1,000 payments both ways, sequential and concurrent, conserve balances', { timeout: 300_000 }, async () => {
  const chain = await cluster.startChain();
  const args = [...chain.kitedArgs];
  const alice = await startDaemon('alice', args);
  cluster.daemons.push(alice);
  const bob = await startDaemon('bob', args);
  cluster.daemons.push(bob);
  // Push half to bob so both directions can pay from the start.
  await openFunded(alice, bob, { amount: 1_000_000, push_msat: 400_000_000 });
  const a0 = BigInt((await liveChannel(alice, bob.id)).to_us_msat);
  const b0 = BigInt((await liveChannel(bob, alice.id)).to_us_msat);
  assert.equal(b0, 400_000_000n);
  assert.equal(a0 + b0, 1_000_000_000n);

  // The RPC server answers one connection's requests in order, so concurrent pays each get
  // their own connection.
  const pools = new Map<Daemon, RpcClient[]>([alice, bob].map((d) => [d, Array.from({ length: 10 }, () => new RpcClient(d.rpc.path))]));
  const rand = rng(20261125);
  let n = 0;
  let aliceToBob = 0n; // net msat moved from alice to bob
  const results: { payer: Daemon; hash: string; status: string }[] = [];
  const one = async (payer: Daemon, payee: Daemon, slot = 0): Promise<() => Promise<void>> => {
    const amount = 1_000 + Math.floor(rand() * 2_000_000);
    const label = `p${n++}`;
    const inv = (await payee.rpc.call('invoice', { amount_msat: amount, label, description: label })) as { bolt11: string; payment_hash: string };
    return async () => {
      const r = (await pools.get(payer)![slot].call('pay', { bolt11: inv.bolt11 })) as { status: string; payment_hash: string };
      results.push({ payer, hash: inv.payment_hash, status: r.status });
      assert.equal(r.status, 'complete', `payment ${label} of ${amount} msat`);
      aliceToBob += payer === alice ? BigInt(amount) : -BigInt(amount);
    };
  };
  while (n < 1000) {
    if (rand() < 0.5) {
      // Sequential: a handful of payments, alternating direction at random.
      for (let i = 0; i < 5; i++) await (await (rand() < 0.5 ? one(alice, bob) : one(bob, alice)))();
    } else {
      // Concurrent: ~10 in flight at once, both directions mixed; invoices made first.
      const batch: (() => Promise<void>)[] = [];
      for (let i = 0; i < 10; i++) batch.push(await (rand() < 0.5 ? one(alice, bob, i) : one(bob, alice, i)));
      await Promise.all(batch.map((f) => f()));
    }
  }
  for (const p of pools.values()) for (const c of p) c.close();
  assert.equal(results.length, n);
  assert.ok(n >= 1000);

  const final = await waitFor('htlcs all resolved', async () => {
    const ca = await liveChannel(alice, bob.id);
    const cb = await liveChannel(bob, alice.id);
    return ca.htlcs.length === 0 && cb.htlcs.length === 0 ? { a: BigInt(ca.to_us_msat), b: BigInt(cb.to_us_msat) } : null;
  });
  assert.equal(final.a, a0 - aliceToBob, "alice's balance moved by exactly the net paid");
  assert.equal(final.b, b0 + aliceToBob, "bob's balance moved by exactly the net paid");
  assert.equal(final.a + final.b, 1_000_000_000n, 'the channel conserves value to the msat');

  for (const d of [alice, bob]) {
    const pays = ((await d.rpc.call('listpays', {})) as { pays: any[] }).pays;
    assert.equal(pays.length, results.filter((r) => r.payer === d).length);
    assert.ok(pays.every((p) => p.status === 'complete'), `${d.name}: every pay is complete`);
    const invs = ((await d.rpc.call('listinvoices', {})) as { invoices: any[] }).invoices;
    assert.equal(invs.length, results.filter((r) => r.payer !== d).length);
    assert.ok(invs.every((i) => i.status === 'paid'), `${d.name}: every invoice is paid`);
  }
});
