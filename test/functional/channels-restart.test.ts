/**
 * Functional: a live channel survives (a) the link dropping in the middle of payments
 * (disconnect + connect: channel_reestablish, then more payments) and (b) the payee being
 * SIGKILLed with payments in flight and restarted from its directory on the same port: the
 * payer reconnects, the channel reestablishes, every pending payment resolves (complete or
 * failed, never pending forever), both sides agree on balances to the msat, and a
 * cooperative close still works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitFor, type Daemon } from '../../scripts/lib/processes.ts';
import { agreed, liveChannel, useCluster, openFunded } from './harness.ts';

const cluster = useCluster();

async function invoices(payee: Daemon, tag: string, count: number, amount: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(((await payee.rpc.call('invoice', { amount_msat: amount + i, label: `${tag}${i}`, description: tag })) as { bolt11: string }).bolt11);
  return out;
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

/** paid sums what the payer's listpays shows as complete. */
async function completeSum(payer: Daemon): Promise<{ sum: bigint; pending: number; n: number }> {
  const pays = ((await payer.rpc.call('listpays', {})) as { pays: any[] }).pays;
  return {
    sum: pays.filter((p) => p.status === 'complete').reduce((s, p) => s + BigInt(p.amount_msat), 0n),
    pending: pays.filter((p) => p.status === 'pending').length,
    n: pays.length,
  };
}

test('channel reestablishes after a disconnect and after the peer is killed mid-payment', { timeout: 300_000 }, async () => {
  const chain = await cluster.startChain();
  const args = [...chain.kitedArgs, '--log-level=debug'];
  const alice = await startDaemon('alice', args);
  cluster.daemons.push(alice);
  let bob = await startDaemon('bob', args);
  cluster.daemons.push(bob);
  await openFunded(alice, bob, { amount: 600_000 });
  const start = await agreed(alice, bob, 60_000);
  assert.equal(start.a + start.b, 600_000_000n);

  // (a) Drop the link while payments are in flight, then reconnect.
  const batchA = await invoices(bob, 'a', 10, 1_000_000);
  const inflightA = batchA.map((b) => alice.rpc.call('pay', { bolt11: b }).catch((e: Error) => ({ status: 'error', error: e.message })));
  // Drop the link as soon as bob has taken the first HTLC, with the others still coming.
  const seenA = bob.logs.length;
  await waitFor('bob receives a payment', () => bob.logs.slice(seenA).some((l) => /payment received/.test(l)), 20_000, 2);
  const cutA = alice.logs.length;
  await alice.rpc.call('disconnect', { id: bob.id, force: true });
  await waitFor('link down', async () => !(await liveChannel(alice, bob.id)).peer_connected);
  await alice.rpc.call('connect', { id: `${bob.id}@127.0.0.1:${bob.port}` });
  await settle(inflightA, 65_000);
  const afterA = await agreed(alice, bob, 60_000);
  let paid = await completeSum(alice);
  assert.equal(paid.pending, 0, 'no payment stays pending after reestablish');
  assert.equal(afterA.b, paid.sum, "bob's balance is exactly what alice's complete payments sum to");
  assert.equal(afterA.a, start.a - paid.sum);
  assert.ok(alice.logs.slice(cutA).some((l) => /event=channel_reestablish/.test(l)), 'channel_reestablish was exchanged');
  assert.ok(alice.logs.slice(cutA).some((l) => /payment (succeeded|failed)/.test(l)), 'some payment of the batch resolved after the reconnection');

  // Further payments work, both ways.
  for (const b of await invoices(bob, 'a2-', 3, 2_000_000)) assert.equal(((await alice.rpc.call('pay', { bolt11: b })) as { status: string }).status, 'complete');
  const back = await invoices(alice, 'back', 2, 500_000);
  for (const b of back) assert.equal(((await bob.rpc.call('pay', { bolt11: b })) as { status: string }).status, 'complete');
  const mid = await agreed(alice, bob, 60_000);
  paid = await completeSum(alice);
  const paidBack = (await completeSum(bob)).sum;
  assert.equal(mid.b, paid.sum - paidBack);
  assert.equal(mid.a, start.a - paid.sum + paidBack);

  // (b) SIGKILL bob with payments in flight; restart him on the same port from his directory.
  const batchB = await invoices(bob, 'b', 10, 3_000_000);
  const inflightB = batchB.map((b) => alice.rpc.call('pay', { bolt11: b }).catch((e: Error) => ({ status: 'error', error: e.message })));
  const seenB = bob.logs.length;
  await waitFor('bob receives a payment', () => bob.logs.slice(seenB).some((l) => /payment received/.test(l)), 20_000, 2);
  const oldPort = bob.port;
  bob.kill();
  const cutB = alice.logs.length;
  await new Promise<void>((r) => (bob.proc.exitCode !== null || bob.proc.signalCode !== null ? r() : bob.proc.once('exit', () => r())));
  bob = await startDaemon('bob', [...args, `--bind-addr=127.0.0.1:${oldPort}`], bob.dir);
  cluster.daemons.push(bob);
  // alice keeps bob as a peer and redials him (with backoff).
  await waitFor('alice reconnects to bob', async () => (await liveChannel(alice, bob.id))?.peer_connected, 60_000, 250);
  await settle(inflightB, 65_000);
  const afterB = await agreed(alice, bob, 90_000);
  const final = await waitFor('no pending payment', async () => {
    const s = await completeSum(alice);
    return s.pending === 0 ? s : null;
  }, 60_000, 250);
  assert.equal(final.n, 10 + 3 + 10, 'every payment has a record');
  assert.ok(alice.logs.slice(cutB).some((l) => /payment (succeeded|failed)/.test(l)), 'some payment in flight at the kill resolved after the restart');
  assert.equal(afterB.b, final.sum - paidBack, "bob's balance is what alice's complete payments sum to, less what he paid");
  assert.equal(afterB.a, start.a - final.sum + paidBack);
  // Bob's invoice book agrees with alice's complete payments.
  const bobInvoices = ((await bob.rpc.call('listinvoices', {})) as { invoices: any[] }).invoices;
  const bobPaid = bobInvoices.filter((i) => i.status === 'paid').length;
  const alicePays = ((await alice.rpc.call('listpays', {})) as { pays: any[] }).pays;
  assert.equal(bobPaid, alicePays.filter((p) => p.status === 'complete').length);

  // A cooperative close still works after all that.
  const closed = (await alice.rpc.call('close', { id: bob.id })) as { type: string; txid: string };
  assert.equal(closed.type, 'mutual');
  assert.match(closed.txid, /^[0-9a-f]{64}$/);
});
