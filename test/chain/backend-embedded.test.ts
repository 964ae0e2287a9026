import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { p2wpkhScript, parseTx, scriptToAddress, txid as computeTxid } from '../../src/bitcoin/index.ts';
import { BroadcastError } from '../../src/chain/bitcoind/index.ts';
import { embeddedBackend } from '../../src/chain/bitcoind/embedded.ts';
import { BlockWatcher, hashToHex, hexToHash, type ChainEvent } from '../../src/chain/index.ts';
import { RegtestChain, createChainRpc } from '../../src/chain/regtest/index.ts';
import { fromHex } from '../../src/lib/index.ts';

// A P2WPKH regtest address nobody here holds the key for.
const MINER = scriptToAddress(p2wpkhScript(new Uint8Array(20).fill(7)), 'regtest')!;

async function setup() {
  let t = 1_700_000_000;
  const chain = new RegtestChain({ clock: () => t++ });
  const rpc = createChainRpc(chain);
  await rpc('kite_mine', [101]); // mature coins for the faucet
  const backend = embeddedBackend(chain);
  return { chain, rpc, backend };
}

describe('BitcoindBackend on the embedded regtest chain', () => {
  test('genesis, mining and block parsing', async () => {
    const { rpc, backend } = await setup();
    assert.equal(hashToHex((await backend.getBlockHash(0))!), '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206');
    const hashes = (await rpc('generatetoaddress', [3, MINER])) as string[];
    assert.equal(hashes.length, 3);
    const tip = await backend.getTip();
    assert.equal(tip.height, 104);
    assert.equal(hashToHex(tip.hash), hashes[2]);
    const block = (await backend.getBlock(hexToHash(hashes[1])))!;
    assert.equal(block.height, 103);
    assert.equal(hashToHex(block.prevHash), hashes[0]);
    assert.equal(block.txs.length, 1);
    const cbid = computeTxid(block.txs[0]);
    const found = (await backend.getTransaction(cbid))!;
    assert.equal(found.blockHeight, 103);
    assert.equal(found.confirmations, 2);
    const utxo = (await backend.getUtxo({ txid: cbid, vout: 0 }))!;
    assert.equal(utxo.coinbase, true);
    assert.ok(utxo.value > 0n);
    assert.equal(await backend.getBlockHash(105), null);
  });

  test('broadcast through the real mempool: idempotent, and rejections carry Core\'s reason', async () => {
    const { rpc, backend } = await setup();
    const txidHex = (await rpc('kite_faucet', [MINER, 0.5])) as string;
    const tx = (await backend.getTransaction(hexToHash(txidHex)))!;
    assert.equal(tx.confirmations, 0);
    // Already in the mempool: Core's sendrawtransaction simply returns the txid again.
    assert.equal(hashToHex((await backend.broadcast(tx.tx)).txid), txidHex);
    assert.deepEqual((await backend.getMempoolTxids()).map(hashToHex), [txidHex]);
    await rpc('generatetoaddress', [1, MINER]);
    assert.equal((await backend.broadcast(tx.tx)).alreadyKnown, true);
    // A spend of an output that does not exist.
    const bogus = parseTx(fromHex((await rpc('getrawtransaction', [txidHex])) as string));
    bogus.inputs[0].vout = 77;
    await assert.rejects(backend.broadcast(bogus), (e: unknown) => e instanceof BroadcastError && /missingorspent|missing-inputs/.test(e.reason));
    assert.ok((await backend.estimateFeerate(6)) >= 253);
  });

  test('watcher follows invalidateblock / reconsiderblock', async () => {
    const { rpc, backend } = await setup();
    await rpc('generatetoaddress', [2, MINER]);
    const watcher = new BlockWatcher(backend);
    const events: ChainEvent[] = [];
    watcher.subscribe((e) => events.push(e));
    await watcher.start();
    const txidHex = (await rpc('kite_faucet', [MINER, 0.25])) as string;
    const wid = watcher.watchConfirmations(hexToHash(txidHex), 2);
    const [h3, h4] = (await rpc('generatetoaddress', [2, MINER])) as string[];
    await watcher.poll();
    const conf = events.find((e) => e.type === 'tx_confirmed' && e.watchId === wid);
    assert.ok(conf && conf.type === 'tx_confirmed' && hashToHex(conf.blockHash) === h3);
    events.length = 0;
    await rpc('invalidateblock', [h3]);
    await watcher.poll();
    assert.equal(watcher.tip!.height, (await backend.getTip()).height);
    assert.ok(events.some((e) => e.type === 'reorg'));
    assert.deepEqual(events.filter((e) => e.type === 'block_disconnected').map((e) => (e.type === 'block_disconnected' ? hashToHex(e.hash) : '')), [h4, h3]);
    assert.ok(events.some((e) => e.type === 'tx_unconfirmed' && e.watchId === wid));
    assert.ok((await backend.getMempoolTxids()).some((t) => hashToHex(t) === txidHex), 'back in the mempool');
    events.length = 0;
    await rpc('reconsiderblock', [h3]);
    await watcher.poll();
    assert.equal(hashToHex(watcher.tip!.hash), h4);
    assert.ok(events.some((e) => e.type === 'tx_confirmed' && e.watchId === wid));
  });
});
