/**
 * Functional: the payer is SIGKILLed mid-update. Alice (funder, and the side that dials) pays
 * bob in concurrent batches, with bob paying her back at the same time; alice is killed while
 * HTLCs of the batch are in the middle of the update dance, then restarted from her
 * directory. She redials bob, the channel reestablishes, and after every round: every
 * payment that was in flight at the kill resolves (complete or failed, none stays pending),
 * each side's paid invoices are exactly the other's complete payments, and both sides agree
 * on balances to the msat, moved by exactly the complete payments. A cooperative close works
 * at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcClient } from '../../src/rpc/client.ts';
import { startDaemon, waitFor, type Daemon } from '../../scripts/lib/processes.ts';
import { agreed, liveChannel, useCluster, openFunded } from './harness.ts';

const cluster = useCluster();

interface Books {
  pays: any[];
  invoices: any[];
}

/** books waits until the daemon has no pending payment, then returns its payments and invoices. */
async function books(d: Daemon): Promise<Books> {
  const pays = await waitFor(
    `${d.name}: no payment left pending`,
    async () => {
      const p = ((await d.rpc.call('listpays', {})) as { pays: any[] }).pays;
      return p.every((x) => x.status !== 'pending') ? p : null;
    },
    90_000,
    250,
  );
  return { pays, invoices: ((await d.rpc.call('listinvoices', {})) as { invoices: any[] }).invoices };
}

/** payOn pays over its own RPC connection (one connection's requests are answered in order). */
function payOn(d: Daemon, bolt11: string): Promise<unknown> {
  const c = new RpcClient(d.rpc.path);
  return c
    .call('pay', { bolt11 })
    .catch((e: Error) => ({ status: 'error', error: e.message }))
    .finally(() => c.close());
}

/** settle waits for every promise, or at most `ms` (without keeping the process alive after). */
function settle(ps: Promise<unknown>[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    void Promise.allSettled(ps).then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

const completeSum = (b: Books): bigint => b.pays.filter((p) => p.status === 'complete').reduce((s, p) => s + BigInt(p.amount_msat), 0n);

/** consistent: the payee's paid invoices are exactly the payer's complete payments, hash by hash. */
function consistent(payer: Daemon, pb: Books, payee: Daemon, eb: Books): void {
  const complete = pb.pays.filter((p) => p.status === 'complete').map((p) => p.payment_hash).sort();
  const paid = eb.invoices.filter((i) => i.status === 'paid').map((i) => i.payment_hash).sort();
  assert.deepEqual(paid, complete, `${payee.name}'s paid invoices are exactly ${payer.name}'s complete payments`);
}

test('the payer is SIGKILLed mid-update and restarted: every payment resolves and balances are conserved', { timeout: 300_000 }, async () => {
  const chain = await cluster.startChain();
  const args = [...chain.kitedArgs, '--log-level=debug'];
  let alice = await startDaemon('alice', args);
  cluster.daemons.push(alice);
  const bob = await startDaemon('bob', args);
  cluster.daemons.push(bob);
  await openFunded(alice, bob, { amount: 1_000_000, push_msat: 300_000_000 });
  const start = await agreed(alice, bob, 90_000, true);
  assert.equal(start.a + start.b, 1_000_000_000n);

  let label = 0;
  // Kill alice at different points of the dance: as soon as bob has received the first
  // payment of the batch, and after a few milliseconds more (later in the dance).
  for (const [round, extraMs] of [0, 0, 3, 10, 25].entries()) {
    const out: { hash: string; p: Promise<unknown> }[] = [];
    const invAB = [];
    const invBA = [];
    for (let i = 0; i < 12; i++) invAB.push((await bob.rpc.call('invoice', { amount_msat: 1_000_000 + 7919 * label, label: `ab${label++}`, description: 'a->b' })) as { bolt11: string; payment_hash: string });
    for (let i = 0; i < 4; i++) invBA.push((await alice.rpc.call('invoice', { amount_msat: 500_000 + 104729 * label, label: `ba${label++}`, description: 'b->a' })) as { bolt11: string; payment_hash: string });
    const seen = bob.logs.length;
    for (const inv of invAB) out.push({ hash: inv.payment_hash, p: payOn(alice, inv.bolt11) });
    for (const inv of invBA) out.push({ hash: inv.payment_hash, p: payOn(bob, inv.bolt11) });
    await waitFor('bob receives a payment of the batch', () => bob.logs.slice(seen).some((l) => /payment received/.test(l)), 30_000, 1);
    if (extraMs) await new Promise((r) => setTimeout(r, extraMs));
    alice.kill();
    await new Promise<void>((r) => (alice.proc.exitCode !== null || alice.proc.signalCode !== null ? r() : alice.proc.once('exit', () => r())));
    const cut = bob.logs.length;
    alice = await startDaemon('alice', args, alice.dir);
    cluster.daemons.push(alice);
    // alice keeps bob as a peer and dials him at start.
    await waitFor('alice reconnects to bob', async () => (await liveChannel(alice, bob.id))?.peer_connected, 60_000, 100);
    await settle(out.map((o) => o.p), 70_000);
    const bal = await agreed(alice, bob, 90_000, true);
    const ab = await books(alice);
    const bb = await books(bob);
    // Every payment alice had started resolved after the restart; bob's invoice book agrees.
    const started = new Map(ab.pays.map((p) => [p.payment_hash, p.status]));
    for (const inv of invAB) {
      const st = started.get(inv.payment_hash);
      // A pay the kill cut before it reached alice's payment records never started.
      if (st === undefined) continue;
      assert.ok(st === 'complete' || st === 'failed', `round ${round}: payment ${inv.payment_hash.slice(0, 8)} resolved (${st})`);
    }
    consistent(alice, ab, bob, bb);
    consistent(bob, bb, alice, ab);
    const aliceToBob = completeSum(ab) - completeSum(bb);
    assert.equal(bal.b, start.b + aliceToBob, `round ${round}: bob's balance moved by exactly the complete payments`);
    assert.equal(bal.a, start.a - aliceToBob, `round ${round}: alice's balance moved by exactly the complete payments`);
    const completeAB = invAB.filter((i) => started.get(i.payment_hash) === 'complete').length;
    console.log(
      `crash round ${round} (+${extraMs} ms): alice->bob complete ${completeAB}/${invAB.length}, ` +
        `bob->alice complete ${invBA.filter((i) => bb.pays.some((p) => p.payment_hash === i.payment_hash && p.status === 'complete')).length}/${invBA.length}; ` +
        `bob saw reestablish: ${bob.logs.slice(cut).some((l) => /event=channel_reestablish/.test(l))}`,
    );
  }

  // Payments still work both ways after the restarts, and a cooperative close completes.
  const inv = (await bob.rpc.call('invoice', { amount_msat: 4_242_000, label: 'last', description: 'last' })) as { bolt11: string };
  assert.equal(((await alice.rpc.call('pay', { bolt11: inv.bolt11 })) as { status: string }).status, 'complete');
  const back = (await alice.rpc.call('invoice', { amount_msat: 1_111_000, label: 'lastback', description: 'last back' })) as { bolt11: string };
  assert.equal(((await bob.rpc.call('pay', { bolt11: back.bolt11 })) as { status: string }).status, 'complete');
  const fin = await agreed(alice, bob, 90_000, true);
  const ab = await books(alice);
  const bb = await books(bob);
  assert.equal(fin.b, start.b + completeSum(ab) - completeSum(bb));
  const closed = (await alice.rpc.call('close', { id: bob.id })) as { type: string; txid: string };
  assert.equal(closed.type, 'mutual');
});
