/**
 * Functional, adversarial: a flaky peer. Two real `kited` processes on a kite-chain; bob runs
 * with --dev-disconnect-after-channel-msgs=1 --dev-disconnect-direction=both: the link drops
 * right after every commitment_signed and revoke_and_ack he sends or receives (a received
 * one's drop discards whatever alice sent after it on that connection, e.g. the
 * commitment_signed she sends with her revoke_and_ack), so there is a disconnect between
 * every pair of messages of the update dance, for a whole run of 1,000 payments of random
 * amounts in both directions, sequential and in concurrent batches. Then bob restarts with
 * the drop after the messages he sends only, and more payments follow.
 *
 * After each phase: every payment resolves (none stays pending, no HTLC is left), both sides
 * agree on balances to the msat, each side's balance moved by exactly its complete payments
 * and the other's, and each side's paid invoices are exactly the other's complete payments.
 * At the end, a cooperative close (bob still flaky) pays each side its final balance, the
 * funder less the fee.
 *
 * KITE_FLAKY_PAYMENTS and KITE_FLAKY_SENT_PAYMENTS override the number of payments of each
 * phase (default 1000 and 300); KITE_FLAKY_DEBUG=1 runs the daemons at debug log level.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcClient } from '../../src/rpc/client.ts';
import { fromHex } from '../../src/lib/bytes.ts';
import { parseTx } from '../../src/bitcoin/tx.ts';
import { startDaemon, waitFor, type Daemon } from '../../scripts/lib/processes.ts';
import { liveChannel, rng, useCluster, openFunded } from './harness.ts';

const PAYMENTS = Number(process.env.KITE_FLAKY_PAYMENTS ?? 1000);
const SENT_PAYMENTS = Number(process.env.KITE_FLAKY_SENT_PAYMENTS ?? 300);

const cluster = useCluster();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The payer's channel refuses a new HTLC while the link is down or reestablishing. */
const NOT_CONNECTED = /not connected/;

const drops = (d: Daemon): number => d.logs.filter((l) => /dropping the connection/.test(l)).length;

test(`flaky peer: ${PAYMENTS} payments both ways with a disconnect between every two messages of the update dance`, { timeout: 300_000 }, async () => {
  const t0 = Date.now();
  const chain = await cluster.startChain();
  const args = [...chain.kitedArgs, '--developer', '--dev-reconnect-ms=5', ...(process.env.KITE_FLAKY_DEBUG ? ['--log-level=debug'] : [])];
  const flaky = '--dev-disconnect-after-channel-msgs=1';
  const alice = await startDaemon('alice', args);
  cluster.daemons.push(alice);
  let bob = await startDaemon('bob', [...args, flaky, '--dev-disconnect-direction=both']);
  cluster.daemons.push(bob);
  await openFunded(alice, bob, { amount: 1_000_000, push_msat: 400_000_000 });
  const a0 = BigInt((await liveChannel(alice, bob.id)).to_us_msat);
  const b0 = BigInt((await liveChannel(bob, alice.id)).to_us_msat);
  assert.equal(b0, 400_000_000n);
  assert.equal(a0 + b0, 1_000_000_000n);

  const rand = rng(20261202);
  let n = 0;
  let refusals = 0;
  const outcomes: { payer: string; label: string; status: string }[] = [];
  /** The RPC server answers one connection's requests in order: concurrent pays each get one. */
  const pool = (d: Daemon): RpcClient[] => {
    const p = Array.from({ length: 10 }, () => new RpcClient(d.rpc.path));
    cluster.clients.push(...p);
    return p;
  };
  let slots = new Map<Daemon, RpcClient[]>([
    [alice, pool(alice)],
    [bob, pool(bob)],
  ]);
  /** one makes the invoice now and returns the pay, retried while the link is down. */
  const one = async (payer: Daemon, payee: Daemon, slot = 0): Promise<() => Promise<void>> => {
    const amount = 1_000 + Math.floor(rand() * 2_000_000);
    const label = `p${n++}`;
    const inv = (await payee.rpc.call('invoice', { amount_msat: amount, label, description: label })) as { bolt11: string };
    return async () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        try {
          const r = (await slots.get(payer)![slot].call('pay', { bolt11: inv.bolt11 })) as { status: string };
          outcomes.push({ payer: payer.name, label, status: r.status });
          return;
        } catch (e) {
          const msg = (e as Error).message;
          // Only a refusal to offer the HTLC at all is retried; anything else is an outcome.
          if (!NOT_CONNECTED.test(msg) || Date.now() > deadline) {
            outcomes.push({ payer: payer.name, label, status: `error: ${msg}` });
            return;
          }
          refusals++;
          // Not from `rand`: retries depend on timing, the amounts and directions must not.
          await sleep(2 + Math.floor(Math.random() * 10));
        }
      }
    };
  };
  /**
   * pay runs `count` payments: runs of sequential ones in random directions, and concurrent
   * batches of ten, both directions mixed.
   */
  const pay = async (count: number): Promise<void> => {
    const end = n + count;
    while (n < end) {
      if (rand() < 0.5) {
        for (let i = 0; i < 5 && n < end; i++) await (await (rand() < 0.5 ? one(alice, bob) : one(bob, alice)))();
      } else {
        const batch: (() => Promise<void>)[] = [];
        for (let i = 0; i < 10 && n < end; i++) batch.push(await (rand() < 0.5 ? one(alice, bob, i) : one(bob, alice, i)));
        await Promise.all(batch.map((f) => f()));
      }
      // pay answers 'pending' when a payment has not resolved within its 60 s: on this
      // loopback link that is a stuck HTLC, not slowness; fail now rather than at the timeout.
      const stuck = outcomes.filter((o) => o.status === 'pending');
      assert.deepEqual(stuck, [], 'no payment is still pending after 60 s');
    }
  };
  /** conserved checks the invariants once everything has settled and returns the balances. */
  const conserved = async (phase: string): Promise<{ a: bigint; b: bigint }> => {
    assert.equal(outcomes.length, n, `${phase}: every pay returned`);
    const errors = outcomes.filter((o) => o.status.startsWith('error'));
    assert.deepEqual(errors, [], `${phase}: no pay ended in an error other than a retried refusal`);
    const final = await waitFor(
      `${phase}: every HTLC resolved and both sides agree`,
      async () => {
        const ca = await liveChannel(alice, bob.id);
        const cb = await liveChannel(bob, alice.id);
        if (ca.htlcs.length || cb.htlcs.length || !ca.peer_connected) return null;
        const x = { a: BigInt(ca.to_us_msat), b: BigInt(cb.to_us_msat) };
        return x.a + x.b === 1_000_000_000n ? x : null;
      },
      90_000,
      200,
    );
    const books = new Map<Daemon, { pays: any[]; invoices: any[] }>();
    for (const d of [alice, bob]) {
      const pays = await waitFor(
        `${phase}: ${d.name} has no pending payment`,
        async () => {
          const p = ((await d.rpc.call('listpays', {})) as { pays: any[] }).pays;
          return p.every((x) => x.status !== 'pending') ? p : null;
        },
        90_000,
        250,
      );
      books.set(d, { pays, invoices: ((await d.rpc.call('listinvoices', {})) as { invoices: any[] }).invoices });
    }
    const completeSum = (d: Daemon): bigint => books.get(d)!.pays.filter((p) => p.status === 'complete').reduce((s, p) => s + BigInt(p.amount_msat), 0n);
    const aliceToBob = completeSum(alice) - completeSum(bob);
    assert.equal(final.b, b0 + aliceToBob, `${phase}: bob's balance is alice's complete payments less his own`);
    assert.equal(final.a, a0 - aliceToBob, `${phase}: alice's balance is bob's complete payments less her own`);
    for (const [payer, payee] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const complete = books.get(payer)!.pays.filter((p) => p.status === 'complete').map((p) => p.payment_hash).sort();
      const paid = books.get(payee)!.invoices.filter((i) => i.status === 'paid').map((i) => i.payment_hash).sort();
      assert.deepEqual(paid, complete, `${phase}: ${payee.name}'s paid invoices are exactly ${payer.name}'s complete payments`);
    }
    // Retrying refusals, every payment completes: a flaky link delays payments, it fails none.
    const completeCount = [alice, bob].reduce((k, d) => k + books.get(d)!.pays.filter((p) => p.status === 'complete').length, 0);
    assert.equal(completeCount, n, `${phase}: every payment completes`);
    return final;
  };

  // Phase 1: bob drops the link after every commitment_signed and revoke_and_ack, sent or received.
  await pay(PAYMENTS);
  const t1 = Date.now();
  const received = (d: Daemon): number => d.logs.filter((l) => /dropping the connection.* received=/.test(l)).length;
  console.log(`flaky phase 1: ${n} payments in ${((t1 - t0) / 1000).toFixed(1)} s, ${drops(bob)} drops by bob (${received(bob)} after receiving), ${refusals} refusals retried`);
  assert.ok(drops(bob) - received(bob) >= n && received(bob) >= n, 'the link dropped throughout the run, after sent and received messages');
  await conserved('bob drops after sending and receiving');

  // Phase 2: bob restarts (on the same port: alice redials the address she keeps) and now
  // drops the link only after the messages he sends.
  const before = refusals;
  await bob.stop();
  bob = await startDaemon('bob', [...args, flaky, `--bind-addr=127.0.0.1:${bob.port}`], bob.dir);
  cluster.daemons.push(bob);
  slots = new Map([
    [alice, slots.get(alice)!],
    [bob, pool(bob)],
  ]);
  await waitFor('alice redials bob', async () => (await liveChannel(alice, bob.id))?.peer_connected, 30_000, 50);
  await pay(SENT_PAYMENTS);
  console.log(`flaky phase 2: ${SENT_PAYMENTS} payments in ${((Date.now() - t1) / 1000).toFixed(1)} s, ${drops(bob)} drops by bob; ${refusals - before} refusals retried`);
  assert.ok(drops(bob) >= SENT_PAYMENTS && received(bob) === 0);
  const final = await conserved('bob drops after sending');

  // Cooperative close, bob still flaky: the closing outputs are the final balances
  // rounded down to the satoshi, the funder (alice) paying the fee.
  let closed: { type: string; txid: string; tx: string } | null = null;
  for (let i = 0; !closed; i++) {
    try {
      closed = (await alice.rpc.call('close', { id: bob.id })) as { type: string; txid: string; tx: string };
    } catch (e) {
      if (!NOT_CONNECTED.test((e as Error).message) || i > 500) throw e;
      await sleep(20);
    }
  }
  assert.equal(closed.type, 'mutual');
  const tx = parseTx(fromHex(closed.tx));
  await alice.rpc.call('generate', { blocks: 1 });
  const capacity = 1_000_000n;
  const fee = capacity - tx.outputs.reduce((s, o) => s + BigInt(o.value), 0n);
  assert.ok(fee >= 200n && fee <= 50_000n, `closing fee ${fee} is within the policy range`);
  const mine = (d: Daemon): Promise<bigint> =>
    waitFor(`${d.name} sees its closing output`, async () => {
      const o = ((await d.rpc.call('listfunds', {})) as { outputs: any[] }).outputs.filter((x) => x.txid === closed!.txid && x.status === 'confirmed');
      return o.length === 1 ? BigInt(o[0].amount_msat) / 1000n : null;
    });
  const bobOut = await mine(bob);
  const aliceOut = await mine(alice);
  assert.equal(bobOut, final.b / 1000n, 'bob gets his final balance rounded down to the sat');
  assert.equal(aliceOut, final.a / 1000n - (fee - (capacity - final.a / 1000n - final.b / 1000n)), 'alice gets her final balance less the closing fee');
  assert.equal(tx.outputs.length, 2);
  console.log(`flaky: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
