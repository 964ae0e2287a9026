import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { txid as computeTxid, type Tx } from '../../src/bitcoin/index.ts';
import { BitcoindBackend, startPolling } from '../../src/chain/bitcoind/index.ts';
import { BlockWatcher, CHAIN_ERRORS, hashToHex, type ChainEvent } from '../../src/chain/index.ts';
import { FakeChain } from './backend-fake-chain.ts';

const OP_TRUE = new Uint8Array([0x51]);
const OTHER = new Uint8Array([0x52]);

function spend(prev: Tx, vout: number, value: bigint, script = OP_TRUE): Tx {
  return { version: 2, inputs: [{ txid: computeTxid(prev), vout, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] }], outputs: [{ value, script }], locktime: 0 };
}

function setup(opts: ConstructorParameters<typeof BlockWatcher>[1] = {}) {
  const chain = new FakeChain();
  chain.mine(5, OP_TRUE);
  const watcher = new BlockWatcher(new BitcoindBackend(chain.rpc), opts);
  const events: ChainEvent[] = [];
  watcher.subscribe((e) => events.push(e));
  const types = () => events.map((e) => e.type);
  return { chain, watcher, events, types };
}

describe('BlockWatcher', () => {
  test('emits connected blocks in order from the start height', async () => {
    const { chain, watcher, events } = setup({ startHeight: 3 });
    await watcher.start();
    const connected = events.filter((e) => e.type === 'block_connected').map((e) => (e.type === 'block_connected' ? e.block.height : -1));
    assert.deepEqual(connected, [3, 4, 5]);
    chain.mine(2, OP_TRUE);
    await watcher.poll();
    assert.equal(watcher.tip!.height, 7);
    assert.equal(events.filter((e) => e.type === 'block_connected').length, 5);
    assert.equal(events[events.length - 1].type, 'tip_changed');
  });

  test('confirmation watches fire at depth, and un-fire on reorg', async () => {
    const { chain, watcher, events, types } = setup();
    await watcher.start();
    const tx = spend(chain.active[1].txs[0], 0, 49_0000_0000n);
    chain.accept(tx);
    const id = watcher.watchConfirmations(computeTxid(tx), 3);
    const sid = watcher.watchScriptConfirmations(OTHER, 1);
    chain.mine(1, OP_TRUE);
    await watcher.poll();
    assert.ok(!types().includes('tx_confirmed'));
    chain.mine(1, OP_TRUE);
    await watcher.poll();
    assert.ok(!types().includes('tx_confirmed'));
    chain.mine(1, OP_TRUE);
    await watcher.poll();
    const conf = events.find((e) => e.type === 'tx_confirmed');
    assert.ok(conf && conf.type === 'tx_confirmed');
    assert.equal(conf.watchId, id);
    assert.equal(conf.blockHeight, 6);
    assert.equal(conf.txIndex, 1);
    assert.equal(conf.depth, 3);
    // Reorg out the confirming block: the watch reports tx_unconfirmed, then confirms again.
    events.length = 0;
    chain.invalidate(6);
    chain.mine(3, OTHER, { includeMempool: false });
    await watcher.poll();
    assert.equal(types()[0], 'reorg');
    const disc = events.filter((e) => e.type === 'block_disconnected').map((e) => (e.type === 'block_disconnected' ? e.height : -1));
    assert.deepEqual(disc, [8, 7, 6], 'disconnected tip first');
    assert.ok(types().lastIndexOf('block_disconnected') < types().indexOf('block_connected'));
    const reorg = events[0];
    assert.ok(reorg.type === 'reorg' && reorg.forkHeight === 5 && reorg.oldTip.height === 8 && reorg.newTip.height === 8);
    assert.ok(events.some((e) => e.type === 'tx_unconfirmed' && e.watchId === id));
    const scriptConf = events.find((e) => e.type === 'tx_confirmed' && e.watchId === sid);
    assert.ok(scriptConf && scriptConf.type === 'tx_confirmed' && scriptConf.blockHeight === 6);
    assert.ok(chain.mempool.has(hashToHex(computeTxid(tx))), 'tx went back to the mempool');
    events.length = 0;
    chain.mine(3, OP_TRUE);
    await watcher.poll();
    const again = events.find((e) => e.type === 'tx_confirmed' && e.watchId === id);
    assert.ok(again && again.type === 'tx_confirmed' && again.blockHeight === 9);
  });

  test('spend watches see the mempool, then the block, and reorgs', async () => {
    const { chain, watcher, events } = setup();
    await watcher.start();
    const cb = chain.active[2].txs[0];
    const wid = watcher.watchSpend({ txid: computeTxid(cb), vout: 0 });
    await watcher.poll();
    assert.equal(events.length, 0);
    const tx = spend(cb, 0, 49_0000_0000n);
    chain.accept(tx);
    await watcher.poll();
    const inMempool = events.find((e) => e.type === 'outpoint_spent');
    assert.ok(inMempool && inMempool.type === 'outpoint_spent' && inMempool.watchId === wid && inMempool.blockHeight === undefined);
    events.length = 0;
    chain.mine(1, OP_TRUE);
    await watcher.poll();
    const inBlock = events.find((e) => e.type === 'outpoint_spent');
    assert.ok(inBlock && inBlock.type === 'outpoint_spent' && inBlock.blockHeight === 6 && inBlock.inputIndex === 0);
    events.length = 0;
    chain.invalidate(6);
    chain.mine(2, OTHER, { includeMempool: false });
    await watcher.poll();
    assert.ok(events.some((e) => e.type === 'spend_unconfirmed' && e.watchId === wid));
    watcher.unwatch(wid);
    events.length = 0;
    chain.mine(1, OP_TRUE);
    await watcher.poll();
    assert.ok(!events.some((e) => e.type === 'outpoint_spent'), 'unwatched');
  });

  test('watches with a height hint find history', async () => {
    const { chain, watcher, events } = setup();
    const cb = chain.active[1].txs[0];
    const tx = spend(cb, 0, 49_0000_0000n);
    chain.accept(tx);
    chain.mine(2, OP_TRUE);
    await watcher.start();
    watcher.watchSpend({ txid: computeTxid(cb), vout: 0 }, { heightHint: 1 });
    watcher.watchConfirmations(computeTxid(tx), 2); // found through getrawtransaction
    await watcher.poll();
    assert.ok(events.some((e) => e.type === 'outpoint_spent' && e.blockHeight === 6));
    assert.ok(events.some((e) => e.type === 'tx_confirmed' && e.blockHeight === 6 && e.depth === 2));
  });

  test('mempool_tx events when mempool watching is on', async () => {
    const { chain, watcher, events } = setup({ watchMempool: true });
    await watcher.start();
    const tx = spend(chain.active[1].txs[0], 0, 49_0000_0000n);
    chain.accept(tx);
    await watcher.poll();
    await watcher.poll();
    assert.equal(events.filter((e) => e.type === 'mempool_tx').length, 1);
  });

  test('a reorg deeper than the kept hashes is a clear error', async () => {
    const { chain, watcher } = setup({ keepBlocks: 6 });
    await watcher.start();
    chain.mine(10, OP_TRUE);
    await watcher.poll();
    chain.invalidate(2);
    chain.mine(12, OTHER);
    await assert.rejects(watcher.poll(), (e: unknown) => (e as { code?: number }).code === CHAIN_ERRORS.DEEP_REORG);
  });

  test('a throwing listener does not corrupt the watcher', async () => {
    const { chain, watcher } = setup();
    await watcher.start();
    let n = 0;
    watcher.subscribe(() => {
      n++;
      throw new Error('listener bug');
    });
    chain.mine(1, OP_TRUE);
    await assert.rejects(watcher.poll(), /listener bug|listeners failed/);
    assert.equal(watcher.tip!.height, 6);
    assert.ok(n > 0);
  });

  test('startPolling drives the watcher on a timer until stopped', async () => {
    const { chain, watcher, events } = setup();
    await watcher.start();
    const errors: unknown[] = [];
    const stop = startPolling(watcher, { intervalMs: 10, onError: (e) => errors.push(e) });
    chain.mine(2, OP_TRUE);
    for (let i = 0; i < 100 && watcher.tip!.height < 7; i++) await new Promise((r) => setTimeout(r, 10));
    await stop();
    assert.equal(watcher.tip!.height, 7);
    assert.equal(events.filter((e) => e.type === 'block_connected').length, 2);
    chain.mine(1, OP_TRUE);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(watcher.tip!.height, 7, 'stopped');
    assert.deepEqual(errors, []);
  });
});
