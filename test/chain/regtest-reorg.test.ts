/**
 * Reorganisations of the embedded chain: invalidateblock/reconsiderblock, most-work chain
 * selection between branches, and the UTXO set and mempool following each switch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHexString } from '../../src/chain/regtest/index.ts';
import { coinbaseOf, key, matureChain, spend } from './regtest-helpers.ts';

const alice = key('alice');
const bob = key('bob');
const carol = key('carol');

test('invalidateblock returns confirmed transactions to the mempool and restores the UTXO set', () => {
  const chain = matureChain(alice);
  const c = coinbaseOf(chain, 1, alice);
  const t = spend([c], [{ value: c.value - 10_000n, script: bob.script }]);
  assert.equal(chain.acceptTx(t).ok, true);
  chain.generate(1, alice.script);
  const minedIn = chain.tip;
  assert.equal(chain.mempool.size, 0);
  assert.equal(chain.coin(c.txid, 0), undefined);
  assert.ok(chain.coin(t.txid, 0));
  const before = chain.utxo.size;

  chain.invalidateBlock(minedIn.hash);
  assert.equal(chain.height, 101);
  assert.ok(chain.coin(c.txid, 0), 'spent coin restored');
  assert.equal(chain.coin(t.txid, 0), undefined);
  assert.ok(chain.mempool.get(t.txid), 'transaction back in the mempool');
  assert.equal(chain.findTx(t.txid)?.block, undefined);
  assert.ok(before > chain.utxo.size);

  // Mining again confirms it in a different block; reconsidering the old block changes nothing (equal work, seen later wins no tie).
  chain.generate(1, carol.script);
  assert.equal(chain.mempool.size, 0);
  const newTip = chain.tip;
  chain.reconsiderBlock(minedIn.hash);
  assert.equal(hashToHexString(chain.tip.hash), hashToHexString(newTip.hash));
  // One more block on the old branch makes it the most-work chain.
  chain.invalidateBlock(newTip.hash);
  assert.equal(hashToHexString(chain.tip.hash), hashToHexString(minedIn.hash));
  assert.equal(chain.mempool.size, 0);
  assert.equal(chain.findTx(t.txid)?.block, minedIn);
});

test('the longer branch wins, and a double spend on it evicts the mempool version', () => {
  const chain = matureChain(alice, 1);
  const forkPoint = chain.tip;
  const c = coinbaseOf(chain, 1, alice);
  const toBob = spend([c], [{ value: c.value - 10_000n, script: bob.script }]);
  const toCarol = spend([c], [{ value: c.value - 20_000n, script: carol.script }]);
  // Branch A: toBob confirmed, 1 block.
  chain.generateBlock(alice.script, [toBob]);
  const a1 = chain.tip;
  // Branch B (from the fork point): toCarol confirmed, 2 blocks.
  chain.invalidateBlock(a1.hash);
  assert.equal(chain.tip, forkPoint);
  assert.ok(chain.mempool.get(toBob.txid));
  chain.generateBlock(alice.script, [toCarol]);
  const b1 = chain.tip;
  assert.equal(chain.mempool.size, 0, 'toBob conflicted with the block');
  chain.generate(1, alice.script);
  const b2 = chain.tip;
  // Reconsider A: it has less work, B stays.
  chain.reconsiderBlock(a1.hash);
  assert.equal(chain.tip, b2);
  assert.ok(chain.coin(toCarol.txid, 0));
  assert.equal(chain.coin(toBob.txid, 0), undefined);
  // Invalidate B: A is the best valid chain again; toCarol cannot return (conflicts with toBob).
  chain.invalidateBlock(b1.hash);
  assert.equal(chain.tip, a1);
  assert.ok(chain.coin(toBob.txid, 0));
  assert.equal(chain.coin(toCarol.txid, 0), undefined);
  assert.equal(chain.mempool.get(toCarol.txid), undefined);
  // Back to B, and coinbase spends of disconnected blocks that are now immature are dropped.
  chain.reconsiderBlock(b1.hash);
  assert.equal(chain.tip, b2);
  const tips = chain.allEntries().filter((e) => e.children.length === 0).length;
  assert.equal(tips, 2);
});

test('invalidating deep blocks reorganises the UTXO set exactly back', () => {
  const chain = matureChain(alice, 3);
  const snapshot = [...chain.utxo.keys()].sort();
  const deep = chain.tip;
  let prev = coinbaseOf(chain, 1, alice);
  for (let i = 0; i < 5; i++) {
    const t = spend([prev], [{ value: prev.value - 1_000n, script: alice.script }]);
    chain.generateBlock(bob.script, [t]);
    prev = { txid: t.txid, vout: 0, value: prev.value - 1_000n, key: alice };
  }
  chain.invalidateBlock(chain.entryAt(deep.height + 1)!.hash);
  assert.equal(chain.tip, deep);
  assert.deepEqual([...chain.utxo.keys()].sort(), snapshot);
  // The five chained transactions are back in the mempool, in order.
  assert.equal(chain.mempool.size, 5);
  chain.generate(1, carol.script);
  assert.equal(chain.mempool.size, 0);
  assert.ok(chain.coin(prev.txid, 0));
});

test('invalidating onto a different branch returns every disconnected transaction to the mempool', () => {
  const chain = matureChain(alice, 2);
  const fork = chain.tip;
  chain.generateBlock(carol.script, []);
  const b1 = chain.tip;
  chain.generateBlock(carol.script, []);
  const b2 = chain.tip;
  chain.invalidateBlock(b1.hash);
  assert.equal(chain.tip, fork);
  const c1 = coinbaseOf(chain, 1, alice);
  const c2 = coinbaseOf(chain, 2, alice);
  const x = spend([c1], [{ value: c1.value - 10_000n, script: bob.script }]);
  const y = spend([c2], [{ value: c2.value - 10_000n, script: bob.script }]);
  chain.generateBlock(alice.script, [x]);
  const a1 = chain.tip;
  chain.generateBlock(alice.script, []);
  const a2 = chain.tip;
  chain.generateBlock(alice.script, [y]);
  chain.reconsiderBlock(b1.hash);
  assert.equal(chain.height, a1.height + 2, 'branch A has more work');
  chain.invalidateBlock(a2.hash);
  assert.equal(chain.tip, b2, 'branch B is now the most-work valid chain');
  assert.ok(chain.mempool.get(x.txid), 'x (from a1, disconnected by the switch) is back');
  assert.ok(chain.mempool.get(y.txid), 'y (from a3, disconnected by the invalidation) is back');
});

test('a competing block at the same height is kept as a side branch (submitblock: inconclusive)', () => {
  const chain = matureChain(alice);
  const rival = chain.createBlock(carol.script);
  chain.generate(1, alice.script);
  const tip = chain.tip;
  assert.equal(chain.submitBlock(rival), 'inconclusive');
  assert.equal(chain.tip, tip, 'first seen wins a tie');
  assert.equal(chain.submitBlock(rival), 'duplicate');
  const side = chain.allEntries().find((e) => e.children.length === 0 && e !== tip)!;
  assert.equal(chain.confirmations(side), -1);
  // Invalidate the tip: the rival takes over.
  chain.invalidateBlock(tip.hash);
  assert.equal(chain.tip, side);
  assert.ok(chain.coin(side.block.txs[0].txid, 0));
});
