/**
 * Functional: commitment fees over a live channel between two real `kited` processes. The
 * funder follows the chain's fee estimate with update_fee by itself; a developer can force a
 * feerate (dev-feerate, only with --developer); the fundee may not send update_fee; an
 * unaffordable feerate is refused and changes nothing; payments keep working and balances are
 * conserved through every fee change; and `close` honours a closing feerate range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitFor, type Daemon } from '../../scripts/lib/processes.ts';
import { channelWith, payInvoice, useCluster, openFunded } from './harness.ts';
import { fromHex } from '../../src/lib/bytes.ts';
import { parseTx } from '../../src/bitcoin/tx.ts';

const cluster = useCluster();

/** feerates waits until both sides' commitments use one feerate matching `ok`, and returns it. */
async function agreedFeerate(a: Daemon, b: Daemon, ok: (perkw: number) => boolean, what: string): Promise<number> {
  return waitFor(what, async () => {
    const ca = await channelWith(a, b.id);
    const cb = await channelWith(b, a.id);
    const fa = ca.feerate.perkw as number;
    return fa === cb.feerate.perkw && ok(fa) && ca.htlcs.length === 0 ? fa : null;
  }, 30_000, 100);
}

/** balances: both sides agree, nothing in flight, and the two balances make the capacity. */
async function balances(a: Daemon, b: Daemon): Promise<{ a: bigint; b: bigint }> {
  return waitFor('balances agree', async () => {
    const ca = await channelWith(a, b.id);
    const cb = await channelWith(b, a.id);
    if (ca.htlcs.length || cb.htlcs.length) return null;
    const x = BigInt(ca.to_us_msat);
    const y = BigInt(cb.to_us_msat);
    assert.equal(x + y, BigInt(ca.total_msat), 'balances make the capacity');
    return { a: x, b: y };
  });
}

test('update_fee follows the estimate, can be forced by a developer, and close honours a feerate range', { timeout: 240_000 }, async () => {
  const chain = await cluster.startChain();
  const args = [...chain.kitedArgs, '--log-level=debug'];
  const alice = await startDaemon('alice', [...args, '--developer']);
  cluster.daemons.push(alice);
  const bob = await startDaemon('bob', args);
  cluster.daemons.push(bob);
  await openFunded(alice, bob, { amount: 1_000_000, faucet: 3_000_000 });
  const opened = await agreedFeerate(alice, bob, () => true, 'opening feerate');
  await payInvoice(alice, bob, 123_456_789, 'p1');
  let bal = await balances(alice, bob);
  assert.equal(bal.b, 123_456_789n);

  // The estimate rises: a block full of expensive transactions. The funder notices on the
  // next block and sends update_fee; both commitments move to the new feerate.
  const addr = ((await alice.rpc.call('newaddr', {})) as { bech32: string }).bech32;
  await alice.rpc.call('withdraw', { destination: addr, satoshi: 100_000, feerate: `${opened * 8}perkw` });
  await alice.rpc.call('generate', { blocks: 1 });
  const raised = await agreedFeerate(alice, bob, (f) => f > opened * 1.25, 'the funder raises the commitment feerate');
  assert.ok(alice.logs.some((l) => /update_fee sent/.test(l)), 'alice logged the update');
  assert.deepEqual(await balances(alice, bob), bal, 'a fee update moves no balance');
  await payInvoice(bob, alice, 23_456_789, 'p2');
  await payInvoice(alice, bob, 1_000, 'p3');
  bal = await balances(alice, bob);
  assert.equal(bal.b, 123_456_789n - 23_456_789n + 1_000n);

  // A developer forces a feerate; the fundee may not; an unaffordable one is refused.
  const forced = raised + 777;
  assert.deepEqual(await alice.rpc.call('dev-feerate', { id: bob.id, feerate: forced }), { id: bob.id, feerate: forced });
  assert.equal(await agreedFeerate(alice, bob, (f) => f === forced, 'the forced feerate is committed'), forced);
  await assert.rejects(bob.rpc.call('dev-feerate', { id: alice.id, feerate: 5000 }), /unknown command/, 'no developer commands without --developer');
  await assert.rejects(alice.rpc.call('dev-feerate', { id: bob.id, feerate: 200_000_000 }), /update_fee refused/);
  assert.equal((await channelWith(alice, bob.id)).feerate.perkw, forced, 'a refused update changes nothing');
  await payInvoice(alice, bob, 2_000_000, 'p4');
  bal = await balances(alice, bob);
  assert.equal(bal.b, 123_456_789n - 23_456_789n + 1_000n + 2_000_000n);

  // Close with a narrow closing feerate range: the fee lands inside it (724 weight units).
  await assert.rejects(alice.rpc.call('close', { id: bob.id, feerate_range: '400perkw' }), /feerate_range/);
  await assert.rejects(alice.rpc.call('close', { id: bob.id, feerate_range: '900,300' }), /above maximum/);
  const closed = (await alice.rpc.call('close', { id: bob.id, feerate_range: '253perkw,400perkw' })) as { tx: string; txid: string };
  const tx = parseTx(fromHex(closed.tx));
  const fee = 1_000_000n - tx.outputs.reduce((s, o) => s + o.value, 0n);
  assert.ok(fee >= (253n * 724n) / 1000n && fee <= (400n * 724n) / 1000n, `closing fee ${fee} sat is within 253..400 sat/kw`);
  const outs = tx.outputs.map((o) => o.value).sort((x, y) => (x < y ? -1 : 1));
  assert.deepEqual(outs, [bal.b / 1000n, 1_000_000n - bal.b / 1000n - fee].sort((x, y) => (x < y ? -1 : 1)), 'the fundee gets its balance; the funder pays the fee');
});
