/**
 * Functional: two `kited` on kite-chain close a channel the way Core Lightning makes Kite do
 * it, with developer switches on the funder that reproduce Core Lightning's behaviour: a
 * closing fee offered as one value (fee_range min = max, 183 sat as Core Lightning derived
 * from the 253 sat/kw floor), and closing_signed sent as soon as no HTLC remains, while a fee
 * update it just made is still being committed. The fundee (Kite as itself) must close
 * cooperatively every time: no warning loop, no force close.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitFor } from '../../scripts/lib/processes.ts';
import { channelWith, openFunded, payInvoice, useCluster } from './harness.ts';
import { fromHex } from '../../src/lib/bytes.ts';
import { parseTx } from '../../src/bitcoin/tx.ts';

const cluster = useCluster();

function feeOf(txHex: string, capacity: bigint): bigint {
  return capacity - parseTx(fromHex(txHex)).outputs.reduce((s, o) => s + o.value, 0n);
}

test('the fundee accepts a funder closing fee of one value, and a closing_signed that crosses a fee update', { timeout: 240_000 }, async () => {
  const chain = await cluster.startChain();
  const alice = await startDaemon('alice', [...chain.kitedArgs, '--developer', '--dev-closing-fee-sat=183', '--dev-early-closing-signed', '--log-level=debug']);
  cluster.daemons.push(alice);
  const bob = await startDaemon('bob', [...chain.kitedArgs, '--log-level=debug']);
  cluster.daemons.push(bob);

  // 1. The fundee asks to close; the funder offers 183 sat and nothing else.
  const first = await openFunded(alice, bob, { amount: 500_000, faucet: 3_000_000 });
  await payInvoice(alice, bob, 50_000_000, 'p1');
  const c1 = (await bob.rpc.call('close', { id: first })) as { type: string; tx: string };
  assert.equal(c1.type, 'mutual');
  assert.equal(feeOf(c1.tx, 500_000n), 183n);
  assert.ok(!bob.logs.some((l) => /no overlap between fee ranges/.test(l)), 'the fundee found the overlap');

  // 2. The funder updates the fee as the fundee's shutdown crosses it, and sends closing_signed
  //    as soon as its update is revoked, before our commitment_signed for it is answered.
  await alice.rpc.call('generate', { blocks: 1 });
  const second = await openFunded(alice, bob, { amount: 400_000, faucet: 3_000_000 });
  await payInvoice(alice, bob, 20_000_000, 'p2');
  const feerate = (await channelWith(alice, bob.id, second)).feerate.perkw as number;
  const [fee, closed] = await Promise.allSettled([
    alice.rpc.call('dev-feerate', { id: second, feerate: feerate + 500 }),
    bob.rpc.call('close', { id: second }),
  ]);
  assert.equal(closed.status, 'fulfilled', `close: ${closed.status === 'rejected' ? (closed.reason as Error).message : ''}`);
  const c2 = (closed as PromiseFulfilledResult<{ type: string; tx: string }>).value;
  assert.equal(c2.type, 'mutual');
  assert.equal(feeOf(c2.tx, 400_000n), 183n);
  // Whichever way the race went, nothing failed: no error to the peer, no commitment published.
  for (const d of [alice, bob]) {
    assert.ok(!d.logs.some((l) => /force-clos|failing the channel|fail_channel|broadcast.*commitment/i.test(l)), `${d.name} failed nothing`);
  }
  void fee;
  await alice.rpc.call('generate', { blocks: 1 });
  await waitFor('both channels closed on chain for the fundee', async () => {
    const chans = ((await bob.rpc.call('listpeerchannels', {})) as { channels: { state: string }[] }).channels;
    return chans.length > 0 && chans.every((c) => c.state !== 'CHANNELD_NORMAL' && c.state !== 'CLOSINGD_SIGEXCHANGE');
  });
});
