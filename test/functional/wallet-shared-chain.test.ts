/**
 * Functional: one `kite-chain` and two `kited` pointed at it, exactly as two nodes would
 * share one bitcoind. The wallet is funded by the faucet, sends to the other node, and bad
 * withdrawals are refused with clear errors and change nothing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startChain, startDaemon, cleanup, waitFor, type ChainProc, type Daemon } from '../../scripts/lib/processes.ts';

const daemons: Daemon[] = [];
let chain: ChainProc | null = null;
after(async () => {
  for (const d of daemons) {
    await d.stop();
    cleanup(d);
  }
  await chain?.stop();
});

test('two nodes share one kite-chain; the wallet funds, withdraws and refuses bad input', { timeout: 180_000 }, async () => {
  chain = await startChain();
  const alice = await startDaemon('alice', chain.kitedArgs);
  daemons.push(alice);
  const bob = await startDaemon('bob', chain.kitedArgs);
  daemons.push(bob);
  assert.match(alice.cli('getinfo').json.chain, /bitcoind at/);

  const f = alice.cli('faucet', '2000000');
  assert.equal(f.status, 0, f.stderr);
  assert.equal(alice.cli('generate', '1').status, 0);
  await waitFor('alice sees her coins confirmed', () =>
    alice.cli('listfunds').json.outputs.find((o: any) => o.txid === f.json.txid && o.status === 'confirmed' && o.amount_msat === 2_000_000_000),
  );

  const bobAddr = bob.cli('newaddr').json.bech32;
  assert.match(bobAddr, /^bcrt1q/);
  const w = alice.cli('withdraw', bobAddr, '300000', 'normal');
  assert.equal(w.status, 0, w.stderr);
  assert.equal(alice.cli('generate', '1').status, 0);
  // Bob's node, polling the same chain, sees the payment.
  await waitFor('bob sees the payment', () => bob.cli('listfunds').json.outputs.find((o: any) => o.txid === w.json.txid && o.amount_msat === 300_000_000 && o.status === 'confirmed'), 30_000);

  const before = alice.cli('listfunds').json;
  const wrongNet = alice.cli('withdraw', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', '1000');
  assert.equal(wrongNet.status, 1);
  assert.match(wrongNet.stderr, /destination/);
  const tooMuch = alice.cli('withdraw', bobAddr, '99999999999');
  assert.equal(tooMuch.status, 1);
  assert.match(tooMuch.stderr, /exceeds the spendable balance/);
  const badAmount = alice.cli('withdraw', bobAddr, 'lots');
  assert.equal(badAmount.status, 2);
  assert.match(badAmount.stderr, /'satoshi'/);
  assert.deepEqual(alice.cli('listfunds').json, before, 'refused withdrawals change nothing');
});
