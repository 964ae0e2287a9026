/**
 * Functional: a live channel between two real `kited` processes on a kite-chain, driven by the
 * `kite` CLI. Open, pay both ways, check both sides agree on balances to the msat, the stored
 * result of a repeated pay, a payment the payee cannot know failing cleanly, and cooperative
 * closes started by either side whose closing outputs pay each side its balance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, waitFor, type Daemon } from '../../scripts/lib/processes.ts';
import { useCluster } from './harness.ts';
import { createInvoice } from '../../src/invoice/index.ts';
import { fromHex, toHex } from '../../src/lib/bytes.ts';
import { randomBytes, sha256 as sha } from '../../src/crypto/index.ts';
import { parseTx } from '../../src/bitcoin/tx.ts';
import { msat } from '../../src/lib/units.ts';

const cluster = useCluster();

function ok(r: { status: number; json: any; stderr: string }, what: string): any {
  assert.equal(r.status, 0, `${what}: ${r.stderr}`);
  return r.json;
}

/** channelOf returns the one live channel this daemon has with `peer`, by channel id when given. */
function channelOf(d: Daemon, peer: string, channelId?: string): any {
  const chans = ok(d.cli('listpeerchannels', peer), 'listpeerchannels').channels as any[];
  const c = chans.find((x) => (channelId ? x.channel_id === channelId : x.state !== 'CLOSED'));
  assert.ok(c, `${d.name} has a channel with ${peer.slice(0, 8)}`);
  return c;
}

/** settled: both sides show no HTLC and their to_us sum to the capacity. */
async function settled(a: Daemon, b: Daemon, channelId: string): Promise<{ a: bigint; b: bigint; total: bigint }> {
  return waitFor('channel settles on both sides', () => {
    const ca = channelOf(a, b.id, channelId);
    const cb = channelOf(b, a.id, channelId);
    if (ca.htlcs.length > 0 || cb.htlcs.length > 0) return null;
    const total = BigInt(ca.total_msat);
    assert.equal(BigInt(cb.total_msat), total);
    if (BigInt(ca.to_us_msat) + BigInt(cb.to_us_msat) !== total) return null;
    return { a: BigInt(ca.to_us_msat), b: BigInt(cb.to_us_msat), total };
  });
}

test('channel: open, pay both ways, reject unknown payments, close from either side', { timeout: 240_000 }, async () => {
  const chain = await cluster.startChain();
  const args = [...chain.kitedArgs, '--log-level=debug'];
  const alice = await startDaemon('alice', args);
  cluster.daemons.push(alice);
  const bob = await startDaemon('bob', args);
  cluster.daemons.push(bob);

  ok(alice.cli('faucet', '2000000'), 'faucet');
  ok(alice.cli('generate', '1'), 'generate');
  ok(alice.cli('connect', `${bob.id}@127.0.0.1:${bob.port}`), 'connect');

  const opened = ok(alice.cli('fundchannel', bob.id, '500000'), 'fundchannel');
  assert.match(opened.channel_id, /^[0-9a-f]{64}$/);
  assert.match(opened.txid, /^[0-9a-f]{64}$/);
  ok(alice.cli('generate', '3'), 'generate');
  const chanId = opened.channel_id as string;
  await waitFor('both sides normal', () => channelOf(alice, bob.id, chanId).state === 'CHANNELD_NORMAL' && channelOf(bob, alice.id, chanId).state === 'CHANNELD_NORMAL', 60_000);

  const start = await settled(alice, bob, chanId);
  assert.equal(start.total, 500_000_000n);
  assert.equal(start.b, 0n, 'nothing pushed: the fundee starts with zero');
  assert.equal(channelOf(alice, bob.id, chanId).opener, 'local');
  assert.equal(channelOf(bob, alice.id, chanId).opener, 'remote');

  // alice pays bob.
  const inv1 = ok(bob.cli('invoice', '70000123', 'one', 'first payment'), 'invoice');
  const pay1 = ok(alice.cli('pay', inv1.bolt11), 'pay');
  assert.equal(pay1.status, 'complete');
  assert.equal(pay1.payment_hash, inv1.payment_hash);
  assert.equal(toHex(sha(fromHex(pay1.payment_preimage))), inv1.payment_hash, 'the preimage hashes to the payment hash');
  const afterOne = await settled(alice, bob, chanId);
  assert.equal(afterOne.b, 70_000_123n);
  assert.equal(afterOne.a, start.a - 70_000_123n);

  // bob pays alice back.
  const inv2 = ok(alice.cli('invoice', '20000007', 'two', 'payment back'), 'invoice');
  const pay2 = ok(bob.cli('pay', inv2.bolt11), 'pay');
  assert.equal(pay2.status, 'complete');
  const afterTwo = await settled(alice, bob, chanId);
  assert.equal(afterTwo.b, 70_000_123n - 20_000_007n);
  assert.equal(afterTwo.a, start.a - 70_000_123n + 20_000_007n);

  // Records: listpays complete, listinvoices paid.
  const pays = ok(alice.cli('listpays'), 'listpays').pays as any[];
  assert.equal(pays.length, 1);
  assert.equal(pays[0].status, 'complete');
  assert.equal(pays[0].payment_hash, inv1.payment_hash);
  const binv = ok(bob.cli('listinvoices', 'one'), 'listinvoices').invoices as any[];
  assert.equal(binv.length, 1);
  assert.equal(binv[0].status, 'paid');
  assert.equal(ok(alice.cli('listinvoices', 'two'), 'listinvoices').invoices[0].status, 'paid');

  // Paying the same invoice again returns the stored result and moves nothing.
  const again = ok(alice.cli('pay', inv1.bolt11), 'pay again');
  assert.equal(again.status, 'complete');
  assert.equal(again.payment_preimage, pay1.payment_preimage);
  assert.deepEqual(await settled(alice, bob, chanId), afterTwo);
  assert.equal((ok(alice.cli('listpays'), 'listpays').pays as any[]).length, 1);

  // An invoice signed by bob's key for a hash bob never issued: bob fails the HTLC with
  // incorrect_or_unknown_payment_details and no balance moves.
  const bobSecret = new Uint8Array(readFileSync(join(bob.dir, 'regtest', 'node-secret')));
  const forged = createInvoice({
    network: 'regtest',
    amountMsat: msat(5_000_000),
    paymentHash: randomBytes(32),
    paymentSecret: randomBytes(32),
    description: 'bob never made this',
    timestamp: Math.floor(Date.now() / 1000),
    nodeSecret: bobSecret,
  }).bolt11;
  const bad = alice.cli('pay', forged);
  const badText = bad.status === 0 ? JSON.stringify(bad.json) : bad.stderr;
  assert.match(badText, /incorrect_or_unknown_payment_details/);
  const badPay = (ok(alice.cli('listpays', forged), 'listpays').pays as any[])[0];
  assert.equal(badPay.status, 'failed');
  assert.match(badPay.failure, /incorrect_or_unknown_payment_details/);
  assert.deepEqual(await settled(alice, bob, chanId), afterTwo, 'a failed payment moves no balance');

  // A second channel, closed by the fundee (bob).
  const opened2 = ok(alice.cli('fundchannel', bob.id, '300000'), 'fundchannel 2');
  const chan2 = opened2.channel_id as string;
  ok(alice.cli('generate', '3'), 'generate');
  await waitFor('channel 2 normal', () => channelOf(alice, bob.id, chan2).state === 'CHANNELD_NORMAL' && channelOf(bob, alice.id, chan2).state === 'CHANNELD_NORMAL', 60_000);
  const inv3 = ok(bob.cli('invoice', '12345678', 'three', 'on channel 2'), 'invoice');
  // Both channels go to bob; take whichever pay picks and find the channel that moved.
  assert.equal(ok(alice.cli('pay', inv3.bolt11), 'pay 3').status, 'complete');
  const s1 = await settled(alice, bob, chanId);
  const s2 = await settled(alice, bob, chan2);
  assert.equal(s1.b + s2.b, 70_000_123n - 20_000_007n + 12_345_678n, 'the third payment landed on one of the channels');

  // Close channel 2 from bob's side (fundee-initiated), then channel 1 from alice's.
  for (const [closer, id, bal] of [
    [bob, chan2, s2],
    [alice, chanId, s1],
  ] as const) {
    const closed = ok(closer.cli('close', id), `close by ${closer.name}`);
    assert.equal(closed.type, 'mutual');
    const tx = parseTx(fromHex(closed.tx));
    ok(alice.cli('generate', '1'), 'generate');
    const capacity = bal.total / 1000n;
    const outs = tx.outputs.map((o) => BigInt(o.value));
    const fee = capacity - outs.reduce((x, y) => x + y, 0n);
    assert.ok(fee >= 200n && fee <= 50_000n, `closing fee ${fee} is within the policy range`);
    // Each side's wallet sees its own output of the closing tx once mined.
    const mine = async (d: Daemon): Promise<bigint> =>
      waitFor(`${d.name} sees its closing output`, () => {
        const o = (ok(d.cli('listfunds'), 'listfunds').outputs as any[]).filter((x) => x.txid === closed.txid && x.status === 'confirmed');
        return o.length === 1 ? BigInt(o[0].amount_msat) / 1000n : null;
      });
    const bobOut = bal.b / 1000n > 0n ? await mine(bob) : 0n;
    const aliceOut = await mine(alice);
    // BOLT #3: the closing fee comes from the funder's output; each output is its balance rounded down.
    assert.equal(bobOut, bal.b / 1000n, 'the fundee gets its balance rounded down to the sat');
    assert.equal(aliceOut, bal.a / 1000n - (fee - (capacity - bal.a / 1000n - bal.b / 1000n)), 'the funder gets its balance minus the fee');
    assert.ok(aliceOut < bal.a / 1000n);
    assert.equal(outs.length, bobOut > 0n ? 2 : 1);
    await waitFor('channel closed on both sides', () => {
      const sa = channelOf(alice, bob.id, id).state;
      const sb = channelOf(bob, alice.id, id).state;
      return sa !== 'CHANNELD_NORMAL' && sb !== 'CHANNELD_NORMAL';
    });
  }
});

